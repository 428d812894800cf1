import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { INPUT_LIMITS } from '../src/common/input/input-rules.js';
import { createApiKey, createOrganization, registerRunner, seedGeneralDefaults } from './support/factories.js';
import { apiClient, expectErrorBody, type ApiClient, type HttpResult } from './support/http.js';
import { startTestApi, type TestApi } from './support/test-api.js';

/** 400 `validation_failed`, naming `field` (undefined: the body itself). */
function expectInvalid(result: HttpResult, field: string | undefined, constraint?: string): void {
  expectErrorBody(result, 400, 'validation_failed');
  expect(result.body.details.field).toBe(field);
  if (constraint) expect(Object.keys(result.body.details.violations[0].constraints)).toContain(constraint);
}

function nestedObjects(levels: number): string {
  return '{"a":'.repeat(levels) + '1' + '}'.repeat(levels);
}

describe('bad input is refused with 400 and creates nothing', () => {
  let api: TestApi;
  let client: ApiClient;
  let sandboxId: string;

  beforeAll(async () => {
    api = await startTestApi();
    await seedGeneralDefaults(api.dataSource);
    const organization = await createOrganization(api.dataSource);
    client = apiClient(api.url, await createApiKey(api.dataSource, organization.id));
    await registerRunner(api.url, { cpu: 50, memory: 50, disk: 50 });
    // One sandbox that exists (in another organization), so that commands reach their own validation.
    const owner = apiClient(api.url, await createApiKey(api.dataSource, (await createOrganization(api.dataSource)).id));
    sandboxId = (await owner.post('/sandbox', { name: 'kept' })).body.id;
  });
  afterAll(() => api.close());

  afterEach(async () => {
    expect((await client.get('/sandbox')).body.total).toBe(0);
  });

  const exec = (body: unknown, headers?: Record<string, string>) =>
    client.post(`/toolbox/${sandboxId}/toolbox/process/execute`, body, headers);

  it.each([
    ['an unknown field', { snapshot: 'default', colour: 'blue' }, 'colour'],
    ['a number for the snapshot', { snapshot: 7 }, 'snapshot'],
    ['an empty snapshot', { snapshot: '' }, 'snapshot'],
    ['a name with a space', { name: 'has space' }, 'name'],
    ['a name starting with a dash', { name: '-x' }, 'name'],
    ['a name of 64 characters', { name: 'a'.repeat(64) }, 'name'],
    ['a non-string env value', { env: { FOO: 1 } }, 'env'],
    ['an invalid env name', { env: { '1FOO': 'x' } }, 'env'],
    ['labels as an array', { labels: ['a'] }, 'labels'],
    ['env as a string', { env: 'FOO=bar' }, 'env'],
    ['more than 256 env variables', { env: Object.fromEntries(Array.from({ length: 257 }, (_, i) => [`V${i}`, 'x'])) }, 'env'],
    ['env over 256 KiB in total', { env: { A: 'x'.repeat(32_768), ...Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`B${i}`, 'y'.repeat(32_768)])) } }, 'env'],
    ['an env value over 32,768 characters', { env: { A: 'x'.repeat(32_769) } }, 'env'],
  ])('refuses %s', async (_label, body, field) => {
    expectInvalid(await client.post('/sandbox', body), field);
  });

  it('refuses a JSON array or a bare value as the body', async () => {
    expectErrorBody(await client.post('/sandbox', '[1,2]'), 400, 'validation_failed');
  });

  it('refuses malformed JSON', async () => {
    expectErrorBody(await client.post('/sandbox', '{"name":'), 400, 'invalid_json');
  });

  it('refuses a body over the size limit', async () => {
    expectErrorBody(await client.post('/sandbox', { name: 'x', env: { A: 'x'.repeat(6 * 1024 * 1024) } }), 413, 'payload_too_large');
  });

  it('refuses bad list parameters', async () => {
    expectErrorBody(await client.get('/sandbox?states=sleeping'), 400, 'validation_failed');
    expectErrorBody(await client.get('/sandbox?page=0'), 400, 'validation_failed');
    expectErrorBody(await client.get('/sandbox?limit=1001'), 400, 'validation_failed');
    expectErrorBody(await client.get('/sandbox?limit=abc'), 400, 'validation_failed');
    expectErrorBody(await client.get('/sandbox?labels=notjson'), 400, 'invalid_labels');
    expectErrorBody(await client.get('/sandbox?labels=' + encodeURIComponent('{"a":1}')), 400, 'invalid_labels');
    expectErrorBody(await client.get('/sandbox?unknown=1'), 400, 'validation_failed');
  });

  it('answers an unknown route with 404 in the same error shape', async () => {
    expectErrorBody(await client.get('/no-such-route'), 404, 'route_not_found');
  });

  it('refuses unknown and inactive snapshots', async () => {
    expectErrorBody(await client.post('/sandbox', { snapshot: 'no-such-snapshot' }), 404, 'snapshot_not_found');
    await api.dataSource.query(`UPDATE snapshot SET state = 'inactive' WHERE name = 'default'`);
    try {
      const inactive = await client.post('/sandbox', {});
      expectErrorBody(inactive, 400, 'snapshot_not_active');
      expect(inactive.body.details).toMatchObject({ snapshot: 'default', state: 'inactive' });
    } finally {
      await api.dataSource.query(`UPDATE snapshot SET state = 'active' WHERE name = 'default'`);
    }
  });

  describe('NUL bytes, wherever they are', () => {
    it.each([
      ['GET', '/sandbox/a%00b', 'sandboxIdOrName'],
      ['DELETE', '/sandbox/%00', 'sandboxIdOrName'],
      ['GET', '/snapshots/default%00', 'snapshotIdOrName'],
      ['POST', '/toolbox/a%00b/toolbox/process/execute', 'sandboxId'],
      ['GET', '/no-such-route/%00', 'path'],
    ])('in the path: %s %s', async (method, path, field) => {
      expectInvalid(await client.request(method, path, method === 'POST' ? { command: 'id' } : undefined), field, 'noNulBytes');
    });

    it('in query values and keys', async () => {
      expectInvalid(await client.get('/sandbox?labels=%7B%22a%22%3A%22b%00%22%7D'), 'labels', 'noNulBytes');
      expectInvalid(await client.get('/sandbox?states=started&states=stopped%00'), 'states', 'noNulBytes');
      expectInvalid(await client.get('/sandbox?st%00ates=started'), 'st\u0000ates', 'noNulBytes');
      expectInvalid(await apiClient(api.url).get('/health?probe=%00'), 'probe', 'noNulBytes');
    });

    it.each([
      ['a name', { name: 'a\u0000b' }, 'name'],
      ['a snapshot', { snapshot: 'default\u0000' }, 'snapshot'],
      ['an env value', { env: { A: 'x\u0000' } }, 'env.A'],
      ['an env name', { env: { 'A\u0000': 'x' } }, 'env.A\u0000'],
      ['a label value', { labels: { team: '\u0000' } }, 'labels.team'],
      ['a label key', { labels: { ['t\u0000']: 'a' } }, 'labels.t\u0000'],
    ])('in a body: %s', async (_label, body, field) => {
      expectInvalid(await client.post('/sandbox', body), field, 'noNulBytes');
    });

    it('in bulk items and commands', async () => {
      const item = { snapshotIdOrName: 'default', count: 1, sandboxNamePrefix: 'nul' };
      expectInvalid(await client.post('/sandbox/bulk', { items: [item, { ...item, snapshotIdOrName: 'd\u0000' }] }), 'items.1.snapshotIdOrName');
      expectInvalid(await exec({ command: 'echo \u0000' }), 'command', 'noNulBytes');
      expectInvalid(await exec({ command: 'pwd', cwd: '/tmp\u0000' }), 'cwd', 'noNulBytes');
      expectInvalid(await exec({ command: 'env', env: { X: 'a\u0000' } }), 'env.X', 'noNulBytes');
    });

    it('as a JSON escape inside the labels filter', async () => {
      const filter = (json: string) => client.get('/sandbox?labels=' + encodeURIComponent(json));
      expectErrorBody(await filter('{"a":"\\u0000"}'), 400, 'invalid_labels');
      expectErrorBody(await filter('{"\\u0000":"a"}'), 400, 'invalid_labels');
      expect((await filter('{"a":"b"}')).status).toBe(200);
    });
  });

  describe('lone surrogates (Postgres refuses them in jsonb)', () => {
    it('in labels, env, commands and the labels filter', async () => {
      expectInvalid(await client.post('/sandbox', '{"labels":{"a":"\\ud800"}}'), 'labels.a', 'wellFormedUnicode');
      expectInvalid(await client.post('/sandbox', '{"env":{"A":"x\\udfffy"}}'), 'env.A', 'wellFormedUnicode');
      expectInvalid(await exec('{"command":"echo \\ud83d"}'), 'command', 'wellFormedUnicode');
      expectInvalid(await client.get('/sandbox/%ED%A0%80'), 'sandboxIdOrName', 'percentEncoding');
      expectErrorBody(await client.get('/sandbox?labels=' + encodeURIComponent('{"a":"\\ud800"}')), 400, 'invalid_labels');
      // A real pair is fine.
      expect((await client.get('/sandbox?labels=' + encodeURIComponent('{"a":"\\ud83d\\ude00"}'))).status).toBe(200);
    });

    it('and malformed percent-encoding in the path', async () => {
      expectInvalid(await client.get('/sandbox/%ZZ'), 'sandboxIdOrName', 'percentEncoding');
      expectInvalid(await client.delete('/sandbox/%C0%80'), 'sandboxIdOrName', 'percentEncoding');
    });
  });

  describe('JSON too deep or too wide', () => {
    it(`accepts ${INPUT_LIMITS.maxDepth} levels (refused as an unknown field) and refuses ${INPUT_LIMITS.maxDepth + 1}`, async () => {
      expectInvalid(await client.post('/sandbox', nestedObjects(INPUT_LIMITS.maxDepth)), 'a', 'whitelistValidation');
      const deep = await client.post('/sandbox', nestedObjects(INPUT_LIMITS.maxDepth + 1));
      expectInvalid(deep, Array(INPUT_LIMITS.maxDepth).fill('a').join('.'), 'maxDepth');
    });

    it('refuses thousands of levels (which once overflowed the stack), in objects and arrays', async () => {
      expectInvalid(await client.post('/sandbox', nestedObjects(50_000)), Array(INPUT_LIMITS.maxDepth).fill('a').join('.'), 'maxDepth');
      const arrays = `{"items":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
      const refused = await client.post('/sandbox/bulk', arrays);
      expectInvalid(refused, ['items', ...Array(INPUT_LIMITS.maxDepth - 1).fill('0')].join('.'), 'maxDepth');
      const env = ['env', ...Array(INPUT_LIMITS.maxDepth - 1).fill('a')].join('.');
      expectInvalid(await exec(`{"command":"id","env":${nestedObjects(1_000)}}`), env, 'maxDepth');
    });

    it('refuses huge arrays and objects quickly instead of copying them', async () => {
      const started = Date.now();
      const items = `{"items":[${Array(1_000_000).fill('{}').join(',')}]}`;
      expectInvalid(await client.post('/sandbox/bulk', items), 'items', 'maxArrayItems');
      const env = { env: Object.fromEntries(Array.from({ length: 300_000 }, (_, i) => [`V${i}`, ''])) };
      expectInvalid(await client.post('/sandbox', env), 'env', 'maxObjectKeys');
      expectInvalid(await client.post('/sandbox', new Array(INPUT_LIMITS.maxArrayItems + 1).fill(0)), undefined, 'maxArrayItems');
      expect(Date.now() - started).toBeLessThan(10_000);
    });

    it('lists at most 100 violations', async () => {
      const items = Array.from({ length: 1_000 }, () => ({ count: 0 }));
      const refused = await client.post('/sandbox/bulk', { items });
      expectInvalid(refused, 'items');
      expect(refused.body.details.violations).toHaveLength(100);
      expect(refused.body.details.violationCount).toBeGreaterThan(1_000);
      expect(refused.body.message).toMatch(/and \d+ more problem\(s\)$/);
    });
  });

  describe('prototype keys are unknown fields', () => {
    it.each([
      ['__proto__ at the top', '{"__proto__":{"name":"x"}}', '/sandbox', '__proto__'],
      ['constructor at the top', '{"constructor":{"name":"x"}}', '/sandbox', 'constructor'],
      ['prototype at the top', '{"prototype":1}', '/sandbox', 'prototype'],
      ['__proto__ in an item', '{"items":[{"snapshotIdOrName":"default","count":1,"sandboxNamePrefix":"p","__proto__":{}}]}', '/sandbox/bulk', 'items.0.__proto__'],
      ['constructor as a label', '{"labels":{"constructor":"x"}}', '/sandbox', 'labels.constructor'],
      ['__proto__ as an env name', '{"env":{"__proto__":"x"}}', '/sandbox', 'env.__proto__'],
    ])('%s', async (_label, body, path, field) => {
      const refused = await client.post(path, body);
      expectInvalid(refused, field, 'whitelistValidation');
      expect(refused.body.message).toMatch(/^property (__proto__|constructor|prototype) should not exist$/);
    });

    it('in the query and the labels filter', async () => {
      expectInvalid(await client.get('/sandbox?__proto__=1'), '__proto__', 'whitelistValidation');
      expectErrorBody(await client.get('/sandbox?labels=' + encodeURIComponent('{"__proto__":"a"}')), 400, 'invalid_labels');
    });
  });

  describe('integers have bounds before they reach SQL', () => {
    it.each([
      ['page=1e20', 'page'],
      ['page=1000001', 'page'],
      ['page=99999999999999999999', 'page'],
      ['limit=1e3000', 'limit'],
      ['limit=-1', 'limit'],
    ])('listSandboxes %s', async (query, field) => {
      expectInvalid(await client.get(`/sandbox?${query}`), field);
    });

    it('accepts the largest page', async () => {
      expect((await client.get('/sandbox?page=1000000&limit=1000')).body).toEqual({ items: [], total: 0, page: 1_000_000, limit: 1000, totalPages: 0, nextCursor: null });
    });

    it.each([
      ['a count of 1e20', 1e20],
      ['a count over 1,000,000', 1_000_001],
      ['a fractional count', 1.5],
    ])('bulkCreateSandbox refuses %s', async (_label, count) => {
      const refused = await client.post('/sandbox/bulk', { items: [{ snapshotIdOrName: 'default', count, sandboxNamePrefix: 'big' }] });
      expectInvalid(refused, 'items.0.count');
    });

    it.each([0, 3_601, 1e20, 2.5, '10'])('executeCommand refuses a timeout of %p', async (timeout) => {
      expectInvalid(await exec({ command: 'id', timeout }), 'timeout');
    });
  });

  describe('commands: everything a runner would refuse is refused first', () => {
    it.each([
      ['no command', {}, 'command'],
      ['an empty command', { command: '' }, 'command'],
      ['a command that is not a string', { command: ['id'] }, 'command'],
      ['a command over 100,000 bytes in UTF-8', { command: `echo ${'中'.repeat(40_000)}` }, 'command'],
      ['an empty cwd', { command: 'pwd', cwd: '' }, 'cwd'],
      ['a cwd over 4,096 characters', { command: 'pwd', cwd: 'a'.repeat(4_097) }, 'cwd'],
      ['a cwd that is not a string', { command: 'pwd', cwd: 3 }, 'cwd'],
      ['an invalid env name', { command: 'id', env: { 'A-B': 'x' } }, 'env'],
      ['a non-string env value', { command: 'id', env: { A: 1 } }, 'env'],
      ['more than 256 env variables', { command: 'id', env: Object.fromEntries(Array.from({ length: 257 }, (_, i) => [`V${i}`, ''])) }, 'env'],
      ['env over 256 KiB', { command: 'id', env: Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`V${i}`, 'x'.repeat(32_000)])) }, 'env'],
      ['an unknown field', { command: 'id', shell: 'bash' }, 'shell'],
    ])('%s', async (_label, body, field) => {
      expectInvalid(await exec(body), field);
    });
  });

  describe('bodies must be JSON', () => {
    it('refuses other media types with 415, and unsupported charsets or encodings', async () => {
      expectErrorBody(await client.post('/sandbox', 'name=x', { 'content-type': 'application/x-www-form-urlencoded' }), 415, 'unsupported_media_type');
      expectErrorBody(await client.post('/sandbox/bulk', 'hello', { 'content-type': 'text/plain' }), 415, 'unsupported_media_type');
      expectErrorBody(await exec('{"command":"id"}', { 'content-type': 'text/plain' }), 415, 'unsupported_media_type');
      expectErrorBody(await client.post('/sandbox', '{}', { 'content-type': 'application/json; charset=latin1' }), 415, 'unsupported_media_type');
      expectErrorBody(await client.post('/sandbox', '{}', { 'content-encoding': 'compress' }), 415, 'unsupported_media_type');
    });

    it('reads gzip bodies, and refuses a corrupt one as invalid JSON', async () => {
      const response = await fetch(`${api.url}/sandbox/bulk`, {
        method: 'POST',
        headers: { authorization: (await keyHeader()), 'content-type': 'application/json', 'content-encoding': 'gzip' },
        body: gzipSync(JSON.stringify({ items: [] })),
      });
      expect(response.status).toBe(400);
      expect(((await response.json()) as { code: string }).code).toBe('validation_failed');
      expectErrorBody(await client.post('/sandbox', '{}', { 'content-encoding': 'gzip' }), 400, 'invalid_json');
    });

    it('ignores bodies of GET and DELETE requests rather than failing on them', async () => {
      const authorization = await keyHeader();
      expect(await sendWithBody('GET', '/sandbox', '{"broken":', authorization)).toBe(200);
      expect(await sendWithBody('GET', '/sandbox', 'x'.repeat(6 * 1024 * 1024), authorization)).toBe(200);
      expect(await sendWithBody('DELETE', '/sandbox/no-such-sandbox', '{"broken":', authorization)).toBe(404);
    });

    it('refuses bodies over 5 MiB on every route that takes one', async () => {
      const big = JSON.stringify({ command: 'x'.repeat(6 * 1024 * 1024) });
      expectErrorBody(await exec(big), 413, 'payload_too_large');
      expectErrorBody(await client.post('/sandbox/bulk', big), 413, 'payload_too_large');
    });
  });

  /** An authorization header for requests made without the test client (of an organization of its own). */
  async function keyHeader(): Promise<string> {
    const organization = await createOrganization(api.dataSource);
    return `Bearer ${await createApiKey(api.dataSource, organization.id)}`;
  }

  /** A JSON body on any method (fetch refuses one on GET); resolves with the status. */
  function sendWithBody(method: string, path: string, body: string, authorization: string): Promise<number> {
    return new Promise((resolveStatus, reject) => {
      const sent = httpRequest(`${api.url}${path}`, { method, headers: { authorization, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (response) => {
        response.resume();
        response.on('end', () => resolveStatus(response.statusCode ?? 0));
      });
      sent.on('error', reject);
      sent.end(body);
    });
  }
});

/**
 * Every operation of the committed spec, driven by the spec: the answers every route gives
 * because of the global rules (NUL bytes, auth, body reading). The recorded answers are then
 * checked against the spec (tools/check-api-responses.mjs).
 */
describe('every operation answers the global error classes', () => {
  interface Operation {
    operationId: string;
    method: string;
    path: string;
    params: string[];
    authenticated: boolean;
    hasBody: boolean;
  }
  const spec = JSON.parse(readFileSync(resolve('apps/api/openapi.json'), 'utf8'));
  const operations: Operation[] = Object.entries(spec.paths).flatMap(([path, item]) =>
    Object.entries(item as Record<string, any>).map(([method, operation]) => ({
      operationId: operation.operationId,
      method: method.toUpperCase(),
      path,
      params: (operation.parameters ?? []).filter((p: { in: string }) => p.in === 'path').map((p: { name: string }) => p.name),
      authenticated: (operation.security ?? []).length > 0,
      hasBody: operation.requestBody !== undefined,
    })),
  );

  let api: TestApi;
  let client: ApiClient;
  let powerless: ApiClient;

  beforeAll(async () => {
    api = await startTestApi();
    await seedGeneralDefaults(api.dataSource);
    const organization = await createOrganization(api.dataSource);
    client = apiClient(api.url, await createApiKey(api.dataSource, organization.id));
    powerless = apiClient(api.url, await createApiKey(api.dataSource, organization.id, []));
  });
  afterAll(() => api.close());

  const withParams = (operation: Operation, value = 'x') => operation.path.replace(/\{[^}]+\}/g, value);

  it('covers the operations of the spec', () => {
    expect(operations.map((o) => o.operationId).sort()).toEqual(
      [
        'bulkCreateSandbox',
        'bulkDeleteSandboxes',
        'createApiKey',
        'createSandbox',
        'createSnapshot',
        'deleteApiKey',
        'deleteSandbox',
        'deleteSnapshot',
        'executeCommand',
        'getHealth',
        'getSandbox',
        'getSnapshot',
        'getToolboxProxyUrl',
        'listApiKeys',
        'listSandboxes',
        'listSnapshots',
        'replaceLabels',
        'setAutoArchiveInterval',
        'setAutoDeleteInterval',
        'setAutostopInterval',
        'startSandbox',
        'stopSandbox',
      ].sort(),
    );
  });

  it.each(operations.map((o) => [o.operationId, o] as const))('%s: a NUL byte in the query or a path parameter is 400', async (_id, operation) => {
    const body = operation.hasBody ? {} : undefined;
    expectInvalid(await client.request(operation.method, `${withParams(operation)}?probe=%00`, body), 'probe', 'noNulBytes');
    for (const param of operation.params) {
      const path = operation.path.replace(/\{([^}]+)\}/g, (_match, name) => (name === param ? 'a%00b' : 'x'));
      expectInvalid(await client.request(operation.method, path, body), param, 'noNulBytes');
    }
  });

  it.each(operations.filter((o) => o.authenticated).map((o) => [o.operationId, o] as const))(
    '%s: no key is 401, a key without the permission 403',
    async (_id, operation) => {
      const body = operation.hasBody ? {} : undefined;
      expectErrorBody(await apiClient(api.url).request(operation.method, withParams(operation), body), 401, 'unauthenticated');
      expectErrorBody(await powerless.request(operation.method, withParams(operation), body), 403, 'missing_permission');
    },
  );

  it.each(operations.filter((o) => o.hasBody).map((o) => [o.operationId, o] as const))(
    '%s: a body too large is 413, not JSON 415, malformed 400',
    async (_id, operation) => {
      const path = withParams(operation);
      expectErrorBody(await client.request(operation.method, path, JSON.stringify({ x: 'x'.repeat(6 * 1024 * 1024) })), 413, 'payload_too_large');
      expectErrorBody(await client.request(operation.method, path, 'x=1', { 'content-type': 'text/plain' }), 415, 'unsupported_media_type');
      expectErrorBody(await client.request(operation.method, path, '{"x":'), 400, 'invalid_json');
    },
  );

  it('created nothing', async () => {
    expect((await client.get('/sandbox')).body.total).toBe(0);
  });
});
