import { seedDefaults } from '../src/seed/seed-defaults.js';
import { registerRunner } from './support/factories.js';
import { apiClient } from './support/http.js';
import { startTestApi, TEST_REGION, type TestApi } from './support/test-api.js';

describe('first-start seeding', () => {
  let api: TestApi;

  beforeAll(async () => {
    api = await startTestApi();
  });
  afterAll(() => api.close());

  it('creates a working key once, and is idempotent', async () => {
    const first = await seedDefaults(api.dataSource, { region: TEST_REGION, apiKey: null });
    expect(first.generatedApiKey).toMatch(/^dtn_[A-Za-z0-9_-]{43}$/);
    const second = await seedDefaults(api.dataSource, { region: TEST_REGION, apiKey: null });
    expect(second).toEqual({ organizationId: first.organizationId, generatedApiKey: null });

    const client = apiClient(api.url, first.generatedApiKey!);
    expect((await client.get('/sandbox')).body).toEqual({ items: [], total: 0, page: 1, limit: 100, totalPages: 0 });
    await registerRunner(api.url, { cpu: 10, memory: 10, disk: 10 });
    const created = await client.post('/sandbox', {});
    expect(created.body).toMatchObject({ snapshot: 'default', state: 'creating' });

    const counts = await api.dataSource.query(
      `SELECT (SELECT count(*) FROM organization)::int AS orgs, (SELECT count(*) FROM snapshot)::int AS snapshots,
              (SELECT count(*) FROM api_key)::int AS keys`,
    );
    expect(counts[0]).toEqual({ orgs: 1, snapshots: 1, keys: 1 });
  });

  it('adopts a given key for the default organization, stored only as a hash', async () => {
    const given = 'my-own-key-for-the-local-stack';
    const result = await seedDefaults(api.dataSource, { region: TEST_REGION, apiKey: given });
    expect(result.generatedApiKey).toBeNull();
    expect((await apiClient(api.url, given).get('/sandbox')).status).toBe(200);
    const stored = await api.dataSource.query(`SELECT key_hash FROM api_key WHERE key_hash LIKE $1`, [`%${given}%`]);
    expect(stored).toHaveLength(0);
  });
});
