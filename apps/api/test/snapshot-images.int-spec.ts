import { createApiKey, createOrganization, seedGeneralDefaults } from './support/factories.js';
import { apiClient, expectErrorBody, type ApiClient } from './support/http.js';
import { startRunnerProcess, type RunnerProcess } from './support/runner-process.js';
import { startTestApi, TEST_IMAGES, type TestApi } from './support/test-api.js';

/** Snapshots from images in a real registry, pulled by a real runner, run as real sandboxes. */
describe('snapshots of OCI images on a real runner', () => {
  let api: TestApi;
  let runner: RunnerProcess;
  let client: ApiClient;

  beforeAll(async () => {
    api = await startTestApi({ RECONCILE_INTERVAL_MS: '200' });
    await seedGeneralDefaults(api.dataSource);
    client = apiClient(api.url, await createApiKey(api.dataSource, (await createOrganization(api.dataSource)).id));
    runner = await startRunnerProcess({ apiUrl: api.url, env: { RUNNER_PROVIDER: 'bwrap' } });
  });
  afterAll(async () => {
    await runner?.stop();
    await api?.close();
    await runner?.removeData();
  });

  async function settled(name: string, timeoutMs = 60_000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const snapshot = (await client.get(`/snapshots/${name}`)).body;
      if (snapshot.state === 'active' || snapshot.state === 'error' || Date.now() > deadline) return snapshot;
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  const exec = (id: string, command: string) => client.post(`/toolbox/${id}/toolbox/process/execute`, { command });

  it('makes each sandbox of a bulk with two snapshots run its own image', async () => {
    for (const [name, imageName] of Object.entries(TEST_IMAGES)) {
      expect((await client.post('/snapshots', { name, imageName })).body.state).toBe('pending');
    }
    for (const name of Object.keys(TEST_IMAGES)) expect(await settled(name)).toMatchObject({ state: 'active', errorReason: null });

    const created = await client.post('/sandbox/bulk', {
      items: [
        { snapshotIdOrName: 'alpha', count: 2, sandboxNamePrefix: 'alpha' },
        { snapshotIdOrName: 'beta', count: 2, sandboxNamePrefix: 'beta' },
      ],
      awaitStarted: true,
    });
    expect(created.body.map((s: { state: string }) => s.state)).toEqual(Array(4).fill('started'));
    const markers = await Promise.all(created.body.map((s: { id: string }) => exec(s.id, 'cat /marker')));
    expect(markers.map((m) => m.body.result.trim())).toEqual(['alpha', 'alpha', 'beta', 'beta']);
    // Writes land in each sandbox's own layer: a sibling of the same image does not see them.
    await exec(created.body[0].id, 'echo changed > /marker');
    expect((await exec(created.body[0].id, 'cat /marker')).body.result).toBe('changed\n');
    expect((await exec(created.body[1].id, 'cat /marker')).body.result).toBe('alpha\n');

    expectErrorBody(await client.delete('/snapshots/alpha'), 409, 'snapshot_in_use');
    for (const sandbox of created.body) await client.delete(`/sandbox/${sandbox.id}`);
    expect((await client.delete('/snapshots/alpha')).status).toBe(200);
  });

  it('ends a snapshot in error with the registry\'s reason for an unknown image, an unknown tag or an unreachable registry, and keeps serving', async () => {
    const registry = TEST_IMAGES.alpha.slice(0, TEST_IMAGES.alpha.indexOf('/'));
    const cases: Array<[string, string, RegExp]> = [
      ['no-such-image', `${registry}/daytona/nothing-here:1`, /manifest unknown|not found|name unknown/i],
      ['no-such-tag', `${registry}/daytona/test:no-such-tag`, /manifest unknown|not found/i],
      ['unreachable', '127.0.0.1:9/daytona/test:alpha', /connection refused|connect/i],
    ];
    for (const [name, imageName] of cases) expect((await client.post('/snapshots', { name, imageName })).status).toBe(200);
    for (const [name, , reason] of cases) {
      const snapshot = await settled(name);
      expect(snapshot.state).toBe('error');
      expect(snapshot.errorReason).toMatch(reason);
    }
    expect((await client.get('/snapshots')).status).toBe(200);
    expectErrorBody(await client.post('/sandbox', { snapshot: 'no-such-tag' }), 400, 'snapshot_not_active');
  });
});
