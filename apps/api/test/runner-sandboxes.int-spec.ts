import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createApiKey, createOrganization, seedGeneralDefaults } from './support/factories.js';
import { apiClient, expectErrorBody, type ApiClient } from './support/http.js';
import { startRunnerProcess, type RunnerProcess } from './support/runner-process.js';
import { startTestApi, type TestApi } from './support/test-api.js';

/** The whole path with real bubblewrap sandboxes: API, dispatcher, runner process, reports. */
describe('sandboxes on a real runner', () => {
  let api: TestApi;
  let runner: RunnerProcess;
  let client: ApiClient;
  let other: ApiClient;

  beforeAll(async () => {
    api = await startTestApi({ RECONCILE_INTERVAL_MS: '200', RUNNER_HEARTBEAT_TIMEOUT_SECONDS: '4' });
    await seedGeneralDefaults(api.dataSource);
    client = apiClient(api.url, await createApiKey(api.dataSource, (await createOrganization(api.dataSource)).id));
    other = apiClient(api.url, await createApiKey(api.dataSource, (await createOrganization(api.dataSource)).id));
    runner = await startRunnerProcess({ apiUrl: api.url, env: { RUNNER_PROVIDER: 'bwrap' } });
  });
  afterAll(async () => {
    await runner?.stop();
    await api?.close();
    await runner?.removeData();
  });

  async function createStarted(c: ApiClient = client, body: object = {}) {
    const created = await c.post('/sandbox', body);
    expect(created.status).toBe(200);
    return waitForState(c, created.body.id, 'started');
  }

  async function waitForState(c: ApiClient, id: string, state: string, timeoutMs = 20_000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const sandbox = (await c.get(`/sandbox/${id}`)).body;
      if (sandbox.state === state) return sandbox;
      if (Date.now() > deadline) throw new Error(`${id} stayed ${sandbox.state} (${sandbox.errorReason}), wanted ${state}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  const exec = (c: ApiClient, id: string, body: object) => c.post(`/toolbox/${id}/toolbox/process/execute`, body);

  it('creates, starts and runs a command: echo hello answers hello', async () => {
    const sandbox = await createStarted(client, { env: { GREETING: 'hello' } });
    expect(await exec(client, sandbox.id, { command: 'echo hello' })).toEqual({ status: 200, body: { exitCode: 0, result: 'hello\n' } });
    expect((await exec(client, sandbox.id, { command: 'echo $GREETING-$EXTRA', env: { EXTRA: 'there' } })).body.result).toBe('hello-there\n');
    expect((await exec(client, sandbox.id, { command: 'exit 3' })).body.exitCode).toBe(3);
  });

  it('keeps files and background processes between commands', async () => {
    const sandbox = await createStarted();
    await exec(client, sandbox.id, { command: 'echo kept > note.txt && (sleep 300 > /dev/null 2>&1 &)' });
    expect((await exec(client, sandbox.id, { command: 'cat note.txt' })).body.result).toBe('kept\n');
    const ps = await exec(client, sandbox.id, { command: 'ps -eo args' });
    expect(ps.body.result).toContain('sleep 300');
    expect((await exec(client, sandbox.id, { command: 'pwd', cwd: '/tmp' })).body.result).toBe('/tmp\n');
  });

  it('isolates sandboxes from each other and from the network', async () => {
    const [a, b] = [await createStarted(), await createStarted()];
    await exec(client, b.id, { command: 'echo b-private-content > secret.txt && (sleep 301 > /dev/null 2>&1 &)' });
    const listing = await exec(client, a.id, { command: `ls -a ~; cat ~/secret.txt; ps -eo args` });
    expect(listing.body.result).not.toContain('b-private-content');
    expect(listing.body.result).toContain('No such file');
    expect(listing.body.result).not.toContain('sleep 301');
    expect(listing.body.result).not.toContain(b.id);
    const network = await exec(client, a.id, { command: 'cat /proc/net/dev' });
    expect(network.body.result.trim().split('\n').slice(2).map((line: string) => line.trim().split(':')[0])).toEqual(['lo']);
    expect((await exec(client, a.id, { command: 'cat /etc/shadow' })).body.exitCode).not.toBe(0);
    expect((await exec(client, a.id, { command: 'touch /usr/x' })).body.exitCode).not.toBe(0);
  });

  it('kills a command at its timeout and says so', async () => {
    const sandbox = await createStarted();
    const started = Date.now();
    const result = await exec(client, sandbox.id, { command: 'echo begun; sleep 30', timeout: 1 });
    expect(result.body.exitCode).toBe(124);
    expect(result.body.result).toContain('begun');
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('refuses commands for another organization\'s sandbox (404) and for a sandbox not started (409)', async () => {
    const sandbox = await createStarted();
    expectErrorBody(await exec(other, sandbox.id, { command: 'id' }), 404, 'sandbox_not_found');
    expectErrorBody(await exec(client, '00000000-0000-4000-8000-000000000000', { command: 'id' }), 404, 'sandbox_not_found');
    expectErrorBody(await exec(client, sandbox.id, { command: '' }), 400, 'validation_failed');
    await api.dataSource.query(`UPDATE sandbox SET state = 'stopped' WHERE id = $1`, [sandbox.id]);
    expectErrorBody(await exec(client, sandbox.id, { command: 'id' }), 409, 'sandbox_not_started');
    await api.dataSource.query(`UPDATE sandbox SET state = 'started' WHERE id = $1`, [sandbox.id]);
  });

  it('destroys a sandbox on delete: no process, no directory, quota and name free', async () => {
    const sandbox = await createStarted(client, { name: 'short-lived' });
    await exec(client, sandbox.id, { command: '(sleep 302 > /dev/null 2>&1 &)' });
    const deleted = await client.delete(`/sandbox/${sandbox.id}`);
    expect(deleted.body.state).toBe('destroyed');
    expect(existsSync(join(runner.dataDir, 'sandboxes', sandbox.id))).toBe(false);
    expect(processesMatching(sandbox.id)).toEqual([]);
    expect(processesMatching('sleep 302')).toEqual([]);
    expect((await client.post('/sandbox', { name: 'short-lived' })).status).toBe(200);
  });

  it('bulk-creates with awaitStarted and every sandbox answers a command', async () => {
    const sandboxes = (
      await client.post('/sandbox/bulk', {
        items: [{ snapshotIdOrName: 'default', count: 10, sandboxNamePrefix: 'real' }],
        awaitStarted: true,
      })
    ).body;
    expect(sandboxes.map((s: { state: string }) => s.state)).toEqual(Array(10).fill('started'));
    const answers = await Promise.all(sandboxes.map((s: { id: string }) => exec(client, s.id, { command: 'hostname' })));
    expect(answers.map((a) => a.body.result.trim())).toEqual(sandboxes.map((s: { name: string }) => s.name));
  });

  it('calls no runner when the bulk insert fails midway', async () => {
    const before = await runnerSandboxIds();
    await api.dataSource.query(`
      CREATE FUNCTION fail_bulk() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'injected'; END $$ LANGUAGE plpgsql;
      CREATE TRIGGER fail_bulk BEFORE INSERT ON sandbox FOR EACH ROW WHEN (NEW.name = 'doomed-00005') EXECUTE FUNCTION fail_bulk();`);
    try {
      const result = await client.post('/sandbox/bulk', { items: [{ snapshotIdOrName: 'default', count: 8, sandboxNamePrefix: 'doomed' }] });
      expect(result.status).toBe(500);
    } finally {
      await api.dataSource.query(`DROP TRIGGER fail_bulk ON sandbox; DROP FUNCTION fail_bulk();`);
    }
    await new Promise((r) => setTimeout(r, 300));
    expect(await runnerSandboxIds()).toEqual(before);
  });

  it('restarts cleanly: nothing survives a crash, kept sandboxes come back with their files, orphans go', async () => {
    const kept = await createStarted();
    await exec(client, kept.id, { command: 'echo survived > file.txt' });
    const orphanDir = join(runner.dataDir, 'sandboxes', '11111111-1111-4111-8111-111111111111');
    await mkdir(join(orphanDir, 'home'), { recursive: true });

    await runner.stop('SIGKILL');
    await new Promise((r) => setTimeout(r, 300));
    expect(processesMatching(kept.id)).toEqual([]);

    runner = await runner.restart();
    // The API still says `started` until the restarted runner reports; retry until it runs again.
    expect((await execWhenRunning(kept.id, 'cat file.txt')).result).toBe('survived\n');
    expect(existsSync(orphanDir)).toBe(false);
  });

  it('starts a sandbox created while its runner was down, once the runner is back', async () => {
    await runner.stop();
    const created = (await client.post('/sandbox', {})).body;
    expect(created.state).toBe('creating');
    runner = await runner.restart();
    await waitForState(client, created.id, 'started');
  });

  it('fails the sandboxes of a runner that died, with a reason, and keeps serving', async () => {
    const sandbox = await createStarted();
    await runner.stop('SIGKILL');
    const failed = await waitForState(client, sandbox.id, 'error', 15_000);
    expect(failed.errorReason).toMatch(/stopped responding/);
    expect((await client.get('/sandbox')).status).toBe(200);
    runner = await runner.restart();
  });

  async function execWhenRunning(id: string, command: string, timeoutMs = 20_000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const result = await exec(client, id, { command });
      if (result.status === 200) return result.body;
      if (Date.now() > deadline) throw new Error(`${id} never ran "${command}": ${JSON.stringify(result.body)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async function runnerSandboxIds(): Promise<string[]> {
    const port = /ready at http:\/\/[^:]+:(\d+)/.exec(runner.output())![1];
    const response = await fetch(`http://127.0.0.1:${port}/sandboxes`, { headers: { authorization: `Bearer ${await runner.apiToken()}` } });
    const body = (await response.json()) as { sandboxes: Array<{ id: string }> };
    return body.sandboxes.map((s) => s.id).sort();
  }
});

function processesMatching(text: string): string[] {
  try {
    return execFileSync('pgrep', ['-f', text], { encoding: 'utf8' }).trim().split('\n').filter(Boolean);
  } catch {
    return [];
  }
}
