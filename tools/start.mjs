#!/usr/bin/env node
// `npm start`: builds the API and runs the embedded stack (Postgres inside the API process).
// Prints the URL and API key; Ctrl-C stops everything cleanly.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dataDir = join(root, '.data');
const envFile = join(root, '.env.local');
const port = process.env.PORT ?? '3000';

function readEnvFile(path) {
  if (!existsSync(path)) return {};
  return Object.fromEntries(
    readFileSync(path, 'utf8')
      .split('\n')
      .map((line) => /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line.trim()))
      .filter(Boolean)
      .map((match) => [match[1], match[2]]),
  );
}

/** A secret kept under .data/ so it survives restarts but never reaches git. */
function persistentSecret(name) {
  const file = join(dataDir, name);
  if (!existsSync(file)) writeFileSync(file, randomBytes(24).toString('hex') + '\n', { mode: 0o600 });
  return readFileSync(file, 'utf8').trim();
}

mkdirSync(dataDir, { recursive: true });
const build = spawnSync('npx', ['nx', 'run', 'api:build', '--skip-nx-cache', '--outputStyle=stream'], {
  cwd: root,
  stdio: ['ignore', 'ignore', 'inherit'],
});
if (build.status !== 0) {
  console.error('Build failed: run `npx nx run api:build` to see why.');
  process.exit(1);
}

const previous = readEnvFile(envFile);
const apiUrl = process.env.DAYTONA_API_URL ?? `http://127.0.0.1:${port}/api`;
const env = {
  ...process.env,
  PORT: port,
  DAYTONA_API_URL: apiUrl,
  DAYTONA_ENV_FILE: envFile,
  EMBEDDED_PG_DATA_DIR: process.env.EMBEDDED_PG_DATA_DIR ?? join(dataDir, 'postgres'),
  RUNNER_REGISTRATION_TOKEN: process.env.RUNNER_REGISTRATION_TOKEN ?? persistentSecret('runner-registration-token'),
};
// Keep the key a developer already has in .env.local, even if the database was wiped.
if (!env.DAYTONA_API_KEY && previous.DAYTONA_API_KEY) env.DAYTONA_API_KEY = previous.DAYTONA_API_KEY;

const started = Date.now();
const api = spawn(process.execPath, ['--enable-source-maps', join(root, 'dist/apps/api/main.js')], {
  cwd: root,
  env,
  stdio: 'inherit',
});

let stopping = false;
function stop(signal) {
  if (stopping) return;
  stopping = true;
  api.kill(signal);
}
process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGTERM', () => stop('SIGTERM'));
api.on('exit', (code, signal) => {
  if (!stopping) console.error(`API exited (${signal ?? code})`);
  process.exit(stopping ? 0 : (code ?? 1));
});

async function waitForHealth() {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline && !stopping) {
    try {
      const response = await fetch(`${apiUrl}/health`);
      if (response.ok) return true;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return false;
}

if (await waitForHealth()) {
  const { DAYTONA_API_KEY: key } = readEnvFile(envFile);
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(`
  Daytona is up in ${seconds}s
    API        ${apiUrl}
    API docs   ${apiUrl}/docs
    API key    ${key ?? '(see the log above)'}
    Saved to   .env.local (DAYTONA_API_URL, DAYTONA_API_KEY)

  Try: curl -H "Authorization: Bearer $DAYTONA_API_KEY" ${apiUrl}/sandbox
  Ctrl-C stops everything.
`);
}
