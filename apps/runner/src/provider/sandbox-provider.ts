import type { ChildProcess } from 'node:child_process';
import type { ExecuteCommandResponse, RunnerSandboxSpec } from '@daytona/runner-contract';
import type { CgroupSupport } from '../cgroups/sandbox-cgroups.js';
import type { ReadyImage } from '../images/image-cache.js';

export type ProviderKind = 'bwrap' | 'process' | 'park';

/** A command to run in a started sandbox, defaults already applied. */
export interface SandboxCommand {
  command: string;
  cwd?: string;
  env: Record<string, string>;
  timeoutSeconds: number;
}

/**
 * A program the toolbox runs inside a sandbox, as its user: the toolbox helper (file operations),
 * or a /bin/sh script with the sandbox's env then `env`, in `cwd` (relative to the working directory).
 */
export type SandboxProgram =
  | { kind: 'helper'; args: string[] }
  | { kind: 'script'; script: string; args: string[]; env: Record<string, string>; cwd?: string };

/** Where relative file paths start (the user's HOME), and where commands run. */
export interface SandboxDirectories {
  homeDir: string;
  workDir: string;
}

/** A started sandbox. */
export interface RunningSandbox {
  execute(command: SandboxCommand): Promise<ExecuteCommandResponse>;
  /**
   * Starts `program` inside the sandbox (its namespaces, cgroups and user) in a process group of
   * its own, stdin, stdout and stderr piped. It dies with the sandbox.
   */
  spawn(program: SandboxProgram): ChildProcess;
  readonly directories: SandboxDirectories;
  /** Kills every process of the sandbox and waits until they are gone; its files stay. */
  stop(): Promise<void>;
}

/** Why a sandbox could not start, in words for the API's errorReason. */
export class SandboxStartError extends Error {}

/** Runs sandboxes on this machine. */
export interface SandboxProvider {
  readonly kind: ProviderKind;
  readonly isolated: boolean;
  readonly cgroups: CgroupSupport;
  /** Why this provider runs no images (only the `host` ref, or nothing at all); null when it does. */
  readonly imagesUnavailable: string | null;
  /**
   * Starts a sandbox (creating its directories when missing) and resolves once it runs.
   * `image` is the pulled image of `spec.snapshotRef` (absent for `host`).
   * `onUnexpectedExit` fires if it later dies without stop() being called.
   */
  start(spec: RunnerSandboxSpec, onUnexpectedExit: (reason: string) => void, image?: ReadyImage): Promise<RunningSandbox>;
  /** Deletes a sandbox that is not running: its cgroups and its directory. */
  removeTraces(id: string): Promise<void>;
  /** Ids of sandboxes that have a directory on this machine. */
  listLocalSandboxIds(): Promise<string[]>;
  /** Removes everything a previous runner process left behind that nothing can be using now. */
  removeLeftoversAtBoot(): Promise<void>;
  /** Releases runner-wide resources (parent cgroups) once every sandbox is stopped. */
  close(): Promise<void>;
}
