import { parseContract } from '@daytona/runner-contract';
import type { z } from 'zod';
import { ValidationError } from '../errors/runner-error.js';

/**
 * Checks a request body against the shared contract schema (the API validates with the same one
 * before sending): the first problem is reported with the field it concerns, and nothing of a
 * request with a problem is accepted.
 */
export function parseRequest<T extends z.ZodType>(schema: T, body: unknown): z.infer<T> {
  const result = parseContract(schema, body);
  if (!result.ok) throw new ValidationError(result.violation.message);
  return result.value;
}
