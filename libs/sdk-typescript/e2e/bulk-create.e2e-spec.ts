// bulkCreate against a live stack with a real runner. The allowUnder test needs a small runner:
//   RUNNER_CAPACITY_CPU=10 node tools/e2e/with-stack.mjs -- npx nx run sdk-typescript:e2e
import {
  Daytona,
  DaytonaServerError,
  DaytonaValidationError,
  SandboxState,
  type BulkCreateItem,
  type Sandbox,
} from '../src/index.js';
import { deleteLeftovers, expectedNames, holdsCapacity, liveSandboxesNamed, uniquePrefix } from './e2e-support.js';

const daytona = new Daytona();
const run = uniquePrefix('bulk');
const prefix = (name: string) => `${run}-${name}`;
const item = (name: string, count: number, extra: Partial<BulkCreateItem> = {}): BulkCreateItem => ({
  snapshotIdOrName: 'default',
  count,
  sandboxNamePrefix: prefix(name),
  ...extra,
});
/** Every sandbox this suite created, for the cleanup test. */
const created: Sandbox[] = [];

afterAll(() => deleteLeftovers(daytona, run));

/** The runner's cpu capacity, which the harness passes to the runner through its environment. */
function runnerCapacityCpu(): number {
  const capacity = Number(process.env.RUNNER_CAPACITY_CPU);
  if (!Number.isInteger(capacity) || capacity < 8 || capacity > 100) {
    throw new Error(
      'Set RUNNER_CAPACITY_CPU to a small runner capacity (8-100) for the stack and the tests, e.g. ' +
        'RUNNER_CAPACITY_CPU=10 node tools/e2e/with-stack.mjs -- npx nx run sdk-typescript:e2e. ' +
        'With the default 4,000 the allowUnder shortfall would need 4,000 real sandboxes.',
    );
  }
  return capacity;
}

it('without awaitStarted answers at once with named sandboxes; waitUntilStarted brings each to started', async () => {
  const sandboxes = await daytona.bulkCreate([item('a', 3)], { awaitStarted: false });
  created.push(...sandboxes);

  expect(sandboxes.map((sandbox) => sandbox.name)).toEqual(expectedNames(prefix('a'), 3));
  await Promise.all(sandboxes.map((sandbox) => sandbox.waitUntilStarted(30)));
  expect(sandboxes.map((sandbox) => sandbox.state)).toEqual([SandboxState.STARTED, SandboxState.STARTED, SandboxState.STARTED]);
  const results = await Promise.all(sandboxes.map((sandbox) => sandbox.process.executeCommand('echo hello')));
  expect(results).toEqual(Array(3).fill({ exitCode: 0, result: 'hello\n' }));
});

it('with awaitStarted answers with started sandboxes, and every one runs a command at once', async () => {
  const sandboxes = await daytona.bulkCreate([item('b', 3)], { awaitStarted: true, timeout: 60 });
  created.push(...sandboxes);

  expect(sandboxes.map((sandbox) => [sandbox.name, sandbox.state])).toEqual(
    expectedNames(prefix('b'), 3).map((name) => [name, SandboxState.STARTED]),
  );
  for (const sandbox of sandboxes) {
    expect(await sandbox.process.executeCommand('echo hello')).toEqual({ exitCode: 0, result: 'hello\n' });
  }
  // Each command ran in its own sandbox: a file written in one is read back from the same one.
  const marks = await Promise.all(
    sandboxes.map((sandbox) => sandbox.process.executeCommand(`echo ${sandbox.name} > mark && cat mark`)),
  );
  expect(marks.map((mark) => mark.result.trim())).toEqual(sandboxes.map((sandbox) => sandbox.name));
});

it('reports the server’s validation errors as DaytonaValidationError with code validation_failed, creating nothing', async () => {
  const zero = await daytona.bulkCreate([item('zero', 0)]).catch((error: unknown) => error);
  expect(zero).toBeInstanceOf(DaytonaValidationError);
  expect(zero).toMatchObject({ statusCode: 400, code: 'validation_failed', details: { field: 'items.0.count' } });

  const badPrefix = await daytona
    .bulkCreate([{ snapshotIdOrName: 'default', count: 1, sandboxNamePrefix: '-starts-with-a-dash' }])
    .catch((error: unknown) => error);
  expect(badPrefix).toBeInstanceOf(DaytonaValidationError);
  expect(badPrefix).toMatchObject({ statusCode: 400, code: 'validation_failed', details: { field: 'items.0.sandboxNamePrefix' } });

  expect(await liveSandboxesNamed(daytona, prefix('zero'))).toEqual([]);
});

it('with allowUnder creates only what fits, so the caller sees the shortfall; without it, a full runner is an error', async () => {
  const capacity = runnerCapacityCpu();
  const live = await daytona.list({ limit: 1000 });
  const free = capacity - live.items.filter(holdsCapacity).reduce((sum, sandbox) => sum + sandbox.cpu, 0);
  expect(free).toBeGreaterThanOrEqual(2);
  const requested = free + 3;

  const sandboxes = await daytona.bulkCreate([item('c', 1), item('d', requested, { allowUnder: true })]);
  created.push(...sandboxes);

  const under = sandboxes.filter((sandbox) => sandbox.name.startsWith(`${prefix('d')}-`));
  expect(sandboxes[0].name).toBe(`${prefix('c')}-00001`);
  expect(under.map((sandbox) => sandbox.name)).toEqual(expectedNames(prefix('d'), free - 1));
  expect(under.length).toBeLessThan(requested);

  const full = await daytona.bulkCreate([item('e', 1)]).catch((error: unknown) => error);
  expect(full).toBeInstanceOf(DaytonaServerError);
  expect(full).toMatchObject({ statusCode: 503, code: 'insufficient_capacity' });
  expect(await liveSandboxesNamed(daytona, prefix('e'))).toEqual([]);
});

it('deleting every sandbox the suite created leaves none of them listed', async () => {
  expect(created.length).toBeGreaterThan(0);
  await Promise.all(created.map((sandbox) => daytona.delete(sandbox)));

  expect(created.every((sandbox) => sandbox.state === SandboxState.DESTROYED)).toBe(true);
  expect(await liveSandboxesNamed(daytona, run)).toEqual([]);
  const destroyed = await daytona.list({ states: [SandboxState.DESTROYED], limit: 1000 });
  const destroyedNames = new Set(destroyed.items.map((sandbox) => sandbox.name));
  expect(created.filter((sandbox) => !destroyedNames.has(sandbox.name))).toEqual([]);
});
