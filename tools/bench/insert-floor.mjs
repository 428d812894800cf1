// The server's insert path against a raw COPY of the same rows: the floor for getting rows in.
import { randomUUID } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import copyStreams from 'pg-copy-streams';
import { DataSource } from 'typeorm';
import { timed } from './measure.mjs';

const api = (path) => import(new URL(`../../dist/apps/api/${path}`, import.meta.url).href);

/** Median of `rounds` timings of inserting `n` sandbox rows each way, rolled back every time. */
export async function measureInsertAgainstCopy(databaseUrl, organizationId, n, rounds = 5) {
  const { dataSourceOptions } = await api('database/data-source-options.js');
  const { insertSandboxRows } = await api('sandbox/services/sandbox-insert.js');
  const { newSandboxRow } = await api('sandbox/services/sandbox.service.js');
  const dataSource = await new DataSource({ ...dataSourceOptions(databaseUrl), migrationsRun: false }).initialize();
  try {
    const [snapshot] = await dataSource.query(`SELECT * FROM snapshot WHERE name = 'default' AND organization_id IS NULL`);
    const [runner] = await dataSource.query(`SELECT id FROM runner ORDER BY created_at LIMIT 1`);
    const [organization] = await dataSource.query(`SELECT id, default_region FROM organization WHERE id = $1`, [organizationId]);
    const makeRows = (tag) =>
      Array.from({ length: n }, (_, i) =>
        newSandboxRow({ id: organization.id }, snapshot, organization.default_region, {
          id: randomUUID(),
          name: `${tag}-${i}`,
          runnerId: runner.id,
          env: {},
          labels: {},
          osUser: 'root',
          cpu: snapshot.cpu,
          memory: snapshot.memory,
          disk: snapshot.disk,
          autoStopInterval: 15,
          autoArchiveInterval: 0,
          autoDeleteInterval: -1,
          networkBlockAll: true,
          networkAllowList: null,
        }),
      );
    const insertTimes = [];
    const copyTimes = [];
    for (let round = 0; round < rounds; round++) {
      const serverRows = makeRows(`insert${round}`);
      insertTimes.push(await inRolledBackTransaction(dataSource, (runnerQ) => insertSandboxRows(runnerQ.manager, serverRows)));
      const copyRows = makeRows(`copy${round}`);
      copyTimes.push(await inRolledBackTransaction(dataSource, (runnerQ) => copyRowsIn(runnerQ, copyRows)));
    }
    return { insertMs: median(insertTimes), copyMs: median(copyTimes) };
  } finally {
    await dataSource.destroy();
  }
}

async function inRolledBackTransaction(dataSource, work) {
  const queryRunner = dataSource.createQueryRunner();
  await queryRunner.startTransaction();
  try {
    return (await timed(() => work(queryRunner))).ms;
  } finally {
    await queryRunner.rollbackTransaction();
    await queryRunner.release();
  }
}

async function copyRowsIn(queryRunner, rows) {
  const client = await queryRunner.connect();
  const stream = client.query(
    copyStreams.from(
      `COPY sandbox (id, organization_id, name, snapshot_id, snapshot_name, image_ref, runner_id, region, state, desired_state,
                     cpu, memory, disk, env, labels, os_user, auto_stop_interval, auto_archive_interval, auto_delete_interval,
                     last_activity_at, created_at, updated_at, network_block_all, network_allow_list) FROM STDIN`,
    ),
  );
  const lines = rows.map(
    (r) =>
      [r.id, r.organizationId, r.name, r.snapshotId, r.snapshotName, r.imageRef, r.runnerId, r.region, r.state, r.desiredState,
        r.cpu, r.memory, r.disk, JSON.stringify(r.env), JSON.stringify(r.labels), r.osUser, r.autoStopInterval,
        r.autoArchiveInterval, r.autoDeleteInterval, r.lastActivityAt.toISOString(), r.createdAt.toISOString(),
        r.updatedAt.toISOString(), r.networkBlockAll ? 't' : 'f', r.networkAllowList ?? '\\N'].join('\t') + '\n',
  );
  await pipeline(Readable.from(lines), stream);
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}
