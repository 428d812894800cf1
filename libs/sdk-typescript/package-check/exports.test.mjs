// Checks the built package the way consumers load it: `import` (ESM) and `require` (CommonJS) at
// runtime, and TypeScript's view of both through the `exports` map. Needs the build:
//   npx nx run sdk-typescript:check-package
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const workspaceRoot = join(packageDir, '..', '..');
const EXPECTED_EXPORTS = [
  'BULK_REQUEST_LABEL',
  'Daytona',
  'DaytonaAuthenticationError',
  'DaytonaAuthorizationError',
  'DaytonaConflictError',
  'DaytonaConnectionError',
  'DaytonaError',
  'DaytonaNotFoundError',
  'DaytonaRateLimitError',
  'DaytonaSandboxStateError',
  'DaytonaServerError',
  'DaytonaSnapshotStateError',
  'DaytonaTimeoutError',
  'DaytonaValidationError',
  'FileSystem',
  'Process',
  'Sandbox',
  'SandboxState',
  'SnapshotService',
  'SnapshotState',
  'resolveConfig',
];

// A consumer project outside the workspace with the package linked in, as npm would.
let consumer;
before(() => {
  consumer = mkdtempSync(join(tmpdir(), 'sdk-consumer-'));
  mkdirSync(join(consumer, 'node_modules', '@daytonaio'), { recursive: true });
  symlinkSync(packageDir, join(consumer, 'node_modules', '@daytonaio', 'sdk'));
  writeFileSync(join(consumer, 'package.json'), '{ "private": true }\n');
});
after(() => rmSync(consumer, { recursive: true, force: true }));

/** What a consumer script prints; DAYTONA_* cleared so the missing-key path is taken. */
async function runInConsumer(file, source) {
  writeFileSync(join(consumer, file), source);
  const env = { ...process.env, DAYTONA_API_KEY: '', DAYTONA_API_URL: '' };
  const { stdout } = await run(process.execPath, [file], { cwd: consumer, env });
  return JSON.parse(stdout);
}

const probe = `
  const names = Object.keys(sdk).sort();
  let missingKey;
  try { new sdk.Daytona(); } catch (error) { missingKey = { name: error.name, isDaytonaError: error instanceof sdk.DaytonaError, message: error.message }; }
  const daytona = new sdk.Daytona({ apiKey: 'k', apiUrl: 'http://127.0.0.1:9/api' });
  const unreachable = await daytona.list().catch((error) => ({ name: error.name, isDaytonaError: error instanceof sdk.DaytonaError }));
  console.log(JSON.stringify({ names, started: sdk.SandboxState.STARTED, missingKey, unreachable,
    subclass: new sdk.DaytonaValidationError('x') instanceof sdk.DaytonaError }));
`;

for (const [format, file, source] of [
  ['ESM import', 'probe.mjs', `import * as sdk from '@daytonaio/sdk';\n${probe}`],
  ['CommonJS require', 'probe.cjs', `const sdk = require('@daytonaio/sdk');\n(async () => {\n${probe}\n})();`],
]) {
  test(`${format} loads the public API and it works`, async () => {
    const seen = await runInConsumer(file, source);
    assert.deepEqual(seen.names, EXPECTED_EXPORTS);
    assert.equal(seen.started, 'started');
    assert.equal(seen.subclass, true);
    assert.equal(seen.missingKey.name, 'DaytonaError');
    assert.equal(seen.missingKey.isDaytonaError, true);
    assert.match(seen.missingKey.message, /npm start/);
    assert.deepEqual(seen.unreachable, { name: 'DaytonaConnectionError', isDaytonaError: true });
  });
}

test('TypeScript resolves types for both import and require through the exports map', async () => {
  const body = `
    const daytona = new Daytona({ apiKey: 'k', maxRetries: 5 });
    async function use(): Promise<string> {
      const sandboxes: Sandbox[] = await daytona.bulkCreate(
        [{ snapshotIdOrName: 'default', count: 1, sandboxNamePrefix: 'p', labels: { run: 'r' }, env: { A: '1' } }],
        { awaitStarted: true, idempotencyKey: 'k-1' },
      );
      const deleted: number = await daytona.bulkDelete({ labels: { [BULK_REQUEST_LABEL]: sandboxes[0].bulkRequestId ?? '' } });
      void deleted;
      await sandboxes[0].fs.uploadFile(Buffer.from('x'), 'x.txt');
      const [download] = await sandboxes[0].fs.downloadFiles([{ source: 'x.txt' }]);
      if (download.errorDetails?.code === 'file_not_found') await sandboxes[0].stop();
      const state: SandboxState = sandboxes[0].state;
      if (state === SandboxState.STARTED) return (await sandboxes[0].process.executeCommand('echo hi')).result;
      throw new DaytonaError('not started');
    }
    void use;
  `;
  writeFileSync(join(consumer, 'consumer.mts'), `import { BULK_REQUEST_LABEL, Daytona, DaytonaError, SandboxState, type Sandbox } from '@daytonaio/sdk';\n${body}`);
  const cjsImports = [
    "import sdk = require('@daytonaio/sdk');",
    'const { BULK_REQUEST_LABEL, Daytona, DaytonaError, SandboxState } = sdk;',
    'type Sandbox = sdk.Sandbox;',
    'type SandboxState = sdk.SandboxState;',
  ].join('\n');
  writeFileSync(join(consumer, 'consumer.cts'), `${cjsImports}\n${body}`);
  const tsc = join(workspaceRoot, 'node_modules', 'typescript', 'bin', 'tsc');
  const flags = ['--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--types', 'node'];
  // typeRoots: the consumer has no @types/node of its own; borrow the workspace's.
  await run(process.execPath, [tsc, ...flags, '--typeRoots', join(workspaceRoot, 'node_modules', '@types'), 'consumer.mts', 'consumer.cts'], {
    cwd: consumer,
  }).catch((error) => assert.fail(`tsc failed:\n${error.stdout}${error.stderr}`));
});
