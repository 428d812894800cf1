// node --test tools/check-api-responses.test.mjs
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { checkRecordedResponses, matchSpecPath, specPathOfRoute } from './check-api-responses.mjs';

const spec = {
  servers: [{ url: 'http://localhost:3000/api' }],
  paths: {
    '/sandbox': {
      post: { operationId: 'createSandbox', responses: { 200: {}, 400: { 'x-error-codes': ['validation_failed'] } } },
      get: { operationId: 'listSandboxes', responses: { 200: {} } },
    },
    '/sandbox/bulk': { post: { operationId: 'bulkCreateSandbox', responses: { 200: {} } } },
    '/sandbox/{sandboxIdOrName}': { get: { operationId: 'getSandbox', responses: { 200: {}, 404: { 'x-error-codes': ['sandbox_not_found'] } } } },
  },
};
const record = (fields) => ({ method: 'GET', route: null, path: null, status: 200, code: null, ...fields });

test('maps Express routes and request paths to spec paths', () => {
  assert.equal(specPathOfRoute('/api/sandbox/:sandboxIdOrName', '/api'), '/sandbox/{sandboxIdOrName}');
  assert.equal(matchSpecPath(spec, 'post', '/sandbox/bulk'), '/sandbox/bulk');
  assert.equal(matchSpecPath(spec, 'get', '/sandbox/bulk'), '/sandbox/{sandboxIdOrName}');
  assert.equal(matchSpecPath(spec, 'get', '/SANDBOX/a%00/'), '/sandbox/{sandboxIdOrName}');
  assert.equal(matchSpecPath(spec, 'delete', '/sandbox/x'), null);
});

test('accepts documented answers and exempts what is no operation', () => {
  const { problems } = checkRecordedResponses(spec, [
    record({ route: '/api/sandbox/:sandboxIdOrName', status: 404, code: 'sandbox_not_found' }),
    record({ method: 'POST', route: '/api/sandbox', status: 400, code: 'validation_failed' }),
    record({ method: 'POST', path: '/api/sandbox', status: 400, code: 'validation_failed' }),
    record({ method: 'POST', route: '/api/runners/register', status: 409, code: 'runner_name_taken' }),
    record({ path: '/api/no-such-route', status: 404, code: 'route_not_found' }),
    record({ method: 'HEAD', route: '/api/sandbox', status: 200 }),
  ]);
  assert.deepEqual(problems, []);
});

test('fails on an undocumented status, code or route', () => {
  const { problems } = checkRecordedResponses(spec, [
    record({ route: '/api/sandbox/:sandboxIdOrName', status: 400, code: 'validation_failed' }),
    record({ path: '/api/sandbox/a%00b', status: 400, code: 'validation_failed' }),
    record({ method: 'POST', route: '/api/sandbox', status: 400, code: 'invalid_json' }),
    record({ route: '/api/secret', status: 200 }),
  ]);
  assert.deepEqual(problems, [
    'getSandbox (GET /sandbox/{sandboxIdOrName}) answered 400 validation_failed, which the spec does not list',
    'createSandbox answered 400 invalid_json; the spec lists only validation_failed for 400',
    'GET /api/secret answered 200 but is not in the spec',
  ]);
});

test('fails on the committed spec once a documented status is removed', () => {
  const committed = JSON.parse(readFileSync('apps/api/openapi.json', 'utf8'));
  const answer = record({ method: 'POST', route: '/api/sandbox', status: 413, code: 'payload_too_large' });
  assert.deepEqual(checkRecordedResponses(committed, [answer]).problems, []);
  delete committed.paths['/sandbox'].post.responses['413'];
  assert.match(checkRecordedResponses(committed, [answer]).problems[0], /^createSandbox \(POST \/sandbox\) answered 413 payload_too_large/);
});
