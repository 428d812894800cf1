import { spawn, type ChildProcess } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import type { ExecuteCommandResponse, RunnerSandboxSpec } from '@daytona/runner-contract';
import type { SandboxCgroups } from '../cgroups/sandbox-cgroups.js';
import type { ReadyImage } from '../images/image-cache.js';
import type { Logger } from '../logging/logger.js';
import { connectEgress, sandboxResolvConf, sandboxResolver } from '../network/sandbox-egress.js';
import type { PreparedPaths, SandboxLayout, SandboxPaths } from '../sandbox/sandbox-layout.js';
import type { LaunchGuard } from '../watchdog/sandbox-watchdog.js';
import { bwrapArguments, imageBwrapArguments, sandboxHostname, SANDBOX_HOME, SANDBOX_USER_ID } from './bwrap-arguments.js';
import { LAUNCH_ENV, launchInCgroups } from './cgroup-launcher.js';
import { runCommandProcess } from './command-process.js';
import { HOST_SNAPSHOT_REF, hostSnapshotMounts } from './host-snapshot.js';
import { MountHelper } from './mount-helper.js';
import { allowSetuidAtRoot, mountPointsUnder, unmountAll } from './host-mounts.js';
import { releaseDisk } from './disk/sandbox-disk.js';
import { LaunchServer, type LaunchedProcess } from './launch/launch-server.js';
import { prepareLaunchTools, sandboxLaunchArgv, type LaunchDisk, type LaunchSteps, type LaunchTools } from './launch/sandbox-launcher.js';
import { prepareSandboxSeccomp, type SandboxSeccomp } from './seccomp/sandbox-seccomp.js';
import { commandArgv, entrypointArgv, helperArgv, sandboxInit, scriptArgv, type SandboxIdentity, type SandboxNamespaces } from './sandbox-exec.js';
import {
  SandboxStartError,
  type RunningSandbox,
  type SandboxCommand,
  type SandboxDirectories,
  type SandboxProgram,
  type SandboxProvider,
} from './sandbox-provider.js';
import { ToolboxHelper } from './toolbox-helper.js';
import { SandboxUserNamespaces, type IdMap } from './user-namespaces.js';

export interface BwrapProviderOptions {
  layout: SandboxLayout;
  cgroups: SandboxCgroups;
  /** Host uid/gid bwrap drops to; null when the runner is not root and runs sandboxes as itself. */
  sandboxUser: { uid: number; gid: number } | null;
  /** The resolver of egress sandboxes; null: the host's (sandbox-egress.ts). */
  sandboxDns: string | null;
  /** Where the compiled seccomp filter, its loader and the launch tools are cached (built once per version). */
  buildCacheDir: string;
  /** Most processes per sandbox, where the pids controller is available. */
  pidsMax: number;
  outputLimitBytes: number;
  /** Kills the sandboxes if the runner dies; launches wait while none runs. None without cgroups. */
  watchdog?: LaunchGuard | null;
  /** Host ids that ids inside image sandboxes map to; null when the runner cannot run images (not root). */
  userNamespace?: IdMap | null;
  /** The static toolbox helper binary (file operations inside sandboxes); none: file operations fail. */
  toolboxHelper?: ToolboxHelper | null;
  logger?: Logger;
}

// The `host` snapshot's user, home and PATH (host userland, read-only).
const HOST_IDENTITY: SandboxIdentity = {
  uid: SANDBOX_USER_ID,
  gid: SANDBOX_USER_ID,
  env: { HOME: SANDBOX_HOME, PATH: LAUNCH_ENV.PATH },
  workingDir: SANDBOX_HOME,
};
// Where a launch finds the user namespace descriptors (see user-namespaces.ts), then the seccomp
// filter for bwrap, then sandbox-init (always the last two descriptors of a launch).
const SETUP_USERNS_FD = 5;
const SANDBOX_USERNS_FD = 6;
const IMAGE_SECCOMP_FD = 7;
const IMAGE_INIT_FD = 8;
const HOST_SECCOMP_FD = 5;
const HOST_INIT_FD = 6;

// Generous: only a wedged host takes this long to create a few namespaces.
const NAMESPACES_TIMEOUT_MS = 30_000;
// After its namespace's init is killed, bwrap exits at once; this only guards against the unexpected.
const EXIT_GRACE_MS = 2_000;

/**
 * Sandboxes as bubblewrap namespaces, without a daemon: of an image, with root inside a user
 * namespace mapped to unprivileged host ids; of `host`, as one unprivileged user.
 */
export class BwrapProvider implements SandboxProvider {
  readonly kind = 'bwrap';
  readonly isolated = true;
  private readonly mounts: MountHelper;
  private readonly launches: LaunchServer;

  private constructor(
    private readonly options: BwrapProviderOptions,
    private readonly hostMounts: string[],
    private readonly seccomp: SandboxSeccomp,
    /** launch-server.c (which forks every sandbox process), sandbox-launch.c (a sandbox's first) and sandbox-init.c (its pid 1), compiled. */
    private readonly tools: LaunchTools,
    /** The resolver egress sandboxes use, if any. */
    private readonly dns: string | null,
    private readonly namespaces: SandboxUserNamespaces | null,
    /** Why this provider runs no images; null when it does. */
    readonly imagesUnavailable: string | null,
  ) {
    this.mounts = new MountHelper(tools.launcher);
    this.launches = new LaunchServer(tools.server);
  }

  /** Throws when the seccomp filter cannot be built: no sandbox runs without one. */
  static async create(options: BwrapProviderOptions): Promise<BwrapProvider> {
    const hostMounts = await hostSnapshotMounts();
    const seccomp = await prepareSandboxSeccomp(options.buildCacheDir);
    const tools = await prepareLaunchTools(options.buildCacheDir);
    const dns = await sandboxResolver(options.sandboxDns);
    if (!dns) options.logger?.warn('No resolver for egress sandboxes (none in /etc/resolv.conf a sandbox can reach): set RUNNER_SANDBOX_DNS');
    if (!options.userNamespace) return new BwrapProvider(options, hostMounts, seccomp, tools, dns, null, 'image sandboxes need a runner that runs as root');
    try {
      return new BwrapProvider(options, hostMounts, seccomp, tools, dns, await SandboxUserNamespaces.create(options.userNamespace), null);
    } catch (error) {
      const reason = `the sandbox user namespaces could not be set up: ${(error as Error).message}`;
      options.logger?.warn(`Image sandboxes are not available: ${reason}`);
      return new BwrapProvider(options, hostMounts, seccomp, tools, dns, null, reason);
    }
  }

  get cgroups() {
    return this.options.cgroups.support;
  }

  /** Runs a throw-away sandbox that executes `true`; null when it works, else why not. */
  async probe(): Promise<string | null> {
    const spec: RunnerSandboxSpec = { id: `probe-${process.pid}`, name: 'probe', snapshotRef: HOST_SNAPSHOT_REF, cpu: 1, memory: 1, disk: 1, env: {} };
    try {
      const launched = await this.launch(spec, this.hostLaunch(spec, ['/bin/true'], await this.prepareHost(spec)));
      const how = await launched.exited;
      if (how === 'exit 0') return null;
      return `bwrap ended with ${how}: ${await launched.failureDetail()}`;
    } catch (error) {
      return (error as Error).message;
    } finally {
      await this.removeTraces(spec.id).catch(() => undefined);
    }
  }

  async start(spec: RunnerSandboxSpec, onUnexpectedExit: (reason: string) => void, image?: ReadyImage): Promise<RunningSandbox> {
    const egress = spec.networkBlockAll === false ? { allowList: spec.networkAllowList ?? null } : null;
    if (spec.snapshotRef === HOST_SNAPSHOT_REF) {
      const host = await this.prepareHost(spec, egress !== null);
      const sandbox = await this.run(spec, this.hostLaunch(spec, sandboxInit(HOST_INIT_FD), host), HOST_IDENTITY, null, egress, onUnexpectedExit);
      return sandbox;
    }
    if (!this.namespaces) throw new SandboxStartError(`This runner cannot run images: ${this.imagesUnavailable}`);
    if (!image) throw new SandboxStartError(`Image ${spec.snapshotRef} is not pulled on this runner`);
    const { config } = image;
    const identity: SandboxIdentity = { uid: config.uid, gid: config.gid, env: config.env, workingDir: config.workingDir };
    const entrypoint = spec.entrypoint ?? config.command;
    const paths = await this.options.layout.prepareImage(spec, image.rootfs);
    if (egress) await writeFile(paths.resolvConf, sandboxResolvConf(this.dns));
    await this.releaseSandboxDisk(paths);
    try {
      const bwrap = [
        'bwrap', ...imageBwrapArguments({
          hostname: sandboxHostname(spec.name),
          rootfs: paths.rootfs,
          resolvConf: egress ? paths.resolvConf : null,
          seccompFd: IMAGE_SECCOMP_FD,
          sandboxUserNamespaceFd: SANDBOX_USERNS_FD,
          command: sandboxInit(IMAGE_INIT_FD, entrypoint.length > 0 ? `${config.uid}:${config.gid}` : null),
        }),
      ];
      const steps: Omit<LaunchSteps, 'cgroupProcs'> = {
        disk: this.diskOf(paths),
        overlay: { lower: image.rootfs, upper: paths.upper, work: paths.work, merged: paths.rootfs },
        // bwrap runs as root of the setup namespace (user-namespaces.ts).
        userNamespaceFd: SETUP_USERNS_FD,
        dropTo: null,
        argv: bwrap,
      };
      const sandbox = await this.run(spec, { steps, fds: this.namespaces.fds }, identity, paths.rootfs, egress, onUnexpectedExit);
      if (entrypoint.length > 0) sandbox.startEntrypoint(entrypoint);
      return sandbox;
    } catch (error) {
      await this.releaseSandboxDisk(paths).catch(() => undefined);
      throw error;
    }
  }

  /** Before a start and after a stop: no loop device may still hold the disk (sandbox-disk.ts). */
  private releaseSandboxDisk(paths: SandboxPaths): Promise<void> {
    return releaseDisk({ image: paths.diskImage, deviceRecord: paths.diskDevice });
  }

  private diskOf(paths: PreparedPaths): LaunchDisk {
    return { image: paths.diskImage, mountPoint: paths.disk, deviceRecord: paths.diskDevice, template: paths.diskTemplate };
  }

  /** A `host` sandbox's home: on a disk of its own when the runner is root (it mounts), else a plain directory. */
  private async prepareHost(spec: RunnerSandboxSpec, egress = false): Promise<HostPaths> {
    const user = this.options.sandboxUser;
    if (!user) return { home: (await this.options.layout.prepare(spec)).home, disk: null, resolvConf: null };
    const paths = await this.options.layout.prepareHostDisk(spec, user);
    if (egress) await writeFile(paths.resolvConf, sandboxResolvConf(this.dns));
    await this.releaseSandboxDisk(paths);
    return { home: paths.diskHome, disk: this.diskOf(paths), resolvConf: egress ? paths.resolvConf : null };
  }

  /** Launches, waits for the sandbox to be built, and hands it over; on failure nothing of it runs. */
  private async run(
    spec: RunnerSandboxSpec,
    launch: Launch,
    identity: SandboxIdentity,
    rootfs: string | null,
    egress: { allowList: string[] | null } | null,
    onUnexpectedExit: (reason: string) => void,
  ): Promise<BwrapSandbox> {
    const launched = await this.launch(spec, launch);
    const { exited } = launched;
    const paths = this.options.layout.paths(spec.id);
    let namespaces: SandboxNamespaces;
    try {
      namespaces = { ...(await waitForNamespaces(launched.child, exited)), seccomp: this.seccomp };
      // Only now does the sandbox's root exist; setuid programs (sudo) must work in it.
      if (rootfs) await allowSetuidAtRoot(namespaces.childPid, this.mounts);
    } catch (error) {
      launched.child.kill('SIGKILL');
      await exited;
      await this.options.cgroups.remove(spec.id);
      await this.releaseSandboxDisk(paths);
      throw new SandboxStartError(`bwrap did not start the sandbox (${(error as Error).message}): ${await launched.failureDetail()}`);
    }
    if (egress) {
      try {
        await connectEgress({
          sandboxPid: namespaces.childPid,
          allowList: egress.allowList,
          rulesFile: paths.egressRules,
          logFile: paths.networkLog,
          dns: this.dns,
          launch: (argv, logFile) => {
            const steps = { cgroupProcs: launched.procsFiles, disk: null, overlay: null, userNamespaceFd: null, dropTo: null, argv };
            return this.launches.launch({ argv: sandboxLaunchArgv(this.tools.launcher, steps), logFile, files: [] });
          },
        });
      } catch (error) {
        process.kill(namespaces.childPid, 'SIGKILL');
        await exited;
        await this.options.cgroups.remove(spec.id);
        await this.releaseSandboxDisk(paths);
        throw new SandboxStartError((error as Error).message);
      }
    }
    const sandbox = new BwrapSandbox(spec, launched.child, exited, namespaces, launched.procsFiles, this.options, identity, () => this.releaseSandboxDisk(paths));
    void exited.then(async (how) => {
      if (!sandbox.stopRequested) onUnexpectedExit(`the sandbox's bwrap process died (${how}): ${await launched.failureDetail()}`);
    });
    return sandbox;
  }

  private hostLaunch(spec: RunnerSandboxSpec, command: string[], host: HostPaths): Launch {
    const bwrap = [
      'bwrap',
      ...bwrapArguments({
        hostname: sandboxHostname(spec.name),
        home: host.home,
        snapshotMounts: this.hostMounts,
        resolvConf: host.resolvConf,
        seccompFd: HOST_SECCOMP_FD,
        command,
      }),
    ];
    // bwrap itself runs as the sandbox user, after the disk was mounted as root.
    return { steps: { disk: host.disk, overlay: null, userNamespaceFd: null, dropTo: this.options.sandboxUser, argv: bwrap }, fds: [] };
  }

  async removeTraces(id: string): Promise<void> {
    await this.options.cgroups.remove(id);
    const paths = this.options.layout.paths(id);
    // The disk image may go while a device still holds it (the kernel keeps it until then). Nothing
    // is mounted here in the runner's namespace: sandboxes mount in their own, and what runners of
    // earlier versions mounted here went at boot (removeLeftoversAtBoot).
    await this.releaseSandboxDisk(paths).catch((error: Error) => this.options.logger?.warn(`Sandbox ${id}: ${error.message}`));
    await this.options.layout.remove(id);
  }

  listLocalSandboxIds(): Promise<string[]> {
    return this.options.layout.listIds();
  }

  async removeLeftoversAtBoot(): Promise<void> {
    for (const id of await this.options.cgroups.list()) await this.options.cgroups.remove(id);
    // Mounts that runners of earlier versions made in the host's namespace for sandboxes whose runner died.
    for (const mountPoint of await mountPointsUnder(this.options.layout.sandboxesDir)) await unmountAll(mountPoint, this.mounts);
  }

  async close(): Promise<void> {
    await this.options.cgroups.removeParents();
    await this.options.watchdog?.stop();
    await this.namespaces?.close();
    this.mounts.close();
    this.launches.close();
  }

  private async launch(spec: RunnerSandboxSpec, launch: Launch) {
    // bwrap's --die-with-parent comes too late for a runner dying mid-launch; the watchdog does not.
    await this.options.watchdog?.guarding().catch((error: Error) => {
      throw new SandboxStartError(`Not launching a sandbox without a watchdog: ${error.message}`);
    });
    const paths = this.options.layout.paths(spec.id);
    const procsFiles = await this.options.cgroups.create(spec.id, { cpu: spec.cpu, memory: spec.memory, pids: this.options.pidsMax });
    const argv = sandboxLaunchArgv(this.tools.launcher, { ...launch.steps, cgroupProcs: procsFiles });
    // Its stderr goes to a file, so no pipe stays open per sandbox and a failure can be explained;
    // the seccomp filter is opened anew for each launch (bwrap reads it to the end).
    const child = this.launches.launch({
      argv,
      logFile: paths.logFile,
      files: [...launch.fds.map((fd) => `/proc/${process.pid}/fd/${fd}`), this.seccomp.filterFile, this.tools.init],
    });
    const { exited } = child;
    const failureDetail = async () => (await readFile(paths.logFile, 'utf8').catch(() => '')).trim().slice(-1000) || 'no output';
    return { child, exited, procsFiles, failureDetail };
  }
}

/** What the launcher does after it joined the cgroups, and descriptors it gets from fd 5 on (then the seccomp filter's and sandbox-init's). */
interface Launch {
  steps: Omit<LaunchSteps, 'cgroupProcs'>;
  fds: number[];
}

interface HostPaths {
  home: string;
  /** null when the runner is not root: no disk of its own, no limit. */
  disk: LaunchDisk | null;
  resolvConf: string | null;
}

async function waitForNamespaces(child: LaunchedProcess, exited: Promise<string>): Promise<Omit<SandboxNamespaces, 'seccomp'>> {
  const failed = exited.then((how) => Promise.reject(new Error(how)));
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`not ready after ${NAMESPACES_TIMEOUT_MS} ms`)), NAMESPACES_TIMEOUT_MS);
  });
  try {
    const [parsed] = await Promise.race([Promise.all([readInfo(child), child.ready]), failed, timedOut]);
    if (typeof parsed['child-pid'] !== 'number') throw new Error(`unexpected bwrap info ${JSON.stringify(parsed)}`);
    return { childPid: parsed['child-pid'], hasCgroupNamespace: 'cgroup-namespace' in parsed };
  } finally {
    clearTimeout(timer);
    failed.catch(() => undefined);
  }
}

/** Resolves with the first complete JSON document bwrap wrote on its info descriptor. */
function readInfo(child: LaunchedProcess): Promise<Record<string, unknown>> {
  return new Promise((resolve) => {
    let text = '';
    let done = false;
    child.onInfo((chunk) => {
      if (done) return;
      text += chunk.toString('utf8');
      try {
        resolve(JSON.parse(text) as Record<string, unknown>);
        done = true;
      } catch {
        // incomplete so far
      }
    });
  });
}

class BwrapSandbox implements RunningSandbox {
  stopRequested = false;

  constructor(
    private readonly spec: RunnerSandboxSpec,
    private readonly child: LaunchedProcess,
    private readonly exited: Promise<string>,
    /** childPid: the target for nsenter, and what to kill to end the sandbox. */
    private readonly namespaces: SandboxNamespaces,
    private readonly procsFiles: string[],
    private readonly options: BwrapProviderOptions,
    private readonly identity: SandboxIdentity,
    /** Waits until its disk is free once it has stopped. */
    private readonly releaseDisk: () => Promise<void>,
  ) {}

  get directories(): SandboxDirectories {
    return { homeDir: this.identity.env.HOME ?? '/', workDir: this.identity.workingDir };
  }

  spawn(program: SandboxProgram): ChildProcess {
    if (program.kind === 'helper') {
      const helper = this.options.toolboxHelper;
      if (!helper) throw new Error('This runner has no toolbox helper (build it with `nx run runner:build`)');
      const { file, args } = launchInCgroups(this.procsFiles, helperArgv(this.namespaces, this.identity, 3, program.args));
      return spawn(file, args, { stdio: ['pipe', 'pipe', 'pipe', helper.fd], env: { ...LAUNCH_ENV, HOME: this.directories.homeDir }, detached: true });
    }
    const argv = scriptArgv(this.namespaces, this.identity, { ...program, env: { ...this.spec.env, ...program.env } });
    const { file, args } = launchInCgroups(this.procsFiles, argv);
    return spawn(file, args, { stdio: 'pipe', env: LAUNCH_ENV, detached: true });
  }

  execute(command: SandboxCommand): Promise<ExecuteCommandResponse> {
    const argv = commandArgv(this.namespaces, this.identity, { command: command.command, cwd: command.cwd, env: { ...this.spec.env, ...command.env } });
    return runCommandProcess({
      ...launchInCgroups(this.procsFiles, argv, { mergeStderr: true }),
      env: LAUNCH_ENV,
      timeoutMs: command.timeoutSeconds * 1000,
      outputLimitBytes: this.options.outputLimitBytes,
    });
  }

  /** Starts `argv` in the background as the sandbox's user; its exit leaves the sandbox running. */
  startEntrypoint(argv: string[]): void {
    const { file, args } = launchInCgroups(this.procsFiles, entrypointArgv(this.namespaces, this.identity, this.spec.env, argv));
    const child = spawn(file, args, { stdio: 'ignore', env: LAUNCH_ENV, detached: true });
    child.once('error', (error) => this.options.logger?.warn(`Sandbox ${this.spec.id}: the entrypoint did not start: ${error.message}`));
    child.once('exit', (code, signal) => {
      if (!this.stopRequested) this.options.logger?.debug(`Sandbox ${this.spec.id}: the entrypoint ended with ${code ?? signal}`);
    });
  }

  async stop(): Promise<void> {
    this.stopRequested = true;
    // Killing the namespace's init makes the kernel kill every process in the sandbox, and bwrap
    // exits only after that init is reaped. Killing bwrap first would orphan the init instead.
    if (!this.child.hasExited) {
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
    // Its mounts went with its mount namespace; the disk stays for the next start.
    await this.releaseDisk();
  }
}
