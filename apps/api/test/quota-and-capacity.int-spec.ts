import {
  createApiKey,
  createOrganization,
  createSnapshot,
  registerRunner,
  seedGeneralDefaults,
  type RegisteredRunner,
} from './support/factories.js';
import { apiClient, expectErrorBody } from './support/http.js';
import { startTestApi, type TestApi } from './support/test-api.js';

describe('quotas and runner capacity', () => {
  let api: TestApi;

  beforeAll(async () => {
    api = await startTestApi();
    await seedGeneralDefaults(api.dataSource);
  });
  afterAll(() => api.close());

  async function newOrgClient(quotas: Record<string, number>) {
    const organization = await createOrganization(api.dataSource, quotas);
    return apiClient(api.url, await createApiKey(api.dataSource, organization.id));
  }

  it('answers 503 insufficient_capacity when no runner is registered in the region', async () => {
    const client = await newOrgClient({});
    const result = await client.post('/sandbox', {});
    expectErrorBody(result, 503, 'insufficient_capacity');
    expect(result.body.details).toMatchObject({ requested: 1, available: 0 });
  });

  describe('with a runner', () => {
    let runner: RegisteredRunner;

    beforeAll(async () => {
      runner = await registerRunner(api.url, { cpu: 1000, memory: 1000, disk: 1000 });
    });

    it('refuses past the cpu quota with 403 quota_exceeded naming the resource', async () => {
      const client = await newOrgClient({ totalCpuQuota: 2 });
      expect((await client.post('/sandbox', {})).status).toBe(200);
      expect((await client.post('/sandbox', {})).status).toBe(200);
      const refused = await client.post('/sandbox', {});
      expectErrorBody(refused, 403, 'quota_exceeded');
      expect(refused.body.details).toEqual({ resource: 'cpu', requested: 1, available: 0, limit: 2 });
      expect((await client.get('/sandbox')).body.total).toBe(2);
    });

    it('names memory or disk when those run out first', async () => {
      const memoryBound = await newOrgClient({ totalMemoryQuota: 3 });
      const big = await createSnapshot(api.dataSource, { name: 'mem-heavy', memory: 2 });
      expect((await memoryBound.post('/sandbox', { snapshot: big.id })).status).toBe(200);
      const refused = await memoryBound.post('/sandbox', { snapshot: big.id });
      expectErrorBody(refused, 403, 'quota_exceeded');
      expect(refused.body.details).toEqual({ resource: 'memory', requested: 2, available: 1, limit: 3 });

      const diskBound = await newOrgClient({ totalDiskQuota: 0 });
      const diskRefused = await diskBound.post('/sandbox', {});
      expect(diskRefused.body.details).toMatchObject({ resource: 'disk', available: 0 });
    });

    it('gives quota back when a sandbox is deleted', async () => {
      const client = await newOrgClient({ totalCpuQuota: 1 });
      const first = await client.post('/sandbox', {});
      expectErrorBody(await client.post('/sandbox', {}), 403, 'quota_exceeded');
      // `destroying` still holds quota: the runner may not have freed the resources yet.
      expect((await client.delete(`/sandbox/${first.body.id}`)).body.state).toBe('destroying');
      expectErrorBody(await client.post('/sandbox', {}), 403, 'quota_exceeded');
      await apiClient(api.url, runner.token).post('/runners/sandbox-states', {
        updates: [{ id: first.body.id, state: 'destroyed' }],
      });
      expect((await client.post('/sandbox', {})).status).toBe(200);
    });

    it('refuses a snapshot larger than the per-sandbox maximum', async () => {
      const client = await newOrgClient({ maxCpuPerSandbox: 2 });
      const large = await createSnapshot(api.dataSource, { name: 'cpu-heavy', cpu: 3 });
      const refused = await client.post('/sandbox', { snapshot: large.name });
      expectErrorBody(refused, 403, 'sandbox_limit_exceeded');
      expect(refused.body.details).toEqual({ resource: 'cpu', requested: 3, limit: 2 });
    });

    it('never exceeds the quota under parallel creates', async () => {
      for (let round = 0; round < 3; round++) {
        const client = await newOrgClient({ totalCpuQuota: 5 });
        const results = await Promise.all(Array.from({ length: 20 }, () => client.post('/sandbox', {})));
        const statuses = results.map((r) => r.status).sort();
        expect(statuses.filter((s) => s === 200)).toHaveLength(5);
        expect(statuses.filter((s) => s === 403)).toHaveLength(15);
        expect((await client.get('/sandbox')).body.total).toBe(5);
      }
    });
  });
});

describe('placement over runners', () => {
  let api: TestApi;

  beforeAll(async () => {
    api = await startTestApi();
    await seedGeneralDefaults(api.dataSource);
  });
  afterAll(() => api.close());

  it('spreads sandboxes over runners and never past a runner\'s capacity', async () => {
    const small = await registerRunner(api.url, { cpu: 2, memory: 100, disk: 100 });
    const large = await registerRunner(api.url, { cpu: 4, memory: 100, disk: 100 });
    const organization = await createOrganization(api.dataSource);
    const client = apiClient(api.url, await createApiKey(api.dataSource, organization.id));

    // Each sandbox goes to a runner with the most room left, so none is filled while another idles.
    const room: Record<string, number> = { [small.id]: 2, [large.id]: 4 };
    const placed: string[] = [];
    for (let i = 0; i < 6; i++) {
      const result = await client.post('/sandbox', {});
      expect(result.status).toBe(200);
      const chosen: string = result.body.runnerId;
      expect(room[chosen]).toBe(Math.max(...Object.values(room)));
      room[chosen] -= 1;
      placed.push(chosen);
    }
    expect(placed.filter((id) => id === small.id)).toHaveLength(2);
    expect(placed.filter((id) => id === large.id)).toHaveLength(4);

    const full = await client.post('/sandbox', {});
    expectErrorBody(full, 503, 'insufficient_capacity');
  });

  it('skips runners that are not schedulable or not ready', async () => {
    await api.dataSource.query(`UPDATE runner SET schedulable = false`);
    const ready = await registerRunner(api.url, { cpu: 10, memory: 10, disk: 10 });
    const unresponsive = await registerRunner(api.url, { cpu: 10, memory: 10, disk: 10 });
    await api.dataSource.query(`UPDATE runner SET state = 'unresponsive' WHERE id = $1`, [unresponsive.id]);
    const organization = await createOrganization(api.dataSource);
    const client = apiClient(api.url, await createApiKey(api.dataSource, organization.id));
    for (let i = 0; i < 3; i++) {
      expect((await client.post('/sandbox', {})).body.runnerId).toBe(ready.id);
    }
  });
});
