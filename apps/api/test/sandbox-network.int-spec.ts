import { ALL_PERMISSIONS } from '../src/auth/permissions.js';
import { createApiKey, createOrganization, registerRunner, seedGeneralDefaults, type RegisteredRunner } from './support/factories.js';
import { apiClient, expectErrorBody, type ApiClient } from './support/http.js';
import { startTestApi, type TestApi } from './support/test-api.js';

// What a create says about the network, on the record and in the spec its runner gets.
describe('sandbox networks over the API', () => {
  let api: TestApi;
  let client: ApiClient;
  let runner: RegisteredRunner;

  beforeAll(async () => {
    api = await startTestApi();
    await seedGeneralDefaults(api.dataSource);
    const organization = await createOrganization(api.dataSource);
    client = apiClient(api.url, await createApiKey(api.dataSource, organization.id, ALL_PERMISSIONS));
    runner = await registerRunner(api.url, { cpu: 50, memory: 50, disk: 50 });
  });
  afterAll(() => api.close());

  /** The sandbox as its runner is told about it (what a starting runner adopts). */
  async function specOnRunner(id: string): Promise<Record<string, unknown>> {
    const response = await fetch(`${api.url}/runners/sandboxes`, { headers: { authorization: `Bearer ${runner.token}` } });
    const body = (await response.json()) as Array<Record<string, unknown>> | { sandboxes: Array<Record<string, unknown>> };
    const list = Array.isArray(body) ? body : body.sandboxes;
    return list.find((sandbox) => sandbox.id === id)!;
  }

  it('blocks by default (SANDBOX_NETWORK_DEFAULT=blocked), and says so on the record and to the runner', async () => {
    const created = await client.post('/sandbox', {});
    expect(created.body).toMatchObject({ networkBlockAll: true, networkAllowList: null });
    expect(await specOnRunner(created.body.id)).toMatchObject({ networkBlockAll: true });
    expect(await specOnRunner(created.body.id)).not.toHaveProperty('networkAllowList');
  });

  it('gives egress when asked, limited by an allow list kept in canonical form', async () => {
    const open = await client.post('/sandbox', { networkBlockAll: false });
    expect(open.body).toMatchObject({ networkBlockAll: false, networkAllowList: null });
    const listed = await client.post('/sandbox', { networkAllowList: ' 198.18.0.1/15, 203.0.113.7/32' });
    expect(listed.body).toMatchObject({ networkBlockAll: false, networkAllowList: '198.18.0.0/15,203.0.113.7/32' });
    expect(await specOnRunner(listed.body.id)).toMatchObject({ networkBlockAll: false, networkAllowList: ['198.18.0.0/15', '203.0.113.7/32'] });
    expect((await client.get(`/sandbox/${listed.body.id}`)).body).toMatchObject({ networkAllowList: '198.18.0.0/15,203.0.113.7/32' });
  });

  it('takes the fields per bulk item', async () => {
    const created = await client.post('/sandbox/bulk', {
      items: [
        { snapshotIdOrName: 'default', count: 2, sandboxNamePrefix: 'net-open', networkBlockAll: false },
        { snapshotIdOrName: 'default', count: 1, sandboxNamePrefix: 'net-listed', networkAllowList: '198.18.0.0/24' },
        { snapshotIdOrName: 'default', count: 1, sandboxNamePrefix: 'net-none' },
      ],
    });
    expect(created.status).toBe(200);
    expect(created.body.map((sandbox: { networkBlockAll: boolean; networkAllowList: string | null }) => [sandbox.networkBlockAll, sandbox.networkAllowList])).toEqual([
      [false, null],
      [false, null],
      [false, '198.18.0.0/24'],
      [true, null],
    ]);
  });

  it('refuses what is not a list of at most 10 IPv4 CIDRs, and a list with networkBlockAll', async () => {
    for (const [body, field] of [
      [{ networkAllowList: '198.18.0.1' }, 'networkAllowList'],
      [{ networkAllowList: '::1/128' }, 'networkAllowList'],
      [{ networkAllowList: Array.from({ length: 11 }, (_, i) => `10.${i}.0.0/16`).join(',') }, 'networkAllowList'],
      [{ networkBlockAll: 'yes' }, 'networkBlockAll'],
      [{ networkBlockAll: true, networkAllowList: '198.18.0.0/15' }, 'networkAllowList'],
    ] as const) {
      const refused = await client.post('/sandbox', body);
      expectErrorBody(refused, 400, 'validation_failed');
      expect(refused.body.details.field).toBe(field);
    }
    const bulk = await client.post('/sandbox/bulk', {
      items: [{ snapshotIdOrName: 'default', count: 1, sandboxNamePrefix: 'bad-net', networkBlockAll: true, networkAllowList: '198.18.0.0/15' }],
    });
    expectErrorBody(bulk, 400, 'validation_failed');
    expect(bulk.body.details.field).toBe('items.0.networkAllowList');
  });

  it('gives egress to sandboxes that say nothing when the server default is egress', async () => {
    const egressApi = await startTestApi({ SANDBOX_NETWORK_DEFAULT: 'egress', SEED_DEFAULTS: 'false' }, api.databaseUrl);
    try {
      const organization = await createOrganization(api.dataSource);
      const other = apiClient(egressApi.url, await createApiKey(api.dataSource, organization.id, ALL_PERMISSIONS));
      expect((await other.post('/sandbox', {})).body).toMatchObject({ networkBlockAll: false, networkAllowList: null });
      expect((await other.post('/sandbox', { networkBlockAll: true })).body).toMatchObject({ networkBlockAll: true });
    } finally {
      await egressApi.close();
    }
  });
});
