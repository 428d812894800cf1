import { OrganizationResourcePermission as P } from '../src/auth/permissions.js';
import { createApiKey, createOrganization, registerRunner, seedGeneralDefaults, type RegisteredRunner } from './support/factories.js';
import { apiClient, type ApiClient } from './support/http.js';
import { startTestApi, type TestApi } from './support/test-api.js';

/**
 * Bulk delete's bounds and its runners that do not answer, with runners played by the test over
 * the runner protocol (registered at an address nothing listens on). Real runners: fleet.int-spec.ts.
 */
describe('POST /sandbox/bulk-delete', () => {
  let api: TestApi;
  let client: ApiClient;
  let runner: RegisteredRunner;

  beforeAll(async () => {
    api = await startTestApi({ BULK_MAX_TOTAL_COUNT: '5', RECONCILE_INTERVAL_MS: '600000' });
    await seedGeneralDefaults(api.dataSource);
    client = apiClient(api.url, await createApiKey(api.dataSource, (await createOrganization(api.dataSource)).id));
    runner = await registerRunner(api.url, { cpu: 100, memory: 100, disk: 100 });
  });
  afterAll(() => api.close());

  const create = async (prefix: string, count: number) =>
    (await client.post('/sandbox/bulk', { items: [{ snapshotIdOrName: 'default', count, sandboxNamePrefix: prefix, labels: { run: prefix } }] })).body;
  const states = async (prefix: string) =>
    (await client.get(`/sandbox?states=creating&states=destroying&states=destroyed&limit=1000`)).body.items
      .filter((s: { name: string }) => s.name.startsWith(`${prefix}-`))
      .map((s: { state: string }) => s.state)
      .sort();

  it('marks at most BULK_MAX_TOTAL_COUNT per call and says when more match, oldest first', async () => {
    await create('many', 4);
    await create('many2', 3);
    expect((await client.post('/sandbox/bulk-delete', { namePrefix: 'many' })).body).toEqual({ count: 5, hasMore: true });
    expect(await states('many')).toEqual(Array(4).fill('destroying'));
    expect((await client.post('/sandbox/bulk-delete', { namePrefix: 'many' })).body).toEqual({ count: 2, hasMore: false });
    expect((await client.post('/sandbox/bulk-delete', { namePrefix: 'many' })).body).toEqual({ count: 0, hasMore: false });
  });

  it('leaves a runner that does not answer to its next sync, which destroys them and completes the rows', async () => {
    const sandboxes = await create('silent', 3);
    expect((await client.post('/sandbox/bulk-delete', { labels: { run: 'silent' } })).body).toEqual({ count: 3, hasMore: false });
    expect(await states('silent')).toEqual(Array(3).fill('destroying'));
    const ids = sandboxes.map((s: { id: string }) => s.id);
    const runnerApi = apiClient(api.url, runner.token);
    // The runner says it still holds them: the answer is to destroy them.
    const held = await runnerApi.post('/runners/sync', { sandboxes: ids.map((id: string) => ({ id, state: 'creating' })), images: [] });
    expect([...held.body.destroy].sort()).toEqual([...ids].sort());
    // Once it holds them no more, they are done.
    await runnerApi.post('/runners/sync', { sandboxes: [], images: [] });
    expect(await states('silent')).toEqual(Array(3).fill('destroyed'));
  });

  it('completes at once the sandboxes whose runner is gone', async () => {
    await create('gone', 2);
    await api.dataSource.query(`UPDATE runner SET state = 'unresponsive' WHERE id = $1`, [runner.id]);
    try {
      expect((await client.post('/sandbox/bulk-delete', { namePrefix: 'gone-' })).body).toEqual({ count: 2, hasMore: false });
      expect(await states('gone')).toEqual(['destroyed', 'destroyed']);
    } finally {
      await api.dataSource.query(`UPDATE runner SET state = 'ready' WHERE id = $1`, [runner.id]);
    }
  });

  it('needs delete:sandboxes', async () => {
    const organization = await createOrganization(api.dataSource);
    const reader = apiClient(api.url, await createApiKey(api.dataSource, organization.id, [P.READ_SANDBOXES, P.WRITE_SANDBOXES]));
    const refused = await reader.post('/sandbox/bulk-delete', { namePrefix: 'x' });
    expect(refused).toMatchObject({ status: 403, body: { code: 'missing_permission', details: { missing: ['delete:sandboxes'] } } });
  });
});
