import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { ExecuteCommandResponse, RunnerSandboxAssignment, RunnerSandboxSpec } from '@daytona/runner-contract';
import { cgroupDirsNamed } from './support/cgroup-dirs.js';
import { FakeControlPlane } from './support/fake-control-plane.js';
import { hostProcessesMatching } from './support/host-processes.js';
import { buildRunner, RunnerProcess } from './support/runner-process.js';
import { sandboxSpec, tempDataDir } from './support/sandbox-fixtures.js';

const RUNNER_TOKEN = randomBytes(32).toString('hex');
const REGISTRATION_TOKEN = 'registration-' + randomUUID();

/** Waits until no host process matches any of the texts (processes die a few ms after their parent). */
async function noProcessesLeft(texts: string[], timeoutMs = 5000): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const left = (await Promise.all(texts.map(hostProcessesMatching))).flat();
    if (left.length === 0 || Date.now() > deadline) return left;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

// The real runner process (dist/apps/runner/main.js) against a stand-in for the API's runner endpoints.
describe('runner process restart', () => {
  let api: FakeControlPlane;
  let dataDir: Awaited<ReturnType<typeof tempDataDir>>;
  let runner: RunnerProcess | undefined;
  const runnerName = `restart-${randomUUID().slice(0, 8)}`;

  beforeAll(() => buildRunner(), 60_000);

  beforeEach(async () => {
    api = new FakeControlPlane(REGISTRATION_TOKEN, RUNNER_TOKEN);
    await api.listen();
    dataDir = await tempDataDir();
  });

  afterEach(async () => {
    if (runner && runner.child.exitCode === null && runner.child.signalCode === null) await runner.kill('SIGKILL');
    await api.close();
    await dataDir.remove();
  });

  async function startRunner(): Promise<string> {
    const registrationsBefore = api.registrations.length;
    const listsBefore = api.assignmentLists;
    runner = new RunnerProcess({
      RUNNER_NAME: runnerName,
      RUNNER_PORT: '0',
      RUNNER_REGISTRATION_TOKEN: REGISTRATION_TOKEN,
      DAYTONA_API_URL: api.apiUrl,
      RUNNER_DATA_DIR: dataDir.dir,
      RUNNER_PROVIDER: 'bwrap',
      RUNNER_REPORT_INTERVAL_MS: '20',
      RUNNER_HEARTBEAT_INTERVAL_MS: '200',
    });
    const started = runner;
    await Promise.race([
      api.until(() => api.assignmentLists > listsBefore && api.registrations.length > registrationsBefore, 'registration and reconcile'),
      started.exited.then(({ code }) => Promise.reject(new Error(`runner exited with ${code}:\n${started.log}`))),
    ]);
    return api.registrations.at(-1)!.url;
  }

  async function call(url: string, method: string, route: string, body?: unknown) {
    const response = await fetch(`${url}${route}`, {
      method,
      headers: { authorization: `Bearer ${RUNNER_TOKEN}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as unknown };
  }

  const execute = async (url: string, id: string, command: string) =>
    (await call(url, 'POST', `/sandboxes/${id}/execute`, { command })).body as ExecuteCommandResponse;

  const homeOf = (id: string) => path.join(dataDir.dir, 'sandboxes', id, 'home');
  const assign = (spec: RunnerSandboxSpec): RunnerSandboxAssignment => ({ ...spec, desiredState: 'started', state: 'started', recoverable: false });

  it('registers, and after a SIGKILL leaves nothing running; the restart keeps what the API assigns and removes the rest', async () => {
    const url = await startRunner();
    expect(api.registrations[0]).toEqual({
      name: runnerName,
      url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
      region: 'local',
      capacity: { cpu: 4000, memory: 4000, disk: 4000 },
      isolated: true,
    });
    expect(await call(url, 'GET', '/health')).toMatchObject({ status: 200, body: { provider: 'bwrap', isolated: true, sandboxes: 0 } });

    const kept = sandboxSpec({ name: 'kept' });
    const dropped = sandboxSpec({ name: 'dropped' });
    expect(await call(url, 'POST', '/sandboxes', { sandboxes: [kept, dropped] })).toEqual({ status: 202, body: { accepted: [kept.id, dropped.id] } });
    await api.until(() => api.statesOf(kept.id).includes('started') && api.statesOf(dropped.id).includes('started'), 'both sandboxes started');
    // one report carried both sandboxes' changes
    expect(api.stateReports.some((report) => new Set(report.map((update) => update.id)).size === 2)).toBe(true);
    expect((await execute(url, kept.id, 'echo persisted > file; sleep 4242 & echo ok')).result).toBe('ok\n');
    expect((await execute(url, dropped.id, 'echo gone > file')).exitCode).toBe(0);
    expect(await hostProcessesMatching('sleep 4242')).toHaveLength(1);
    await api.until(() => api.heartbeats > 0, 'a heartbeat');

    expect(await runner!.kill('SIGKILL')).toEqual({ code: null, signal: 'SIGKILL' });
    expect(await noProcessesLeft(['sleep 4242', homeOf(kept.id), homeOf(dropped.id)])).toEqual([]);

    api.assignments = [assign(kept)];
    const reportsBefore = api.updates.length;
    const restartedUrl = await startRunner();
    await api.until(() => api.statesOf(kept.id, reportsBefore).includes('started'), 'the kept sandbox started again');

    expect(api.statesOf(kept.id, reportsBefore)).toEqual(['starting', 'started']);
    expect(existsSync(path.join(dataDir.dir, 'sandboxes', dropped.id))).toBe(false);
    expect(await readdir(path.join(dataDir.dir, 'sandboxes'))).toEqual([kept.id]);
    expect((await execute(restartedUrl, kept.id, 'cat file')).result).toBe('persisted\n');
    expect(await call(restartedUrl, 'GET', '/sandboxes')).toEqual({
      status: 200,
      body: { sandboxes: [{ id: kept.id, state: 'started', errorReason: null }] },
    });
    const health = (await call(restartedUrl, 'GET', '/health')).body as { cgroups: string };
    if (health.cgroups !== 'none') expect(await cgroupDirsNamed(kept.id)).not.toEqual([]);
    expect(await cgroupDirsNamed(dropped.id)).toEqual([]);

    // A clean stop (SIGTERM) also leaves no process behind.
    expect(await runner!.kill('SIGTERM')).toEqual({ code: 0, signal: null });
    expect(await noProcessesLeft([homeOf(kept.id)])).toEqual([]);
    expect(await cgroupDirsNamed(`daytona-runner-${runnerName}`)).toEqual([]);
  }, 60_000);

  it('exits with a clear message when the API refuses the registration token', async () => {
    runner = new RunnerProcess({
      RUNNER_NAME: runnerName,
      RUNNER_PORT: '0',
      RUNNER_REGISTRATION_TOKEN: 'wrong-token',
      DAYTONA_API_URL: api.apiUrl,
      RUNNER_DATA_DIR: dataDir.dir,
      RUNNER_PROVIDER: 'bwrap',
    });
    expect(await runner.exited).toEqual({ code: 1, signal: null });
    expect(runner.log).toMatch(/The API refused this runner[\s\S]*RUNNER_REGISTRATION_TOKEN/);
  }, 30_000);

  it('refuses to start with a list of every bad variable', async () => {
    runner = new RunnerProcess({ RUNNER_NAME: runnerName, RUNNER_PORT: 'x', RUNNER_PROVIDER: 'sideways' });
    expect(await runner.exited).toEqual({ code: 1, signal: null });
    for (const name of ['RUNNER_PROVIDER', 'RUNNER_PORT', 'DAYTONA_API_URL', 'RUNNER_REGISTRATION_TOKEN']) expect(runner.log).toContain(name);
  }, 30_000);
});
