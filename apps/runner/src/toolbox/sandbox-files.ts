import { once } from 'node:events';
import type { Readable } from 'node:stream';
import type { FileInfo, UploadFileResponse } from '@daytona/runner-contract';
import { RunnerError } from '../errors/runner-error.js';
import { killProcessGroup } from '../provider/command-process.js';
import type { RunningSandbox } from '../provider/sandbox-provider.js';
import { collectExit, helperFailure, runHelper } from './helper-process.js';

/**
 * File operations, each one run of the toolbox helper inside the sandbox as its user: paths are
 * the sandbox's (relative ones from its HOME), so `..` and symlinks cannot leave it, and the
 * sandbox's own permissions apply.
 */
export const listFiles = (sandbox: RunningSandbox, path: string) => runHelper<FileInfo[]>(sandbox, ['list', path]);
export const fileInfo = (sandbox: RunningSandbox, path: string) => runHelper<FileInfo>(sandbox, ['info', path]);
export const deleteFile = (sandbox: RunningSandbox, path: string, recursive: boolean) => runHelper<object>(sandbox, ['delete', path, String(recursive)]);
export const createFolder = (sandbox: RunningSandbox, path: string, mode: string) => runHelper<object>(sandbox, ['mkdir', path, mode]);
export const moveFile = (sandbox: RunningSandbox, source: string, destination: string) => runHelper<object>(sandbox, ['move', source, destination]);

export interface FileDownload {
  size: number;
  /** Exactly `size` bytes, unless the download fails midway (then `finished` rejects). */
  stream: Readable;
  finished: Promise<void>;
  /** Ends the helper (the reader went away). */
  abort(): void;
}

/** Opens a file for download: resolves once the helper has opened it (or rejects with why not). */
export function openDownload(sandbox: RunningSandbox, path: string): Promise<FileDownload> {
  const child = sandbox.spawn({ kind: 'helper', args: ['read', path] });
  child.stdin?.end();
  const stdout = child.stdout!;
  stdout.pause();
  const exited = collectExitKeepingStdout(child);
  return new Promise((resolve, reject) => {
    let status = '';
    const onStatus = (chunk: Buffer) => {
      status += chunk.toString('utf8');
      const newline = status.indexOf('\n');
      if (newline < 0) return;
      child.stderr!.off('data', onStatus);
      let size: unknown;
      try {
        size = (JSON.parse(status.slice(0, newline)) as { size?: unknown }).size;
      } catch {
        // not the helper's status line: the exit below reports what happened
      }
      if (typeof size !== 'number') return; // an error line: the exit below reports it
      const finished = exited.then((exit) => {
        if (exit.code !== 0) throw helperFailure(exit);
      });
      finished.catch(() => undefined);
      resolve({ size, stream: stdout, finished, abort: () => child.pid !== undefined && killProcessGroup(child.pid) });
    };
    child.stderr!.on('data', onStatus);
    void exited.then((exit) => {
      if (exit.code !== 0) reject(helperFailure({ ...exit, stderr: status + exit.stderr }));
    });
  });
}

function collectExitKeepingStdout(child: ReturnType<RunningSandbox['spawn']>) {
  return new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) => {
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      if (stderr.length < 64 * 1024) stderr += chunk.toString('utf8');
    });
    child.once('error', (error) => resolve({ code: 127, signal: null, stderr: error.message }));
    child.once('close', (code, signal) => resolve({ code, signal, stderr }));
  });
}

const END_OF_FILE = Buffer.alloc(4);

/**
 * Streams `body` into `path` through the helper, in length-prefixed frames ending with an empty
 * one, so a body that breaks off leaves nothing behind. More than `maxBytes` is refused.
 */
export async function writeUpload(sandbox: RunningSandbox, path: string, maxBytes: number, body: Readable): Promise<UploadFileResponse> {
  const child = sandbox.spawn({ kind: 'helper', args: ['write', path, String(maxBytes)] });
  const exited = collectExit(child, 64 * 1024);
  const stdin = child.stdin!;
  let helperGone = false;
  stdin.on('error', () => (helperGone = true));
  const gone = exited.then(() => (helperGone = true));
  let received = 0;
  let complete = false;
  try {
    // Not destroyed on break: the request must stay open for the answer.
    for await (const chunk of body.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>) {
      if (helperGone) break;
      received += chunk.length;
      if (received > maxBytes) throw new RunnerError('file_too_large', `The file is larger than ${maxBytes} bytes`);
      const header = Buffer.alloc(4);
      header.writeUInt32BE(chunk.length);
      stdin.write(header);
      if (!stdin.write(chunk)) await Promise.race([once(stdin, 'drain'), gone]);
    }
    complete = !helperGone;
  } finally {
    // Without the empty frame, the helper discards what it has written.
    if (complete) stdin.end(END_OF_FILE);
    else stdin.end();
  }
  const exit = await exited;
  if (exit.code !== 0) throw helperFailure(exit);
  return { path, size: (JSON.parse(exit.stdout.toString('utf8')) as { size: number }).size };
}
