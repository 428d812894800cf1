import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { ExecuteCommandResponse, RunnerSandboxSpec } from '@daytona/runner-contract';
import type { SandboxLayout } from '../sandbox/sandbox-layout.js';
import { LAUNCH_ENV, launchInCgroups } from './cgroup-launcher.js';
import { killProcessGroup, runCommandProcess } from './command-process.js';
import { HOST_SNAPSHOT_REF } from './host-snapshot.js';
import {
  SandboxStartError,
  type RunningSandbox,
  type SandboxCommand,
  type SandboxDirectories,
  type SandboxProgram,
  type SandboxProvider,
} from './sandbox-provider.js';
import type { ToolboxHelper } from './toolbox-helper.js';

export interface ProcessProviderOptions {
  layout: SandboxLayout;
  /** Host uid/gid commands run as; null when the runner is not root. */
  sandboxUser: { uid: number; gid: number } | null;
  outputLimitBytes: number;
  toolboxHelper?: ToolboxHelper | null;
}

/**
 * Fallback for hosts without working bubblewrap: NO isolation. A sandbox is only a home directory;
 * commands are plain child processes of the runner with that directory as their working directory.
 */
export class ProcessProvider implements SandboxProvider {
  readonly kind = 'process';
  readonly isolated = false;
  readonly cgroups = 'none';
  readonly imagesUnavailable = `the runner has no isolation (process provider), so it runs only the "${HOST_SNAPSHOT_REF}" snapshot`;

  constructor(private readonly options: ProcessProviderOptions) {}

  async start(spec: RunnerSandboxSpec): Promise<RunningSandbox> {
    if (spec.snapshotRef !== HOST_SNAPSHOT_REF) throw new SandboxStartError(`This runner cannot run images: ${this.imagesUnavailable}`);
    const paths = await this.options.layout.prepare(spec);
    return new ProcessSandbox(spec, paths.home, this.options);
  }

  async removeTraces(id: string): Promise<void> {
    await this.options.layout.remove(id);
  }

  listLocalSandboxIds(): Promise<string[]> {
    return this.options.layout.listIds();
  }

  async removeLeftoversAtBoot(): Promise<void> {
    // Commands were children of the previous runner process; nothing else is left behind.
  }

  async close(): Promise<void> {}
}

class ProcessSandbox implements RunningSandbox {
  /** Process groups of commands, kept after a command exits: its background processes share them. */
  private readonly processGroups = new Set<number>();

  constructor(
    private readonly spec: RunnerSandboxSpec,
    private readonly home: string,
    private readonly options: ProcessProviderOptions,
  ) {}

  get directories(): SandboxDirectories {
    return { homeDir: this.home, workDir: this.home };
  }

  /** As the sandbox user on the host: without isolation, absolute paths are the host's. */
  spawn(program: SandboxProgram): ChildProcess {
    const user = this.options.sandboxUser;
    const options = { stdio: 'pipe' as const, uid: user?.uid, gid: user?.gid, detached: true };
    let child: ChildProcess;
    if (program.kind === 'helper') {
      const helper = this.options.toolboxHelper;
      if (!helper) throw new Error('This runner has no toolbox helper (build it with `nx run runner:build`)');
      child = spawn(helper.path, program.args, { ...options, cwd: this.home, env: { HOME: this.home, PATH: LAUNCH_ENV.PATH } });
    } else {
      const env = { HOME: this.home, PATH: LAUNCH_ENV.PATH, ...this.spec.env, ...program.env };
      child = spawn('/bin/sh', ['-c', program.script, 'sh', ...program.args], { ...options, cwd: path.resolve(this.home, program.cwd ?? '.'), env });
    }
    if (child.pid !== undefined) this.processGroups.add(child.pid);
    return child;
  }

  execute(command: SandboxCommand): Promise<ExecuteCommandResponse> {
    const user = this.options.sandboxUser;
    return runCommandProcess({
      ...launchInCgroups([], ['/bin/sh', '-c', command.command], { mergeStderr: true }),
      env: { HOME: this.home, PATH: LAUNCH_ENV.PATH, ...this.spec.env, ...command.env },
      cwd: path.resolve(this.home, command.cwd ?? '.'),
      uid: user?.uid,
      gid: user?.gid,
      timeoutMs: command.timeoutSeconds * 1000,
      outputLimitBytes: this.options.outputLimitBytes,
      onProcessGroup: (pgid) => this.processGroups.add(pgid),
    });
  }

  async stop(): Promise<void> {
    for (const pgid of this.processGroups) killProcessGroup(pgid);
    this.processGroups.clear();
  }
}
