import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { Daytona } from './Daytona.js';
import {
  DaytonaAuthenticationError,
  DaytonaAuthorizationError,
  DaytonaConflictError,
  DaytonaConnectionError,
  DaytonaError,
  DaytonaNotFoundError,
  DaytonaRateLimitError,
  DaytonaServerError,
  DaytonaTimeoutError,
  DaytonaValidationError,
} from './errors.js';
import { errorBody, StubApi } from './testing/stub-api.js';

const API_KEY = 'dtn_secret_key_for_tests';

describe('errors from API calls', () => {
  let stub: StubApi;
  beforeEach(async () => {
    stub = await new StubApi().start();
  });
  afterEach(() => stub.stop());

  const failGet = async (status: number, body: unknown, headers?: Record<string, string>) => {
    stub.on('GET', '/sandbox/some-sandbox', { status, body, headers });
    // One attempt: the mapping, not the retries (retry-policy.spec.ts), is under test here.
    return new Daytona({ apiKey: API_KEY, apiUrl: stub.url, maxRetries: 0 })
      .get('some-sandbox')
      .then(() => {
        throw new Error('expected the call to fail');
      }, (error: unknown) => error as DaytonaError);
  };

  it.each([
    [400, 'validation_failed', DaytonaValidationError],
    [400, 'snapshot_not_active', DaytonaValidationError],
    [413, 'payload_too_large', DaytonaValidationError],
    [401, 'unauthenticated', DaytonaAuthenticationError],
    [403, 'missing_permission', DaytonaAuthorizationError],
    [403, 'quota_exceeded', DaytonaAuthorizationError],
    [404, 'sandbox_not_found', DaytonaNotFoundError],
    [409, 'name_conflict', DaytonaConflictError],
    [409, 'idempotency_key_in_progress', DaytonaConflictError],
    [400, 'empty_selector', DaytonaValidationError],
    [400, 'reserved_label', DaytonaValidationError],
    [422, 'idempotency_key_reused', DaytonaValidationError],
    [429, 'rate_limited', DaytonaRateLimitError],
    [500, 'internal_error', DaytonaServerError],
    [503, 'insufficient_capacity', DaytonaServerError],
  ])('HTTP %i %s becomes %p with the server’s status, code, message and details', async (status, code, expected) => {
    const details = { field: 'items.0.count', requested: 3 };
    const error = await failGet(status, errorBody(status, code, `server says ${code}`, details));
    expect(error).toBeInstanceOf(expected);
    expect(error).toBeInstanceOf(DaytonaError);
    expect(error).toMatchObject({ statusCode: status, code, message: `server says ${code}`, details, name: expected.name });
  });

  it('an unexpected 4xx is a plain DaytonaError, not one of the subclasses', async () => {
    const error = await failGet(418, errorBody(418, 'teapot', 'short and stout'));
    expect(error.constructor).toBe(DaytonaError);
    expect(error).toMatchObject({ statusCode: 418, code: 'teapot', message: 'short and stout' });
  });

  it('a 429 carries Retry-After in seconds', async () => {
    const error = await failGet(429, errorBody(429, 'rate_limited', 'slow down'), { 'retry-after': '7' });
    expect(error).toBeInstanceOf(DaytonaRateLimitError);
    expect((error as DaytonaRateLimitError).retryAfter).toBe(7);
  });

  it('a 503 carries Retry-After too, also as an HTTP date', async () => {
    const at = new Date(Date.now() + 60_000).toUTCString();
    const error = await failGet(503, errorBody(503, 'database_unavailable', 'later'), { 'retry-after': at });
    expect(error).toBeInstanceOf(DaytonaServerError);
    expect(error.retryAfter).toBeGreaterThan(58);
    expect(error.retryAfter).toBeLessThanOrEqual(60);
  });

  it('an answer cut off before it completed is DaytonaConnectionError, not a 200', async () => {
    stub.on('GET', '/sandbox/cut', { body: { items: [] }, cut: true });
    const error = await new Daytona({ apiKey: API_KEY, apiUrl: stub.url, maxRetries: 0 })
      .get('cut')
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DaytonaConnectionError);
    expect(error).toMatchObject({ statusCode: undefined });
    expect((error as Error).message).toMatch(/GET .*\/sandbox\/cut was cut off/);
  });

  it('a 5xx from a proxy with a text body keeps the text as the message', async () => {
    const error = await failGet(502, 'Bad Gateway');
    expect(error).toBeInstanceOf(DaytonaServerError);
    expect(error).toMatchObject({ statusCode: 502, code: undefined, message: 'Bad Gateway' });
  });

  it('never hands back the AxiosError or the API key it carries', async () => {
    const error = await failGet(500, errorBody(500, 'internal_error', 'Internal server error'));
    expect('isAxiosError' in error).toBe(false);
    expect('config' in error || 'request' in error || 'response' in error).toBe(false);
    expect(JSON.stringify({ ...error, stack: error.stack, message: error.message })).not.toContain(API_KEY);
  });

  it('a server that does not answer in time gives DaytonaTimeoutError at the client-side timeout', async () => {
    stub.on('GET', '/sandbox/slow', { hang: true });
    const started = Date.now();
    const error = await new Daytona({ apiKey: API_KEY, apiUrl: stub.url, requestTimeout: 0.3 })
      .get('slow')
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DaytonaTimeoutError);
    expect((error as Error).message).toMatch(/No answer from GET .*\/api\/sandbox\/slow within 0.3 s/);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(Date.now() - started).toBeLessThan(3_000);
  });
});

it('a refused connection gives DaytonaConnectionError naming the URL', async () => {
  const port = await closedPort();
  const error = await new Daytona({ apiKey: API_KEY, apiUrl: `http://127.0.0.1:${port}/api`, maxRetries: 0 })
    .list()
    .catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(DaytonaConnectionError);
  expect((error as DaytonaError).statusCode).toBeUndefined();
  expect((error as Error).message).toContain(`http://127.0.0.1:${port}/api/sandbox`);
  expect((error as Error).message).toContain('ECONNREFUSED');
});

/** A port that nothing listens on. */
function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
