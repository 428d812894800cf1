import { registerDecorator, ValidationOptions } from 'class-validator';
import { stringProblem } from '../input/input-rules.js';

/**
 * A string that can be stored and passed to a process: no NUL byte, no lone surrogate. Every
 * request is already held to this before routing (input-rules.ts); fields that go on to a
 * runner say so themselves too.
 */
export function IsWellFormedText(options?: ValidationOptions) {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'wellFormedText',
      target: target.constructor,
      propertyName,
      options,
      validator: {
        validate: (value: unknown) => typeof value === 'string' && stringProblem(value) === null,
        defaultMessage: () => `${propertyName} must be a string without NUL bytes or lone surrogates`,
      },
    });
}

/** At most `maxBytes` bytes in UTF-8: what the kernel counts for an argument (at most 128 KiB each). */
export function MaxUtf8Bytes(maxBytes: number, options?: ValidationOptions) {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'maxUtf8Bytes',
      target: target.constructor,
      propertyName,
      constraints: [maxBytes],
      options,
      validator: {
        validate: (value: unknown) => typeof value === 'string' && Buffer.byteLength(value) <= maxBytes,
        defaultMessage: () => `${propertyName} must be at most ${maxBytes} bytes in UTF-8`,
      },
    });
}
