import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { RunnerSandboxAssignment } from '@daytona/runner-contract';
import { hostProcessesMatching } from '../../test/support/host-processes.js';
import { RecordingStateSink } from '../../test/support/recording-state-sink.js';
import { sandboxSpec, tempDataDir, testBwrapProvider } from '../../test/support/sandbox-fixtures.js';
import { silentLogger } from '../../test/support/silent-logger.js';
import type { BwrapProvider } from '../provider/bwrap-provider.js';
import type { SandboxLayout } from './sandbox-layout.js';
import { SandboxManager } from './sandbox-manager.js';

describe('SandboxManager', () => {
  let dataDir: Awaited<ReturnType<typeof tempDataDir>>;
  let provider: BwrapProvider;
  let layout: SandboxLayout;
  let states: RecordingStateSink;
  let manager: SandboxManager;

  beforeEach(async () => {
    dataDir = await tempDataDir();
    ({ provider, layout } = await testBwrapProvider(dataDir.dir));
    states = new RecordingStateSink();
    manager = new SandboxManager(provider, states, { startConcurrency: 2, execDefaultTimeoutSeconds: 30 }, silentLogger);
  });

  afterEach(async () => {
    for (const { id } of manager.list()) await manager.destroy(id);
    await provider.close();
    await dataDir.remove();
  });

  const assignment = (desiredState: RunnerSandboxAssignment['desiredState'], state = 'started', recoverable = false): RunnerSandboxAssignment => ({
    ...sandboxSpec(),
    desiredState,
    state,
    recoverable,
  });

  it('adopts what the API assigns after a restart: starts, keeps stopped, leaves errors, restarts recoverable ones, destroys', async () => {
    const toStart = assignment('started');
    const toKeepStopped = assignment('stopped', 'stopped');
    const inError = assignment('started', 'error');
    const recovering = assignment('started', 'error', true);
    const toDestroy = assignment('destroyed', 'stopped');
    for (const each of [toKeepStopped, inError, toDestroy]) await layout.prepare(each);

    await manager.adopt([toStart, toKeepStopped, inError, recovering, toDestroy]);
    await states.waitFor(toStart.id, 'started');
    await states.waitFor(recovering.id, 'started');

    expect(states.statesOf(toStart.id)).toEqual(['starting', 'started']);
    expect(states.statesOf(recovering.id)).toEqual(['starting', 'started']);
    expect(states.statesOf(toKeepStopped.id)).toEqual(['stopped']);
    expect(states.statesOf(inError.id)).toEqual([]);
    expect(states.statesOf(toDestroy.id)).toEqual(['destroyed']);
    expect(existsSync(layout.paths(toDestroy.id).dir)).toBe(false);
    expect(existsSync(layout.paths(inError.id).dir)).toBe(true);
    expect(new Map(manager.list().map((status) => [status.id, status.state]))).toEqual(
      new Map([
        [toStart.id, 'started'],
        [toKeepStopped.id, 'stopped'],
        [inError.id, 'error'],
        [recovering.id, 'started'],
      ]),
    );
    // the adopted spec is what the API sent, without the assignment fields
    const recorded = JSON.parse(await readFile(layout.paths(toStart.id).specFile, 'utf8'));
    expect(recorded).toEqual(sandboxSpec({ id: toStart.id, name: toStart.name }));
    expect((await manager.execute(toStart.id, { command: 'echo adopted' })).result).toBe('adopted\n');
  });

  it('does not start a queued sandbox that was stopped before its turn', async () => {
    const specs = [sandboxSpec(), sandboxSpec(), sandboxSpec(), sandboxSpec()];
    manager.create(specs);
    const last = specs[3];
    expect(await manager.stop(last.id)).toBe('stopped');
    // The queue is first in, first out: once a sandbox queued after it has started, its turn has passed.
    const after = sandboxSpec();
    manager.create([after]);
    await Promise.all([...specs.slice(0, 3), after].map((spec) => states.waitFor(spec.id, 'started')));
    // Queued sandboxes are only reported once their start begins: this one never began.
    expect(states.statesOf(last.id)).toEqual(['stopped']);
    expect(await hostProcessesMatching(layout.paths(last.id).diskHome)).toEqual([]);
  });

  it('refuses to create a sandbox it destroyed, even one it never had (a dispatch that lost the race)', async () => {
    const late = sandboxSpec();
    await manager.destroy(late.id);
    expect(manager.create([late])).toEqual([]);
    const destroyedAfterStart = sandboxSpec();
    manager.create([destroyedAfterStart]);
    await states.waitFor(destroyedAfterStart.id, 'started');
    await manager.destroy(destroyedAfterStart.id);
    expect(manager.create([destroyedAfterStart, sandboxSpec({ id: late.id })])).toEqual([]);
    expect(manager.holdings()).toEqual([]);
    expect(await hostProcessesMatching(layout.paths(destroyedAfterStart.id).diskHome)).toEqual([]);
  });

  it('acts on a sync answer: destroys, adopts what it lacks, and reports again', async () => {
    const kept = sandboxSpec();
    const unwanted = sandboxSpec();
    manager.create([kept, unwanted]);
    await Promise.all([states.waitFor(kept.id, 'started'), states.waitFor(unwanted.id, 'started')]);
    const missing = assignment('started', 'started');
    const reportsBefore = states.statesOf(kept.id).length;

    await manager.applySync({ destroy: [unwanted.id], assign: [missing], report: [kept.id], pull: [], stop: [], start: [] });

    await states.waitFor(missing.id, 'started');
    expect(states.statesOf(kept.id).slice(reportsBefore)).toEqual(['started']);
    expect(states.statesOf(unwanted.id).at(-1)).toBe('destroyed');
    expect(existsSync(layout.paths(unwanted.id).dir)).toBe(false);
    expect(new Set(manager.holdings().map((held) => held.id))).toEqual(new Set([kept.id, missing.id]));
  });

  it('reports error with a reason when a started sandbox dies on its own', async () => {
    const spec = sandboxSpec();
    manager.create([spec]);
    await states.waitFor(spec.id, 'started');
    for (const pid of await hostProcessesMatching(`--bind ${layout.paths(spec.id).diskHome} `)) process.kill(pid, 'SIGKILL');
    const update = await states.waitFor(spec.id, 'error');
    expect(update.errorReason).toMatch(/bwrap process died/);
    await expect(manager.execute(spec.id, { command: 'true' })).rejects.toMatchObject({ code: 'sandbox_not_started' });
    // and it can be started again
    expect(await manager.start(spec.id)).toBe('started');
    expect((await manager.execute(spec.id, { command: 'echo back' })).result).toBe('back\n');
  });

  it('applies the default timeout when a command gives none', async () => {
    manager = new SandboxManager(provider, states, { startConcurrency: 2, execDefaultTimeoutSeconds: 1 }, silentLogger);
    const spec = sandboxSpec();
    manager.create([spec]);
    await states.waitFor(spec.id, 'started');
    expect(await manager.execute(spec.id, { command: 'sleep 30' })).toMatchObject({ exitCode: 124, timedOut: true });
  });

  it('kills every sandbox on shutdown without reporting it', async () => {
    const spec = sandboxSpec();
    manager.create([spec]);
    await states.waitFor(spec.id, 'started');
    const reported = states.updates.length;
    await manager.shutdown();
    expect(await hostProcessesMatching(layout.paths(spec.id).diskHome)).toEqual([]);
    expect(states.updates).toHaveLength(reported);
  });
});
