import type { ToolboxErrorCode } from '@daytona/runner-contract';

/**
 * Domain errors with a stable snake_case code. Code decides the HTTP status at the edge
 * (http/error-status.ts), so nothing below the HTTP layer knows about status codes.
 */
export type RunnerErrorCode =
  | 'validation_failed'
  | 'invalid_json'
  | 'payload_too_large'
  | 'unauthenticated'
  | 'sandbox_not_found'
  | 'route_not_found'
  | 'sandbox_not_started'
  | 'sandbox_parked'
  | 'internal_error'
  | ToolboxErrorCode;

export class RunnerError extends Error {
  constructor(
    readonly code: RunnerErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export class ValidationError extends RunnerError {
  constructor(message: string) {
    super('validation_failed', message);
  }
}

export class SandboxNotFoundError extends RunnerError {
  constructor(id: string) {
    super('sandbox_not_found', `Sandbox ${id} is not on this runner`);
  }
}

export class SandboxNotStartedError extends RunnerError {
  constructor(id: string, state: string) {
    super('sandbox_not_started', `Sandbox ${id} is ${state}, not started`);
  }
}
