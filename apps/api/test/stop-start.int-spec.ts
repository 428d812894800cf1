import { execFileSync } from 'node:child_process';
import { SandboxActivity } from '../src/sandbox/services/sandbox-activity.js';
import { createApiKey, createOrganization, seedGeneralDefaults } from './support/factories.js';
import { apiClient, expectErrorBody, type ApiClient } from './support/http.js';
import { startRunnerProcess, type RunnerProcess } from './support/runner-process.js';
import { startTestApi, TEST_DEFAULT_IMAGE, type TestApi } from './support/test-api.js';

/** Stop, start, auto-stop, auto-delete and the fields Daytona's SDKs read, on a real runner. */
describe('stopping, starting and the sandbox record', () => {
  let api: TestApi;
  let runner: RunnerProcess;
  let client: ApiClient;

  beforeAll(async () => {
    api = await startTestApi({ RECONCILE_INTERVAL_MS: '200' });
    await seedGeneralDefaults(api.dataSource);
    client = apiClient(api.url, await createApiKey(api.dataSource, (await createOrganization(api.dataSource)).id));
    runner = await startRunnerProcess({ apiUrl: api.url, env: { RUNNER_PROVIDER: 'bwrap' } });
    // The runner's sync reports the default image, and with it the user its commands run as.
    await until('the image user known', async () => {
      const [row] = await api.dataSource.query(`SELECT image_user FROM snapshot WHERE name = 'default' AND organization_id IS NULL`);
      return row?.image_user === 'daytona';
    });
  });
  afterAll(async () => {
    await runner?.stop();
    await api?.close();
    await runner?.removeData();
  });

  async function until(what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  const stateIs = (id: string, state: string) => until(`${id} ${state}`, async () => (await client.get(`/sandbox/${id}`)).body.state === state);
  const exec = (id: string, command: string) => client.post(`/toolbox/${id}/toolbox/process/execute`, { command });

  async function started(body: object = {}) {
    const created = await client.post('/sandbox', body);
    expect(created.status).toBe(200);
    await stateIs(created.body.id, 'started');
    return (await client.get(`/sandbox/${created.body.id}`)).body;
  }

  it('answers every field the official SDKs read, and the toolbox URL', async () => {
    const sandbox = await started({ labels: { 'code-toolbox-language': 'python' } });
    expect(sandbox).toMatchObject({
      toolboxProxyUrl: `${api.url}/toolbox`,
      target: 'test-region',
      user: 'daytona',
      public: false,
      networkBlockAll: true,
      gpu: 0,
      kvm: false,
      autoStopInterval: 15,
      autoArchiveInterval: 0,
      autoDeleteInterval: -1,
      volumes: [],
      recoverable: false,
    });
    expect(typeof sandbox.lastActivityAt).toBe('string');
    expect((await client.get(`/sandbox/${sandbox.name}/toolbox-proxy-url`)).body).toEqual({ url: `${api.url}/toolbox` });
    expectErrorBody(await client.get('/sandbox/nope/toolbox-proxy-url'), 404, 'sandbox_not_found');
  });

  it('stops a sandbox (processes gone, files kept) and starts it again with the same files', async () => {
    const sandbox = await started();
    expect((await exec(sandbox.id, 'echo kept > note.txt && (sleep 601 > /dev/null 2>&1 &) && echo ok')).body.result).toBe('ok\n');
    const stopped = await client.post(`/sandbox/${sandbox.id}/stop`);
    expect(stopped.body).toMatchObject({ id: sandbox.id, state: 'stopped', desiredState: 'stopped' });
    expect(processesMatching(sandbox.id)).toEqual([]);
    expectErrorBody(await exec(sandbox.id, 'true'), 409, 'sandbox_not_started');
    expect((await client.post(`/sandbox/${sandbox.id}/stop?force=true`)).body.state).toBe('stopped');

    const again = await client.post(`/sandbox/${sandbox.name}/start`);
    expect(['starting', 'started']).toContain(again.body.state);
    await stateIs(sandbox.id, 'started');
    expect((await exec(sandbox.id, "cat note.txt; pgrep -cf 'slee[p] 601' || true")).body.result).toBe('kept\n0\n');
  });

  it('refuses to start or stop what is destroyed, and an unknown sandbox, with their codes', async () => {
    const sandbox = await started();
    await client.delete(`/sandbox/${sandbox.id}`);
    expectErrorBody(await client.post(`/sandbox/${sandbox.id}/start`), 409, 'sandbox_state_conflict');
    expectErrorBody(await client.post(`/sandbox/${sandbox.id}/stop`), 409, 'sandbox_state_conflict');
    expectErrorBody(await client.post('/sandbox/nobody/start'), 404, 'sandbox_not_found');
  });

  it('stops a sandbox idle for its auto-stop interval, and toolbox calls keep it from going idle', async () => {
    const idle = await started({ autoStopInterval: 1 });
    const busy = await started({ autoStopInterval: 1 });
    await api.dataSource.query(`UPDATE sandbox SET last_activity_at = now() - interval '2 minutes' WHERE id = ANY($1::uuid[])`, [[idle.id, busy.id]]);
    // A toolbox call on `busy` is activity (recorded in batches: flushed here at once).
    expect((await exec(busy.id, 'true')).status).toBe(200);
    await api.app.get(SandboxActivity).flush();
    await stateIs(idle.id, 'stopped');
    expect((await client.get(`/sandbox/${busy.id}`)).body.state).toBe('started');
    expect(processesMatching(idle.id)).toEqual([]);
  });

  it('destroys a stopped sandbox after its auto-delete interval (0: at once), on the runner too', async () => {
    const sandbox = await started({ autoDeleteInterval: 0 });
    await client.post(`/sandbox/${sandbox.id}/stop`);
    await stateIs(sandbox.id, 'destroyed');
    await until('its directory gone', async () => !(await runnerHolds(sandbox.id)));
  });

  it('sets the intervals, replaces labels keeping the platform\'s, and refuses what it cannot honour', async () => {
    const [sandbox] = (await client.post('/sandbox/bulk', { items: [{ snapshotIdOrName: 'default', count: 1, sandboxNamePrefix: 'knobs', autoStopInterval: 5 }] })).body;
    expect(sandbox.autoStopInterval).toBe(5);
    expect((await client.post(`/sandbox/${sandbox.id}/autostop/0`)).body.autoStopInterval).toBe(0);
    expect((await client.post(`/sandbox/${sandbox.id}/autodelete/30`)).body.autoDeleteInterval).toBe(30);
    expect((await client.post(`/sandbox/${sandbox.id}/autoarchive/0`)).body.autoArchiveInterval).toBe(0);
    expectErrorBody(await client.post(`/sandbox/${sandbox.id}/autoarchive/60`), 400, 'unsupported_field');
    expectErrorBody(await client.post(`/sandbox/${sandbox.id}/autostop/-5`), 400, 'validation_failed');

    const labels = await client.request('PUT', `/sandbox/${sandbox.id}/labels`, { labels: { team: 'b' } });
    expect(labels.body.labels).toEqual({ team: 'b', 'daytona.io/bulk-request': sandbox.labels['daytona.io/bulk-request'] });
    expectErrorBody(await client.request('PUT', `/sandbox/${sandbox.id}/labels`, { labels: { 'daytona.io/x': '1' } }), 400, 'reserved_label');
    await client.delete(`/sandbox/${sandbox.id}`);
  });

  it('accepts the official create fields it can honour, and names those it cannot', async () => {
    const own = await client.post('/sandbox', { volumes: [], public: false, gpu: 0, kvm: false, user: 'daytona', target: 'test-region', cpu: 2, memory: 2 });
    expect(own.body).toMatchObject({ cpu: 2, memory: 2, user: 'daytona', target: 'test-region' });
    await client.delete(`/sandbox/${own.body.id}`);
    const cases: Array<[object, number, string, string]> = [
      [{ volumes: [{ volumeId: 'v', mountPath: '/data' }] }, 400, 'unsupported_field', 'volumes'],
      [{ public: true }, 400, 'unsupported_field', 'public'],
      [{ gpu: 1 }, 400, 'unsupported_field', 'gpu'],
      [{ user: 'root' }, 400, 'unsupported_field', 'user'],
      [{ secrets: [{ A: 'b' }] }, 400, 'unsupported_field', 'secrets'],
      [{ autoArchiveInterval: 60 }, 400, 'unsupported_field', 'autoArchiveInterval'],
      [{ target: 'nowhere' }, 400, 'unknown_region', 'target'],
      [{ cpu: 64 }, 403, 'sandbox_limit_exceeded', 'resource'],
    ];
    const before = (await client.get('/sandbox')).body.total;
    for (const [body, status, code, field] of cases) {
      const answer = await client.post('/sandbox', body);
      expectErrorBody(answer, status, code);
      expect(field === 'resource' ? answer.body.details.resource : answer.body.details.field).toBe(field === 'resource' ? 'cpu' : field);
    }
    expect((await client.get('/sandbox')).body.total).toBe(before);
  });

  async function runnerHolds(id: string): Promise<boolean> {
    const port = [...runner.output().matchAll(/ready at http:\/\/[^:]+:(\d+)/g)].at(-1)![1];
    const response = await fetch(`http://127.0.0.1:${port}/sandboxes`, { headers: { authorization: `Bearer ${await runner.apiToken()}` } });
    return ((await response.json()) as { sandboxes: Array<{ id: string }> }).sandboxes.some((s) => s.id === id);
  }
});

/** Paging with cursors and the official list filters. */
describe('listing sandboxes the way the official SDKs do', () => {
  let api: TestApi;
  let client: ApiClient;

  beforeAll(async () => {
    api = await startTestApi();
    await seedGeneralDefaults(api.dataSource);
    client = apiClient(api.url, await createApiKey(api.dataSource, (await createOrganization(api.dataSource)).id));
    const { registerRunner } = await import('./support/factories.js');
    await registerRunner(api.url, { cpu: 100, memory: 100, disk: 100 });
    await client.post('/sandbox/bulk', {
      items: [
        { snapshotIdOrName: 'default', count: 13, sandboxNamePrefix: 'page-a' },
        { snapshotIdOrName: 'default', count: 12, sandboxNamePrefix: 'page-b' },
      ],
    });
  });
  afterAll(() => api.close());

  it('pages through everything with nextCursor, in order, missing and repeating nothing', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: { items: { name: string }[]; nextCursor: string | null } = (
        await client.get(`/sandbox?limit=10&sort=name&order=asc${cursor ? `&cursor=${cursor}` : ''}`)
      ).body;
      seen.push(...page.items.map((s) => s.name));
      cursor = page.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual([...seen].sort());
    expect(new Set(seen).size).toBe(25);
    // The default order, newest first, also pages with no gap or repeat.
    const first = (await client.get('/sandbox?limit=20')).body;
    const rest = (await client.get(`/sandbox?limit=20&cursor=${first.nextCursor}`)).body;
    expect(new Set([...first.items, ...rest.items].map((s: { id: string }) => s.id)).size).toBe(25);
    expect(rest.nextCursor).toBeNull();
  });

  it('filters by name and id prefix and by snapshot', async () => {
    expect((await client.get('/sandbox?name=page-b')).body.total).toBe(12);
    const one = (await client.get('/sandbox?name=page-a-00001')).body.items[0];
    expect((await client.get(`/sandbox?id=${one.id.slice(0, 8)}`)).body.items.map((s: { id: string }) => s.id)).toContain(one.id);
    expect((await client.get('/sandbox?snapshots=default')).body.total).toBe(25);
    expect((await client.get('/sandbox?snapshots=other')).body.total).toBe(0);
    expect((await client.get('/sandbox?name=page_')).body.total).toBe(0);
  });

  it('refuses a cursor it did not make, or one made for another sort', async () => {
    expectErrorBody(await client.get('/sandbox?cursor=bm90LWEtY3Vyc29y'), 400, 'invalid_cursor');
    const byName = (await client.get('/sandbox?limit=1&sort=name')).body.nextCursor;
    expectErrorBody(await client.get(`/sandbox?cursor=${byName}&sort=state`), 400, 'invalid_cursor');
    expectErrorBody(await client.get('/sandbox?page=2&cursor=x'), 400, 'validation_failed');
    expectErrorBody(await client.get('/sandbox?sort=colour'), 400, 'validation_failed');
  });
});

function processesMatching(text: string): string[] {
  try {
    return execFileSync('pgrep', ['-f', text], { encoding: 'utf8' }).trim().split('\n').filter(Boolean);
  } catch {
    return [];
  }
}
