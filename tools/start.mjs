#!/usr/bin/env node
// `npm start`: builds the API and the runner, then runs the embedded stack: a local registry
// serving the default sandbox image (built from Debian's packages on the first start), the API
// (with its embedded Postgres) and one local runner with bubblewrap sandboxes. Prints the URL and
// API key once the default snapshot is active; Ctrl-C stops everything cleanly.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { serveImages, waitForDefaultSnapshot } from './stack/images.mjs';
import { buildApps, ROOT, startApi, startRunner } from './stack/services.mjs';

const dataDir = join(ROOT, '.data');
const envFile = join(ROOT, '.env.local');
const port = Number(process.env.PORT ?? 3000);
const runnerPort = Number(process.env.RUNNER_PORT ?? 3003);
const registryPort = Number(process.env.REGISTRY_PORT ?? 5100);

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
const started = Date.now();
await buildApps();

const apiUrl = process.env.DAYTONA_API_URL ?? `http://127.0.0.1:${port}/api`;
const registrationToken = process.env.RUNNER_REGISTRATION_TOKEN ?? persistentSecret('runner-registration-token');
// Keep the key a developer already has in .env.local, even if the database was wiped.
const apiKey = process.env.DAYTONA_API_KEY ?? readEnvFile(envFile).DAYTONA_API_KEY;

const services = [];
let stopping = false;
async function stop(code) {
  if (stopping) return;
  stopping = true;
  for (const service of services.reverse()) await service.stop('SIGTERM');
  process.exit(code);
}
process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));

try {
  console.log('Preparing the default sandbox image (built from Debian packages on the first start, about a minute; cached afterwards)...');
  const images = await serveImages({ port: registryPort, storageDir: join(dataDir, 'registry'), output: process.stdout });
  services.push(images.registry);
  const api = await startApi({
    port,
    output: process.stdout,
    env: {
      DAYTONA_API_URL: apiUrl,
      DAYTONA_ENV_FILE: envFile,
      EMBEDDED_PG_DATA_DIR: process.env.EMBEDDED_PG_DATA_DIR ?? join(dataDir, 'postgres'),
      RUNNER_REGISTRATION_TOKEN: registrationToken,
      DEFAULT_SNAPSHOT_IMAGE: images.defaultImage,
      ...(apiKey ? { DAYTONA_API_KEY: apiKey } : {}),
    },
  });
  services.push(api);
  const runner = await startRunner({
    port: runnerPort,
    output: process.stdout,
    env: {
      RUNNER_NAME: process.env.RUNNER_NAME ?? 'local',
      RUNNER_REGISTRATION_TOKEN: registrationToken,
      RUNNER_DATA_DIR: process.env.RUNNER_DATA_DIR ?? join(dataDir, 'runner'),
      RUNNER_INSECURE_REGISTRIES: images.insecureRegistry,
      DAYTONA_API_URL: apiUrl,
    },
  });
  services.push(runner);
  const { DAYTONA_API_KEY: readyKey } = readEnvFile(envFile);
  if (readyKey) await waitForDefaultSnapshot({ apiUrl, apiKey: readyKey });
  for (const service of services) {
    service.exited.then((how) => {
      if (stopping) return;
      console.error(`${service.name} exited (${how}); stopping the stack`);
      void stop(1);
    });
  }
} catch (error) {
  console.error(error.message);
  await stop(1);
}

const { DAYTONA_API_KEY: key } = readEnvFile(envFile);
console.log(`
  Daytona is up in ${((Date.now() - started) / 1000).toFixed(1)}s
    API        ${apiUrl}
    API docs   ${apiUrl}/docs
    API key    ${key ?? '(see the log above)'}
    Saved to   .env.local (DAYTONA_API_URL, DAYTONA_API_KEY)

  Try:
    source .env.local
    curl -s -H "Authorization: Bearer $DAYTONA_API_KEY" -H 'content-type: application/json' \\
         -d '{"name":"hello"}' $DAYTONA_API_URL/sandbox
    curl -s -H "Authorization: Bearer $DAYTONA_API_KEY" -H 'content-type: application/json' \\
         -d '{"command":"echo hello"}' $DAYTONA_API_URL/toolbox/hello/toolbox/process/execute

  Ctrl-C stops everything.
`);
