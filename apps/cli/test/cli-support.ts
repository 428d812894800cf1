// Runs the built `daytona` command as a child process, the way a user does, against the live
// stack of tools/e2e/with-stack.mjs (DAYTONA_API_URL / DAYTONA_API_KEY).
import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pushImage } from '../../../tools/stack/registry.mjs';

if (!process.env.DAYTONA_API_URL || !process.env.DAYTONA_API_KEY) {
  throw new Error('The CLI e2e tests need a live stack: node tools/e2e/with-stack.mjs -- npx nx run cli:e2e');
}

export const WORKSPACE = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
/** What `npx daytona` runs: the bin link npm made for the workspace's @daytonaio/cli. */
export const DAYTONA_BIN = join(WORKSPACE, 'node_modules', '.bin', 'daytona');
export const ESC = String.fromCharCode(27);

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Replaces variables of this process's environment; `undefined` removes one. */
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** The program to run instead of the workspace's bin link (e.g. an installed copy). */
  bin?: string;
}

export function environment(overrides: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env = { ...process.env, ...overrides };
  for (const [name, value] of Object.entries(overrides)) if (value === undefined) delete env[name];
  return env;
}

/** Runs `daytona ...args` without a terminal (stdin, stdout and stderr are pipes). */
export function daytona(args: string[], options: RunOptions = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      options.bin ?? DAYTONA_BIN,
      args,
      { cwd: options.cwd ?? WORKSPACE, env: environment(options.env), maxBuffer: 64 * 2 ** 20 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** `daytona ...args` with --json: its stdout parsed; fails the test with stderr if it did not exit 0. */
export async function daytonaJson<T>(args: string[], options: RunOptions = {}): Promise<T> {
  const result = await daytona([...args, '--json'], options);
  if (result.code !== 0) throw new Error(`daytona ${args.join(' ')} exited ${result.code}: ${result.stderr}`);
  return JSON.parse(result.stdout) as T;
}

/**
 * Runs `daytona ...args` on a pseudo-terminal (util-linux `script`): what a user at a terminal
 * would see, escapes included, with stdout and stderr both on the terminal.
 */
export function daytonaOnTerminal(args: string[]): Promise<CliResult> {
  const commandLine = [DAYTONA_BIN, ...args].map((word) => `'${word.replaceAll("'", `'\\''`)}'`).join(' ');
  return new Promise((resolve) => {
    execFile('script', ['-qfec', commandLine, '/dev/null'], { cwd: WORKSPACE, env: environment({ COLUMNS: '160' }) }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

/** A name prefix no other run uses. */
export function uniquePrefix(name: string): string {
  return `cli-${randomBytes(3).toString('hex')}-${name}`;
}

export function expectedNames(prefix: string, count: number): string[] {
  return Array.from({ length: count }, (_, index) => `${prefix}-${String(index + 1).padStart(5, '0')}`);
}

/** A sandbox as `--json` prints it. */
export interface SandboxJson {
  id: string;
  name: string;
  state: string;
  snapshot: string;
  labels: Record<string, string>;
  env: Record<string, string>;
  errorReason: string | null;
}

/** Until no live sandbox has a name starting with `prefix` (bulk delete answers before runners finish). */
export async function untilNoneNamed(prefix: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const left = await daytonaJson<SandboxJson[]>(['sandbox', 'list', '--name', prefix, '--limit', '10000']);
    if (left.length === 0) return;
    if (Date.now() > deadline) throw new Error(`still live: ${left.map((s) => `${s.name} (${s.state})`).join(', ')}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/**
 * Pushes an image whose /proc is a file to the stack's registry (the host of the default snapshot's
 * image) and answers its reference: a runner pulls it, but no sandbox of it can start (bwrap
 * cannot mount /proc there), so its sandboxes end in `error` with the runner's own reason.
 */
export async function pushBrokenImage(registryHost: string): Promise<string> {
  const work = mkdtempSync(join(tmpdir(), 'cli-broken-'));
  try {
    writeFileSync(join(work, 'proc'), 'not a directory\n');
    execFileSync('tar', ['-C', work, '--numeric-owner', '--owner=0', '--group=0', '-cf', join(work, 'layer.tar'), 'proc']);
    const layout = join(work, 'layout');
    execFileSync('umoci', ['init', '--layout', layout]);
    execFileSync('umoci', ['new', '--image', `${layout}:v1`]);
    execFileSync('umoci', ['raw', 'add-layer', '--image', `${layout}:v1`, join(work, 'layer.tar')]);
    const reference = `${registryHost}/cli-e2e/broken:v1`;
    await pushImage({ layout, tag: 'v1', destination: reference });
    return reference;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
