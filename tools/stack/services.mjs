// Starting and stopping the stack's processes: shared by `npm start` and the end-to-end harness.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const API_ENTRY = join(ROOT, 'dist/apps/api/main.js');
export const RUNNER_ENTRY = join(ROOT, 'dist/apps/runner/main.js');

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * Spawns a service and resolves once `ready()` says so. Output goes to `output` (a writable
 * stream) with a prefix, so several services can share a terminal.
 */
export async function startService({ name, command, args, env, output, ready, timeoutMs = 120_000 }) {
  const child = spawn(command, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  const forward = (chunk) => {
    const text = chunk.toString();
    log += text;
    if (log.length > 200_000) log = log.slice(-100_000);
    if (output) output.write(text.replace(/^(?=.)/gm, `[${name}] `));
  };
  child.stdout.on('data', forward);
  child.stderr.on('data', forward);
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve(signal ?? code)));
  const service = {
    name,
    child,
    exited,
    log: () => log,
    async stop(signal = 'SIGTERM', graceMs = 15_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${name} exited before it was ready:\n${log.slice(-4_000)}`);
    }
    if (await ready(log).catch(() => false)) return service;
    if (Date.now() > deadline) {
      await service.stop('SIGKILL');
      throw new Error(`${name} was not ready within ${timeoutMs / 1000} s:\n${log.slice(-4_000)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export async function httpOk(url, headers = {}) {
  const response = await fetch(url, { headers, signal: AbortSignal.timeout(2_000) });
  return response.ok;
}

/** A redis-server on 127.0.0.1 that requires `password` (REDIS_URL: redis://:password@127.0.0.1:port). */
export function startRedis({ port, password, output }) {
  return startService({
    name: 'redis',
    command: 'redis-server',
    args: ['--port', String(port), '--bind', '127.0.0.1', '--requirepass', password, '--save', '', '--appendonly', 'no'],
    output,
    ready: async (log) => log.includes('Ready to accept connections'),
  });
}

/** The API; with no DATABASE_URL in `env` it runs its own embedded Postgres. */
export function startApi({ port, env, output }) {
  return startService({
    name: 'api',
    command: process.execPath,
    args: ['--enable-source-maps', API_ENTRY],
    env: { PORT: String(port), ...env },
    output,
    ready: () => httpOk(`http://127.0.0.1:${port}/api/health`),
  });
}

/** A runner; ready once it has registered with the API and reconciled its sandboxes. */
export function startRunner({ port, env, output }) {
  return startService({
    name: 'runner',
    command: process.execPath,
    args: ['--enable-source-maps', RUNNER_ENTRY],
    env: { RUNNER_PORT: String(port), ...env },
    output,
    ready: async (log) => /Runner ".*" ready at/.test(log),
  });
}

/** Builds the API and the runner (incremental tsc through Nx). */
export function buildApps() {
  return new Promise((resolve, reject) => {
    const build = spawn('npx', ['nx', 'run-many', '-t', 'build', '-p', 'api', 'runner', '--outputStyle=stream'], {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    build.on('exit', (code) => (code === 0 ? resolve() : reject(new Error('build failed: run `npx nx run-many -t build`'))));
  });
}
