import { QueryFailedError } from 'typeorm';
import { isDatabaseUnavailable } from './database-unavailable.js';

const withCode = (code: string, message = 'x') => Object.assign(new Error(message), { code });

describe('isDatabaseUnavailable', () => {
  it.each([
    ['a refused connection', withCode('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5433')],
    ['one refusal per address tried', new AggregateError([withCode('ECONNREFUSED'), withCode('ECONNREFUSED')])],
    ['a connection that went away under a query', new QueryFailedError('SELECT 1', [], new Error('Connection terminated unexpectedly'))],
    ['an admin shutdown', new QueryFailedError('SELECT 1', [], withCode('57P01', 'terminating connection due to administrator command'))],
    ['too many connections', withCode('53300', 'sorry, too many clients already')],
    ['a connection exception (class 08)', withCode('08006')],
    ['a pool timeout', new Error('timeout exceeded when trying to connect')],
    ['a cause further down', new Error('wrapped', { cause: withCode('ECONNRESET') })],
  ])('is true for %s', (_label, error) => {
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it.each([
    ['a failed statement', new QueryFailedError('INSERT', [], withCode('23505', 'duplicate key'))],
    ['a raised exception', new QueryFailedError('INSERT', [], withCode('P0001', 'injected failure'))],
    ['a plain bug', new TypeError('x is undefined')],
    ['something that is not an error', 'ECONNREFUSED'],
  ])('is false for %s', (_label, error) => {
    expect(isDatabaseUnavailable(error)).toBe(false);
  });

  it('survives a cause cycle', () => {
    const a = new Error('a');
    const b = new Error('b', { cause: a });
    (a as { cause?: unknown }).cause = b;
    expect(isDatabaseUnavailable(a)).toBe(false);
  });
});
