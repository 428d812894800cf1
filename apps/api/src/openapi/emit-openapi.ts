import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { configureApp } from '../bootstrap.js';
import { AppModule } from '../app.module.js';
import { loadConfig } from '../config/app-config.js';
import { buildOpenApiDocument } from './swagger-document.js';

/**
 * Writes the OpenAPI spec without Postgres or Redis: in preview mode Nest reads the controllers'
 * metadata but instantiates no provider, so nothing connects anywhere.
 */
async function emitOpenApi(outFile: string): Promise<void> {
  const config = loadConfig({});
  const app = await NestFactory.create(AppModule.register(config, 'postgres://unused/unused'), {
    preview: true,
    logger: ['error'],
  });
  configureApp(app);
  const document = buildOpenApiDocument(app);
  await mkdir(dirname(outFile), { recursive: true });
  await writeFile(outFile, JSON.stringify(document, null, 2) + '\n');
  await app.close();
}

emitOpenApi(resolve(process.argv[2] ?? 'apps/api/openapi.json')).catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
