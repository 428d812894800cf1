// Smoke test of the generated TypeScript client against a running API: the types it hands back
// for list, bulk create, delete and an error. Needs DAYTONA_API_URL and DAYTONA_API_KEY, and
// the client built (`npx nx run api-client:build`).
//   node --test libs/api-client/smoke/
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { isAxiosError } from 'axios';
import { Configuration, SandboxApi, SandboxState } from '../dist/index.js';

const { DAYTONA_API_URL, DAYTONA_API_KEY } = process.env;
if (!DAYTONA_API_URL || !DAYTONA_API_KEY) {
  throw new Error('DAYTONA_API_URL and DAYTONA_API_KEY must be set to a running API and one of its keys');
}
const sandboxApi = new SandboxApi(new Configuration({ basePath: DAYTONA_API_URL, accessToken: DAYTONA_API_KEY }));
const uniquePrefix = () => `smoke-ts-${randomBytes(4).toString('hex')}`;

test('lists sandboxes, bulk-creates two typed sandboxes and deletes them', async () => {
  const listed = await sandboxApi.listSandboxes();
  assert.equal(listed.status, 200);
  assert.ok(Array.isArray(listed.data.items));
  assert.equal(typeof listed.data.total, 'number');

  const prefix = uniquePrefix();
  const { data: sandboxes } = await sandboxApi.bulkCreateSandbox({
    items: [{ snapshotIdOrName: 'default', count: 2, sandboxNamePrefix: prefix }],
    awaitStarted: false,
  });
  let deleteStatuses;
  try {
    assert.deepEqual(
      sandboxes.map((sandbox) => sandbox.name),
      [`${prefix}-00001`, `${prefix}-00002`],
    );
    for (const sandbox of sandboxes) {
      // typescript-axios enums are const objects plus a union of their string values.
      assert.ok(Object.values(SandboxState).includes(sandbox.state), `unexpected state ${sandbox.state}`);
      // Dates stay ISO 8601 strings in this generator.
      assert.equal(typeof sandbox.createdAt, 'string');
      assert.ok(!Number.isNaN(Date.parse(sandbox.createdAt)), `createdAt ${sandbox.createdAt} is not a date`);
    }
  } finally {
    deleteStatuses = [];
    for (const sandbox of sandboxes) deleteStatuses.push((await sandboxApi.deleteSandbox(sandbox.id)).status);
  }
  assert.deepEqual(deleteStatuses, [200, 200]);
});

test('a bad request rejects with an AxiosError carrying status 400 and code validation_failed', async () => {
  await assert.rejects(
    sandboxApi.bulkCreateSandbox({ items: [{ snapshotIdOrName: 'default', count: 0, sandboxNamePrefix: uniquePrefix() }] }),
    (error) => {
      assert.ok(isAxiosError(error), `expected an AxiosError, got ${error}`);
      assert.equal(error.response?.status, 400);
      assert.equal(error.response?.data.code, 'validation_failed');
      return true;
    },
  );
});
