// Fleets against a live stack: labels and env per bulk item, bulk delete by label, and retries
// that never create twice (a proxy drops the first answer after the API has processed it).
//   RUNNER_CAPACITY_CPU=10 node tools/e2e/with-stack.mjs -- npx nx run sdk-typescript:e2e
import { BULK_REQUEST_LABEL, Daytona, DaytonaValidationError, SandboxState, type Sandbox } from '../src/index.js';
import { CuttingProxy } from './cutting-proxy.js';
import { deleteLeftovers, expectedNames, liveSandboxesNamed, uniquePrefix } from './e2e-support.js';

const daytona = new Daytona();
const run = uniquePrefix('fleet');
const prefix = (name: string) => `${run}-${name}`;

/** Deletes the sandboxes and waits until each is destroyed, so the next test has the runner's room. */
async function deleteAndWait(sandboxes: Sandbox[]): Promise<void> {
  await Promise.all(sandboxes.map((sandbox) => sandbox.delete()));
  await untilDestroyed(sandboxes);
}

async function untilDestroyed(sandboxes: Sandbox[], timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (const sandbox of sandboxes) {
    while (sandbox.state !== SandboxState.DESTROYED) {
      if (Date.now() > deadline) throw new Error(`${sandbox.name} is still ${sandbox.state}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
      await sandbox.refresh();
    }
  }
}

afterAll(() => deleteLeftovers(daytona, run));

it('labels and env of each item reach every sandbox of it, with one bulk-request label for the whole request', async () => {
  const sandboxes = await daytona.bulkCreate(
    [
      { snapshotIdOrName: 'default', count: 2, sandboxNamePrefix: prefix('la'), labels: { fleet: run, item: 'a' }, env: { FLEET_ITEM: 'alpha' } },
      { snapshotIdOrName: 'default', count: 2, sandboxNamePrefix: prefix('lb'), labels: { fleet: run, item: 'b' }, env: { FLEET_ITEM: 'beta' } },
    ],
    { awaitStarted: true, timeout: 60 },
  );
  try {
    expect(sandboxes.map((sandbox) => [sandbox.name, sandbox.state])).toEqual(
      [...expectedNames(prefix('la'), 2), ...expectedNames(prefix('lb'), 2)].map((name) => [name, SandboxState.STARTED]),
    );
    const requestId = sandboxes[0].bulkRequestId;
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(sandboxes.map((sandbox) => sandbox.labels)).toEqual([
      { fleet: run, item: 'a', [BULK_REQUEST_LABEL]: requestId },
      { fleet: run, item: 'a', [BULK_REQUEST_LABEL]: requestId },
      { fleet: run, item: 'b', [BULK_REQUEST_LABEL]: requestId },
      { fleet: run, item: 'b', [BULK_REQUEST_LABEL]: requestId },
    ]);
    const seen = await Promise.all(sandboxes.map((sandbox) => sandbox.process.executeCommand('echo "$FLEET_ITEM"')));
    expect(seen.map((result) => result.result)).toEqual(['alpha\n', 'alpha\n', 'beta\n', 'beta\n']);

    const listed = await daytona.list({ labels: { [BULK_REQUEST_LABEL]: requestId! } });
    expect(listed.items.map((sandbox) => sandbox.id).sort()).toEqual(sandboxes.map((sandbox) => sandbox.id).sort());
    expect((await daytona.list({ labels: { fleet: run, item: 'b' } })).total).toBe(2);
  } finally {
    await deleteAndWait(sandboxes);
  }
});

it('a platform label in an item is refused with reserved_label, creating nothing', async () => {
  const attempt = daytona.bulkCreate([
    { snapshotIdOrName: 'default', count: 1, sandboxNamePrefix: prefix('rl'), labels: { [BULK_REQUEST_LABEL]: 'mine' } },
  ]);
  await expect(attempt).rejects.toMatchObject({ constructor: DaytonaValidationError, statusCode: 400, code: 'reserved_label' });
  expect(await liveSandboxesNamed(daytona, prefix('rl'))).toEqual([]);
});

it('bulk delete by label destroys exactly the sandboxes carrying it', async () => {
  const doomed = await daytona.bulkCreate(
    [{ snapshotIdOrName: 'default', count: 3, sandboxNamePrefix: prefix('del'), labels: { fleet: run, wave: 'doomed' } }],
    { awaitStarted: true, timeout: 60 },
  );
  const kept = await daytona.bulkCreate(
    [{ snapshotIdOrName: 'default', count: 2, sandboxNamePrefix: prefix('keep'), labels: { fleet: run, wave: 'kept' } }],
    { awaitStarted: true, timeout: 60 },
  );
  try {
    expect(await daytona.bulkDelete({ labels: { fleet: run, wave: 'doomed' } })).toBe(3);

    await untilDestroyed(doomed);
    for (const sandbox of kept) await sandbox.refresh();
    expect(kept.map((sandbox) => sandbox.state)).toEqual([SandboxState.STARTED, SandboxState.STARTED]);
    expect((await liveSandboxesNamed(daytona, run)).map((sandbox) => sandbox.name).sort()).toEqual(expectedNames(prefix('keep'), 2));
    expect((await kept[0].process.executeCommand('echo still here')).result).toBe('still here\n');
    // Nothing matches any more: a second call marks none.
    expect(await daytona.bulkDelete({ labels: { fleet: run, wave: 'doomed' } })).toBe(0);
  } finally {
    await deleteAndWait([...doomed, ...kept].filter((sandbox) => sandbox.state !== SandboxState.DESTROYED));
  }
});

it('bulk delete with an empty selector is DaytonaValidationError empty_selector and deletes nothing', async () => {
  const [sandbox] = await daytona.bulkCreate([{ snapshotIdOrName: 'default', count: 1, sandboxNamePrefix: prefix('empty') }]);
  try {
    for (const selector of [{}, { labels: {} }, { ids: [] }]) {
      await expect(daytona.bulkDelete(selector)).rejects.toMatchObject({
        constructor: DaytonaValidationError,
        statusCode: 400,
        code: 'empty_selector',
      });
    }
    await sandbox.refresh();
    expect([SandboxState.CREATING, SandboxState.STARTING, SandboxState.STARTED]).toContain(sandbox.state);
    expect((await liveSandboxesNamed(daytona, prefix('empty'))).map((found) => found.id)).toEqual([sandbox.id]);
  } finally {
    await deleteAndWait([sandbox]);
  }
});

describe('an SDK retry after a dropped connection creates once', () => {
  let proxy: CuttingProxy;
  afterEach(() => proxy.stop());

  it('bulkCreate: the first answer is cut off after the API created the sandboxes; the retry answers the same ones', async () => {
    proxy = await CuttingProxy.start(process.env.DAYTONA_API_URL!, 'POST /api/sandbox/bulk');
    const viaProxy = new Daytona({ apiUrl: proxy.url });

    const sandboxes = await viaProxy.bulkCreate([{ snapshotIdOrName: 'default', count: 2, sandboxNamePrefix: prefix('cut') }], {
      awaitStarted: true,
      timeout: 60,
    });
    try {
      expect(proxy.cuts).toBe(1);
      const attempts = proxy.requests.filter((request) => request.target === 'POST /api/sandbox/bulk');
      expect(attempts).toHaveLength(2);
      expect(attempts[0].idempotencyKey).toBeDefined();
      expect(attempts[1].idempotencyKey).toBe(attempts[0].idempotencyKey);

      expect(sandboxes.map((sandbox) => [sandbox.name, sandbox.state])).toEqual(
        expectedNames(prefix('cut'), 2).map((name) => [name, SandboxState.STARTED]),
      );
      const oneRequest = await daytona.list({ labels: { [BULK_REQUEST_LABEL]: sandboxes[0].bulkRequestId! } });
      expect(oneRequest.items.map((sandbox) => sandbox.id).sort()).toEqual(sandboxes.map((sandbox) => sandbox.id).sort());
      expect((await liveSandboxesNamed(daytona, prefix('cut'))).map((sandbox) => sandbox.id).sort()).toEqual(
        sandboxes.map((sandbox) => sandbox.id).sort(),
      );
    } finally {
      await deleteAndWait(sandboxes);
    }
  });

  it('create: the first answer is cut off after the API created the sandbox; the retry answers the same one', async () => {
    proxy = await CuttingProxy.start(process.env.DAYTONA_API_URL!, 'POST /api/sandbox');
    const viaProxy = new Daytona({ apiUrl: proxy.url });

    const sandbox = await viaProxy.create({ name: prefix('one') }, { timeout: 30 });
    try {
      expect(proxy.cuts).toBe(1);
      const attempts = proxy.requests.filter((request) => request.target === 'POST /api/sandbox');
      expect(attempts.map((attempt) => attempt.idempotencyKey)).toEqual([attempts[0].idempotencyKey, attempts[0].idempotencyKey]);
      expect(sandbox.state).toBe(SandboxState.STARTED);
      expect((await liveSandboxesNamed(daytona, prefix('one'))).map((found) => found.id)).toEqual([sandbox.id]);
    } finally {
      await deleteAndWait([sandbox]);
    }
  });
});
