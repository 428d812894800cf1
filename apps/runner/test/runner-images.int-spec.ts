import { randomBytes, randomUUID } from 'node:crypto';
import type { ExecuteCommandResponse, RunnerImageStatus, RunnerSandboxSpec } from '@daytona/runner-contract';
import { FakeControlPlane } from './support/fake-control-plane.js';
import { removeLeftovers } from './support/leftovers.js';
import { closedPort } from './support/ports.js';
import { buildRunner, RunnerProcess } from './support/runner-process.js';
import { sandboxSpec, tempDataDir } from './support/sandbox-fixtures.js';
import { startTestRegistry, type TestRegistry } from './support/test-registry.js';

const RUNNER_TOKEN = randomBytes(32).toString('hex');
const REGISTRATION_TOKEN = 'registration-' + randomUUID();

// The real runner process (dist/apps/runner/main.js) pulling from a real registry, with a stand-in API.
describe('runner process with images', () => {
  let registry: TestRegistry;
  let api: FakeControlPlane;
  let dataDir: Awaited<ReturnType<typeof tempDataDir>>;
  let runner: RunnerProcess | undefined;
  const runnerName = `images-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    buildRunner();
    registry = await startTestRegistry();
  }, 60_000);
  afterAll(() => registry.stop());

  beforeEach(async () => {
    api = new FakeControlPlane(REGISTRATION_TOKEN, RUNNER_TOKEN);
    await api.listen();
    dataDir = await tempDataDir();
  });

  afterEach(async () => {
    if (runner && runner.child.exitCode === null && runner.child.signalCode === null) await runner.kill('SIGTERM');
    await removeLeftovers(runnerName);
    await api.close();
    await dataDir.remove();
  });

  async function startRunner(): Promise<string> {
    const listsBefore = api.assignmentLists;
    runner = new RunnerProcess({
      RUNNER_NAME: runnerName,
      RUNNER_PORT: '0',
      RUNNER_REGISTRATION_TOKEN: REGISTRATION_TOKEN,
      DAYTONA_API_URL: api.apiUrl,
      RUNNER_DATA_DIR: dataDir.dir,
      RUNNER_PROVIDER: 'bwrap',
      RUNNER_REPORT_INTERVAL_MS: '20',
      RUNNER_SYNC_INTERVAL_MS: '100',
      RUNNER_INSECURE_REGISTRIES: registry.host,
    });
    const started = runner;
    await Promise.race([
      api.until(() => api.assignmentLists > listsBefore, 'registration and reconcile'),
      started.exited.then(({ code }) => Promise.reject(new Error(`runner exited with ${code}:\n${started.log}`))),
    ]);
    return api.registrations.at(-1)!.url;
  }

  async function call(url: string, method: string, route: string, body?: unknown) {
    const response = await fetch(`${url}${route}`, {
      method,
      headers: { authorization: `Bearer ${RUNNER_TOKEN}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as unknown };
  }

  /** The image statuses of the latest sync request. */
  const syncedImages = () => new Map((api.syncs.at(-1)?.images ?? []).map((status) => [status.ref, status]));
  const untilSynced = (ref: string, state: RunnerImageStatus['state']) => api.until(() => syncedImages().get(ref)?.state === state, `a sync reporting ${ref} ${state}`);

  it('pulls on POST /images and on the sync answer, and reports every image in its syncs', async () => {
    const url = await startRunner();
    expect(await call(url, 'POST', '/images', { ref: registry.refs.alpha })).toEqual({
      status: 202,
      body: { ref: registry.refs.alpha, state: 'pulling', digest: null, errorReason: null, sizeBytes: null },
    });
    await untilSynced(registry.refs.alpha, 'ready');
    const alpha = syncedImages().get(registry.refs.alpha)!;
    expect(alpha).toEqual({ ref: registry.refs.alpha, state: 'ready', digest: expect.stringMatching(/^sha256:[a-f0-9]{64}$/), errorReason: null, sizeBytes: expect.any(Number), user: 'root' });
    // idempotent: a second request answers the ready status at once and pulls nothing
    const requests = registry.registry.requests().length;
    expect(await call(url, 'POST', '/images', { ref: registry.refs.alpha })).toEqual({ status: 202, body: alpha });
    expect(registry.registry.requests().length).toBe(requests);

    api.syncAnswers.push({ destroy: [], assign: [], report: [], stop: [], start: [], pull: [registry.refs.beta] });
    await untilSynced(registry.refs.beta, 'ready');
    expect([...syncedImages().keys()].sort()).toEqual([registry.refs.alpha, registry.refs.beta].sort());
  }, 60_000);

  it('reports failed pulls with their reasons, fails the sandboxes that needed them, and keeps serving', async () => {
    const url = await startRunner();
    const refused = `127.0.0.1:${await closedPort()}/test/busybox:alpha`;
    // The same registry by another name, not listed as insecure: https is required of it.
    const notInsecure = registry.refs.alpha.replace('127.0.0.1', 'localhost');
    const unknownTag = `${registry.host}/test/busybox:missing`;
    for (const ref of [refused, notInsecure, unknownTag]) expect((await call(url, 'POST', '/images', { ref })).status).toBe(202);
    const sandbox = sandboxSpec({ snapshotRef: unknownTag });
    await call(url, 'POST', '/sandboxes', { sandboxes: [sandbox] });

    await api.until(() => [refused, notInsecure, unknownTag].every((ref) => syncedImages().get(ref)?.state === 'error'), 'every failure in a sync');
    expect(syncedImages().get(refused)?.errorReason).toMatch(/connect: connection refused$/);
    expect(syncedImages().get(notInsecure)?.errorReason).toMatch(/http: server gave HTTP response to HTTPS client$/);
    expect(syncedImages().get(unknownTag)?.errorReason).toMatch(/manifest unknown/);
    await api.until(() => api.statesOf(sandbox.id).includes('error'), 'the sandbox in error');
    expect(api.statesOf(sandbox.id)).toEqual(['pulling_snapshot', 'error']);
    expect(api.updates.find((update) => update.id === sandbox.id && update.state === 'error')?.errorReason).toMatch(
      new RegExp(`^Could not pull image ${unknownTag}: reading manifest missing .*manifest unknown`),
    );
    expect(await call(url, 'GET', '/health')).toMatchObject({ status: 200, body: { status: 'ok' } });
  }, 60_000);

  it('keeps its image cache across a restart: the sandbox starts again without a second pull', async () => {
    let url = await startRunner();
    const spec: RunnerSandboxSpec = sandboxSpec({ snapshotRef: registry.refs.user, name: 'kept' });
    await call(url, 'POST', '/sandboxes', { sandboxes: [spec] });
    await api.until(() => api.statesOf(spec.id).includes('started'), 'the sandbox started', 30_000);
    expect(api.statesOf(spec.id)).toEqual(['pulling_snapshot', 'starting', 'started']);
    const run = async (command: string) => ((await call(url, 'POST', `/sandboxes/${spec.id}/execute`, { command })).body as ExecuteCommandResponse).result;
    expect(await run('id -un; cat /marker; echo kept > file')).toBe('tester\nuser\n');

    expect(await runner!.kill('SIGKILL')).toEqual({ code: null, signal: 'SIGKILL' });
    const requests = registry.registry.requests().length;
    api.assignments = [{ ...spec, desiredState: 'started', state: 'started', recoverable: false }];
    const reportsBefore = api.updates.length;
    const syncsBefore = api.syncs.length;
    url = await startRunner();
    await api.until(() => api.statesOf(spec.id, reportsBefore).includes('started'), 'the sandbox started again', 30_000);

    expect(api.statesOf(spec.id, reportsBefore)).toEqual(['starting', 'started']);
    expect(await run('cat file')).toBe('kept\n');
    await api.until(() => api.syncs.length > syncsBefore, 'a sync');
    expect(api.syncs[syncsBefore].images).toEqual([expect.objectContaining({ ref: registry.refs.user, state: 'ready' })]);
    expect(registry.registry.requests().length).toBe(requests);
  }, 60_000);
});
