import { spawn, type ChildProcess } from 'node:child_process';
import { open, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { ExecuteCommandResponse, RunnerSandboxSpec } from '@daytona/runner-contract';
import type { SandboxCgroups } from '../cgroups/sandbox-cgroups.js';
import type { SandboxLayout } from '../sandbox/sandbox-layout.js';
import type { LaunchGuard } from '../watchdog/sandbox-watchdog.js';
import { bwrapArguments, sandboxHostname, SANDBOX_HOME, SANDBOX_USER_ID } from './bwrap-arguments.js';
import { LAUNCH_ENV, launchInCgroups } from './cgroup-launcher.js';
import { runCommandProcess } from './command-process.js';
import { HOST_SNAPSHOT_REF, hostSnapshotMounts } from './host-snapshot.js';
import { SandboxStartError, type RunningSandbox, type SandboxCommand, type SandboxProvider } from './sandbox-provider.js';

export interface BwrapProviderOptions {
  layout: SandboxLayout;
  cgroups: SandboxCgroups;
  /** Host uid/gid bwrap drops to; null when the runner is not root and runs sandboxes as itself. */
  sandboxUser: { uid: number; gid: number } | null;
  network: boolean;
  /** Most processes per sandbox, where the pids controller is available. */
  pidsMax: number;
  outputLimitBytes: number;
  /** Kills the sandboxes if the runner dies; launches wait while none runs. None without cgroups. */
  watchdog?: LaunchGuard | null;
}

// bwrap reports the namespace pid (fd 3) before it has mapped uids and switched to the new root, so
// entering the sandbox then would land in a half-built one. Its main process therefore says "ready"
// on fd 4 first; the same sh then becomes `sleep` (one process, no extra cost).
const SANDBOX_MAIN = ['/bin/sh', '-c', 'echo ready >&4 && exec /bin/sleep infinity 4>&-'];

// Generous: only a wedged host takes this long to create a few namespaces.
const NAMESPACES_TIMEOUT_MS = 30_000;
// After its namespace's init is killed, bwrap exits at once; this only guards against the unexpected.
const EXIT_GRACE_MS = 2_000;

/** Sandboxes as bubblewrap namespaces: real isolation without root inside and without a daemon. */
export class BwrapProvider implements SandboxProvider {
  readonly kind = 'bwrap';
  readonly isolated = true;

  private constructor(
    private readonly options: BwrapProviderOptions,
    private readonly snapshots: Map<string, string[]>,
  ) {}

  static async create(options: BwrapProviderOptions): Promise<BwrapProvider> {
    return new BwrapProvider(options, new Map([[HOST_SNAPSHOT_REF, await hostSnapshotMounts()]]));
  }

  get cgroups() {
    return this.options.cgroups.support;
  }

  /** Runs a throw-away sandbox that executes `true`; null when it works, else why not. */
  async probe(): Promise<string | null> {
    const spec: RunnerSandboxSpec = { id: `probe-${process.pid}`, name: 'probe', snapshotRef: HOST_SNAPSHOT_REF, cpu: 1, memory: 1, disk: 1, env: {} };
    try {
      const launched = await this.launch(spec, ['/bin/true']);
      const how = await launched.exited;
      if (how === 'exit 0') return null;
      return `bwrap ended with ${how}: ${await launched.failureDetail()}`;
    } catch (error) {
      return (error as Error).message;
    } finally {
      await this.removeTraces(spec.id).catch(() => undefined);
    }
  }

  async start(spec: RunnerSandboxSpec, onUnexpectedExit: (reason: string) => void): Promise<RunningSandbox> {
    const launched = await this.launch(spec, SANDBOX_MAIN);
    const { exited } = launched;
    let namespaces: BwrapInfo;
    try {
      namespaces = await waitForNamespaces(launched.child, exited);
    } catch (error) {
      launched.child.kill('SIGKILL');
      await exited;
      await this.options.cgroups.remove(spec.id);
      throw new SandboxStartError(`bwrap did not start the sandbox (${(error as Error).message}): ${await launched.failureDetail()}`);
    }
    const sandbox = new BwrapSandbox(spec, launched.child, exited, namespaces, launched.procsFiles, this.options);
    void exited.then(async (how) => {
      if (!sandbox.stopRequested) onUnexpectedExit(`the sandbox's bwrap process died (${how}): ${await launched.failureDetail()}`);
    });
    return sandbox;
  }

  async removeTraces(id: string): Promise<void> {
    await this.options.cgroups.remove(id);
    await this.options.layout.remove(id);
  }

  listLocalSandboxIds(): Promise<string[]> {
    return this.options.layout.listIds();
  }

  async removeLeftoversAtBoot(): Promise<void> {
    for (const id of await this.options.cgroups.list()) await this.options.cgroups.remove(id);
  }

  async close(): Promise<void> {
    await this.options.cgroups.removeParents();
    await this.options.watchdog?.stop();
  }

  private async launch(spec: RunnerSandboxSpec, command: string[]) {
    // bwrap's --die-with-parent comes too late for a runner dying mid-launch; the watchdog does not.
    await this.options.watchdog?.guarding().catch((error: Error) => {
      throw new SandboxStartError(`Not launching a sandbox without a watchdog: ${error.message}`);
    });
    const snapshotMounts = this.snapshots.get(spec.snapshotRef);
    if (!snapshotMounts) {
      throw new SandboxStartError(`Unknown snapshot ref "${spec.snapshotRef}": this runner only has ${[...this.snapshots.keys()].map((ref) => `"${ref}"`).join(', ')}`);
    }
    const paths = await this.options.layout.prepare(spec);
    const procsFiles = await this.options.cgroups.create(spec.id, { cpu: spec.cpu, memory: spec.memory, pids: this.options.pidsMax });
    const user = this.options.sandboxUser;
    const dropPrivileges = user ? ['setpriv', `--reuid=${user.uid}`, `--regid=${user.gid}`, '--clear-groups'] : [];
    const bwrap = ['bwrap', ...bwrapArguments({ hostname: sandboxHostname(spec.name), home: paths.home, snapshotMounts, network: this.options.network, command })];
    const { file, args } = launchInCgroups(procsFiles, [...dropPrivileges, ...bwrap]);
    // bwrap's stderr goes to a file, so no pipe stays open per sandbox and a failure can be explained.
    const log = await open(paths.logFile, 'w', 0o600);
    let child: ChildProcess;
    let exited: Promise<string>;
    try {
      child = spawn(file, args, { stdio: ['ignore', log.fd, log.fd, 'pipe', 'pipe'], env: LAUNCH_ENV });
      // Listen before anything is awaited: a failing bwrap can exit within the next tick.
      exited = new Promise<string>((resolve) => {
        child.once('exit', (code, signal) => resolve(`exit ${code ?? signal}`));
        child.once('error', (error) => resolve(`spawn error ${error.message}`));
      });
    } finally {
      await log.close();
    }
    const failureDetail = async () => (await readFile(paths.logFile, 'utf8').catch(() => '')).trim().slice(-1000) || 'no output';
    return { child, exited, procsFiles, failureDetail };
  }
}

interface BwrapInfo {
  /** Host pid of the sandbox's init: the target for nsenter, and what to kill to end the sandbox. */
  childPid: number;
  hasCgroupNamespace: boolean;
}

async function waitForNamespaces(child: ChildProcess, exited: Promise<string>): Promise<BwrapInfo> {
  const [info, ready] = [child.stdio[3], child.stdio[4]] as Array<Readable | null>;
  const failed = exited.then((how) => Promise.reject(new Error(how)));
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`not ready after ${NAMESPACES_TIMEOUT_MS} ms`)), NAMESPACES_TIMEOUT_MS);
  });
  try {
    const [parsed] = await Promise.race([Promise.all([readJson(info), readFirstLine(ready)]), failed, timedOut]);
    if (typeof parsed['child-pid'] !== 'number') throw new Error(`unexpected bwrap info ${JSON.stringify(parsed)}`);
    return { childPid: parsed['child-pid'], hasCgroupNamespace: 'cgroup-namespace' in parsed };
  } finally {
    clearTimeout(timer);
    info?.destroy();
    ready?.destroy();
    failed.catch(() => undefined);
  }
}

/** Resolves with the first complete JSON document on the stream (bwrap's info). */
function readJson(stream: Readable | null): Promise<Record<string, unknown>> {
  if (!stream) return Promise.reject(new Error('no info pipe'));
  return new Promise((resolve) => {
    let text = '';
    const onData = (chunk: Buffer) => {
      text += chunk.toString('utf8');
      try {
        resolve(JSON.parse(text) as Record<string, unknown>);
        stream.off('data', onData);
      } catch {
        // incomplete so far
      }
    };
    stream.on('data', onData);
  });
}

function readFirstLine(stream: Readable | null): Promise<string> {
  if (!stream) return Promise.reject(new Error('no ready pipe'));
  return new Promise((resolve) => {
    let text = '';
    const onData = (chunk: Buffer) => {
      text += chunk.toString('utf8');
      if (text.includes('\n')) {
        stream.off('data', onData);
        resolve(text.slice(0, text.indexOf('\n')));
      }
    };
    stream.on('data', onData);
  });
}

class BwrapSandbox implements RunningSandbox {
  stopRequested = false;

  constructor(
    private readonly spec: RunnerSandboxSpec,
    private readonly child: ChildProcess,
    private readonly exited: Promise<string>,
    private readonly namespaces: BwrapInfo,
    private readonly procsFiles: string[],
    private readonly options: BwrapProviderOptions,
  ) {}

  execute(command: SandboxCommand): Promise<ExecuteCommandResponse> {
    const env = { ...this.spec.env, ...command.env };
    const enter = [
      'nsenter', '-t', String(this.namespaces.childPid),
      '-U', '-m', '-u', '-i', '-n', '-p', ...(this.namespaces.hasCgroupNamespace ? ['-C'] : []), '-r', '-w',
      '-S', String(SANDBOX_USER_ID), '-G', String(SANDBOX_USER_ID),
      '--',
      '/usr/bin/env', '-i', `--chdir=${path.posix.resolve(SANDBOX_HOME, command.cwd ?? '.')}`,
      `HOME=${SANDBOX_HOME}`, `PATH=${LAUNCH_ENV.PATH}`,
      ...Object.entries(env).map(([name, value]) => `${name}=${value}`),
      '/bin/sh', '-c', command.command,
    ];
    return runCommandProcess({
      ...launchInCgroups(this.procsFiles, enter, { mergeStderr: true }),
      env: LAUNCH_ENV,
      timeoutMs: command.timeoutSeconds * 1000,
      outputLimitBytes: this.options.outputLimitBytes,
    });
  }

  async stop(): Promise<void> {
    this.stopRequested = true;
    // Killing the namespace's init makes the kernel kill every process in the sandbox, and bwrap
    // exits only after that init is reaped. Killing bwrap first would orphan the init instead.
    if (this.child.exitCode === null && this.child.signalCode === null) {
      try {
        process.kill(this.namespaces.childPid, 'SIGKILL');
      } catch {
        // already gone
      }
      const timeout = new Promise<'timeout'>((resolve) => setTimeout(resolve, EXIT_GRACE_MS, 'timeout').unref());
      if ((await Promise.race([this.exited, timeout])) === 'timeout') {
        this.child.kill('SIGKILL');
        await this.exited;
      }
    }
    await this.options.cgroups.remove(this.spec.id);
  }
}
