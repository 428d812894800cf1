import { createHash } from 'node:crypto';
import { createApiKey, createOrganization, registerRunner, seedGeneralDefaults } from './support/factories.js';
import { apiClient, expectErrorBody } from './support/http.js';
import { RUNNER_REGISTRATION_TOKEN, startTestApi, type TestApi } from './support/test-api.js';

describe('runner enrollment and heartbeat', () => {
  let api: TestApi;
  const operator = () => apiClient(api.url, RUNNER_REGISTRATION_TOKEN);

  beforeAll(async () => {
    api = await startTestApi();
    await seedGeneralDefaults(api.dataSource);
  });
  afterAll(() => api.close());

  const registration = (overrides: Record<string, unknown> = {}) => ({
    name: 'runner-a',
    url: 'http://127.0.0.1:9',
    region: 'test-region',
    capacity: { cpu: 4, memory: 8, disk: 20 },
    isolated: true,
    ...overrides,
  });

  it('refuses registration without the registration secret', async () => {
    expectErrorBody(await apiClient(api.url).post('/runners/register', registration()), 401, 'unauthenticated');
    expectErrorBody(await apiClient(api.url, 'wrong-secret-wrong-secret').post('/runners/register', registration()), 401, 'unauthenticated');
  });

  it('refuses an unknown region and a bad capacity', async () => {
    expectErrorBody(await operator().post('/runners/register', registration({ region: 'mars' })), 400, 'unknown_region');
    expectErrorBody(await operator().post('/runners/register', registration({ capacity: { cpu: -1, memory: 1, disk: 1 } })), 400, 'validation_failed');
    expectErrorBody(await operator().post('/runners/register', registration({ credential: 'short' })), 400, 'validation_failed');
  });

  it('enrolls once with a credential stored only as its hash, and registers again only with that credential', async () => {
    const first = await operator().post('/runners/register', registration());
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ name: 'runner-a', region: 'test-region', state: 'ready', credential: expect.stringMatching(/^[0-9a-f]{64}$/) });
    const { credential, apiToken } = first.body;
    expect(apiToken).toMatch(/^[0-9a-f]{64}$/);
    expect(apiToken).not.toBe(credential);
    const [stored] = await api.dataSource.query('SELECT credential_hash, row_to_json(runner)::text AS everything FROM runner WHERE id = $1', [first.body.id]);
    expect(stored.credential_hash).toBe(createHash('sha256').update(credential).digest('hex'));
    expect(stored.everything).not.toContain(credential);
    expect(stored.everything).not.toContain(apiToken);

    // A restart presents the credential: same runner, new details, no new credential.
    const again = await operator().post('/runners/register', registration({ credential, capacity: { cpu: 8, memory: 8, disk: 20 } }));
    expect(again.body).toMatchObject({ id: first.body.id, credential: null, apiToken });
    const [row] = await api.dataSource.query('SELECT capacity_cpu FROM runner WHERE id = $1', [first.body.id]);
    expect(row.capacity_cpu).toBe(8);

    expect((await apiClient(api.url, credential).post('/runners/heartbeat')).status).toBe(204);
    expectErrorBody(await apiClient(api.url, apiToken).post('/runners/heartbeat'), 401, 'unauthenticated');
    expectErrorBody(await apiClient(api.url, 'b'.repeat(64)).post('/runners/heartbeat'), 401, 'unauthenticated');
  });

  it('lets no holder of the registration secret take over an enrolled runner\'s name', async () => {
    const victim = await registerRunner(api.url, { cpu: 1, memory: 1, disk: 1 }, { name: 'victim', url: 'http://127.0.0.1:9001' });
    for (const rogue of [registration({ name: 'victim', url: 'http://127.0.0.1:6666' }), registration({ name: 'victim', credential: 'c'.repeat(64) })]) {
      expectErrorBody(await operator().post('/runners/register', rogue), 409, 'runner_name_taken');
    }
    const [row] = await api.dataSource.query(`SELECT url FROM runner WHERE name = 'victim'`);
    expect(row.url).toBe('http://127.0.0.1:9001');
    expect((await apiClient(api.url, victim.token).post('/runners/heartbeat')).status).toBe(204);
  });

  it('lets the operator list, disable, enable and delete runners, never showing a credential', async () => {
    const runner = await registerRunner(api.url, { cpu: 2, memory: 2, disk: 2 }, { name: 'managed' });
    const listed = (await operator().get('/runners')).body.runners.find((r: { name: string }) => r.name === 'managed');
    expect(listed).toMatchObject({ id: runner.id, schedulable: true, isolated: true, sandboxes: 0, capacity: { cpu: 2, memory: 2, disk: 2 } });
    expect(JSON.stringify(listed)).not.toContain(runner.token);
    expect((await operator().post('/runners/managed/disable')).body.schedulable).toBe(false);
    expect((await operator().post('/runners/managed/enable')).body.schedulable).toBe(true);
    const organization = await createOrganization(api.dataSource);
    expectErrorBody(await apiClient(api.url, await createApiKey(api.dataSource, organization.id)).get('/runners'), 401, 'unauthenticated');
    expectErrorBody(await operator().post('/runners/nobody/disable'), 404, 'runner_not_found');

    expect((await operator().delete('/runners/managed')).status).toBe(204);
    expectErrorBody(await apiClient(api.url, runner.token).post('/runners/heartbeat'), 401, 'unauthenticated');
    // Its name can be enrolled again.
    expect((await operator().post('/runners/register', registration({ name: 'managed' }))).status).toBe(200);
  });

  it('places no sandbox on a runner that does not isolate, and refuses to delete a runner that holds sandboxes', async () => {
    for (const { name } of (await operator().get('/runners')).body.runners) await operator().post(`/runners/${name}/disable`);
    const organization = await createOrganization(api.dataSource);
    const client = apiClient(api.url, await createApiKey(api.dataSource, organization.id));
    await registerRunner(api.url, { cpu: 10, memory: 10, disk: 10 }, { name: 'unisolated', isolated: false });
    expectErrorBody(await client.post('/sandbox', {}), 503, 'insufficient_capacity');

    const isolated = await registerRunner(api.url, { cpu: 10, memory: 10, disk: 10 }, { name: 'isolated' });
    const created = await client.post('/sandbox', {});
    expect(created.body.runnerId).toBe(isolated.id);
    expectErrorBody(await operator().delete('/runners/isolated'), 409, 'runner_in_use');
  });

  it('does not accept an organization API key as a runner credential', async () => {
    const organization = await createOrganization(api.dataSource);
    const key = await createApiKey(api.dataSource, organization.id);
    expectErrorBody(await apiClient(api.url, key).post('/runners/heartbeat'), 401, 'unauthenticated');
    expectErrorBody(await apiClient(api.url, key).post('/runners/register', registration()), 401, 'unauthenticated');
  });
});

describe('a server that allows runners without isolation', () => {
  it('places sandboxes on them (development on hosts without bubblewrap)', async () => {
    const api = await startTestApi({ ALLOW_UNISOLATED_RUNNERS: 'true' });
    try {
      await seedGeneralDefaults(api.dataSource);
      const organization = await createOrganization(api.dataSource);
      const client = apiClient(api.url, await createApiKey(api.dataSource, organization.id));
      const runner = await registerRunner(api.url, { cpu: 10, memory: 10, disk: 10 }, { isolated: false });
      expect((await client.post('/sandbox', {})).body.runnerId).toBe(runner.id);
    } finally {
      await api.close();
    }
  });
});
