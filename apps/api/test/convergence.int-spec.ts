import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createApiKey, createOrganization, seedGeneralDefaults } from './support/factories.js';
import { apiClient, type ApiClient } from './support/http.js';
import { startRunnerProcess, type RunnerProcess } from './support/runner-process.js';
import { startTestApi, type TestApi } from './support/test-api.js';

const HEARTBEAT_TIMEOUT_SECONDS = 3;

/**
 * The database and real runners agree after faults: a runner killed mid-start, restarted, frozen
 * past its heartbeat timeout, and deletes racing dispatches. Real bubblewrap sandboxes.
 */
describe('convergence of the API and its runners', () => {
  let api: TestApi;
  let runner: RunnerProcess;
  let client: ApiClient;

  beforeAll(async () => {
    api = await startTestApi({
      RECONCILE_INTERVAL_MS: '200',
      RUNNER_HEARTBEAT_TIMEOUT_SECONDS: String(HEARTBEAT_TIMEOUT_SECONDS),
      SANDBOX_START_TIMEOUT_SECONDS: '2',
      SANDBOX_REDISPATCH_AFTER_SECONDS: '1',
    });
    await seedGeneralDefaults(api.dataSource);
    client = apiClient(api.url, await createApiKey(api.dataSource, (await createOrganization(api.dataSource, { totalCpuQuota: 1000, totalMemoryQuota: 1000, totalDiskQuota: 1000 })).id));
    runner = await startRunnerProcess({ apiUrl: api.url, env: { RUNNER_PROVIDER: 'bwrap' } });
  });
  afterAll(async () => {
    if (runner.child.signalCode === 'SIGSTOP') runner.child.kill('SIGCONT');
    await runner?.stop();
    await api?.close();
    await runner?.removeData();
  });

  const bulk = (prefix: string, count: number, awaitStarted = false) =>
    client.post('/sandbox/bulk', { items: [{ snapshotIdOrName: 'default', count, sandboxNamePrefix: prefix }], awaitStarted });

  async function statesOf(ids: string[]): Promise<Map<string, { state: string; errorReason: string | null }>> {
    const rows: Array<{ id: string; state: string; error_reason: string | null }> = await api.dataSource.query(
      'SELECT id, state, error_reason FROM sandbox WHERE id = ANY($1::uuid[])',
      [ids],
    );
    return new Map(rows.map((row) => [row.id, { state: row.state, errorReason: row.error_reason }]));
  }

  async function until<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs = 20_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const result = await check();
      if (result) return result;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async function allIn(ids: string[], state: string, timeoutMs?: number): Promise<void> {
    await until(`${ids.length} sandbox(es) ${state}`, async () => [...(await statesOf(ids)).values()].every((s) => s.state === state), timeoutMs);
  }

  it('after a kill -9 mid-start: no sandbox process lives on, every sandbox ends in error with a reason, the wait returns', async () => {
    const waiting = bulk('killed', 200, true);
    // Kill once some have started and others are still queued or launching.
    await until('some sandboxes started', async () => {
      const [{ started }] = await api.dataSource.query(`SELECT count(*)::int AS started FROM sandbox WHERE name LIKE 'killed-%' AND state = 'started'`);
      return started >= 20;
    });
    await runner.stop('SIGKILL');
    try {
      expect(await until('no sandbox process left', async () => processesMatching(runner.dataDir).length === 0 || undefined, 5_000)).toBe(true);

      const answered = await waiting;
      expect(answered.status).toBe(200);
      const ids: string[] = answered.body.map((s: { id: string }) => s.id);
      await allIn(ids, 'error', (HEARTBEAT_TIMEOUT_SECONDS + 3) * 1000);
      for (const { errorReason } of (await statesOf(ids)).values()) expect(errorReason).toMatch(/stopped responding|did not start/i);
      expect(processesMatching(runner.dataDir)).toEqual([]);

      // Back up again, the runner brings back what the quota still has room for, all of it here.
      runner = await runner.restart();
      await allIn(ids, 'started', 120_000);
      expect((await client.delete(`/sandbox/${ids[0]}`)).body.state).toBe('destroyed');
    } finally {
      if (runner.child.exitCode !== null || runner.child.signalCode !== null) runner = await runner.restart();
    }
    await deleteAll('killed');
  }, 180_000);

  it('after a restart, sandboxes older than the start timeout come back started, not in error', async () => {
    const ids: string[] = (await bulk('veteran', 5, true)).body.map((s: { id: string }) => s.id);
    await allIn(ids, 'started');
    await new Promise((r) => setTimeout(r, 2_500)); // older than SANDBOX_START_TIMEOUT_SECONDS
    await runner.stop();
    runner = await runner.restart();
    // The runner itself says they run again (the database may never have seen them leave started).
    await until('the restarted runner runs them', async () => (await runnerHolds(ids, 'started')).length === ids.length || undefined, 30_000);
    await allIn(ids, 'started');
    await new Promise((r) => setTimeout(r, 2_500));
    expect([...(await statesOf(ids)).values()].map((s) => s.state)).toEqual(Array(5).fill('started'));
    await deleteAll('veteran');
  });

  it('leaves nothing running when deletes race the dispatch of a bulk', async () => {
    const created = (await bulk('racing', 30)).body as Array<{ id: string }>;
    const deleted = await Promise.all(created.map((s) => client.delete(`/sandbox/${s.id}`)));
    expect(deleted.map((d) => d.status)).toEqual(Array(30).fill(200));
    const ids = created.map((s) => s.id);
    await allIn(ids, 'destroyed');
    // Give any late dispatch and the next syncs their chance to (wrongly) start something.
    await new Promise((r) => setTimeout(r, 1_500));
    for (const id of ids) {
      expect(processesMatching(id)).toEqual([]);
      expect(existsSync(join(runner.dataDir, 'sandboxes', id))).toBe(false);
    }
    expect(await runnerHolds(ids)).toEqual([]);
  });

  it('converges once a runner marked unresponsive is back: its sandboxes run again, what was deleted meanwhile is gone', async () => {
    const ids: string[] = (await bulk('frozen', 4, true)).body.map((s: { id: string }) => s.id);
    await allIn(ids, 'started');
    runner.child.kill('SIGSTOP');
    try {
      await allIn(ids, 'error', (HEARTBEAT_TIMEOUT_SECONDS + 3) * 1000);
      // Deleted while its runner cannot hear: the row is done at once, the processes still run.
      expect((await client.delete(`/sandbox/${ids[0]}`)).body.state).toBe('destroyed');
      expect(processesMatching(ids[0]).length).toBeGreaterThan(0);
    } finally {
      runner.child.kill('SIGCONT');
    }
    await allIn(ids.slice(1), 'started');
    // Its processes go first, then its directory.
    await until(
      'the deleted sandbox gone from its runner',
      async () => (processesMatching(ids[0]).length === 0 && !existsSync(join(runner.dataDir, 'sandboxes', ids[0]))) || undefined,
    );
    expect(await runnerHolds(ids)).toEqual(ids.slice(1).sort());
    await deleteAll('frozen');
  });

  async function deleteAll(prefix: string): Promise<void> {
    const rows: Array<{ id: string }> = await api.dataSource.query(`SELECT id FROM sandbox WHERE name LIKE $1 AND state <> 'destroyed'`, [`${prefix}-%`]);
    for (const { id } of rows) expect((await client.delete(`/sandbox/${id}`)).status).toBe(200);
  }

  /** Which of `ids` the runner process itself says it holds (in `state`, when given). */
  async function runnerHolds(ids: string[], state?: string): Promise<string[]> {
    const port = [...runner.output().matchAll(/ready at http:\/\/[^:]+:(\d+)/g)].at(-1)![1];
    const response = await fetch(`http://127.0.0.1:${port}/sandboxes`, { headers: { authorization: `Bearer ${await runner.apiToken()}` } });
    const body = (await response.json()) as { sandboxes: Array<{ id: string; state: string }> };
    return body.sandboxes.filter((s) => ids.includes(s.id) && (!state || s.state === state)).map((s) => s.id).sort();
  }
});

function processesMatching(text: string): string[] {
  try {
    return execFileSync('pgrep', ['-f', text], { encoding: 'utf8' }).trim().split('\n').filter(Boolean);
  } catch {
    return [];
  }
}
