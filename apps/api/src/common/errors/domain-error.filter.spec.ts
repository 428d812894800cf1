import { BadRequestException, HttpException, Logger, NotFoundException } from '@nestjs/common';
import { QueryFailedError } from 'typeorm';
import type { ArgumentsHost } from '@nestjs/common';
import { DomainErrorFilter } from './domain-error.filter.js';
import { ConflictError, QuotaExceededError } from './domain-error.js';

function respond(error: unknown): { status: number; body: unknown } {
  const captured = { status: 0, body: undefined as unknown };
  const response = {
    headersSent: false,
    status(code: number) {
      captured.status = code;
      return this;
    },
    json(body: unknown) {
      captured.body = body;
    },
  };
  const host = { switchToHttp: () => ({ getResponse: () => response }) } as unknown as ArgumentsHost;
  new DomainErrorFilter().catch(error, host);
  return captured;
}

describe('DomainErrorFilter', () => {
  beforeAll(() => Logger.overrideLogger(false));

  it('maps domain errors by kind, keeping code and details', () => {
    expect(respond(new QuotaExceededError('cpu', 4, 1, 10))).toEqual({
      status: 403,
      body: {
        statusCode: 403,
        code: 'quota_exceeded',
        message: 'Organization cpu quota exceeded: requested 4, available 1 of 10',
        details: { resource: 'cpu', requested: 4, available: 1, limit: 10 },
      },
    });
    expect(respond(new ConflictError('name_conflict', 'taken')).body).toEqual({
      statusCode: 409,
      code: 'name_conflict',
      message: 'taken',
    });
  });

  it('gives framework errors a stable code', () => {
    expect(respond(new NotFoundException('Cannot GET /x')).body).toEqual({
      statusCode: 404,
      code: 'route_not_found',
      message: 'Cannot GET /x',
    });
    expect(respond(new BadRequestException(['a', 'b'])).body).toMatchObject({ statusCode: 400, code: 'bad_request', message: 'a; b' });
  });

  it('gives body-reading errors their own codes, as Nest hands them over', () => {
    // What body-parser raises (http-errors), wrapped the way the Express adapter wraps them.
    const bodyParserError = (status: number, message: string, type?: string) =>
      Object.assign(new Error(message), { status, statusCode: status, expose: true, ...(type ? { type } : {}) });
    const wrapped = (error: Error & { status: number }) => new HttpException(error.message, error.status, { cause: error });
    expect(respond(wrapped(bodyParserError(400, 'Unexpected end of JSON input', 'entity.parse.failed'))).body).toMatchObject({
      statusCode: 400,
      code: 'invalid_json',
    });
    expect(respond(wrapped(bodyParserError(400, 'incorrect header check'))).body).toMatchObject({ code: 'invalid_json' });
    expect(respond(wrapped(bodyParserError(413, 'request entity too large', 'entity.too.large'))).body).toMatchObject({
      statusCode: 413,
      code: 'payload_too_large',
    });
    expect(respond(wrapped(bodyParserError(415, 'unsupported charset "LATIN1"', 'charset.unsupported'))).body).toMatchObject({
      statusCode: 415,
      code: 'unsupported_media_type',
    });
    expect(respond(bodyParserError(413, 'request entity too large', 'entity.too.large')).body).toMatchObject({ code: 'payload_too_large' });
  });

  it('answers 503 database_unavailable when the database cannot be reached, hiding why', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5433'), { code: 'ECONNREFUSED' });
    expect(respond(refused)).toEqual({
      status: 503,
      body: { statusCode: 503, code: 'database_unavailable', message: 'The database is not reachable; retry later' },
    });
    expect(respond(new QueryFailedError('SELECT 1', [], new Error('Connection terminated unexpectedly'))).status).toBe(503);
    expect(respond(new QueryFailedError('INSERT', [], Object.assign(new Error('injected'), { code: 'P0001' }))).status).toBe(500);
  });

  it('hides the details of unexpected errors', () => {
    const result = respond(new Error('connection string postgres://secret'));
    expect(result).toEqual({ status: 500, body: { statusCode: 500, code: 'internal_error', message: 'Internal server error' } });
  });
});
