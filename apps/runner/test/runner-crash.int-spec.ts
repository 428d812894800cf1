import { randomBytes, randomUUID } from 'node:crypto';
import type { ExecuteCommandResponse, RunnerSandboxSpec } from '../../../libs/runner-contract/src/index.js';
import { watchdogPidFile } from '../src/provider/provider-selection.js';
import { isRunning, readPidFile, type ProcessIdentity } from '../src/watchdog/watchdog-pid-file.js';
import { FakeControlPlane } from './support/fake-control-plane.js';
import { hostProcessesWith, NOTHING_LEFT, pollUntil, removeLeftovers, untilNothingLeft } from './support/leftovers.js';
import { buildRunner, RunnerProcess } from './support/runner-process.js';
import { sandboxSpec, tempDataDir } from './support/sandbox-fixtures.js';

const RUNNER_TOKEN = randomBytes(32).toString('hex');
const REGISTRATION_TOKEN = 'registration-' + randomUUID();

// The real runner process, killed with SIGKILL at awkward moments: nothing it started may live on.
describe('runner process killed with SIGKILL', () => {
  let api: FakeControlPlane;
  let dataDir: Awaited<ReturnType<typeof tempDataDir>>;
  let runner: RunnerProcess | undefined;
  let runnerName: string;
  /** A watchdog a test stopped (SIGSTOP), to let it go on whatever happens. */
  let heldWatchdog: number | undefined;

  beforeAll(() => buildRunner(), 60_000);

  beforeEach(async () => {
    api = new FakeControlPlane(REGISTRATION_TOKEN, RUNNER_TOKEN);
    await api.listen();
    dataDir = await tempDataDir();
    runnerName = `crash-${randomUUID().slice(0, 8)}`;
  });

  afterEach(async () => {
    if (heldWatchdog) process.kill(heldWatchdog, 'SIGCONT');
    heldWatchdog = undefined;
    if (runner && runner.child.exitCode === null && runner.child.signalCode === null) await runner.kill('SIGKILL');
    try {
      // The watchdog of the last runner sweeps too: the host must be clean before the next test.
      expect(await untilNothingLeft(runnerName, [dataDir.dir])).toEqual(NOTHING_LEFT);
    } finally {
      await removeLeftovers(runnerName);
      await api.close();
      await dataDir.remove();
    }
  }, 30_000);

  function startRunner(options: { ownProcessGroup?: boolean } = {}): Promise<string> {
    const registrationsBefore = api.registrations.length;
    const listsBefore = api.assignmentLists;
    const started = (runner = new RunnerProcess(
      {
        RUNNER_NAME: runnerName,
        RUNNER_PORT: '0',
        RUNNER_REGISTRATION_TOKEN: REGISTRATION_TOKEN,
        DAYTONA_API_URL: api.apiUrl,
        RUNNER_DATA_DIR: dataDir.dir,
        RUNNER_PROVIDER: 'bwrap',
        RUNNER_REPORT_INTERVAL_MS: '20',
      },
      options,
    ));
    return Promise.race([
      api.until(() => api.assignmentLists > listsBefore && api.registrations.length > registrationsBefore, 'registration and reconcile').then(
        () => api.registrations.at(-1)!.url,
      ),
      started.exited.then(({ code }) => Promise.reject(new Error(`runner exited with ${code}:\n${started.log}`))),
    ]);
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

  /** Ids reported `state` since update number `since`. */
  const idsIn = (state: string, since = 0) => new Set(api.updates.slice(since).filter((update) => update.state === state).map((update) => update.id));
  const specsFor = (count: number, prefix: string) => Array.from({ length: count }, (_, index) => sandboxSpec({ name: `${prefix}-${index}` }));
  const currentWatchdog = () => readPidFile(watchdogPidFile(dataDir.dir));

  async function createAll(url: string, specs: RunnerSandboxSpec[]): Promise<void> {
    expect(await call(url, 'POST', '/sandboxes', { sandboxes: specs })).toMatchObject({ status: 202 });
  }

  it('leaves no sandbox process and no cgroup when killed in the middle of starting 200 sandboxes', async () => {
    const url = await startRunner();
    const specs = specsFor(200, 'mid-start');
    await createAll(url, specs);
    // At most RUNNER_START_CONCURRENCY (16) launch at once: the rest are launching or queued.
    await api.until(() => idsIn('started').size >= 40, '40 sandboxes started');
    expect(idsIn('started').size).toBeLessThan(specs.length);

    expect(await runner!.kill('SIGKILL')).toEqual({ code: null, signal: 'SIGKILL' });
    expect(await untilNothingLeft(runnerName, [dataDir.dir])).toEqual(NOTHING_LEFT);
  }, 60_000);

  it('leaves nothing when killed while sandboxes run commands with background children', async () => {
    const url = await startRunner();
    const specs = specsFor(200, 'busy');
    await createAll(url, specs);
    // Each sandbox, once started, gets a command that leaves two children behind and keeps running.
    const commanded = new Set<string>();
    const commands: Array<Promise<unknown>> = [];
    const sendCommands = () => {
      for (const id of idsIn('started')) {
        if (commanded.has(id)) continue;
        commanded.add(id);
        commands.push(execute(url, id, 'sleep 7301 & sleep 7301 & sleep 7302').catch(() => undefined));
      }
    };
    await pollUntil(async () => {
      sendCommands();
      return commanded.size >= 40 && (await hostProcessesWith('sleep 7302')).length >= 20;
    }, '20 sandboxes running commands');
    expect(idsIn('started').size).toBeLessThan(specs.length);

    expect(await runner!.kill('SIGKILL')).toEqual({ code: null, signal: 'SIGKILL' });
    expect(await untilNothingLeft(runnerName, [dataDir.dir, 'sleep 7301', 'sleep 7302'])).toEqual(NOTHING_LEFT);
    await Promise.all(commands);
  }, 60_000);

  it('a runner restarted right after a SIGKILL keeps its new sandboxes: the old watchdog is done before they start', async () => {
    const url = await startRunner();
    const specs = specsFor(20, 'restart');
    await createAll(url, specs);
    await api.until(() => specs.every((spec) => idsIn('started').has(spec.id)), 'every sandbox started');
    for (const spec of specs) expect((await execute(url, spec.id, 'sleep 7303 & echo ok')).result).toBe('ok\n');

    // The old watchdog is held back (as on a loaded host) while the new runner starts; it sweeps as
    // soon as it runs again, and would kill whatever is then in the cgroups.
    const oldWatchdog = (await currentWatchdog()) as ProcessIdentity;
    expect(await isRunning(oldWatchdog)).toBe(true);
    process.kill(oldWatchdog.pid, 'SIGSTOP');
    heldWatchdog = oldWatchdog.pid;

    expect(await runner!.kill('SIGKILL')).toEqual({ code: null, signal: 'SIGKILL' });
    api.assignments = specs.map((spec) => ({ ...spec, desiredState: 'started', state: 'started', recoverable: false }));
    const reportsBefore = api.updates.length;
    const restarting = startRunner();
    const restarted = runner!;
    try {
      // The new runner waits for the old watchdog; one that did not would start its sandboxes now.
      await Promise.race([
        pollUntil(
          () => /still removing its sandboxes; waiting for it/.test(restarted.log) || specs.every((spec) => idsIn('started', reportsBefore).has(spec.id)),
          'the new runner to wait for the old watchdog, or to start its sandboxes',
        ),
        restarting,
      ]);
    } finally {
      process.kill(oldWatchdog.pid, 'SIGCONT');
      heldWatchdog = undefined;
    }
    const restartedUrl = await restarting;
    await api.until(() => specs.every((spec) => idsIn('started', reportsBefore).has(spec.id)), 'every sandbox started again');
    await pollUntil(async () => !(await isRunning(oldWatchdog)), 'the old watchdog to exit', 5_000);

    // Nothing is left that could kill them: the sandboxes started by the new runner run.
    for (const spec of specs) expect((await execute(restartedUrl, spec.id, 'echo alive')).result).toBe('alive\n');
    expect([...idsIn('error', reportsBefore)]).toEqual([]);
    expect(await currentWatchdog()).not.toEqual(oldWatchdog);
    expect(await hostProcessesWith('sleep 7303')).toEqual([]);
  }, 60_000);

  it('replaces a watchdog killed while the runner lives, and the new one guards the sandboxes', async () => {
    const url = await startRunner();
    const first = (await currentWatchdog()) as ProcessIdentity;
    expect(await isRunning(first)).toBe(true);

    process.kill(first.pid, 'SIGKILL');
    await pollUntil(async () => {
      const now = await currentWatchdog();
      return now !== null && now.pid !== first.pid && (await isRunning(now));
    }, 'a new watchdog');
    expect(runner!.log).toMatch(new RegExp(`Sandbox watchdog \\(pid ${first.pid}\\) ended .*starting a new one`));

    const specs = specsFor(10, 'rewatched');
    await createAll(url, specs);
    await api.until(() => specs.every((spec) => idsIn('started').has(spec.id)), 'every sandbox started');
    for (const spec of specs) expect((await execute(url, spec.id, 'sleep 7304 & echo ok')).result).toBe('ok\n');

    expect(await runner!.kill('SIGKILL')).toEqual({ code: null, signal: 'SIGKILL' });
    expect(await untilNothingLeft(runnerName, [dataDir.dir, 'sleep 7304'])).toEqual(NOTHING_LEFT);
  }, 60_000);

  it('leaves nothing when the whole process group of the runner is killed: the watchdog has its own session', async () => {
    const url = await startRunner({ ownProcessGroup: true });
    const specs = specsFor(10, 'group');
    await createAll(url, specs);
    await api.until(() => specs.every((spec) => idsIn('started').has(spec.id)), 'every sandbox started');
    for (const spec of specs) expect((await execute(url, spec.id, 'sleep 7305 & echo ok')).result).toBe('ok\n');

    expect(await runner!.killGroup('SIGKILL')).toEqual({ code: null, signal: 'SIGKILL' });
    expect(await untilNothingLeft(runnerName, [dataDir.dir, 'sleep 7305'])).toEqual(NOTHING_LEFT);
  }, 60_000);
});
