import { Logger } from '@nestjs/common';
import { writeFile } from 'node:fs/promises';
import { DataSource } from 'typeorm';
import { createApp } from './bootstrap.js';
import { ConfigError, loadConfig } from './config/app-config.js';
import { startEmbeddedPostgres, type RunningPostgres } from './database/embedded-postgres.js';
import { seedDefaults } from './seed/seed-defaults.js';

async function main(): Promise<void> {
  const logger = new Logger('Daytona');
  const config = loadConfig();
  let embedded: RunningPostgres | null = null;
  if ('embedded' in config.database) {
    embedded = await startEmbeddedPostgres(config.database.embedded);
    logger.log(`Embedded Postgres on 127.0.0.1:${config.database.embedded.port}`);
  }
  const databaseUrl = 'url' in config.database ? config.database.url : embedded!.url;

  if (config.allowUnisolatedRunners) {
    logger.warn('ALLOW_UNISOLATED_RUNNERS=true: sandboxes may be placed on runners that do NOT isolate them. Development only.');
  }
  const app = await createApp(config, databaseUrl).catch(async (error) => {
    await embedded?.stop();
    throw error;
  });
  if (config.seed.enabled) {
    // With a file to write it to, there is always a key to show: `npm start` never locks anyone out.
    const seeded = await seedDefaults(app.get(DataSource), {
      region: config.defaultRegion,
      apiKey: config.seed.apiKey,
      newKeyWhenNoneGiven: config.seed.envFile !== null,
      defaultSnapshotImage: config.defaultSnapshotImage,
    });
    if (!config.defaultSnapshotImage && !seeded.hasDefaultSnapshot) {
      logger.warn('No `default` snapshot: set DEFAULT_SNAPSHOT_IMAGE to the image sandboxes are created from by default');
    }
    const apiKey = config.seed.apiKey ?? seeded.generatedApiKey;
    if (seeded.generatedApiKey) logger.warn(`Generated API key (shown once): ${seeded.generatedApiKey}`);
    if (config.seed.envFile && apiKey) {
      await writeFile(config.seed.envFile, `DAYTONA_API_URL=${config.publicUrl}\nDAYTONA_API_KEY=${apiKey}\n`, {
        mode: 0o600,
      });
    }
  }

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.log(`${signal}: shutting down`);
    await app.close();
    await embedded?.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));

  await app.listen(config.port, config.host);
  logger.log(`API listening on ${config.publicUrl} (docs at ${config.publicUrl}/docs)`);
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    console.error(error.message);
  } else {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  }
  process.exit(1);
});
