import { DaytonaError } from '@daytonaio/sdk';

/** Exit codes of the command (`exec` exits with its command's own instead). */
export const ExitCode = {
  OK: 0,
  /** The API refused or failed, or a sandbox or snapshot ended in error. */
  FAILED: 1,
  /** The command line itself is wrong: unknown option, missing or malformed argument. */
  USAGE: 2,
} as const;

/** The command line is wrong in a way the argument parser cannot see (e.g. an empty selector). */
export class UsageError extends Error {}

/**
 * The text printed for an error, never a stack trace for an API or usage error: the API's
 * message, then its code and status, then its details (the offending field, quota numbers).
 */
export function describeError(error: unknown): string {
  if (error instanceof UsageError) return `error: ${error.message}`;
  if (error instanceof DaytonaError) {
    const tags = [error.code, error.statusCode === undefined ? undefined : `HTTP ${error.statusCode}`].filter(Boolean);
    const head = `error: ${error.message}${tags.length ? ` (${tags.join(', ')})` : ''}`;
    return error.details ? `${head}\n  details: ${JSON.stringify(error.details)}` : head;
  }
  // Anything else is a defect of the command itself: the stack helps whoever reports it.
  return `error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`;
}

export function exitCodeOf(error: unknown): number {
  return error instanceof UsageError ? ExitCode.USAGE : ExitCode.FAILED;
}
