// Runs the built example against a live stack and checks what a user would: every sandbox of
// both modes answered hello, none is left afterwards, and a failure midway still cleans up and
// exits non-zero. Needs DAYTONA_API_URL and DAYTONA_API_KEY of a stack to itself:
//   node tools/e2e/with-stack.mjs -- npx nx run examples-typescript:check
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const { DAYTONA_API_URL, DAYTONA_API_KEY } = process.env;
if (!DAYTONA_API_URL || !DAYTONA_API_KEY) {
  throw new Error('DAYTONA_API_URL and DAYTONA_API_KEY must point at a running stack (use tools/e2e/with-stack.mjs)');
}
const example = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'bulk-create', 'index.js');
const names = (prefix) => [1, 2, 3].map((n) => `${prefix}-0000${n}`);
const ALL_NAMES = [...names('batch-a'), ...names('batch-b')];

function runExample() {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(process.execPath, [example], { env: process.env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr, seconds: (Date.now() - started) / 1000 }));
  });
}

async function api(method, path, body) {
  const response = await fetch(`${DAYTONA_API_URL}${path}`, {
    method,
    headers: { authorization: `Bearer ${DAYTONA_API_KEY}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = await response.json();
  assert.ok(response.ok, `${method} ${path}: ${response.status} ${JSON.stringify(data)}`);
  return data;
}

/** Names of the example's sandboxes in the given list (default: every live one). */
async function exampleSandboxes(query = '') {
  const page = await api('GET', `/sandbox?limit=1000${query}`);
  return page.items.map((sandbox) => sandbox.name).filter((name) => /^batch-[ab]-/.test(name)).sort();
}

test('both modes: every sandbox answers hello, and none is left afterwards', async (t) => {
  const run = await runExample();
  t.diagnostic(`example took ${run.seconds.toFixed(1)} s`);
  assert.equal(run.code, 0, `example failed:\n${run.stdout}\n${run.stderr}`);

  const answers = Object.fromEntries([...run.stdout.matchAll(/^(batch-[ab]-\d{5}): (.*)$/gm)].map((m) => [m[1], m[2]]));
  assert.deepEqual(answers, Object.fromEntries(ALL_NAMES.map((name) => [name, 'hello'])));
  assert.deepEqual(await exampleSandboxes(), []);
  // They did exist: all six were destroyed, not merely never created.
  assert.deepEqual(await exampleSandboxes('&states=destroyed'), ALL_NAMES);
});

test('a failure midway exits non-zero and still deletes what was created', async () => {
  // A sandbox holding one of mode 2's names makes its bulk create fail with name_conflict.
  const blocker = await api('POST', '/sandbox', { name: 'batch-b-00002' });
  try {
    const run = await runExample();
    assert.equal(run.code, 1, `expected exit code 1:\n${run.stdout}\n${run.stderr}`);
    assert.match(run.stderr, /name_conflict|already in use/i);
    assert.match(run.stdout, /^batch-a-00003: hello$/m);
    assert.deepEqual(await exampleSandboxes(), ['batch-b-00002']);
  } finally {
    await api('DELETE', `/sandbox/${blocker.id}`);
  }
});
