import { createApiKey, createOrganization, createSnapshot, registerRunner, seedGeneralDefaults } from './support/factories.js';
import { apiClient, expectErrorBody, type ApiClient } from './support/http.js';
import { startTestApi, TEST_REGION, type TestApi } from './support/test-api.js';

describe('snapshots', () => {
  let api: TestApi;
  let client: ApiClient;
  let organizationId: string;

  beforeAll(async () => {
    api = await startTestApi();
    await seedGeneralDefaults(api.dataSource);
    organizationId = (await createOrganization(api.dataSource)).id;
    client = apiClient(api.url, await createApiKey(api.dataSource, organizationId));
    await registerRunner(api.url, { cpu: 50, memory: 50, disk: 50 });
  });
  afterAll(() => api.close());

  it('lists general and own snapshots, by name', async () => {
    await createSnapshot(api.dataSource, { organizationId, name: 'mine' });
    const other = await createOrganization(api.dataSource);
    await createSnapshot(api.dataSource, { organizationId: other.id, name: 'theirs' });
    const listed = await client.get('/snapshots');
    expect(listed.status).toBe(200);
    expect(listed.body.map((s: { name: string }) => s.name)).toEqual(['default', 'mine']);
    expect(listed.body[0]).toMatchObject({ name: 'default', general: true, state: 'active', regions: [TEST_REGION] });
    expect(listed.body[1]).toMatchObject({ name: 'mine', general: false });
  });

  it('gets a snapshot by id or by name; the organization\'s own shadows a general one', async () => {
    const general = await createSnapshot(api.dataSource, { name: 'python' });
    const own = await createSnapshot(api.dataSource, { organizationId, name: 'python', cpu: 2 });
    expect((await client.get(`/snapshots/${general.id}`)).body.id).toBe(general.id);
    expect((await client.get('/snapshots/python')).body.id).toBe(own.id);
    const created = await client.post('/sandbox', { snapshot: 'python' });
    expect(created.body).toMatchObject({ snapshot: 'python', cpu: 2 });
    expectErrorBody(await client.get('/snapshots/nope'), 404, 'snapshot_not_found');
  });

  it('refuses a snapshot not available in the organization\'s region', async () => {
    await createSnapshot(api.dataSource, { name: 'elsewhere', regions: ['other-region'] });
    const refused = await client.post('/sandbox', { snapshot: 'elsewhere' });
    expectErrorBody(refused, 400, 'snapshot_not_in_region');
    expect(refused.body.details).toMatchObject({ region: TEST_REGION });
  });
});
