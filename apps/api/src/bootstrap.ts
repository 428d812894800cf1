import 'reflect-metadata';
import { type INestApplication, type LogLevel as NestLogLevel, ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { SwaggerModule } from '@nestjs/swagger';
import { AppModule } from './app.module.js';
import type { AppConfig, LogLevel } from './config/app-config.js';
import { DomainErrorFilter } from './common/errors/domain-error.filter.js';
import { validationErrorFactory } from './common/errors/validation-error.factory.js';
import { buildOpenApiDocument } from './openapi/swagger-document.js';

const LOG_LEVELS: Record<LogLevel, NestLogLevel[]> = {
  error: ['fatal', 'error'],
  warn: ['fatal', 'error', 'warn'],
  log: ['fatal', 'error', 'warn', 'log'],
  debug: ['fatal', 'error', 'warn', 'log', 'debug'],
};

export const BODY_LIMIT = '5mb';

/** Global prefix, validation and error mapping; shared by main.ts, tests and the spec emitter. */
export function configureApp(app: INestApplication): void {
  app.setGlobalPrefix('api');
  app.useGlobalPipes(
    new ValidationPipe({
      whitelist: true,
      forbidNonWhitelisted: true,
      forbidUnknownValues: true,
      transform: true,
      exceptionFactory: validationErrorFactory,
    }),
  );
  app.useGlobalFilters(new DomainErrorFilter());
  app.enableShutdownHooks();
}

export async function createApp(config: AppConfig, databaseUrl: string): Promise<INestApplication> {
  const app = await NestFactory.create(AppModule.register(config, databaseUrl), {
    logger: LOG_LEVELS[config.logLevel],
    bodyParser: false,
  });
  configureBodyParsing(app);
  configureApp(app);
  SwaggerModule.setup('api/docs', app, () => buildOpenApiDocument(app), { jsonDocumentUrl: 'api/openapi.json' });
  return app;
}

function configureBodyParsing(app: INestApplication): void {
  const express = app as unknown as { useBodyParser(type: string, options: object): void };
  express.useBodyParser('json', { limit: BODY_LIMIT });
}
