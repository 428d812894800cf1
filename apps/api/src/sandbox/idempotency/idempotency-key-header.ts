import { applyDecorators, createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { ApiHeader } from '@nestjs/swagger';
import type { Request } from 'express';
import { InvalidInputError } from '../../common/errors/domain-error.js';

export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';
/** Printable ASCII, as HTTP carries it unchanged through proxies. */
const IDEMPOTENCY_KEY_PATTERN = /^[\x20-\x7E]{1,255}$/;

export const IDEMPOTENCY_KEY_DESCRIPTION =
  'Makes a retry safe: for 24 h, a request of the organization with the same key and the same body (compared as ' +
  'JSON, key order aside) creates nothing and answers the sandboxes the first one created, with their current ' +
  'states (with awaitStarted, after waiting for them again). The same key with another body or operation is 422 ' +
  'idempotency_key_reused. A repeat that arrives while the first is still creating waits for it, up to ' +
  'IDEMPOTENCY_WAIT_SECONDS (10 s by default), then answers 409 idempotency_key_in_progress. A request that ' +
  'fails (any 4xx or 5xx) records nothing, so the key can be used again. 1-255 printable ASCII characters.';

/** The request's Idempotency-Key, if it sent one: 400 `validation_failed` unless 1-255 printable ASCII. */
export const IdempotencyKey = createParamDecorator((_data: unknown, context: ExecutionContext): string | undefined => {
  const value = context.switchToHttp().getRequest<Request>().headers['idempotency-key'];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !IDEMPOTENCY_KEY_PATTERN.test(value)) {
    throw new InvalidInputError('validation_failed', `${IDEMPOTENCY_KEY_HEADER} must be 1-255 printable ASCII characters`, {
      field: IDEMPOTENCY_KEY_HEADER,
    });
  }
  return value;
});

/** Documents the header on an operation. */
export const ApiIdempotencyKeyHeader = () =>
  applyDecorators(
    ApiHeader({
      name: IDEMPOTENCY_KEY_HEADER,
      required: false,
      description: IDEMPOTENCY_KEY_DESCRIPTION,
      schema: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[\\x20-\\x7E]+$' },
    }),
  );
