import { DaytonaConflictError, DaytonaConnectionError, DaytonaRateLimitError, DaytonaServerError, type DaytonaError } from './errors.js';

/** Retries after the first attempt of a call, unless `maxRetries` says otherwise. */
export const DEFAULT_MAX_RETRIES = 3;
/** Full jitter: the n-th retry waits a random time below min(MAX_BACKOFF_MS, BASE_BACKOFF_MS * 2^(n-1)). */
export const BASE_BACKOFF_MS = 500;
export const MAX_BACKOFF_MS = 8_000;

/** How the SDK reads time, waits and draws the jitter; the SDK's own tests replace it. */
export interface RetryClock {
  /** Milliseconds, monotonic. */
  now(): number;
  sleep(ms: number): Promise<void>;
  /** A number in [0, 1). */
  random(): number;
}

export const systemClock: RetryClock = {
  now: () => performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  random: Math.random,
};

/**
 * When a failed attempt of an idempotent call (GET, DELETE, a create with its Idempotency-Key,
 * bulk delete) is tried again: after an answer that never came or was cut off, a 429, a 503, or
 * a 409 `idempotency_key_in_progress`; at most `maxRetries` times, and never past the call's own
 * deadline, so a call takes no longer with retries than without.
 */
export class RetryPolicy {
  constructor(
    readonly maxRetries: number,
    readonly clock: RetryClock = systemClock,
  ) {}

  /**
   * Milliseconds to wait before retry number `retry` (1-based) after `error`, or undefined when
   * the error is final: not transient, retries used up, or the wait would reach `deadline`.
   * The server's Retry-After, when it sent one, is the wait.
   */
  delayBeforeRetry(retry: number, error: DaytonaError, deadline: number): number | undefined {
    if (retry > this.maxRetries || !isTransient(error)) return undefined;
    const delay =
      error.retryAfter !== undefined
        ? error.retryAfter * 1000
        : this.clock.random() * Math.min(MAX_BACKOFF_MS, BASE_BACKOFF_MS * 2 ** (retry - 1));
    return this.clock.now() + delay < deadline ? delay : undefined;
  }
}

/** Failures another attempt may not meet. A timeout is not one: the call's deadline has passed. */
function isTransient(error: DaytonaError): boolean {
  return (
    error instanceof DaytonaConnectionError ||
    error instanceof DaytonaRateLimitError ||
    (error instanceof DaytonaServerError && error.statusCode === 503) ||
    (error instanceof DaytonaConflictError && error.code === 'idempotency_key_in_progress')
  );
}
