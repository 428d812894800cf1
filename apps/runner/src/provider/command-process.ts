import { spawn, type ChildProcess } from 'node:child_process';
import { constants } from 'node:os';
import type { Readable } from 'node:stream';
import type { ExecuteCommandResponse } from '@daytona/runner-contract';
import { BoundedOutput } from './bounded-output.js';

export interface CommandProcessOptions {
  file: string;
  args: string[];
  env: Record<string, string>;
  cwd?: string;
  uid?: number;
  gid?: number;
  timeoutMs: number;
  outputLimitBytes: number;
  /** Told the process group id when the command starts (running) and when it is done. */
  onProcessGroup?: (pgid: number, running: boolean) => void;
}

export const TIMEOUT_EXIT_CODE = 124;
// After the command exits, a background process it started may hold the output pipe open forever;
// output already in flight is still collected until the pipe has been quiet this long.
const OUTPUT_SETTLE_MS = 25;

/** The same for a process started by someone else (in its own process group, stdin unused). */
export interface SpawnedCommandOptions {
  spawned: () => ChildProcess;
  timeoutMs: number;
  outputLimitBytes: number;
}

/**
 * Runs one command in its own process group (stdin closed, output captured into one bounded
 * buffer) and resolves when the command itself exits ('exit', not 'close': background processes
 * it started may live on). On timeout the whole process group is SIGKILLed.
 */
export function runCommandProcess(options: CommandProcessOptions | SpawnedCommandOptions): Promise<ExecuteCommandResponse> {
  return new Promise((resolve) => {
    const output = new BoundedOutput(options.outputLimitBytes);
    let timedOut = false;
    const child =
      'spawned' in options
        ? options.spawned()
        : spawn(options.file, options.args, {
            detached: true,
            stdio: ['ignore', 'pipe', 'pipe'],
            env: options.env,
            cwd: options.cwd,
            uid: options.uid,
            gid: options.gid,
          });
    child.stdin?.end();
    const onProcessGroup = 'spawned' in options ? undefined : options.onProcessGroup;
    const pgid = child.pid;
    const streams = [child.stdout!, child.stderr!];
    for (const stream of streams) stream.on('data', (chunk: Buffer) => output.append(chunk));
    if (pgid !== undefined) onProcessGroup?.(pgid, true);

    const timer = setTimeout(() => {
      timedOut = true;
      if (pgid !== undefined) killProcessGroup(pgid);
    }, options.timeoutMs);

    const finish = (exitCode: number) => {
      if (pgid !== undefined) onProcessGroup?.(pgid, false);
      const { result, truncated } = output.seal();
      resolve({ exitCode: timedOut ? TIMEOUT_EXIT_CODE : exitCode, result, truncated, timedOut });
    };

    child.once('error', (error) => {
      clearTimeout(timer);
      output.append(Buffer.from(`${error.message}\n`));
      finish(127);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      const exitCode = code ?? 128 + (signal ? constants.signals[signal] : 0);
      void waitForOutputToSettle(streams).then(() => finish(exitCode));
    });
  });
}

export function killProcessGroup(pgid: number): void {
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch {
    // the group is already gone
  }
}

function waitForOutputToSettle(streams: Readable[]): Promise<void> {
  const open = streams.filter((stream) => !stream.destroyed && !stream.readableEnded);
  if (open.length === 0) return Promise.resolve();
  return new Promise((resolve) => {
    let remaining = open.length;
    let readSinceArmed = false;
    let timer = setTimeout(checkQuiet, OUTPUT_SETTLE_MS);
    function rearm() {
      readSinceArmed = true;
    }
    // A busy loop runs its timers late, and the timers phase comes before the poll that reads the
    // pipe: output written before the exit may still be unread when the timer fires. setImmediate
    // runs after that poll, so the pipe is quiet only if nothing came in by then either.
    function checkQuiet() {
      setImmediate(() => {
        if (remaining === 0) return;
        if (!readSinceArmed) return done();
        readSinceArmed = false;
        timer = setTimeout(checkQuiet, OUTPUT_SETTLE_MS);
      });
    }
    function closed() {
      if (--remaining === 0) done();
    }
    function done() {
      clearTimeout(timer);
      for (const stream of open) {
        stream.off('data', rearm);
        stream.off('close', closed);
      }
      resolve();
    }
    for (const stream of open) {
      stream.on('data', rearm);
      stream.once('close', closed);
    }
  });
}
