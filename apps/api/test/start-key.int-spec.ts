import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { findFreePort } from './support/free-port.js';
import { apiClient } from './support/http.js';
import { createTestDatabase, RUNNER_REGISTRATION_TOKEN } from './support/test-api.js';

const API_ENTRY = resolve('dist/apps/api/main.js');

/**
 * What `npm start` relies on: the real API process (dist/apps/api/main.js) writes a working key to
 * DAYTONA_ENV_FILE on every start, even when the file was deleted and the organization exists.
 */
describe('the key the API writes for `npm start`', () => {
  let dir: string;
  let databaseUrl: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'daytona-start-'));
    databaseUrl = await createTestDatabase();
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  /** Starts the API, waits for it to listen, stops it; answers the env file it wrote and the URL. */
  async function startAndStop(envFile: string, env: Record<string, string> = {}): Promise<Record<string, string>> {
    const port = await findFreePort();
    const url = `http://127.0.0.1:${port}/api`;
    const child = spawn(process.execPath, [API_ENTRY], {
      env: {
        ...process.env,
        PORT: String(port),
        DATABASE_URL: databaseUrl,
        DAYTONA_ENV_FILE: envFile,
        RUNNER_REGISTRATION_TOKEN,
        LOG_LEVEL: 'warn',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const exited = new Promise((resolveExit) => child.once('exit', resolveExit));
    try {
      const deadline = Date.now() + 30_000;
      for (;;) {
        const healthy = await fetch(`${url}/health`).then((r) => r.ok, () => false);
        if (healthy) break;
        if (child.exitCode !== null || Date.now() > deadline) throw new Error(`the API did not start:\n${output}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      const written = Object.fromEntries(
        (await readFile(envFile, 'utf8'))
          .trim()
          .split('\n')
          .map((line) => line.split(/=(.*)/s).slice(0, 2)),
      );
      const works = (await apiClient(url, written.DAYTONA_API_KEY).get('/sandbox')).status;
      return { ...written, works: String(works), url };
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
  }

  it('writes a working key on a fresh database, keeps it while the file is there, and makes a new one when it is gone', async () => {
    const envFile = join(dir, '.env.local');
    const first = await startAndStop(envFile);
    expect(first.works).toBe('200');
    expect(first.DAYTONA_API_URL).toBe(first.url);

    // npm start passes the key it finds in the file: it stays the key.
    const again = await startAndStop(envFile, { DAYTONA_API_KEY: first.DAYTONA_API_KEY });
    expect(again.DAYTONA_API_KEY).toBe(first.DAYTONA_API_KEY);

    await rm(envFile);
    const fresh = await startAndStop(envFile);
    expect(fresh.works).toBe('200');
    expect(fresh.DAYTONA_API_KEY).not.toBe(first.DAYTONA_API_KEY);

    // A key from an old file that the database does not know is adopted, not refused.
    const adopted = 'dtn_' + 'k'.repeat(43);
    await writeFile(envFile, '');
    const kept = await startAndStop(envFile, { DAYTONA_API_KEY: adopted });
    expect(kept).toMatchObject({ DAYTONA_API_KEY: adopted, works: '200' });
  }, 120_000);
});
