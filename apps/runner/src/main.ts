import { ConfigError, loadRunnerConfig, type RunnerConfig } from './config/runner-config.js';
import { enrollmentFile } from './control-plane/enrollment.js';
import { ControlPlaneError } from './control-plane/control-plane-client.js';
import { createLogger } from './logging/logger.js';
import { Runner } from './runner.js';

let config: RunnerConfig;
try {
  config = loadRunnerConfig();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
}

const logger = createLogger('runner', config.logLevel);
const runner = new Runner(config, logger);
let shuttingDown = false;

async function shutDown(signal: string): Promise<void> {
  if (shuttingDown) {
    logger.warn(`${signal} again: exiting now`);
    process.exit(1);
  }
  shuttingDown = true;
  logger.log(`${signal}: shutting down`);
  await runner.shutdown();
  logger.log('Stopped');
  process.exit(0);
}

// A bug in one sandbox's bookkeeping must not take every other sandbox down with the process.
process.on('unhandledRejection', (reason) => logger.error(`Unhandled rejection: ${(reason as Error)?.stack ?? String(reason)}`));
process.on('SIGINT', (signal) => void shutDown(signal));
process.on('SIGTERM', (signal) => void shutDown(signal));

try {
  const { url } = await runner.start();
  logger.log(`Runner "${config.name}" ready at ${url}`);
} catch (error) {
  if (shuttingDown) {
    // start() was interrupted by the signal; shutDown() exits.
  } else {
    if (error instanceof ControlPlaneError && error.refused) {
      logger.error(`The API refused this runner, not retrying: ${error.message}`);
      logger.error(
        'Check RUNNER_REGISTRATION_TOKEN against the API configuration. A runner enrolled under this RUNNER_NAME needs the ' +
          `credential in ${enrollmentFile(config.dataDir)}; if it is lost, the operator deletes the runner (DELETE /api/runners/${config.name}).`,
      );
    } else {
      logger.error(`Runner failed to start: ${(error as Error).message}`);
    }
    await runner.shutdown().catch(() => undefined);
    process.exit(1);
  }
}
