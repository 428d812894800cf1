import { isAxiosError } from 'axios';

interface ErrorFields {
  statusCode?: number;
  code?: string;
  details?: Record<string, unknown>;
  retryAfter?: number;
}

/**
 * The root of every error the SDK throws. Branch on the subclass, or on `code`, the API's stable
 * snake_case error code.
 *
 * @example
 * try {
 *   await daytona.bulkCreate([{ snapshotIdOrName: 'default', count: 500, sandboxNamePrefix: 'eval' }])
 * } catch (error) {
 *   if (error instanceof DaytonaAuthorizationError && error.code === 'quota_exceeded') {
 *     console.log(error.details) // { resource: 'cpu', requested: 500, available: 12, limit: 100 }
 *   }
 * }
 */
export class DaytonaError extends Error {
  /** HTTP status of the API's answer; undefined when there was no answer. */
  readonly statusCode?: number;
  /** The API's error code, e.g. `validation_failed`, `quota_exceeded`, `name_conflict`. */
  readonly code?: string;
  /** Structured details from the API, e.g. the offending field or the quota numbers. */
  readonly details?: Record<string, unknown>;
  /** The answer's Retry-After, in seconds, when it sent one (429, 503). */
  readonly retryAfter?: number;

  constructor(message: string, fields: ErrorFields = {}) {
    super(message);
    this.name = new.target.name;
    this.statusCode = fields.statusCode;
    this.code = fields.code;
    this.details = fields.details;
    this.retryAfter = fields.retryAfter;
  }
}

/**
 * 400, 413 or 422: the request was rejected as invalid (`validation_failed`, `empty_selector`,
 * `reserved_label`, `snapshot_not_active`, ...), or its Idempotency-Key was used with another
 * request (`idempotency_key_reused`, 422).
 */
export class DaytonaValidationError extends DaytonaError {}

/** 401: the API key is missing, unknown or expired. */
export class DaytonaAuthenticationError extends DaytonaError {}

/** 403: the key lacks a permission (`missing_permission`) or a quota is spent (`quota_exceeded`). */
export class DaytonaAuthorizationError extends DaytonaError {}

/** 404: no such sandbox or snapshot in the key's organization. */
export class DaytonaNotFoundError extends DaytonaError {}

/**
 * 409: a name is taken (`name_conflict`), the sandbox is not in a state that allows it, or a
 * request with the same Idempotency-Key is still being processed (`idempotency_key_in_progress`).
 */
export class DaytonaConflictError extends DaytonaError {}

/** 429: too many requests; `retryAfter` holds the server's Retry-After, in seconds, if it sent one. */
export class DaytonaRateLimitError extends DaytonaError {}

/** 5xx: the API failed, or runners lack room (`insufficient_capacity`, 503). */
export class DaytonaServerError extends DaytonaError {}

/** No answer within the client-side timeout. The operation may still complete on the server. */
export class DaytonaTimeoutError extends DaytonaError {}

/**
 * No complete answer: the connection was refused or reset, the host is unknown, or the answer was
 * cut off before it completed.
 */
export class DaytonaConnectionError extends DaytonaError {}

/** A sandbox ended in a state from which it will not start (`error`, `build_failed`, destroyed). */
export class DaytonaSandboxStateError extends DaytonaError {
  constructor(
    message: string,
    readonly sandboxId: string,
    readonly state: string,
    readonly errorReason?: string,
  ) {
    super(message);
  }
}

/**
 * A snapshot ended in `error` while `snapshot.create` waited for it: no runner could pull its
 * image. `errorReason` is the registry's reason (e.g. `manifest unknown`).
 */
export class DaytonaSnapshotStateError extends DaytonaError {
  constructor(
    message: string,
    readonly snapshotName: string,
    readonly state: string,
    readonly errorReason?: string,
  ) {
    super(message);
  }
}

const CLASS_BY_STATUS: Record<number, new (message: string, fields: ErrorFields) => DaytonaError> = {
  400: DaytonaValidationError,
  401: DaytonaAuthenticationError,
  403: DaytonaAuthorizationError,
  404: DaytonaNotFoundError,
  409: DaytonaConflictError,
  413: DaytonaValidationError,
  422: DaytonaValidationError,
};

/**
 * The one place where a failure of an API call becomes a DaytonaError. The AxiosError itself is
 * never passed on: its request config carries the API key.
 */
export function toDaytonaError(error: unknown, call: { timeoutSeconds: number }): DaytonaError {
  if (error instanceof DaytonaError) return error;
  if (!isAxiosError(error)) {
    const message = error instanceof Error ? error.message : String(error);
    // The generated client throws RequiredError for a missing required argument.
    return error instanceof Error && error.name === 'RequiredError'
      ? new DaytonaValidationError(message)
      : new DaytonaError(message);
  }
  const target = `${(error.config?.method ?? 'get').toUpperCase()} ${error.config?.url ?? ''}`.trim();
  // The SDK aborts a request only at its own deadline, so a cancellation is a timeout.
  if (error.code === 'ERR_CANCELED' || error.code === 'ECONNABORTED' || error.code === 'ETIMEDOUT') {
    return new DaytonaTimeoutError(`No answer from ${target} within ${call.timeoutSeconds} s`);
  }
  const response = error.response;
  if (!response) {
    return new DaytonaConnectionError(
      `Cannot reach the Daytona API (${target}): ${error.code ?? error.message}. Is it running, and is DAYTONA_API_URL right?`,
    );
  }
  // Axios fails a 2xx only when its body did not arrive whole (the connection dropped midway).
  if (response.status < 300) {
    return new DaytonaConnectionError(`The answer to ${target} was cut off before it completed: ${error.message}`);
  }

  const status = response.status;
  const body = readErrorBody(response.data);
  const fields: ErrorFields = {
    statusCode: status,
    code: body.code,
    details: body.details,
    retryAfter: retryAfterSeconds(response.headers['retry-after']),
  };
  const message = body.message ?? `${target} failed with HTTP ${status}`;
  if (status === 429) return new DaytonaRateLimitError(message, fields);
  if (status >= 500) return new DaytonaServerError(message, fields);
  const ErrorClass = CLASS_BY_STATUS[status] ?? DaytonaError;
  return new ErrorClass(message, fields);
}

/** The API answers `{ statusCode, code, message, details? }`; proxies may answer anything. */
function readErrorBody(data: unknown): { code?: string; message?: string; details?: Record<string, unknown> } {
  if (typeof data === 'string') return data.trim() ? { message: data.trim().slice(0, 500) } : {};
  if (typeof data !== 'object' || data === null) return {};
  const { code, message, details } = data as Record<string, unknown>;
  return {
    code: typeof code === 'string' ? code : undefined,
    message: typeof message === 'string' ? message : undefined,
    details: typeof details === 'object' && details !== null ? (details as Record<string, unknown>) : undefined,
  };
}

function retryAfterSeconds(header: unknown): number | undefined {
  if (typeof header !== 'string' || header.trim() === '') return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(seconds, 0);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max((date - Date.now()) / 1000, 0);
}
