import type { INestApplication } from '@nestjs/common';
import type { RequestHandler } from 'express';
import { randomBytes } from 'node:crypto';
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { createApp } from '../../src/bootstrap.js';
import { loadConfig } from '../../src/config/app-config.js';

export const TEST_REGION = 'test-region';
export const RUNNER_REGISTRATION_TOKEN = 'test-registration-token-0123456789';
/** The image of the `default` snapshot in tests: pushed to the run's registry by the global setup. */
export const TEST_DEFAULT_IMAGE = required('TEST_DEFAULT_IMAGE');
/** Two small busybox images whose /marker files say "alpha" and "beta", from the same registry. */
export const TEST_IMAGES = { alpha: required('TEST_IMAGE_ALPHA'), beta: required('TEST_IMAGE_BETA') };

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run through the integration jest config (its global setup serves the images)`);
  return value;
}

export interface TestApi {
  url: string;
  app: INestApplication;
  dataSource: DataSource;
  databaseUrl: string;
  close(): Promise<void>;
}

/** A fresh database in the run's shared Postgres; tests in one file never see another file's rows. */
export async function createTestDatabase(): Promise<string> {
  const adminUrl = process.env.TEST_POSTGRES_URL;
  if (!adminUrl) throw new Error('TEST_POSTGRES_URL is not set: run through the integration jest config');
  const name = `t_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** The real API (migrations, guards, filters) on a free port, against its own database. */
export async function startTestApi(env: Record<string, string> = {}, databaseUrl?: string): Promise<TestApi> {
  const dbUrl = databaseUrl ?? (await createTestDatabase());
  const config = loadConfig({
    LOG_LEVEL: 'error',
    DEFAULT_REGION: TEST_REGION,
    RUNNER_REGISTRATION_TOKEN,
    DATABASE_URL: dbUrl,
    ...env,
  });
  const app = await createApp(config, dbUrl, { firstMiddleware: [recordResponses] });
  await app.listen(0, '127.0.0.1');
  const url = `${(await app.getUrl()).replace('[::1]', '127.0.0.1')}/api`;
  // The port is known only now; the records' toolboxProxyUrl names it, as DAYTONA_API_URL would.
  if (!env.DAYTONA_API_URL) config.publicUrl = url;
  return { url, app, dataSource: app.get(DataSource), databaseUrl: dbUrl, close: () => app.close() };
}

/**
 * Where every answer the integration tests receive is recorded, one JSON line per distinct
 * (method, Express route or path, status, code), so that tools/check-api-responses.mjs can check
 * each against apps/api/openapi.json after the run. One file per Jest worker.
 */
export const RESPONSES_FILE = resolve('.test-results', `api-responses.${process.pid}.jsonl`);

const recorded = new Set<string>();

const recordResponses: RequestHandler = (request, response, next) => {
  const { method, path } = request;
  let code: unknown;
  const json = response.json.bind(response);
  response.json = (body?: unknown) => {
    code = (body as { code?: unknown } | null | undefined)?.code;
    return json(body);
  };
  response.on('finish', () => {
    // Nest answers unknown routes from a catch-all route ('*path'), which is no operation.
    const matched = (request.route as { path?: unknown } | undefined)?.path;
    const route = typeof matched === 'string' && !matched.includes('*') ? matched : null;
    const line = JSON.stringify({
      method,
      route,
      // The path only matters when no route matched (the request was refused before routing).
      path: route === null ? path : null,
      status: response.statusCode,
      code: response.statusCode >= 400 && typeof code === 'string' ? code : null,
    });
    if (recorded.has(line)) return;
    recorded.add(line);
    mkdirSync(dirname(RESPONSES_FILE), { recursive: true });
    appendFileSync(RESPONSES_FILE, line + '\n');
  });
  next();
};
