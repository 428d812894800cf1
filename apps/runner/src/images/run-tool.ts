import { spawn } from 'node:child_process';
import { LAUNCH_ENV } from '../provider/cgroup-launcher.js';
import { killProcessGroup } from '../provider/command-process.js';

/** A tool (skopeo, umoci) that failed, in its own words. */
export class ToolError extends Error {}

export interface ToolOptions {
  /** Killed (with everything it started) when this passes. */
  deadline: number;
  /** Why the deadline exists, for the message when it hits. */
  deadlineReason: string;
  /** Aborting kills it too (the runner is shutting down). */
  signal?: AbortSignal;
}

/** Runs `file` with only PATH in its environment; resolves with its stdout, rejects with its words. */
export function runTool(file: string, args: string[], options: ToolOptions): Promise<Buffer> {
  const timeoutMs = options.deadline - Date.now();
  if (timeoutMs <= 0) return Promise.reject(new ToolError(options.deadlineReason));
  if (options.signal?.aborted) return Promise.reject(new ToolError('the runner is shutting down'));
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'], env: LAUNCH_ENV, detached: true });
    const stdout: Buffer[] = [];
    let stderr = '';
    let timedOut = false;
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString('utf8')).slice(-16_384)));
    // Its own process group: what it started goes with it.
    const kill = () => child.pid !== undefined && killProcessGroup(child.pid);
    const timer = setTimeout(() => {
      timedOut = true;
      kill();
    }, timeoutMs);
    options.signal?.addEventListener('abort', kill, { once: true });
    const done = () => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', kill);
    };
    child.once('error', (error) => {
      done();
      reject(new ToolError(`${file} could not run: ${error.message}`));
    });
    child.once('close', (code, signal) => {
      done();
      if (timedOut) return reject(new ToolError(options.deadlineReason));
      if (options.signal?.aborted) return reject(new ToolError('the runner is shutting down'));
      if (code === 0) return resolve(Buffer.concat(stdout));
      reject(new ToolError(toolMessage(stderr) || `${file} ended with ${code ?? signal}`));
    });
  });
}

/**
 * The tool's own message: skopeo's `level=fatal msg="…"` (with the "Error parsing image name" wrapper
 * dropped: it only repeats the reference), umoci's `⨯ …` line, else the last line it printed.
 */
export function toolMessage(stderr: string): string {
  const fatal = /level=fatal msg="((?:[^"\\]|\\.)*)"/.exec(stderr);
  if (fatal) {
    const message = unquote(fatal[1]);
    return message.replace(/^Error parsing image name "[^"]*": /, '');
  }
  const lines = stderr
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
  const umoci = lines.findLast((line) => line.startsWith('⨯'));
  return (umoci ? umoci.slice(1).trim() : lines.at(-1)) ?? '';
}

function unquote(quoted: string): string {
  try {
    return JSON.parse(`"${quoted}"`) as string;
  } catch {
    return quoted.replace(/\\(.)/g, '$1');
  }
}
