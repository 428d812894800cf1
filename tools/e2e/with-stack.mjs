#!/usr/bin/env node
// Runs a command against a whole, throw-away stack: a real redis-server, a registry serving the
// default image and the test images, the API with its embedded Postgres, and a runner with real
// bubblewrap sandboxes, all on free ports with data in temporary directories (the registry's
// storage and the runner's image cache are shared by the stacks of this machine, so each image is
// pushed and unpacked once). The command starts once the default snapshot is active, and sees
// DAYTONA_API_URL and DAYTONA_API_KEY, and DAYTONA_TEST_IMAGE_ALPHA, _BETA and _USER: references
// of the busybox test images (tools/images/build-test-image.sh; /marker says which) to make
// snapshots of. Everything is torn down afterwards, whatever happens.
//
//   node tools/e2e/with-stack.mjs [--log FILE] -- <command> [args...]
//
// Services inherit this process's environment, so `RUNNER_CAPACITY_CPU=10 node tools/e2e/with-stack.mjs -- …`
// gives the runner room for 10 one-cpu sandboxes (and the command sees the same variable).
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serveImages, SHARED_RUNNER_IMAGE_CACHE, waitForDefaultSnapshot } from '../stack/images.mjs';
import { freePort, ROOT, startApi, startRedis, startRunner } from '../stack/services.mjs';

const separator = process.argv.indexOf('--');
if (separator === -1 || separator === process.argv.length - 1) {
  console.error('usage: node tools/e2e/with-stack.mjs [--log FILE] -- <command> [args...]');
  process.exit(2);
}
const options = process.argv.slice(2, separator);
const command = process.argv.slice(separator + 1);
const logIndex = options.indexOf('--log');
const logFile = logIndex >= 0 ? options[logIndex + 1] : join(ROOT, '.test-results', `stack-${Date.now()}.log`);
mkdirSync(join(logFile, '..'), { recursive: true });
const log = createWriteStream(logFile);

const services = [];
const workDir = await mkdtemp(join(tmpdir(), 'daytona-e2e-'));
await chmod(workDir, 0o711);
let exitCode = 1;

async function teardown() {
  for (const service of services.reverse()) await service.stop().catch(() => undefined);
  services.length = 0;
  await rm(workDir, { recursive: true, force: true });
  log.end();
}
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => void teardown().finally(() => process.exit(130)));
}

try {
  const [redisPort, apiPort, pgPort, runnerPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const apiUrl = `http://127.0.0.1:${apiPort}/api`;
  const apiKey = `dtn_e2e_${randomBytes(24).toString('hex')}`;
  const registrationToken = randomBytes(24).toString('hex');

  const redisPassword = randomBytes(24).toString('hex');
  services.push(await startRedis({ port: redisPort, password: redisPassword, output: log }));
  const images = await serveImages({ output: log, testImages: true });
  services.push(images.registry);
  services.push(
    await startApi({
      port: apiPort,
      output: log,
      env: {
        DAYTONA_API_URL: apiUrl,
        DAYTONA_API_KEY: apiKey,
        RUNNER_REGISTRATION_TOKEN: registrationToken,
        REDIS_URL: `redis://:${redisPassword}@127.0.0.1:${redisPort}`,
        EMBEDDED_PG_PORT: String(pgPort),
        EMBEDDED_PG_DATA_DIR: join(workDir, 'postgres'),
        DATABASE_URL: '',
        DEFAULT_SNAPSHOT_IMAGE: images.defaultImage,
      },
    }),
  );
  services.push(
    await startRunner({
      port: runnerPort,
      output: log,
      env: {
        // Unique per stack: the runner's cgroups are named after it, and stacks may run side by side.
        RUNNER_NAME: `e2e-runner-${randomBytes(4).toString('hex')}`,
        RUNNER_REGISTRATION_TOKEN: registrationToken,
        RUNNER_DATA_DIR: join(workDir, 'runner'),
        RUNNER_IMAGE_CACHE_DIR: SHARED_RUNNER_IMAGE_CACHE,
        RUNNER_INSECURE_REGISTRIES: images.insecureRegistry,
        DAYTONA_API_URL: apiUrl,
      },
    }),
  );
  await waitForDefaultSnapshot({ apiUrl, apiKey });

  console.log(`[with-stack] API ${apiUrl}, runner on ${runnerPort}; service logs in ${logFile}`);
  exitCode = await new Promise((resolve) => {
    const child = spawn(command[0], command.slice(1), {
      cwd: process.cwd(),
      stdio: 'inherit',
      env: {
        ...process.env,
        DAYTONA_API_URL: apiUrl,
        DAYTONA_API_KEY: apiKey,
        DAYTONA_TEST_IMAGE_ALPHA: images.alpha,
        DAYTONA_TEST_IMAGE_BETA: images.beta,
        DAYTONA_TEST_IMAGE_USER: images.user,
      },
    });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
    child.on('error', (error) => {
      console.error(`[with-stack] cannot run ${command[0]}: ${error.message}`);
      resolve(127);
    });
  });
} catch (error) {
  console.error(`[with-stack] ${error.message}`);
} finally {
  await teardown();
}
process.exit(exitCode);
