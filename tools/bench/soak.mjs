#!/usr/bin/env node
// `npm run soak`: rounds of a 200-sandbox bulk create while runners are killed (kill -9) at random
// moments and come back after random pauses, some longer than the heartbeat timeout. After each
// round it waits for the API and the runners to converge, then counts sandboxes whose database
// state disagrees with what their runner holds, and, once the round's sandboxes are deleted,
// sandbox processes left alive. Not a test: it prints a table (also .test-results/soak.md).
import { execFileSync } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { createWriteStream, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApps, freePort, ROOT, startApi, startRunner } from '../stack/services.mjs';
import { serveImages, SHARED_RUNNER_IMAGE_CACHE } from '../stack/images.mjs';
import { connect, createOrganizationWithKey, waitForActiveDefaultSnapshot } from './admin-db.mjs';
import { formatTable, pool, postJson } from './measure.mjs';

const ROUNDS = Number(process.env.SOAK_ROUNDS ?? 10);
const BULK = Number(process.env.SOAK_BULK ?? 200);
const RUNNERS = 2;
const HEARTBEAT_TIMEOUT_SECONDS = 4;
const CONVERGE_TIMEOUT_MS = 60_000;

const results = join(ROOT, '.test-results');
mkdirSync(results, { recursive: true });
const log = createWriteStream(join(results, 'soak-services.log'));
const workDir = await mkdtemp(join(tmpdir(), 'daytona-soak-'));
await chmod(workDir, 0o711);
const services = new Set();

const say = (message) => console.log(`[soak] ${message}`);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function teardown() {
  for (const service of [...services].reverse()) await service.stop().catch(() => undefined);
  await rm(workDir, { recursive: true, force: true });
}
process.on('SIGINT', () => void teardown().finally(() => process.exit(130)));

/** Host pids whose command line mentions `text` (sandbox processes carry their directory in bwrap's argv). */
function processesMatching(text) {
  try {
    return execFileSync('pgrep', ['-f', text], { encoding: 'utf8' }).trim().split('\n').filter(Boolean);
  } catch {
    return [];
  }
}

try {
  await buildApps();
  const images = await serveImages({ output: log });
  services.add(images.registry);
  const [apiPort, pgPort] = [await freePort(), await freePort()];
  const apiUrl = `http://127.0.0.1:${apiPort}/api`;
  const registrationToken = randomBytes(24).toString('hex');
  const pgPassword = randomBytes(24).toString('hex');
  const api = await startApi({
    port: apiPort,
    output: log,
    env: {
      DAYTONA_API_URL: apiUrl,
      RUNNER_REGISTRATION_TOKEN: registrationToken,
      EMBEDDED_PG_PORT: String(pgPort),
      EMBEDDED_PG_DATA_DIR: join(workDir, 'postgres'),
      EMBEDDED_PG_PASSWORD: pgPassword,
      DATABASE_URL: '',
      RECONCILE_INTERVAL_MS: '500',
      RUNNER_HEARTBEAT_TIMEOUT_SECONDS: String(HEARTBEAT_TIMEOUT_SECONDS),
      LOG_LEVEL: 'warn',
      DEFAULT_SNAPSHOT_IMAGE: images.defaultImage,
    },
  });
  services.add(api);
  const db = await connect(`postgres://daytona:${pgPassword}@127.0.0.1:${pgPort}/daytona`);

  const runners = await Promise.all(
    Array.from({ length: RUNNERS }, async (_, index) => {
      const name = `soak-${index}-${randomBytes(3).toString('hex')}`;
      const env = {
        RUNNER_NAME: name,
        RUNNER_PROVIDER: 'bwrap',
        RUNNER_REGISTRATION_TOKEN: registrationToken,
        RUNNER_DATA_DIR: join(workDir, name),
        RUNNER_HEARTBEAT_INTERVAL_MS: '1000',
        RUNNER_SYNC_INTERVAL_MS: '1000',
        RUNNER_INSECURE_REGISTRIES: images.insecureRegistry,
        RUNNER_IMAGE_CACHE_DIR: SHARED_RUNNER_IMAGE_CACHE,
        DAYTONA_API_URL: apiUrl,
      };
      const port = await freePort();
      const runner = { name, env, port, dataDir: env.RUNNER_DATA_DIR, service: null };
      runner.start = async () => {
        runner.service = await startRunner({ port, output: log, env });
        services.add(runner.service);
      };
      await runner.start();
      return runner;
    }),
  );

  await waitForActiveDefaultSnapshot(db);

  /** What each runner process says it holds, id -> state (with the API's token, from the runner's enrollment). */
  async function holdings(runner) {
    const { apiToken } = JSON.parse(readFileSync(join(runner.dataDir, 'enrollment.json'), 'utf8'));
    const response = await fetch(`http://127.0.0.1:${runner.port}/sandboxes`, {
      headers: { authorization: `Bearer ${apiToken}` },
      signal: AbortSignal.timeout(5_000),
    });
    const { sandboxes } = await response.json();
    return new Map(sandboxes.map((s) => [s.id, s.state]));
  }

  /**
   * Sandboxes of the organization whose database state disagrees with their runner: a live row its
   * runner does not hold (or holds in another state), or one its runner holds that is not live.
   */
  async function disagreements(organizationId) {
    const rows = (
      await db.query(
        `SELECT s.id, s.state, s.runner_id, r.name FROM sandbox s JOIN runner r ON r.id = s.runner_id WHERE s.organization_id = $1`,
        [organizationId],
      )
    ).rows;
    const held = new Map();
    for (const runner of runners) held.set(runner.name, await holdings(runner));
    let count = 0;
    const examples = [];
    for (const row of rows) {
      const runnerState = held.get(row.name).get(row.id);
      const runnerHolds = runnerState !== undefined;
      const agrees =
        row.state === 'destroyed' ? !runnerHolds : row.state === 'error' ? !runnerHolds || runnerState === 'error' : runnerState === row.state;
      if (!agrees) {
        count++;
        if (examples.length < 3) examples.push(`${row.id}: database ${row.state}, runner ${runnerState ?? 'none'}`);
      }
    }
    return { count, examples };
  }

  async function untilConverged(organizationId) {
    const deadline = Date.now() + CONVERGE_TIMEOUT_MS;
    for (;;) {
      const [{ unsettled }] = (
        await db.query(
          `SELECT count(*)::int AS unsettled FROM sandbox WHERE organization_id = $1 AND state NOT IN ('started', 'error', 'destroyed')`,
          [organizationId],
        )
      ).rows;
      const disagreeing = unsettled === 0 ? await disagreements(organizationId) : { count: unsettled, examples: [] };
      if (disagreeing.count === 0 || Date.now() > deadline) return disagreeing;
      await sleep(500);
    }
  }

  const rows = [];
  let totalLeaked = 0;
  let totalDisagreeing = 0;
  for (let round = 1; round <= ROUNDS; round++) {
    const org = await createOrganizationWithKey(db, BULK);
    const victim = runners[randomInt(RUNNERS)];
    const killAfterMs = randomInt(0, 2_500);
    const downForMs = randomInt(200, (HEARTBEAT_TIMEOUT_SECONDS + 3) * 1000);
    const started = Date.now();
    const creating = postJson(`${apiUrl}/sandbox/bulk`, org.key, {
      items: [{ snapshotIdOrName: 'default', count: BULK, sandboxNamePrefix: `soak-${round}` }],
    });
    await sleep(killAfterMs);
    await victim.service.stop('SIGKILL', 0);
    services.delete(victim.service);
    await creating;
    await sleep(downForMs);
    await victim.start();

    const converged = await untilConverged(org.organizationId);
    const [{ started: startedCount, failed }] = (
      await db.query(
        `SELECT count(*) FILTER (WHERE state = 'started')::int AS started, count(*) FILTER (WHERE state = 'error')::int AS failed
           FROM sandbox WHERE organization_id = $1`,
        [org.organizationId],
      )
    ).rows;
    const convergedMs = Date.now() - started;

    const ids = (await db.query(`SELECT id FROM sandbox WHERE organization_id = $1 AND state <> 'destroyed'`, [org.organizationId])).rows.map((r) => r.id);
    await pool(ids.length, 16, (i) => fetch(`${apiUrl}/sandbox/${ids[i]}`, { method: 'DELETE', headers: { authorization: `Bearer ${org.key}` } }));
    const afterDelete = await untilConverged(org.organizationId);
    await sleep(1_000);
    const leaked = runners.reduce((sum, runner) => sum + processesMatching(join(runner.dataDir, 'sandboxes')).length, 0);
    totalLeaked += leaked;
    totalDisagreeing += converged.count + afterDelete.count;
    say(
      `round ${round}: killed ${victim.name} after ${killAfterMs} ms for ${downForMs} ms; ${startedCount} started, ${failed} error; ` +
        `converged in ${(convergedMs / 1000).toFixed(1)} s; disagreeing ${converged.count}+${afterDelete.count} ${converged.examples.join('; ')}; leaked processes ${leaked}`,
    );
    rows.push([
      round,
      `${victim.name.split('-').slice(0, 2).join('-')} at ${killAfterMs} ms, down ${(downForMs / 1000).toFixed(1)} s`,
      `${startedCount} / ${failed}`,
      `${(convergedMs / 1000).toFixed(1)} s`,
      converged.count + afterDelete.count,
      leaked,
    ]);
  }
  await db.end();

  const report = [
    `Soak: ${ROUNDS} rounds of a ${BULK}-sandbox bulk on ${RUNNERS} bubblewrap runners, one killed (kill -9) per round; heartbeat timeout ${HEARTBEAT_TIMEOUT_SECONDS} s; ${new Date().toISOString()}`,
    '',
    formatTable(['round', 'runner killed', 'started / error', 'until converged', 'disagreeing', 'leaked processes'], rows),
    '',
    `Total: ${totalDisagreeing} sandbox(es) whose database state disagreed with their runner after convergence, ${totalLeaked} leaked process(es).`,
  ].join('\n');
  console.log(`\n${report}\n`);
  writeFileSync(join(results, 'soak.md'), report + '\n');
  if (totalLeaked > 0 || totalDisagreeing > 0) process.exitCode = 1;
} catch (error) {
  console.error(`[soak] ${error.stack ?? error.message}`);
  process.exitCode = 1;
} finally {
  await teardown();
}
