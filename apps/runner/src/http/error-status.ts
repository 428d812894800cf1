import { TOOLBOX_ERROR_STATUS } from '@daytona/runner-contract';
import type { RunnerErrorCode } from '../errors/runner-error.js';

/** The one place a domain error code becomes an HTTP status. */
export const ERROR_STATUS: Record<RunnerErrorCode, number> = {
  validation_failed: 400,
  invalid_json: 400,
  payload_too_large: 413,
  unauthenticated: 401,
  sandbox_not_found: 404,
  route_not_found: 404,
  sandbox_not_started: 409,
  sandbox_parked: 409,
  internal_error: 500,
  ...TOOLBOX_ERROR_STATUS,
};
