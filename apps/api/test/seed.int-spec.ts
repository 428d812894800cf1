import { seedDefaults } from '../src/seed/seed-defaults.js';
import { registerRunner } from './support/factories.js';
import { apiClient } from './support/http.js';
import { startTestApi, TEST_REGION, type TestApi } from './support/test-api.js';

const IMAGE = '127.0.0.1:5999/daytona/default:1';

describe('first-start seeding', () => {
  let api: TestApi;

  beforeAll(async () => {
    api = await startTestApi();
  });
  afterAll(() => api.close());

  it('creates a working key once, and is idempotent; the default snapshot is active once a runner holds its image', async () => {
    const first = await seedDefaults(api.dataSource, { region: TEST_REGION, apiKey: null, defaultSnapshotImage: IMAGE });
    expect(first.generatedApiKey).toMatch(/^dtn_[A-Za-z0-9_-]{43}$/);
    const second = await seedDefaults(api.dataSource, { region: TEST_REGION, apiKey: null, defaultSnapshotImage: IMAGE });
    expect(second).toEqual({ organizationId: first.organizationId, generatedApiKey: null, hasDefaultSnapshot: true });

    const client = apiClient(api.url, first.generatedApiKey!);
    expect((await client.get('/sandbox')).body).toEqual({ items: [], total: 0, page: 1, limit: 100, totalPages: 0, nextCursor: null });
    expect((await client.get('/snapshots/default')).body).toMatchObject({ state: 'pending', imageName: IMAGE, general: true });
    const runner = await registerRunner(api.url, { cpu: 10, memory: 10, disk: 10 });
    expect((await client.post('/sandbox', {})).body.code).toBe('snapshot_not_active');

    // The runner's sync is asked to pull the image; once it reports it ready, the snapshot is active.
    const sync = (images: unknown[]) => apiClient(api.url, runner.token).post('/runners/sync', { sandboxes: [], images });
    expect((await sync([])).body.pull).toEqual([IMAGE]);
    await sync([{ ref: IMAGE, state: 'pulling', digest: null, errorReason: null, sizeBytes: null }]);
    expect((await client.get('/snapshots/default')).body.state).toBe('pulling');
    const ready = { ref: IMAGE, state: 'ready', digest: 'sha256:' + 'a'.repeat(64), errorReason: null, sizeBytes: 50 * 1024 ** 2 };
    expect((await sync([ready])).body.pull).toEqual([]);
    expect((await client.get('/snapshots/default')).body).toMatchObject({ state: 'active', size: 0.049 });
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
    const result = await seedDefaults(api.dataSource, { region: TEST_REGION, apiKey: given, defaultSnapshotImage: IMAGE });
    expect(result.generatedApiKey).toBeNull();
    expect((await apiClient(api.url, given).get('/sandbox')).status).toBe(200);
    const stored = await api.dataSource.query(`SELECT key_hash FROM api_key WHERE key_hash LIKE $1`, [`%${given}%`]);
    expect(stored).toHaveLength(0);
  });

  it('points the default snapshot at a new image when DEFAULT_SNAPSHOT_IMAGE changes, pending until pulled', async () => {
    const next = '127.0.0.1:5999/daytona/default:2';
    await seedDefaults(api.dataSource, { region: TEST_REGION, apiKey: null, defaultSnapshotImage: next });
    const key = (await seedDefaults(api.dataSource, { region: TEST_REGION, apiKey: 'another-key-for-the-local-stack', defaultSnapshotImage: null }));
    expect(key.hasDefaultSnapshot).toBe(true);
    const snapshot = (await apiClient(api.url, 'another-key-for-the-local-stack').get('/snapshots/default')).body;
    expect(snapshot).toMatchObject({ imageName: next, state: 'pending' });
  });
});
