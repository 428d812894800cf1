import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { CgroupVersion } from '../cgroups/cgroup-hierarchy.js';
import type { SandboxCgroups } from '../cgroups/sandbox-cgroups.js';
import type { LogLevel } from '../config/runner-config.js';
import type { Logger } from '../logging/logger.js';
import { LAUNCH_ENV } from '../provider/cgroup-launcher.js';
import { isRunning, readPidFile } from './watchdog-pid-file.js';
import { READY_LINE, type WatchdogArguments } from './watchdog-protocol.js';

/** The compiled watchdog entry, next to this module in dist/apps/runner/watchdog. */
const WATCHDOG_MAIN = fileURLToPath(new URL('./watchdog-main.js', import.meta.url));

// Node starts in well under a second; only a wedged host takes this long.
const READY_TIMEOUT_MS = 10_000;
// A clean stop leaves nothing to sweep, so the watchdog exits at once.
const STOP_TIMEOUT_MS = 5_000;
// How long a launch waits for a replacement watchdog before the sandbox fails to start.
const GUARD_WAIT_MS = 10_000;
// How long a starting runner waits for the previous runner's watchdog to finish its sweep.
const PREVIOUS_WATCHDOG_WAIT_MS = 10_000;

export interface SandboxWatchdogOptions {
  cgroups: SandboxCgroups;
  pidFile: string;
  logger: Logger;
  logLevel: LogLevel;
}

/** What the bwrap provider needs from the watchdog. */
export interface LaunchGuard {
  /** Resolves while a watchdog runs; rejects when none has been running for a while. */
  guarding(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The runner's side of the watchdog process: starts it, starts another when it dies while the runner
 * lives, and holds launches back while none is running, so no sandbox ever starts unguarded.
 */
export class SandboxWatchdog implements LaunchGuard {
  private child: ChildProcess | null = null;
  private up = false;
  private ready: Promise<void> = Promise.resolve();
  private stopping = false;

  private constructor(private readonly options: SandboxWatchdogOptions) {}

  /** Resolves once the watchdog has recorded its pid and guards this runner's sandbox cgroups. */
  static async start(options: SandboxWatchdogOptions): Promise<SandboxWatchdog> {
    if (options.cgroups.support === 'none') throw new Error('A sandbox watchdog needs cgroups to find sandboxes by');
    const watchdog = new SandboxWatchdog(options);
    watchdog.ready = watchdog.spawnOne();
    await watchdog.ready;
    options.logger.log(`Sandbox watchdog running (pid ${watchdog.child?.pid}): if this process dies, its sandboxes die with it`);
    return watchdog;
  }

  guarding(): Promise<void> {
    if (this.up) return Promise.resolve();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no sandbox watchdog has been running for ${GUARD_WAIT_MS} ms`)), GUARD_WAIT_MS);
    });
    return Promise.race([this.ready, timeout]).finally(() => clearTimeout(timer));
  }

  /** Ends the pipe (the watchdog sweeps what is left, normally nothing) and waits for it to exit. */
  async stop(): Promise<void> {
    this.stopping = true;
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.stdin?.end();
    const timedOut = await Promise.race([exited.then(() => false), sleep(STOP_TIMEOUT_MS, true)]);
    if (timedOut) {
      this.options.logger.warn(`Sandbox watchdog (pid ${child.pid}) still running ${STOP_TIMEOUT_MS} ms after the runner stopped; killing it`);
      child.kill('SIGKILL');
      await exited;
    }
  }

  private spawnOne(): Promise<void> {
    const { cgroups, pidFile, logLevel } = this.options;
    const args: WatchdogArguments = { runnerPid: process.pid, pidFile, version: cgroups.support as CgroupVersion, parents: cgroups.parentDirs, logLevel };
    // Its own session: a signal to the runner's process group (Ctrl-C) must not reach it. Its stdin
    // is the pipe whose end means the runner is gone; it is not inherited by anything the runner spawns.
    const child = spawn(process.execPath, [WATCHDOG_MAIN, JSON.stringify(args)], { detached: true, stdio: ['pipe', 'pipe', 'inherit'], env: LAUNCH_ENV });
    this.child = child;
    this.up = false;
    child.stdin?.on('error', () => undefined); // a dead watchdog; its exit is handled below
    return new Promise((resolve, reject) => {
      let ready = false;
      let output = '';
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`the watchdog was not ready after ${READY_TIMEOUT_MS} ms`));
      }, READY_TIMEOUT_MS);
      child.stdout?.on('data', (chunk: Buffer) => {
        output += chunk.toString('utf8');
        if (ready || !output.split('\n').includes(READY_LINE)) return;
        ready = true;
        clearTimeout(timer);
        child.stdout?.destroy();
        if (this.child === child) this.up = true;
        resolve();
      });
      child.once('error', (error) => {
        clearTimeout(timer);
        reject(new Error(`the watchdog could not be spawned: ${error.message}`));
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        if (ready) this.onExit(child, `exit ${code ?? signal}`);
        else reject(new Error(`the watchdog exited (${code ?? signal}) before it was ready`));
      });
    });
  }

  private onExit(child: ChildProcess, how: string): void {
    if (this.child !== child || this.stopping) return;
    this.up = false;
    this.options.logger.warn(`Sandbox watchdog (pid ${child.pid}) ended (${how}) while the runner runs; starting a new one, launches wait for it`);
    this.ready = this.respawn();
    this.ready.catch(() => undefined); // launches waiting on it see the rejection
  }

  private async respawn(): Promise<void> {
    for (let attempt = 1; !this.stopping; attempt++) {
      try {
        await this.spawnOne();
        this.options.logger.log(`Sandbox watchdog replaced (pid ${this.child?.pid})`);
        return;
      } catch (error) {
        this.options.logger.error(`Could not start a new sandbox watchdog (attempt ${attempt}): ${(error as Error).message}`);
        await sleep(Math.min(250 * attempt, 5_000));
      }
    }
    throw new Error('the runner is stopping');
  }
}

/**
 * Waits (bounded) until the watchdog recorded in `pidFile` by a previous runner process has finished:
 * sweeping, it kills whatever runs in this runner's sandbox cgroups, new sandboxes included.
 */
export async function waitForPreviousWatchdog(pidFile: string, logger: Logger): Promise<void> {
  const previous = await readPidFile(pidFile);
  if (!previous || !(await isRunning(previous))) return;
  logger.warn(`The previous runner process's sandbox watchdog (pid ${previous.pid}) is still removing its sandboxes; waiting for it`);
  const started = Date.now();
  let killed = false;
  while (await isRunning(previous)) {
    const waited = Date.now() - started;
    if (!killed && waited > PREVIOUS_WATCHDOG_WAIT_MS) {
      logger.warn(`It has not finished after ${PREVIOUS_WATCHDOG_WAIT_MS} ms; killing it (what it leaves behind is removed now)`);
      try {
        process.kill(previous.pid, 'SIGKILL');
      } catch {
        // gone meanwhile
      }
      killed = true;
    }
    // Even SIGKILL waits for a process stuck in the kernel; the start-up sweep copes with what is left.
    if (waited > PREVIOUS_WATCHDOG_WAIT_MS + 1_000) break;
    await sleep(20);
  }
  logger.log(`The previous sandbox watchdog is gone after ${Date.now() - started} ms`);
}
