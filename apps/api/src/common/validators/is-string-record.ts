import { registerDecorator, ValidationOptions } from 'class-validator';
import { FORBIDDEN_KEYS, stringProblem } from '../input/input-rules.js';

export interface StringRecordRules {
  key: RegExp;
  keyDescription: string;
  maxEntries: number;
  maxValueLength: number;
  /** Bound on the sum of `NAME=value` in UTF-8 over all entries (what a process environment costs). */
  maxTotalBytes?: number;
}

/** Whether `value` is an object of string values that follows `rules`. */
export function isStringRecord(value: unknown, rules: StringRecordRules): value is Record<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const entries = Object.entries(value);
  if (entries.length > rules.maxEntries) return false;
  let totalBytes = 0;
  for (const [key, entry] of entries) {
    if (!rules.key.test(key) || FORBIDDEN_KEYS.has(key)) return false;
    if (typeof entry !== 'string' || entry.length > rules.maxValueLength || stringProblem(entry)) return false;
    totalBytes += Buffer.byteLength(key) + 1 + Buffer.byteLength(entry);
  }
  return rules.maxTotalBytes === undefined || totalBytes <= rules.maxTotalBytes;
}

export function describeStringRecord(subject: string, rules: StringRecordRules): string {
  const total = rules.maxTotalBytes === undefined ? '' : `, ${rules.maxTotalBytes / 1024} KiB in total (NAME=value, UTF-8)`;
  return (
    `${subject} must be an object of at most ${rules.maxEntries} string values ` +
    `(up to ${rules.maxValueLength} characters each${total}) with keys that are ${rules.keyDescription}`
  );
}

/** The OpenAPI schema of a record following `rules` (key rules are in the description). */
export function stringRecordSchema(rules: StringRecordRules, description: string) {
  return {
    type: 'object' as const,
    additionalProperties: { type: 'string' as const, maxLength: rules.maxValueLength },
    maxProperties: rules.maxEntries,
    description: `${description} Keys: ${rules.keyDescription}` +
      (rules.maxTotalBytes === undefined ? '.' : `; at most ${rules.maxTotalBytes / 1024} KiB in total (NAME=value, UTF-8).`),
  };
}

/** A flat object of string values, such as env variables or labels, with bounded size. */
export function IsStringRecord(rules: StringRecordRules, options?: ValidationOptions) {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'isStringRecord',
      target: target.constructor,
      propertyName,
      options,
      validator: {
        validate: (value: unknown) => isStringRecord(value, rules),
        defaultMessage: () => describeStringRecord(propertyName, rules),
      },
    });
}
