import { createApiKey, createOrganization, seedGeneralDefaults } from './support/factories.js';
import { apiClient, type ApiClient } from './support/http.js';
import { startRedisServer, type RunningRedis } from './support/redis-server.js';
import { startRunnerProcess, type RunnerProcess } from './support/runner-process.js';
import { startTestApi, type TestApi } from './support/test-api.js';

/** The state bus is best effort: with Redis gone, waits fall back to database re-checks and nothing answers 5xx. */
describe('a Redis outage', () => {
  let redis: RunningRedis;
  let api: TestApi;
  let runner: RunnerProcess;
  let client: ApiClient;
  let apiKey: string;

  beforeAll(async () => {
    redis = await startRedisServer();
    api = await startTestApi({ REDIS_URL: redis.url, LOG_LEVEL: 'error' });
    await seedGeneralDefaults(api.dataSource);
    apiKey = await createApiKey(api.dataSource, (await createOrganization(api.dataSource)).id);
    client = apiClient(api.url, apiKey);
    runner = await startRunnerProcess({ apiUrl: api.url, env: { RUNNER_PROVIDER: 'bwrap' } });
  });
  afterAll(async () => {
    await runner?.stop();
    await api?.close();
    await runner?.removeData();
    await redis?.stop();
  });

  const bulk = (prefix: string) =>
    client.post('/sandbox/bulk', { items: [{ snapshotIdOrName: 'default', count: 5, sandboxNamePrefix: prefix }], awaitStarted: true });

  it('slows waits down to database re-checks but fails no request, on a running API and on one started during it', async () => {
    const before = await bulk('before-outage');
    expect(before.body.map((s: { state: string }) => s.state)).toEqual(Array(5).fill('started'));

    await redis.stop();
    const during = await bulk('during-outage');
    expect(during.status).toBe(200);
    expect(during.body.map((s: { state: string }) => s.state)).toEqual(Array(5).fill('started'));
    const deletes = await Promise.all([...before.body, ...during.body].map((s: { id: string }) => client.delete(`/sandbox/${s.id}`)));
    expect(deletes.map((d) => d.status)).toEqual(Array(10).fill(200));
    expect((await client.get('/sandbox')).status).toBe(200);

    // A second instance started while Redis is down serves too.
    const late = await startTestApi({ REDIS_URL: redis.url, LOG_LEVEL: 'error' }, api.databaseUrl);
    try {
      const lateClient = apiClient(late.url, apiKey);
      const created = await lateClient.post('/sandbox', {});
      expect(created.status).toBe(200);
      expect((await lateClient.delete(`/sandbox/${created.body.id}`)).status).toBe(200);
    } finally {
      await late.close();
    }
  });
});
