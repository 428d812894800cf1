/**
 * Rules every request obeys whatever its route, checked before any handler (see
 * unsafe-input.middleware.ts): what Postgres, class-transformer or a runner would otherwise
 * choke on is refused with 400 `validation_failed` and the field it concerns.
 */
export const INPUT_LIMITS = {
  /** Objects and arrays nested deeper than this are refused (the body itself is level 1). */
  maxDepth: 32,
  /**
   * Keys of one object. class-transformer copies an object in time quadratic in its key count;
   * no route takes more than a few hundred (env: 256), so this bounds the cost of a 5 MB body.
   */
  maxObjectKeys: 1_000,
  /** Items of one array; the largest any route takes is a runner's state report (20,000 updates). */
  maxArrayItems: 20_000,
} as const;

/** Keys that reach object prototypes in careless code; refused like any unknown field. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

export interface InputViolation {
  /** Dotted path, as class-validator reports it (`items.0.count`); empty for the body itself. */
  field: string;
  /** Constraint name, as in `details.violations[].constraints`. */
  constraint: string;
  message: string;
}

const LONE_SURROGATE = /\p{Cs}/u;

/**
 * Why a string cannot be stored or passed to a process, if it cannot: Postgres refuses NUL in
 * text and jsonb and lone surrogates in jsonb, and a NUL cannot be part of an argument or an
 * environment variable.
 */
export function stringProblem(value: string): { constraint: string; problem: string } | null {
  if (value.includes('\u0000')) return { constraint: 'noNulBytes', problem: 'must not contain NUL bytes' };
  if (LONE_SURROGATE.test(value)) {
    return { constraint: 'wellFormedUnicode', problem: 'must be valid Unicode (it holds a lone surrogate)' };
  }
  return null;
}

/** The problem with `key` as a key of the object at `parent` (`root` names the top level), if any. */
export function keyViolation(key: string, parent: string, root = 'the body'): InputViolation | null {
  const field = fieldPath(parent, key);
  if (FORBIDDEN_KEYS.has(key)) {
    return { field, constraint: 'whitelistValidation', message: `property ${key} should not exist` };
  }
  const problem = stringProblem(key);
  return problem
    ? { field, constraint: problem.constraint, message: `key ${JSON.stringify(key)} of ${parent || root} ${problem.problem}` }
    : null;
}

interface Frame {
  value: unknown;
  field: string;
  depth: number;
}

/**
 * The first violation of the input rules in a parsed JSON value, in document order, or null.
 * Iterative, so no nesting depth can overflow the stack.
 */
export function findInputViolation(root: unknown, rootField = ''): InputViolation | null {
  const stack: Frame[] = [{ value: root, field: rootField, depth: 1 }];
  while (stack.length > 0) {
    const { value, field, depth } = stack.pop()!;
    if (typeof value === 'string') {
      const problem = stringProblem(value);
      if (problem) return { field, constraint: problem.constraint, message: `${label(field)} ${problem.problem}` };
      continue;
    }
    if (typeof value !== 'object' || value === null) continue;
    if (depth > INPUT_LIMITS.maxDepth) {
      return { field, constraint: 'maxDepth', message: `${label(field)} is nested more than ${INPUT_LIMITS.maxDepth} levels deep` };
    }
    if (Array.isArray(value)) {
      if (value.length > INPUT_LIMITS.maxArrayItems) {
        return {
          field,
          constraint: 'maxArrayItems',
          message: `${label(field)} has ${value.length} items; at most ${INPUT_LIMITS.maxArrayItems} are accepted`,
        };
      }
      for (let index = value.length - 1; index >= 0; index--) {
        stack.push({ value: value[index], field: fieldPath(field, String(index)), depth: depth + 1 });
      }
      continue;
    }
    const keys = Object.keys(value);
    if (keys.length > INPUT_LIMITS.maxObjectKeys) {
      return {
        field,
        constraint: 'maxObjectKeys',
        message: `${label(field)} has ${keys.length} keys; at most ${INPUT_LIMITS.maxObjectKeys} are accepted`,
      };
    }
    for (const key of keys) {
      const violation = keyViolation(key, field);
      if (violation) return violation;
    }
    for (let index = keys.length - 1; index >= 0; index--) {
      const key = keys[index];
      stack.push({ value: (value as Record<string, unknown>)[key], field: fieldPath(field, key), depth: depth + 1 });
    }
  }
  return null;
}

export function fieldPath(parent: string, key: string): string {
  return parent ? `${parent}.${key}` : key;
}

function label(field: string): string {
  return field === '' ? 'the body' : field;
}
