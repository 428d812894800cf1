import type { ChildProcess } from 'node:child_process';
import { isToolboxErrorCode } from '@daytona/runner-contract';
import { RunnerError } from '../errors/runner-error.js';
import type { RunningSandbox } from '../provider/sandbox-provider.js';

// The helper's answers are small JSON documents (a listing of a huge directory being the largest).
const MAX_ANSWER_BYTES = 64 * 1024 * 1024;
const MAX_STDERR_BYTES = 64 * 1024;

export interface HelperExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  stderr: string;
}

/** Runs one helper operation to its end and answers its JSON, or throws the error it reported. */
export async function runHelper<T>(sandbox: RunningSandbox, args: string[]): Promise<T> {
  const child = sandbox.spawn({ kind: 'helper', args });
  child.stdin?.end();
  const exit = await collectExit(child, MAX_ANSWER_BYTES);
  if (exit.code !== 0) throw helperFailure(exit);
  return JSON.parse(exit.stdout.toString('utf8')) as T;
}

/** Waits for the helper to exit, keeping its stdout (up to a limit: `stdoutLimit` 0 keeps none) and stderr. */
export function collectExit(child: ChildProcess, stdoutLimit: number): Promise<HelperExit> {
  return new Promise((resolve) => {
    const out: Buffer[] = [];
    let outBytes = 0;
    let err = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      if (outBytes + chunk.length <= stdoutLimit) out.push(chunk);
      outBytes += chunk.length;
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      if (err.length < MAX_STDERR_BYTES) err += chunk.toString('utf8');
    });
    child.once('error', (error) => resolve({ code: 127, signal: null, stdout: Buffer.alloc(0), stderr: error.message }));
    child.once('close', (code, signal) => resolve({ code, signal, stdout: Buffer.concat(out), stderr: err }));
  });
}

/** The helper's own error (one JSON line on stderr) as a RunnerError; anything else is internal. */
export function helperFailure(exit: Pick<HelperExit, 'code' | 'signal' | 'stderr'>): Error {
  const lines = exit.stderr.trim().split('\n');
  try {
    const reported = JSON.parse(lines[lines.length - 1]) as { code?: unknown; message?: unknown };
    if (typeof reported.code === 'string' && typeof reported.message === 'string') {
      if (isToolboxErrorCode(reported.code)) return new RunnerError(reported.code, reported.message);
      if (reported.code === 'validation_failed') return new RunnerError('validation_failed', reported.message);
    }
  } catch {
    // not the helper's JSON: it never ran (nsenter failed, the sandbox is gone)
  }
  return new Error(`toolbox helper ended with ${exit.code ?? exit.signal}: ${exit.stderr.trim().slice(0, 500) || 'no output'}`);
}
