#!/usr/bin/env node
// `npm run bench`: bulk creation against one-by-one creation, the insert path against COPY, bulk
// delete against single deletes, what an Idempotency-Key costs, and real sandboxes started with
// awaitStarted. Ratios measured side by side in one run; absolute times depend on the machine.
// Not a test: it prints a table and asserts nothing. `npm run bench -- --fleet` runs only the
// bulk delete and idempotency rows, `-- --toolbox` only the file transfer rows, `-- --tti` only the
// time-to-interactive rows, `-- --control-plane` only the park-runner rows, `-- --sandboxes` only
// the real-sandbox rows.
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { buildApps, freePort, ROOT, startApi, startRunner } from '../stack/services.mjs';
import { serveImages } from '../stack/images.mjs';
import { connect, createOrganizationWithKey, retireSandboxes, waitForActiveDefaultSnapshot } from './admin-db.mjs';
import { cachedRootfs, measureRawBwrapStarts, waitForNoBwrap } from './bwrap-floor.mjs';
import { measureInsertAgainstCopy } from './insert-floor.mjs';
import { measureBulkDelete, measureIdempotency } from './fleet-bench.mjs';
import { measureFileTransfer } from './toolbox-bench.mjs';
import { measureTimeToInteractive } from './tti-bench.mjs';
import { formatTable, pool, postJson, sampleRss, timed } from './measure.mjs';

const CONTROL_PLANE_SIZES = [100, 1_000, 10_000];
const REAL_SANDBOX_SIZES = [100, 1_000];
const IMAGE_BULK_SIZE = 100;
const SINGLE_CREATE_CLIENTS = 32;
const BULK_DELETE_SIZE = 10_000;
const IDEMPOTENCY_BULK_SIZE = 1_000;
const IDEMPOTENCY_ROUNDS = 7;
const TRANSFER_BYTES = 100 * 1024 * 1024;
const fleetOnly = process.argv.includes('--fleet');
// Only the rows of real bubblewrap sandboxes (no park runner, no control-plane rows).
const sandboxesOnly = process.argv.includes('--sandboxes');
// Only the park-runner rows (control plane, insert floor, fleets): no real sandbox.
const controlPlaneOnly = process.argv.includes('--control-plane');
const toolboxOnly = process.argv.includes('--toolbox');
const ttiOnly = process.argv.includes('--tti');
const TTI_BURST = 100;
const TTI_ROUNDS = 3;
// Published burst figures of hosted platforms (computesdk benchmark, 2026-05): theirs, not measured here.
const HOSTED_TTI = [
  ['Daytona (hosted; their published figure)', '367 ms', '611 ms', 'not published'],
  ['E2B (hosted; their published figure)', '822 ms', '965 ms', 'not published'],
];

const results = join(ROOT, '.test-results');
mkdirSync(results, { recursive: true });
const log = createWriteStream(join(results, 'bench-services.log'));
const workDir = await mkdtemp(join(tmpdir(), 'daytona-bench-'));
await chmod(workDir, 0o711);
const services = [];

async function teardown() {
  for (const service of services.reverse()) await service.stop().catch(() => undefined);
  await rm(workDir, { recursive: true, force: true });
}
process.on('SIGINT', () => void teardown().finally(() => process.exit(130)));

function say(message) {
  console.log(`[bench] ${message}`);
}

/** 100 MiB into and out of a real sandbox through the toolbox, against cp on the same disk. */
async function fileTransferReport(db, apiUrl, apiPid) {
  const org = await createOrganizationWithKey(db, 1);
  const transfer = await measureFileTransfer({ apiUrl, key: org.key, workDir, apiPid, sizeBytes: TRANSFER_BYTES });
  const mib = TRANSFER_BYTES / 2 ** 20;
  const rate = (ms) => `${((mib * 1000) / ms).toFixed(0)} MiB/s`;
  say(`${mib} MiB: cp ${transfer.cpMs.toFixed(0)} ms, upload ${transfer.uploadMs.toFixed(0)} ms, download ${transfer.downloadMs.toFixed(0)} ms, API peak ${transfer.peakMiB.toFixed(0)} MiB`);
  const row = (label, ms) => [label, `${ms.toFixed(0)} ms`, rate(ms), `${(ms / transfer.cpMs).toFixed(2)}x`];
  return [
    `A ${mib} MiB file into and out of a real sandbox through the API (multipart upload; streamed download to a file), against cp on the same disk; median of 3`,
    '',
    formatTable(['transfer', 'time', 'throughput', 'vs cp'], [
      row('cp (the floor)', transfer.cpMs),
      row('upload: POST files/upload', transfer.uploadMs),
      row('download: GET files/download', transfer.downloadMs),
    ]),
    '',
    `API peak RSS while moving them: ${transfer.peakMiB.toFixed(0)} MiB`,
  ].join('\n');
}

/** Time to interactive of a burst of TTI_BURST real sandboxes: bulk and the official SDK's create(). */
async function ttiReport(db, apiUrl) {
  const newKey = async (n) => (await createOrganizationWithKey(db, n)).key;
  const tti = await measureTimeToInteractive({ apiUrl, newKey, n: TTI_BURST, rounds: TTI_ROUNDS, say });
  const row = (label, { p50, p95, all }) => [label, `${p50.toFixed(0)} ms`, `${p95.toFixed(0)} ms`, `${all.toFixed(0)} ms`];
  return [
    `Time to interactive, a burst of ${TTI_BURST} real sandboxes (API call until the first command answered), median of ${TTI_ROUNDS} bursts`,
    '',
    formatTable(['burst of ' + TTI_BURST, 'p50', 'p95', `all ${TTI_BURST} answered`], [
      row('this server: 1 bulk request (awaitStarted), then process/execute each', tti.bulk),
      row(`this server: ${TTI_BURST} concurrent @daytonaio/sdk 0.218.0 create(), then executeCommand each`, tti.official),
      ...HOSTED_TTI,
    ]),
  ].join('\n');
}

try {
  await buildApps();
  const images = await serveImages({ output: log });
  services.push(images.registry);
  const [apiPort, pgPort] = [await freePort(), await freePort()];
  const apiUrl = `http://127.0.0.1:${apiPort}/api`;
  const registrationToken = randomBytes(24).toString('hex');
  const pgPassword = randomBytes(24).toString('hex');
  const databaseUrl = `postgres://daytona:${pgPassword}@127.0.0.1:${pgPort}/daytona`;
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
      LOG_LEVEL: 'warn',
      // The control-plane rows use a `park` runner, which isolates nothing because it runs nothing.
      ALLOW_UNISOLATED_RUNNERS: 'true',
      DEFAULT_SNAPSHOT_IMAGE: images.defaultImage,
    },
  });
  services.push(api);
  const db = await connect(databaseUrl);
  const runnerEnv = (name, provider) => ({
    RUNNER_NAME: name,
    RUNNER_PROVIDER: provider,
    RUNNER_REGISTRATION_TOKEN: registrationToken,
    RUNNER_DATA_DIR: join(workDir, name),
    RUNNER_CAPACITY_CPU: '1000000',
    RUNNER_CAPACITY_MEMORY: '1000000',
    RUNNER_CAPACITY_DISK: '1000000',
    RUNNER_INSECURE_REGISTRIES: images.insecureRegistry,
    DAYTONA_API_URL: apiUrl,
  });

  if (toolboxOnly) {
    const runner = await startRunner({ port: await freePort(), output: log, env: runnerEnv('bench-bwrap', 'bwrap') });
    services.push(runner);
    await waitForActiveDefaultSnapshot(db);
    const transferReport = await fileTransferReport(db, apiUrl, api.child.pid);
    console.log(`\n${transferReport}\n`);
    writeFileSync(join(results, 'bench.md'), transferReport + '\n');
    await db.end();
    say('table written to .test-results/bench.md');
    await teardown();
    process.exit(0);
  }

  if (ttiOnly) {
    const runner = await startRunner({ port: await freePort(), output: log, env: runnerEnv('bench-bwrap', 'bwrap') });
    services.push(runner);
    await waitForActiveDefaultSnapshot(db);
    const report = await ttiReport(db, apiUrl);
    console.log(`\n${report}\n`);
    writeFileSync(join(results, 'bench.md'), report + '\n');
    await db.end();
    say('table written to .test-results/bench.md');
    await teardown();
    process.exit(0);
  }

  const report = sandboxesOnly ? [] : await measureControlPlane();
  if (fleetOnly) {
    await teardown();
    process.exit(0);
  }
  if (controlPlaneOnly) {
    const table = report.join('\n');
    console.log(`\n${table}\n`);
    writeFileSync(join(results, 'bench.md'), table + '\n');
    await db.end();
    say('table written to .test-results/bench.md');
    await teardown();
    process.exit(0);
  }

  async function measureControlPlane() {
  // ---- control plane: a runner that accepts sandboxes and parks them (runs nothing) ----
  const park = await startRunner({ port: await freePort(), output: log, env: runnerEnv('bench-park', 'park') });
  services.push(park);
  await waitForActiveDefaultSnapshot(db);
  const warm = await createOrganizationWithKey(db, 100);
  await postJson(`${apiUrl}/sandbox/bulk`, warm.key, { items: [{ snapshotIdOrName: 'default', count: 50, sandboxNamePrefix: 'warm' }] });
  await pool(50, 8, () => postJson(`${apiUrl}/sandbox`, warm.key, {}));
  await retireSandboxes(db, warm.organizationId);

  // ---- running fleets: bulk delete, idempotency ----
  const deletion = await measureBulkDelete({ apiUrl, db, n: BULK_DELETE_SIZE, clients: SINGLE_CREATE_CLIENTS });
  say(`bulk delete ${BULK_DELETE_SIZE}: answered in ${deletion.bulkAnswerMs.toFixed(0)} ms, all destroyed in ${deletion.bulkDestroyedMs.toFixed(0)} ms; single: ${deletion.singleMs.toFixed(0)} ms`);
  const deleteRows = [
    [
      BULK_DELETE_SIZE.toLocaleString('en'),
      `${deletion.bulkAnswerMs.toFixed(0)} ms`,
      `${deletion.bulkDestroyedMs.toFixed(0)} ms`,
      `${deletion.singleMs.toFixed(0)} ms`,
      `${(deletion.singleMs / deletion.bulkDestroyedMs).toFixed(1)}x`,
    ],
  ];
  const idempotency = await measureIdempotency({ apiUrl, db, n: IDEMPOTENCY_BULK_SIZE, rounds: IDEMPOTENCY_ROUNDS });
  say(`bulk ${IDEMPOTENCY_BULK_SIZE}: ${idempotency.noneMs.toFixed(1)} ms without a key, ${idempotency.freshMs.toFixed(1)} ms with one, replay ${idempotency.replayMs.toFixed(1)} ms`);
  const idempotencyRows = [
    [
      IDEMPOTENCY_BULK_SIZE.toLocaleString('en'),
      `${idempotency.noneMs.toFixed(1)} ms`,
      `${idempotency.freshMs.toFixed(1)} ms (${(idempotency.freshMs - idempotency.noneMs >= 0 ? '+' : '')}${(idempotency.freshMs - idempotency.noneMs).toFixed(1)} ms)`,
      `${idempotency.replayMs.toFixed(1)} ms`,
    ],
  ];
  const fleetReport = [
    `Bulk delete (park runner): one POST /sandbox/bulk-delete by label against ${SINGLE_CREATE_CLIENTS} clients x DELETE /sandbox/{id}`,
    '',
    formatTable(['N', 'bulk: answered', 'bulk: all destroyed', `${SINGLE_CREATE_CLIENTS} clients x single DELETE`, 'ratio (destroyed)'], deleteRows),
    '',
    `Idempotency-Key on POST /sandbox/bulk (park runner), median of ${IDEMPOTENCY_ROUNDS}`,
    '',
    formatTable(['N', 'no key', 'new key', 'repeat (replayed)'], idempotencyRows),
  ].join('\n');
  if (fleetOnly) {
    console.log(`\n${fleetReport}\n`);
    writeFileSync(join(results, 'bench.md'), fleetReport + '\n');
    await db.end();
    say('table written to .test-results/bench.md');
    return [];
  }

  const controlRows = [];
  for (const n of CONTROL_PLANE_SIZES) {
    const bulkOrg = await createOrganizationWithKey(db, n);
    const bulk = await timed(() =>
      postJson(`${apiUrl}/sandbox/bulk`, bulkOrg.key, { items: [{ snapshotIdOrName: 'default', count: n, sandboxNamePrefix: 'bulk' }] }),
    );
    if (bulk.value.length !== n) throw new Error(`bulk created ${bulk.value.length} of ${n}`);
    await retireSandboxes(db, bulkOrg.organizationId);
    say(`bulk ${n}: ${bulk.ms.toFixed(0)} ms`);

    const singleOrg = await createOrganizationWithKey(db, n);
    const single = await timed(() => pool(n, SINGLE_CREATE_CLIENTS, () => postJson(`${apiUrl}/sandbox`, singleOrg.key, {})));
    await retireSandboxes(db, singleOrg.organizationId);
    say(`${n} single creates: ${single.ms.toFixed(0)} ms`);
    controlRows.push([
      n.toLocaleString('en'),
      `${bulk.ms.toFixed(0)} ms`,
      `${single.ms.toFixed(0)} ms`,
      `${(single.ms / bulk.ms).toFixed(1)}x`,
      `${((bulk.ms * 1000) / n).toFixed(0)} µs`,
    ]);
  }

  const floorOrg = await createOrganizationWithKey(db, 10_000);
  const floorRows = [];
  for (const n of [1_000, 10_000]) {
    const { insertMs, copyMs } = await measureInsertAgainstCopy(databaseUrl, floorOrg.organizationId, n);
    floorRows.push([
      n.toLocaleString('en'),
      `${insertMs.toFixed(1)} ms (${((insertMs * 1000) / n).toFixed(1)} µs/row)`,
      `${copyMs.toFixed(1)} ms (${((copyMs * 1000) / n).toFixed(1)} µs/row)`,
      `${(insertMs / copyMs).toFixed(2)}x`,
    ]);
  }
  await park.stop();
  services.splice(services.indexOf(park), 1);
  await db.query(`UPDATE runner SET schedulable = false WHERE name = 'bench-park'`);
  return [
    'Control plane (runner provider `park`: accepts and reports sandboxes started without running them)',
    '',
    formatTable(['N', `bulk (1 request)`, `${SINGLE_CREATE_CLIENTS} clients x single`, 'ratio', 'bulk per sandbox'], controlRows),
    '',
    'Getting rows in: the server\'s insert path (unnest) against COPY of the same rows, median of 5, rolled back',
    '',
    formatTable(['rows', 'server insert', 'COPY (floor)', 'insert/COPY'], floorRows),
    '',
    fleetReport,
    '',
  ];
  }

  // ---- real sandboxes: bubblewrap runner, awaitStarted ----
  // Its own image cache, empty: the first bulk pulls and unpacks the default image.
  const imageCache = join(workDir, 'bench-bwrap-images');
  const bwrap = await startRunner({
    port: await freePort(),
    output: log,
    env: { ...runnerEnv('bench-bwrap', 'bwrap'), RUNNER_IMAGE_CACHE_DIR: imageCache },
  });
  services.push(bwrap);
  await waitForActiveDefaultSnapshot(db);
  const pullRows = [];
  for (const label of ['never pulled (pull, unpack, start)', 'cached']) {
    const org = await createOrganizationWithKey(db, IMAGE_BULK_SIZE);
    const run = await timed(() =>
      postJson(`${apiUrl}/sandbox/bulk`, org.key, { items: [{ snapshotIdOrName: 'default', count: IMAGE_BULK_SIZE, sandboxNamePrefix: 'pull' }], awaitStarted: true }),
    );
    const started = run.value.filter((s) => s.state === 'started').length;
    say(`bulk ${IMAGE_BULK_SIZE} of the default image, ${label}: ${run.ms.toFixed(0)} ms, ${started} started`);
    pullRows.push([label, `${(run.ms / 1000).toFixed(2)} s`, `${started}/${IMAGE_BULK_SIZE}`]);
    await pool(run.value.length, 16, (i) =>
      fetch(`${apiUrl}/sandbox/${run.value[i].id}`, { method: 'DELETE', headers: { authorization: `Bearer ${org.key}` } }),
    );
  }
  // Single creates, each polled until started (10 ms polls).
  const singleRealRows = [];
  for (const n of [1, 100]) {
    const org = await createOrganizationWithKey(db, n);
    const untilStarted = async () => {
      const sandbox = await postJson(`${apiUrl}/sandbox`, org.key, {});
      for (;;) {
        const response = await fetch(`${apiUrl}/sandbox/${sandbox.id}`, { headers: { authorization: `Bearer ${org.key}` } });
        const { state } = await response.json();
        if (state === 'started') return sandbox.id;
        if (state === 'error') throw new Error(`sandbox ${sandbox.id} failed`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    };
    const run = await timed(() => Promise.all(Array.from({ length: n }, untilStarted)));
    say(`${n} concurrent single creates until started: ${run.ms.toFixed(0)} ms`);
    singleRealRows.push([n === 1 ? '1' : `${n} concurrent`, `${run.ms.toFixed(0)} ms`]);
    await pool(run.value.length, 16, (i) =>
      fetch(`${apiUrl}/sandbox/${run.value[i]}`, { method: 'DELETE', headers: { authorization: `Bearer ${org.key}` } }),
    );
  }

  const realRows = [];
  // Blocked (the default: only lo) at each size; egress (slirp4netns and nftables per sandbox) at the largest.
  const realRuns = [...REAL_SANDBOX_SIZES.map((n) => ({ n, network: 'blocked' })), { n: REAL_SANDBOX_SIZES.at(-1), network: 'egress' }];
  for (const { n, network } of realRuns) {
    // Each run on a machine where the last one's sandboxes are gone.
    await waitForNoBwrap();
    const org = await createOrganizationWithKey(db, n);
    const memory = sampleRss(api.child.pid);
    const run = await timed(() =>
      postJson(`${apiUrl}/sandbox/bulk`, org.key, {
        items: [{ snapshotIdOrName: 'default', count: n, sandboxNamePrefix: 'real', networkBlockAll: network === 'blocked' }],
        awaitStarted: true,
      }),
    );
    const peakMiB = memory.stop();
    const started = run.value.filter((s) => s.state === 'started').length;
    await pool(run.value.length, 16, (i) =>
      fetch(`${apiUrl}/sandbox/${run.value[i].id}`, { method: 'DELETE', headers: { authorization: `Bearer ${org.key}` } }),
    );
    await waitForNoBwrap();
    const floorMs = await measureRawBwrapStarts({ rootfs: await cachedRootfs(imageCache), n });
    say(`awaitStarted ${n} (${network}): ${run.ms.toFixed(0)} ms, ${started} started, API peak ${peakMiB.toFixed(0)} MiB; ${n} bare bwrap starts: ${floorMs.toFixed(0)} ms`);
    realRows.push([
      `${n.toLocaleString('en')} ${network}`,
      `${(run.ms / 1000).toFixed(2)} s`,
      `${started}/${n}`,
      `${(floorMs / 1000).toFixed(2)} s`,
      `${(run.ms / floorMs).toFixed(2)}x`,
      `${peakMiB.toFixed(0)} MiB`,
    ]);
  }
  const transferReport = await fileTransferReport(db, apiUrl, api.child.pid);
  const timeToInteractive = await ttiReport(db, apiUrl);
  await db.end();

  const table = [
    `Machine: ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}; ${new Date().toISOString()}`,
    '',
    ...report,
    'Real sandboxes of the default image (bubblewrap runner): POST /sandbox/bulk with awaitStarted: true, against the',
    'floor: bare bwrap processes on the same unpacked rootfs, 16 starting at once as the runner does',
    '',
    formatTable(['N', 'until all started', 'started', 'bare bwrap (floor)', 'ratio', 'API peak RSS'], realRows),
    '',
    `A first bulk of ${IMAGE_BULK_SIZE} from an image the runner never pulled, against the same bulk with the image cached`,
    '',
    formatTable(['image', 'until all started', 'started'], pullRows),
    '',
    'Real sandboxes: POST /sandbox, then GET until started',
    '',
    formatTable(['single creates', 'until all started'], singleRealRows),
    '',
    transferReport,
    '',
    timeToInteractive,
  ].join('\n');
  console.log(`\n${table}\n`);
  writeFileSync(join(results, 'bench.md'), table + '\n');
  say(`table written to .test-results/bench.md; service logs in .test-results/bench-services.log`);
} catch (error) {
  console.error(`[bench] ${error.stack ?? error.message}`);
  process.exitCode = 1;
} finally {
  await teardown();
}
