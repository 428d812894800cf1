import { registerDecorator, ValidationOptions } from 'class-validator';

export interface StringRecordRules {
  key: RegExp;
  keyDescription: string;
  maxEntries: number;
  maxValueLength: number;
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
        validate(value: unknown) {
          if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
          const entries = Object.entries(value);
          return (
            entries.length <= rules.maxEntries &&
            entries.every(([k, v]) => rules.key.test(k) && typeof v === 'string' && v.length <= rules.maxValueLength)
          );
        },
        defaultMessage() {
          return (
            `${propertyName} must be an object of at most ${rules.maxEntries} string values ` +
            `(up to ${rules.maxValueLength} characters) with keys that are ${rules.keyDescription}`
          );
        },
      },
    });
}
