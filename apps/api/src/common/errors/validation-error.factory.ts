import type { ValidationError } from 'class-validator';
import { InvalidInputError } from './domain-error.js';

export interface FieldViolation {
  field: string;
  constraints: Record<string, string>;
}

/** At most this many violations are listed (and 10 of them in the message); a 5 MB body may hold millions. */
export const MAX_REPORTED_VIOLATIONS = 100;
const MAX_SUMMARIZED_VIOLATIONS = 10;

interface FlatViolation extends FieldViolation {
  /** A constraint's own error code, from its `context: { code }` option. */
  code?: string;
}

/** Flattens nested class-validator errors into dotted field paths such as `items.0.count`. */
export function flattenValidationErrors(errors: ValidationError[], parent = ''): FieldViolation[] {
  return flatten(errors, parent).map(({ field, constraints }) => ({ field, constraints }));
}

function flatten(errors: ValidationError[], parent: string): FlatViolation[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const code = Object.values(error.contexts ?? {}).find((context) => typeof context?.code === 'string')?.code as
      | string
      | undefined;
    const own = error.constraints ? [{ field, constraints: error.constraints, ...(code ? { code } : {}) }] : [];
    return [...own, ...flatten(error.children ?? [], field)];
  });
}

/**
 * 400 `validation_failed`, naming the first offending field in `details.field`; or, when a
 * violated constraint names its own code (such as `invalid_labels` or `unsupported_field`), the
 * first of those, with its field: what cannot be honoured at all matters more than a rule broken.
 */
export function validationErrorFactory(errors: ValidationError[]): InvalidInputError {
  const all = flatten(errors, '');
  const first = all.find((violation) => violation.code) ?? all[0];
  const violations = all.slice(0, MAX_REPORTED_VIOLATIONS).map(({ field, constraints }) => ({ field, constraints }));
  const messages = all.slice(0, MAX_SUMMARIZED_VIOLATIONS).flatMap((v) => Object.values(v.constraints));
  const more = all.length - MAX_SUMMARIZED_VIOLATIONS;
  const summary = messages.join('; ') + (more > 0 ? `; and ${more} more problem(s)` : '');
  return new InvalidInputError(first?.code ?? 'validation_failed', summary || 'Request validation failed', {
    field: first?.field,
    violations,
    ...(all.length > violations.length ? { violationCount: all.length } : {}),
  });
}
