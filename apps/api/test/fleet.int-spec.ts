import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createApiKey, createOrganization, seedGeneralDefaults } from './support/factories.js';
import { apiClient, expectErrorBody, type ApiClient } from './support/http.js';
import { processesMatching, runnerSandboxIds } from './support/runner-inspection.js';
import { startRunnerProcess, type RunnerProcess } from './support/runner-process.js';
import { startTestApi, type TestApi } from './support/test-api.js';

const BULK_REQUEST_LABEL = 'daytona.io/bulk-request';

interface Sandbox {
  id: string;
  name: string;
  state: string;
  labels: Record<string, string>;
  env: Record<string, string>;
}

/** Labels, env and bulk delete with real bubblewrap sandboxes; NDJSON progress: bulk-progress.int-spec.ts. */
describe('running fleets on a real runner', () => {
  let api: TestApi;
  let runner: RunnerProcess;
  let client: ApiClient;
  let other: ApiClient;
  let apiKey: string;

  beforeAll(async () => {
    api = await startTestApi({ RECONCILE_INTERVAL_MS: '200' });
    await seedGeneralDefaults(api.dataSource);
    const quotas = { totalCpuQuota: 1000, totalMemoryQuota: 1000, totalDiskQuota: 1000 };
    apiKey = await createApiKey(api.dataSource, (await createOrganization(api.dataSource, quotas)).id);
    client = apiClient(api.url, apiKey);
    other = apiClient(api.url, await createApiKey(api.dataSource, (await createOrganization(api.dataSource, quotas)).id));
    // Syncs a minute apart: a bulk delete must reach the runner by its own request, not by a sync.
    runner = await startRunnerProcess({ apiUrl: api.url, env: { RUNNER_PROVIDER: 'bwrap', RUNNER_SYNC_INTERVAL_MS: '60000' } });
  });
  afterAll(async () => {
    await runner?.stop();
    await api?.close();
    await runner?.removeData();
  });

  const exec = (c: ApiClient, id: string, command: string) => c.post(`/toolbox/${id}/toolbox/process/execute`, { command });
  const bulk = async (c: ApiClient, items: object[], awaitStarted = true): Promise<Sandbox[]> => {
    const result = await c.post('/sandbox/bulk', { items: items.map((item) => ({ snapshotIdOrName: 'default', ...item })), awaitStarted });
    expect(result.status).toBe(200);
    return result.body;
  };
  async function waitUntilDestroyed(c: ApiClient, ids: string[], timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const states = await Promise.all(ids.map(async (id) => (await c.get(`/sandbox/${id}`)).body.state));
      if (states.every((state) => state === 'destroyed')) return;
      if (Date.now() > deadline) throw new Error(`not destroyed in time: ${states.join(', ')}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  it('gives every sandbox of an item its labels and env, and every sandbox of the request one request label', async () => {
    const sandboxes = await bulk(client, [
      { count: 3, sandboxNamePrefix: 'lab-a', labels: { run: 'r1', team: 'a' }, env: { FLEET_ITEM: 'a', SHARED: 'x' } },
      { count: 2, sandboxNamePrefix: 'lab-b', labels: { run: 'r1' }, env: { FLEET_ITEM: 'b' } },
    ]);
    expect(sandboxes.map((s) => [s.name, s.state])).toEqual([
      ['lab-a-00001', 'started'],
      ['lab-a-00002', 'started'],
      ['lab-a-00003', 'started'],
      ['lab-b-00001', 'started'],
      ['lab-b-00002', 'started'],
    ]);
    const requestId = sandboxes[0].labels[BULK_REQUEST_LABEL];
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(sandboxes.slice(0, 3).map((s) => s.labels)).toEqual(Array(3).fill({ run: 'r1', team: 'a', [BULK_REQUEST_LABEL]: requestId }));
    expect(sandboxes.slice(3).map((s) => s.labels)).toEqual(Array(2).fill({ run: 'r1', [BULK_REQUEST_LABEL]: requestId }));
    expect(sandboxes[4].env).toEqual({ FLEET_ITEM: 'b' });

    const seen = await Promise.all(sandboxes.map((s) => exec(client, s.id, 'echo "$FLEET_ITEM-$SHARED"')));
    expect(seen.map((answer) => answer.body.result)).toEqual(['a-x\n', 'a-x\n', 'a-x\n', 'b-\n', 'b-\n']);

    const listed = await client.get(`/sandbox?labels=${encodeURIComponent(JSON.stringify({ [BULK_REQUEST_LABEL]: requestId }))}`);
    expect(listed.body.total).toBe(5);
    const [next] = await bulk(client, [{ count: 1, sandboxNamePrefix: 'lab-c' }], false);
    expect(next.labels[BULK_REQUEST_LABEL]).toMatch(/^[0-9a-f-]{36}$/);
    expect(next.labels[BULK_REQUEST_LABEL]).not.toBe(requestId);
  });

  it('refuses platform labels in creates, and bulk data beyond what one request may store, creating nothing', async () => {
    const before = (await client.get('/sandbox')).body.total;
    const reserved = await client.post('/sandbox/bulk', {
      items: [{ snapshotIdOrName: 'default', count: 1, sandboxNamePrefix: 'res', labels: { 'daytona.io/bulk-request': 'mine' } }],
    });
    expectErrorBody(reserved, 400, 'reserved_label');
    expect(reserved.body.details.field).toBe('items.0.labels');
    const single = await client.post('/sandbox', { labels: { 'daytona.io/anything': 'x' } });
    expectErrorBody(single, 400, 'reserved_label');
    expect(single.body.details.field).toBe('labels');
    const tooMuch = await client.post('/sandbox/bulk', {
      items: [{ snapshotIdOrName: 'default', count: 10_000, sandboxNamePrefix: 'big', env: { PAYLOAD: 'x'.repeat(2_000) } }],
    });
    expectErrorBody(tooMuch, 400, 'bulk_data_too_large');
    expect((await client.get('/sandbox')).body.total).toBe(before);
  });

  it('bulk delete by label destroys exactly the matching sandboxes of the caller, leaving no process or file', async () => {
    const kept = await bulk(client, [{ count: 2, sandboxNamePrefix: 'del-keep', labels: { run: 'keep' } }]);
    const doomed = await bulk(client, [
      { count: 4, sandboxNamePrefix: 'del-go', labels: { run: 'go', part: '1' } },
      { count: 2, sandboxNamePrefix: 'del-go2', labels: { run: 'go' } },
    ]);
    const theirs = await bulk(other, [{ count: 2, sandboxNamePrefix: 'del-go', labels: { run: 'go' } }]);
    await Promise.all(doomed.map((s) => exec(client, s.id, '(sleep 304 > /dev/null 2>&1 &)')));
    expect(processesMatching('sleep 304')).toHaveLength(6);

    expect(await client.post('/sandbox/bulk-delete', { labels: { run: 'go' } })).toEqual({ status: 200, body: { count: 6, hasMore: false } });
    await waitUntilDestroyed(
      client,
      doomed.map((s) => s.id),
    );
    for (const sandbox of doomed) {
      expect(processesMatching(sandbox.id)).toEqual([]);
      expect(existsSync(join(runner.dataDir, 'sandboxes', sandbox.id))).toBe(false);
    }
    expect(processesMatching('sleep 304')).toEqual([]);
    const held = await runnerSandboxIds(runner);
    expect(doomed.filter((s) => held.includes(s.id))).toEqual([]);
    for (const sandbox of [...kept, ...theirs]) expect(held).toContain(sandbox.id);
    expect((await exec(client, kept[0].id, 'echo alive')).body.result).toBe('alive\n');
    expect((await exec(other, theirs[0].id, 'echo alive')).body.result).toBe('alive\n');
    // Names are free again; a repeat matches nothing.
    expect((await client.post('/sandbox/bulk-delete', { labels: { run: 'go' } })).body).toEqual({ count: 0, hasMore: false });
    expect(await bulk(client, [{ count: 1, sandboxNamePrefix: 'del-go' }], false)).toHaveLength(1);
  });

  it('bulk delete matches every selector given: name prefix, ids and labels together', async () => {
    const a = await bulk(client, [{ count: 3, sandboxNamePrefix: 'sel-a', labels: { run: 'sel' } }], false);
    const b = await bulk(client, [{ count: 2, sandboxNamePrefix: 'sel-b', labels: { run: 'sel' } }], false);
    const both = { namePrefix: 'sel-a-', ids: [a[0].id, b[0].id], labels: { run: 'sel' } };
    expect((await client.post('/sandbox/bulk-delete', both)).body).toEqual({ count: 1, hasMore: false });
    expect((await other.post('/sandbox/bulk-delete', { namePrefix: 'sel-' })).body).toEqual({ count: 0, hasMore: false });
    expect((await client.post('/sandbox/bulk-delete', { labels: { run: 'sel' }, namePrefix: 'sel-b' })).body).toEqual({ count: 2, hasMore: false });
    const requestLabel = { [BULK_REQUEST_LABEL]: a[1].labels[BULK_REQUEST_LABEL] };
    expect((await client.post('/sandbox/bulk-delete', { labels: requestLabel })).body).toEqual({ count: 2, hasMore: false });
    await waitUntilDestroyed(client, [...a, ...b].map((s) => s.id));
  });

  it('refuses a bulk delete without a selector, and bad selectors, naming the field', async () => {
    for (const body of [{}, { labels: {} }, { ids: [] }, { labels: {}, ids: [] }]) {
      expectErrorBody(await client.post('/sandbox/bulk-delete', body), 400, 'empty_selector');
    }
    const badPrefix = await client.post('/sandbox/bulk-delete', { namePrefix: '' });
    expectErrorBody(badPrefix, 400, 'validation_failed');
    expect(badPrefix.body.details.field).toBe('namePrefix');
    const badId = await client.post('/sandbox/bulk-delete', { ids: ['not-a-uuid'] });
    expectErrorBody(badId, 400, 'validation_failed');
    expect(badId.body.details.field).toBe('ids');
    expectErrorBody(await client.post('/sandbox/bulk-delete', { labels: { run: 1 } }), 400, 'validation_failed');
    expectErrorBody(await client.post('/sandbox/bulk-delete', { everything: true }), 400, 'validation_failed');
  });
});

