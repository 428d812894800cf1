import { registerDecorator } from 'class-validator';

/**
 * A field the official Daytona SDKs send that this server honours only with one value (or when
 * absent): anything else is 400 `unsupported_field` naming it, never silently dropped.
 */
export function OnlyValue(allowed: (value: unknown) => boolean, what: string) {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'onlyValue',
      target: target.constructor,
      propertyName,
      options: { context: { code: 'unsupported_field' } },
      validator: {
        validate: (value: unknown) => value === undefined || value === null || allowed(value),
        defaultMessage: () => `${propertyName}: ${what}`,
      },
    });
}
