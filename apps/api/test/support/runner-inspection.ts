import { execFileSync } from 'node:child_process';
import type { RunnerProcess } from './runner-process.js';

/** Host processes whose command line contains `text`. */
export function processesMatching(text: string): string[] {
  try {
    return execFileSync('pgrep', ['-f', text], { encoding: 'utf8' }).trim().split('\n').filter(Boolean);
  } catch {
    return [];
  }
}

/** What the runner itself says it holds (its own HTTP API), sorted. */
export async function runnerSandboxIds(runner: RunnerProcess): Promise<string[]> {
  const port = /ready at http:\/\/[^:]+:(\d+)/.exec(runner.output())![1];
  const response = await fetch(`http://127.0.0.1:${port}/sandboxes`, { headers: { authorization: `Bearer ${await runner.apiToken()}` } });
  const body = (await response.json()) as { sandboxes: Array<{ id: string }> };
  return body.sandboxes.map((s) => s.id).sort();
}
