import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { RUNNER_REGISTRATION_TOKEN, TEST_REGION } from './test-api.js';

export const RUNNER_ENTRY = resolve('dist/apps/runner/main.js');

export interface RunnerProcess {
  name: string;
  /** What the API presents to this runner (from its enrollment file): for calling its HTTP API directly. */
  apiToken(): Promise<string>;
  dataDir: string;
  child: ChildProcess;
  /** Output so far, for assertions and for debugging a failed test. */
  output(): string;
  /** SIGTERM and wait; `kill('SIGKILL')` simulates a crash. */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** Starts the same runner again (same name, enrollment and data directory). */
  restart(): Promise<RunnerProcess>;
  removeData(): Promise<void>;
}

export interface RunnerProcessOptions {
  apiUrl: string;
  name?: string;
  dataDir?: string;
  env?: Record<string, string>;
  /** Resolves once the runner has registered and reconciled (its log says so). */
  readyPattern?: RegExp;
}

/** The real runner (dist/apps/runner, built by `nx run runner:build`) as a child process. */
export async function startRunnerProcess(options: RunnerProcessOptions): Promise<RunnerProcess> {
  const name = options.name ?? `runner-${randomBytes(3).toString('hex')}`;
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'daytona-runner-')));
  await chmod(dataDir, 0o711);
  let output = '';
  const child = spawn(process.execPath, [RUNNER_ENTRY], {
    env: {
      ...process.env,
      RUNNER_NAME: name,
      RUNNER_PORT: '0',
      RUNNER_REGION: TEST_REGION,
      RUNNER_DATA_DIR: dataDir,
      RUNNER_HEARTBEAT_INTERVAL_MS: '500',
      RUNNER_REPORT_INTERVAL_MS: '50',
      RUNNER_SYNC_INTERVAL_MS: '500',
      DAYTONA_API_URL: options.apiUrl,
      RUNNER_REGISTRATION_TOKEN,
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const ready = options.readyPattern ?? /Runner ".*" ready at/;
  await new Promise<void>((resolveReady, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (ready.test(output)) resolveReady();
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`runner exited with ${code}:\n${output}`)));
    setTimeout(() => reject(new Error(`runner not ready in 20 s:\n${output}`)), 20_000).unref();
  });
  const runner: RunnerProcess = {
    name,
    apiToken: async () => JSON.parse(await readFile(join(dataDir, 'enrollment.json'), 'utf8')).apiToken,
    dataDir,
    child,
    output: () => output,
    stop: (signal: NodeJS.Signals = 'SIGTERM') =>
      new Promise<void>((resolveStop) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolveStop();
        child.once('exit', () => resolveStop());
        child.kill(signal);
      }),
    restart: () => startRunnerProcess({ ...options, name, dataDir }),
    removeData: () => rm(dataDir, { recursive: true, force: true }),
  };
  return runner;
}
