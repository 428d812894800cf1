import type { PipeTransform } from '@nestjs/common';
import { parseContract } from '@daytona/runner-contract';
import type { z } from 'zod';
import { InvalidInputError } from '../common/errors/domain-error.js';

/**
 * Validates a runner's request body with the shared contract schema, the same one the runner
 * uses for what it receives: `@Body(new ContractBody(schema))`.
 */
export class ContractBody<T extends z.ZodType> implements PipeTransform<unknown, z.infer<T>> {
  constructor(private readonly schema: T) {}

  transform(value: unknown): z.infer<T> {
    const result = parseContract(this.schema, value);
    if (!result.ok) {
      throw new InvalidInputError('validation_failed', result.violation.message, { field: result.violation.field || undefined });
    }
    return result.value;
  }
}
