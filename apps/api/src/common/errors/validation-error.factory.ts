import type { ValidationError } from 'class-validator';
import { InvalidInputError } from './domain-error.js';

export interface FieldViolation {
  field: string;
  constraints: Record<string, string>;
}

/** Flattens nested class-validator errors into dotted field paths such as `items.0.count`. */
export function flattenValidationErrors(errors: ValidationError[], parent = ''): FieldViolation[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = error.constraints ? [{ field, constraints: error.constraints }] : [];
    return [...own, ...flattenValidationErrors(error.children ?? [], field)];
  });
}

export function validationErrorFactory(errors: ValidationError[]): InvalidInputError {
  const violations = flattenValidationErrors(errors);
  const first = violations[0];
  const summary = violations.flatMap((v) => Object.values(v.constraints)).join('; ');
  return new InvalidInputError('validation_failed', summary || 'Request validation failed', {
    field: first?.field,
    violations,
  });
}
