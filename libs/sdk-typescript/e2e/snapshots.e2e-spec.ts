// Snapshots against a live stack: images from the stack's own registry, pulled by a real runner,
// and sandboxes that run them.
import {
  Daytona,
  DaytonaConflictError,
  DaytonaNotFoundError,
  DaytonaSnapshotStateError,
  SandboxState,
  type Sandbox,
} from '../src/index.js';
import { deleteLeftovers, testImage, uniquePrefix } from './e2e-support.js';

const daytona = new Daytona();
const run = uniquePrefix('snap');
const alpha = `${run}-alpha`;
const beta = `${run}-beta`;
let sandboxes: Sandbox[] = [];

afterAll(async () => {
  await deleteLeftovers(daytona, run);
  const { items } = await daytona.snapshot.list(1, 1000);
  await Promise.allSettled(items.filter((snapshot) => snapshot.name.startsWith(run)).map((snapshot) => daytona.snapshot.delete(snapshot)));
});

it('create waits until a runner has pulled the image; get and list find the active snapshot', async () => {
  const logs: string[] = [];
  const snapshot = await daytona.snapshot.create(
    { name: alpha, image: testImage('alpha'), resources: { cpu: 1, memory: 1, disk: 1 } },
    { onLogs: (line) => logs.push(line), timeout: 120 },
  );

  expect(snapshot).toMatchObject({ name: alpha, imageName: testImage('alpha'), state: 'active', errorReason: null, general: false, disk: 1 });
  expect(logs[0]).toBe(`Creating snapshot ${alpha} (pending)`);
  expect(logs.at(-1)).toBe(`Created snapshot ${alpha} (active)`);
  expect(await daytona.snapshot.get(alpha)).toMatchObject({ id: snapshot.id, state: 'active' });
  const { items } = await daytona.snapshot.list(1, 1000);
  expect(items.map((listed) => listed.name)).toEqual(expect.arrayContaining(['default', alpha]));
});

it('a bulk create from two snapshots gives each sandbox its own image', async () => {
  await daytona.snapshot.create({ name: beta, image: testImage('beta'), resources: { disk: 1 } }, { timeout: 120 });

  sandboxes = await daytona.bulkCreate(
    [
      { snapshotIdOrName: alpha, count: 2, sandboxNamePrefix: `${run}-a` },
      { snapshotIdOrName: beta, count: 2, sandboxNamePrefix: `${run}-b` },
    ],
    { awaitStarted: true, timeout: 60 },
  );

  expect(sandboxes.map((sandbox) => [sandbox.snapshot, sandbox.state])).toEqual([
    [alpha, SandboxState.STARTED],
    [alpha, SandboxState.STARTED],
    [beta, SandboxState.STARTED],
    [beta, SandboxState.STARTED],
  ]);
  const markers = await Promise.all(sandboxes.map((sandbox) => sandbox.process.executeCommand('cat /marker')));
  expect(markers).toEqual([
    { exitCode: 0, result: 'alpha\n' },
    { exitCode: 0, result: 'alpha\n' },
    { exitCode: 0, result: 'beta\n' },
    { exitCode: 0, result: 'beta\n' },
  ]);
});

it('delete is refused while sandboxes use the snapshot, and works once they are gone', async () => {
  const refused = daytona.snapshot.delete(alpha);
  await expect(refused).rejects.toBeInstanceOf(DaytonaConflictError);
  await expect(refused).rejects.toMatchObject({ code: 'snapshot_in_use', details: { sandboxes: 2 } });

  for (const sandbox of sandboxes) await sandbox.delete();
  expect(sandboxes.map((sandbox) => sandbox.state)).toEqual(Array(4).fill(SandboxState.DESTROYED));
  await daytona.snapshot.delete(alpha);
  await daytona.snapshot.delete(await daytona.snapshot.get(beta));

  await expect(daytona.snapshot.get(alpha)).rejects.toBeInstanceOf(DaytonaNotFoundError);
  await expect(daytona.snapshot.get(beta)).rejects.toMatchObject({ code: 'snapshot_not_found' });
});

it('an image the registry does not have ends in DaytonaSnapshotStateError with the registry’s reason', async () => {
  const name = `${run}-missing`;
  const image = testImage('alpha').replace(/:alpha$/, ':no-such-tag');

  const attempt = daytona.snapshot.create({ name, image }, { timeout: 120 });

  await expect(attempt).rejects.toBeInstanceOf(DaytonaSnapshotStateError);
  await expect(attempt).rejects.toMatchObject({ snapshotName: name, state: 'error', errorReason: expect.stringMatching(/manifest unknown/) });
  // It stays, in error, until deleted.
  expect(await daytona.snapshot.get(name)).toMatchObject({ state: 'error' });
  await daytona.snapshot.delete(name);
});
