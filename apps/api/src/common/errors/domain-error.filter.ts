import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { isDatabaseUnavailable } from '../../database/database-unavailable.js';
import { DomainError } from './domain-error.js';
import { STATUS_BY_KIND } from './error-status.js';
import { ErrorResponseDto } from '../dto/error-response.dto.js';

/** Codes for errors raised by the framework itself (routing). */
const CODE_BY_HTTP_STATUS: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'route_not_found',
  405: 'method_not_allowed',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  429: 'rate_limited',
};

/** The one place where errors become HTTP responses. Every body is an ErrorResponseDto. */
@Catch()
export class DomainErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(error: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const body = this.toBody(error);
    if (response.headersSent) {
      response.end();
      return;
    }
    response.status(body.statusCode).json(body);
  }

  private toBody(error: unknown): ErrorResponseDto {
    if (error instanceof DomainError) {
      return withDetails(
        { statusCode: STATUS_BY_KIND[error.kind], code: error.code, message: error.message },
        error.details,
      );
    }
    if (error instanceof HttpException) {
      const statusCode = error.getStatus();
      if (statusCode < 500) {
        const code = (isBodyReadingError(error.cause) ? bodyReadingCode(statusCode) : undefined) ?? CODE_BY_HTTP_STATUS[statusCode];
        return { statusCode, code: code ?? 'bad_request', message: messageOf(error) };
      }
    }
    if (isBodyReadingError(error)) {
      const code = bodyReadingCode(error.status);
      if (code) return { statusCode: error.status, code, message: error.message };
    }
    if (isDatabaseUnavailable(error)) {
      this.logger.warn(`Database unavailable: ${error instanceof Error ? error.message : String(error)}`);
      return { statusCode: 503, code: 'database_unavailable', message: 'The database is not reachable; retry later' };
    }
    this.logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    return { statusCode: 500, code: 'internal_error', message: 'Internal server error' };
  }
}

function withDetails(body: ErrorResponseDto, details?: Record<string, unknown>): ErrorResponseDto {
  return details === undefined ? body : { ...body, details };
}

function messageOf(error: HttpException): string {
  const response = error.getResponse();
  if (typeof response === 'string') return response;
  const message = (response as { message?: unknown }).message;
  if (Array.isArray(message)) return message.join('; ');
  return typeof message === 'string' ? message : error.message;
}

/** A body that cannot be read as JSON, is too large, or comes in a charset or encoding not supported. */
function bodyReadingCode(status: number): string | undefined {
  return { 400: 'invalid_json', 413: 'payload_too_large', 415: 'unsupported_media_type' }[status];
}

/**
 * body-parser's errors (http-errors: a status and an `expose` flag; JSON, size, charset,
 * encoding and decompression failures), as they come or as the `cause` of the HttpException
 * Nest wraps them in. Body parsing is the only source of http-errors in this app.
 */
function isBodyReadingError(error: unknown): error is Error & { status: number } {
  const candidate = error as { status?: unknown; expose?: unknown };
  return (
    error instanceof Error &&
    typeof candidate.status === 'number' &&
    candidate.status >= 400 &&
    candidate.status < 500 &&
    typeof candidate.expose === 'boolean'
  );
}
