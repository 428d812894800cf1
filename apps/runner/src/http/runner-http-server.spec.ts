import path from 'node:path';
import { existsSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { hostProcessesMatching } from '../../test/support/host-processes.js';
import { RecordingStateSink } from '../../test/support/recording-state-sink.js';
import { sandboxSpec, tempDataDir, testBwrapProvider } from '../../test/support/sandbox-fixtures.js';
import { closedPort } from '../../test/support/ports.js';
import { silentLogger } from '../../test/support/silent-logger.js';
import { ImageStore } from '../images/image-store.js';
import type { BwrapProvider } from '../provider/bwrap-provider.js';
import { SandboxManager } from '../sandbox/sandbox-manager.js';
import { createRunnerHttpServer } from './runner-http-server.js';
import { runnerRoutes } from './runner-routes.js';

const TOKEN = 't'.repeat(40);

describe('runner HTTP API', () => {
  let dataDir: Awaited<ReturnType<typeof tempDataDir>>;
  let provider: BwrapProvider;
  let manager: SandboxManager;
  let states: RecordingStateSink;
  let images: ImageStore;
  let unreachable: string;
  let server: http.Server;
  let baseUrl: string;

  const call = async (method: string, path: string, body?: unknown, token: string | null = TOKEN) => {
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), 'content-type': 'application/json' },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  const createStarted = async (overrides = {}) => {
    const spec = sandboxSpec(overrides);
    expect(await call('POST', '/sandboxes', { sandboxes: [spec] })).toEqual({ status: 202, body: { accepted: [spec.id] } });
    await states.waitFor(spec.id, 'started');
    return spec;
  };

  beforeEach(async () => {
    dataDir = await tempDataDir();
    ({ provider } = await testBwrapProvider(dataDir.dir));
    states = new RecordingStateSink();
    const logger = silentLogger;
    // A registry nothing listens on, spoken to over http: pulls fail at once, with its words.
    unreachable = `127.0.0.1:${await closedPort()}`;
    images = await ImageStore.open({
      cacheDir: path.join(dataDir.dir, 'images'),
      idMap: { base: 100_000, size: 65_536 },
      maxBytes: 1024 ** 3,
      insecureRegistries: [unreachable],
      pullTimeoutSeconds: 30,
      logger,
    });
    manager = new SandboxManager(provider, states, { startConcurrency: 4, execDefaultTimeoutSeconds: 30, images }, logger);
    const routes = runnerRoutes({
      manager,
      images,
      health: () => ({ status: 'ok', name: 'test', provider: provider.kind, isolated: provider.isolated, cgroups: provider.cgroups, sandboxes: manager.count }),
    });
    server = createRunnerHttpServer(routes, () => TOKEN, logger);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterEach(async () => {
    for (const { id } of manager.list()) await manager.destroy(id);
    await new Promise((resolve) => server.close(resolve));
    await provider.close();
    await dataDir.remove();
  });

  it('requires the runner token on every route, known or not', async () => {
    for (const [method, path] of [['GET', '/health'], ['GET', '/sandboxes'], ['POST', '/sandboxes/x/execute'], ['GET', '/nope']]) {
      const missing = await call(method, path, undefined, null);
      expect(missing).toEqual({ status: 401, body: { statusCode: 401, code: 'unauthenticated', message: expect.any(String) } });
      expect((await call(method, path, undefined, 'x'.repeat(40))).status).toBe(401);
    }
  });

  it('reports health', async () => {
    expect(await call('GET', '/health')).toEqual({
      status: 200,
      body: { status: 'ok', name: 'test', provider: 'bwrap', isolated: true, cgroups: provider.cgroups, sandboxes: 0 },
    });
  });

  it('answers unknown routes, bad JSON and oversized bodies with error bodies', async () => {
    expect(await call('GET', '/sandboxes/x/y')).toMatchObject({ status: 404, body: { statusCode: 404, code: 'route_not_found' } });
    expect(await call('PUT', '/sandboxes')).toMatchObject({ status: 404, body: { code: 'route_not_found' } });
    expect(await call('POST', '/sandboxes', '{"sandboxes": [')).toMatchObject({ status: 400, body: { statusCode: 400, code: 'invalid_json' } });

    const oversized = await new Promise<{ status?: number; body: string }>((resolve, reject) => {
      const request = http.request(`${baseUrl}/sandboxes`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', 'content-length': 40 * 1024 * 1024 },
      });
      request.on('response', (response) => {
        let body = '';
        response.on('data', (chunk) => (body += chunk));
        response.on('end', () => resolve({ status: response.statusCode, body }));
      });
      request.on('error', reject);
      request.write('{"sandboxes":[');
    });
    expect(oversized.status).toBe(413);
    expect(JSON.parse(oversized.body)).toMatchObject({ statusCode: 413, code: 'payload_too_large' });
    // still serving
    expect((await call('GET', '/health')).status).toBe(200);
  });

  it('validates POST /sandboxes strictly, naming the field, and accepts nothing of a bad request', async () => {
    const good = sandboxSpec();
    const cases: Array<[unknown, string]> = [
      [{}, 'sandboxes'],
      [{ sandboxes: [good, { ...sandboxSpec(), cpu: 0 }] }, 'sandboxes.1.cpu'],
      [{ sandboxes: [{ ...good, id: '../etc' }] }, 'sandboxes.0.id'],
      [{ sandboxes: [{ ...good, name: '' }] }, 'sandboxes.0.name'],
      [{ sandboxes: [{ ...good, env: { 'BAD-NAME': 'x' } }] }, 'sandboxes.0.env'],
      [{ sandboxes: [{ ...good, env: { OK: 1 } }] }, 'sandboxes.0.env.OK'],
      [{ sandboxes: [{ ...good, memory: '1' }] }, 'sandboxes.0.memory'],
    ];
    for (const [body, field] of cases) {
      const response = await call('POST', '/sandboxes', body);
      expect(response).toMatchObject({ status: 400, body: { statusCode: 400, code: 'validation_failed' } });
      expect(response.body.message).toContain(field);
    }
    expect(await call('GET', '/sandboxes')).toEqual({ status: 200, body: { sandboxes: [] } });
    expect(states.updates).toEqual([]);
  });

  it('creates sandboxes asynchronously and idempotently, then lists them', async () => {
    const spec = await createStarted();
    expect(await call('POST', '/sandboxes', { sandboxes: [spec, spec] })).toEqual({ status: 202, body: { accepted: [spec.id] } });
    expect(await call('GET', '/sandboxes')).toEqual({ status: 200, body: { sandboxes: [{ id: spec.id, state: 'started', errorReason: null }] } });
    expect(states.statesOf(spec.id)).toEqual(['starting', 'started']);
  });

  it('executes commands over HTTP and validates their bodies', async () => {
    const spec = await createStarted({ env: { FROM_SPEC: 'spec' } });
    const path = `/sandboxes/${spec.id}/execute`;
    expect(await call('POST', path, { command: 'echo "$FROM_SPEC $X"; pwd', env: { X: 'y' }, cwd: '/tmp', timeout: 10 })).toEqual({
      status: 200,
      body: { exitCode: 0, result: 'spec y\n/tmp\n', truncated: false, timedOut: false },
    });
    const bad: Array<[unknown, string]> = [
      [{}, 'command'],
      [{ command: '' }, 'command'],
      [{ command: 'true', cwd: 3 }, 'cwd'],
      [{ command: 'true', env: { '1X': 'a' } }, 'env'],
      [{ command: 'true', env: { X: true } }, 'env.X'],
      [{ command: 'true', timeout: 0 }, 'timeout'],
      [{ command: 'true', timeout: 3601 }, 'timeout'],
      [{ command: 'true', timeout: 1.5 }, 'timeout'],
      [[], 'body'],
    ];
    for (const [body, field] of bad) {
      const response = await call('POST', path, body);
      expect(response).toMatchObject({ status: 400, body: { code: 'validation_failed' } });
      expect(response.body.message).toContain(field);
    }
  });

  it('answers 404 for unknown sandboxes, 200 destroyed for deleting one', async () => {
    const id = sandboxSpec().id;
    for (const path of [`/sandboxes/${id}/execute`, `/sandboxes/${id}/stop`, `/sandboxes/${id}/start`]) {
      expect(await call('POST', path, { command: 'true' })).toMatchObject({ status: 404, body: { statusCode: 404, code: 'sandbox_not_found' } });
    }
    expect(await call('DELETE', `/sandboxes/${id}`)).toEqual({ status: 200, body: { id, state: 'destroyed' } });
  });

  it('stops and starts a sandbox, refusing commands while it is stopped', async () => {
    const spec = await createStarted();
    await call('POST', `/sandboxes/${spec.id}/execute`, { command: 'echo kept > file' });
    expect(await call('POST', `/sandboxes/${spec.id}/stop`)).toEqual({ status: 200, body: { id: spec.id, state: 'stopped' } });
    expect(await call('POST', `/sandboxes/${spec.id}/execute`, { command: 'true' })).toMatchObject({
      status: 409,
      body: { statusCode: 409, code: 'sandbox_not_started' },
    });
    expect(await call('POST', `/sandboxes/${spec.id}/start`)).toEqual({ status: 200, body: { id: spec.id, state: 'started' } });
    expect((await call('POST', `/sandboxes/${spec.id}/execute`, { command: 'cat file' })).body.result).toBe('kept\n');
    expect(states.statesOf(spec.id)).toEqual(['starting', 'started', 'stopped', 'starting', 'started']);
  });

  it('destroys a sandbox and reports it', async () => {
    const spec = await createStarted();
    expect(await call('DELETE', `/sandboxes/${spec.id}`)).toEqual({ status: 200, body: { id: spec.id, state: 'destroyed' } });
    expect(states.statesOf(spec.id)).toEqual(['starting', 'started', 'destroyed']);
    expect(await call('GET', '/sandboxes')).toEqual({ status: 200, body: { sandboxes: [] } });
    expect(await call('POST', `/sandboxes/${spec.id}/execute`, { command: 'true' })).toMatchObject({ status: 404 });
  });

  it('destroys a batch at once (202), reporting each destroyed, and validates the ids', async () => {
    const specs = [await createStarted(), await createStarted(), await createStarted()];
    await call('POST', `/sandboxes/${specs[0].id}/execute`, { command: '(sleep 303 > /dev/null 2>&1 &)' });
    const unknown = sandboxSpec().id;
    const ids = [...specs.map((spec) => spec.id), specs[0].id, unknown];
    expect(await call('POST', '/sandboxes/destroy', { ids })).toEqual({ status: 202, body: { queued: 4 } });
    for (const spec of specs) await states.waitFor(spec.id, 'destroyed');
    expect(states.statesOf(specs[0].id)).toEqual(['starting', 'started', 'destroyed']);
    expect(states.statesOf(unknown)).toEqual([]);
    expect(await call('GET', '/sandboxes')).toEqual({ status: 200, body: { sandboxes: [] } });
    expect(await hostProcessesMatching('sleep 303')).toEqual([]);
    for (const spec of specs) expect(existsSync(join(dataDir.dir, 'sandboxes', spec.id))).toBe(false);
    expect(await call('POST', '/sandboxes/destroy', { ids: [] })).toMatchObject({ status: 400, body: { code: 'validation_failed' } });
    expect(await call('POST', '/sandboxes/destroy', { ids: ['../etc'] })).toMatchObject({ status: 400, body: { code: 'validation_failed' } });
  });

  it("puts a sandbox whose image cannot be pulled in error, with the registry's words", async () => {
    const spec = sandboxSpec({ snapshotRef: `${unreachable}/nope:1` });
    await call('POST', '/sandboxes', { sandboxes: [spec] });
    const update = await states.waitFor(spec.id, 'error');
    expect(states.statesOf(spec.id)).toEqual(['pulling_snapshot', 'error']);
    expect(update.errorReason).toBe(`Could not pull image ${unreachable}/nope:1: pinging container registry ${unreachable}: Get "http://${unreachable}/v2/": dial tcp ${unreachable}: connect: connection refused`);
    expect((await call('GET', '/sandboxes')).body.sandboxes).toEqual([{ id: spec.id, state: 'error', errorReason: update.errorReason }]);
  });

  it('starts a pull on POST /images and answers at once with its status; refuses what is no image reference', async () => {
    const ref = `${unreachable}/base:2`;
    expect(await call('POST', '/images', { ref })).toEqual({ status: 202, body: { ref, state: 'pulling', digest: null, errorReason: null, sizeBytes: null } });
    expect(await call('POST', '/images', { ref: 'docker://x:1' })).toMatchObject({ status: 400, body: { code: 'validation_failed', message: expect.stringContaining('ref') } });
    await expect(images.ensure(ref)).rejects.toThrow(/connection refused/);
    expect(images.statuses()).toEqual([{ ref, state: 'error', digest: null, errorReason: expect.stringMatching(/^pinging container registry .*connection refused$/), sizeBytes: null }]);
  });
});
