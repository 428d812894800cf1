import 'reflect-metadata';
import { type INestApplication, type LogLevel as NestLogLevel, ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { SwaggerModule } from '@nestjs/swagger';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { AppModule } from './app.module.js';
import type { AppConfig, LogLevel } from './config/app-config.js';
import { DomainErrorFilter } from './common/errors/domain-error.filter.js';
import { validationErrorFactory } from './common/errors/validation-error.factory.js';
import {
  readsJsonBody,
  refuseNonJsonBodies,
  refuseNonMultipartBodies,
  refuseUnsafeInput,
  type RouteTemplate,
} from './common/input/request-input.middleware.js';
import { buildOpenApiDocument } from './openapi/swagger-document.js';
import { isStreamedUpload } from './toolbox/streamed-upload-routes.js';

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

export interface CreateAppOptions {
  /** Express middleware mounted before any other (the integration tests record every answer with it). */
  firstMiddleware?: RequestHandler[];
}

export async function createApp(
  config: AppConfig,
  databaseUrl: string,
  options: CreateAppOptions = {},
): Promise<INestApplication> {
  const app = await NestFactory.create(AppModule.register(config, databaseUrl), {
    logger: LOG_LEVELS[config.logLevel],
    bodyParser: false,
  });
  for (const middleware of options.firstMiddleware ?? []) app.use(middleware);
  configureRequestParsing(app);
  configureApp(app);
  SwaggerModule.setup('api/docs', app, () => buildOpenApiDocument(app), { jsonDocumentUrl: 'api/openapi.json' });
  return app;
}

/**
 * JSON bodies (for POST, PUT and PATCH only), then the input rules every route obeys, so that
 * no handler, pipe or query ever sees a NUL byte, a forbidden key or a body nested too deep.
 */
function configureRequestParsing(app: INestApplication): void {
  const express = app as unknown as { useBodyParser(type: string, options: object): void };
  express.useBodyParser('json', { limit: BODY_LIMIT, type: readsJsonBody });
  app.use((request: Request, response: Response, next: NextFunction) => (isStreamedUpload(request) ? refuseNonMultipartBodies : refuseNonJsonBodies)(request, response, next));
  app.use(refuseUnsafeInput(expressRoutes(app)));
}

/** The routes Express holds once the app is initialised, read on first use. */
function expressRoutes(app: INestApplication): () => RouteTemplate[] {
  let routes: RouteTemplate[] = [];
  return () => {
    if (routes.length > 0) return routes;
    const express = app.getHttpAdapter().getInstance() as {
      router: { stack: Array<{ route?: { path: unknown; methods: Record<string, boolean> } }> };
    };
    routes = express.router.stack.flatMap(({ route }) =>
      route && typeof route.path === 'string'
        ? Object.keys(route.methods).map((method) => ({ method, path: route.path as string }))
        : [],
    );
    return routes;
  };
}
