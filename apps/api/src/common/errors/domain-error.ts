/**
 * Domain errors carry a stable snake_case `code` that clients branch on.
 * The HTTP status is decided once, at the edge, by DomainErrorFilter.
 */
export type DomainErrorKind =
  | 'invalid_input'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'unprocessable'
  | 'too_large'
  | 'quota'
  | 'unavailable';

export abstract class DomainError extends Error {
  abstract readonly kind: DomainErrorKind;

  constructor(
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class InvalidInputError extends DomainError {
  readonly kind = 'invalid_input';
}

export class UnauthenticatedError extends DomainError {
  readonly kind = 'unauthenticated';
  constructor(message = 'A valid API key is required: send "Authorization: Bearer <key>"') {
    super('unauthenticated', message);
  }
}

export class ForbiddenError extends DomainError {
  readonly kind = 'forbidden';
}

export class NotFoundError extends DomainError {
  readonly kind = 'not_found';
}

export class ConflictError extends DomainError {
  readonly kind = 'conflict';
}

/** Well-formed, but cannot be honoured as sent (e.g. an Idempotency-Key reused with another body). */
export class UnprocessableError extends DomainError {
  readonly kind = 'unprocessable';
}

/** A body or file past a size limit. */
export class TooLargeError extends DomainError {
  readonly kind = 'too_large';
}

export type QuotaResource = 'cpu' | 'memory' | 'disk';

export class QuotaExceededError extends DomainError {
  readonly kind = 'quota';
  constructor(resource: QuotaResource, requested: number, available: number, limit: number) {
    super(
      'quota_exceeded',
      `Organization ${resource} quota exceeded: requested ${requested}, available ${available} of ${limit}`,
      { resource, requested, available, limit },
    );
  }
}

export class UnavailableError extends DomainError {
  readonly kind = 'unavailable';
}

export class InsufficientCapacityError extends UnavailableError {
  constructor(region: string, requested: number, available: number) {
    super(
      'insufficient_capacity',
      `Runners in region "${region}" have room for ${available} more sandbox(es) of this size, ${requested} requested`,
      { region, requested, available },
    );
  }
}
