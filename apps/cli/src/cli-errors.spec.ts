import { DaytonaError, DaytonaNotFoundError } from '@daytonaio/sdk';
import { describeError, ExitCode, exitCodeOf, UsageError } from './cli-errors.js';

it('an API error shows its message, code and status, and its details, without a stack', () => {
  const error = new DaytonaNotFoundError('Sandbox "nope" not found', { statusCode: 404, code: 'sandbox_not_found', details: { idOrName: 'nope' } });
  expect(describeError(error)).toBe('error: Sandbox "nope" not found (sandbox_not_found, HTTP 404)\n  details: {"idOrName":"nope"}');
  expect(exitCodeOf(error)).toBe(ExitCode.FAILED);
});

it('an SDK error without an answer (no key, no connection) shows its message only', () => {
  expect(describeError(new DaytonaError('No Daytona API key.'))).toBe('error: No Daytona API key.');
});

it('a usage error is exit code 2', () => {
  const error = new UsageError('name at least one selector');
  expect(describeError(error)).toBe('error: name at least one selector');
  expect(exitCodeOf(error)).toBe(ExitCode.USAGE);
});

it('anything else is a defect of the command: its stack is shown', () => {
  const text = describeError(new TypeError('x is undefined'));
  expect(text).toMatch(/^error: TypeError: x is undefined\n\s+at /);
});
