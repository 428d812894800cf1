import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApiKey, createOrganization, createSnapshot, registerRunner, seedGeneralDefaults, type RegisteredRunner } from './support/factories.js';
import { apiClient, expectErrorBody, type ApiClient } from './support/http.js';
import { startTestApi, TEST_REGION, type TestApi } from './support/test-api.js';

const ready = (ref: string, sizeBytes = 1024 ** 3) => ({ ref, state: 'ready', digest: 'sha256:' + 'b'.repeat(64), errorReason: null, sizeBytes });
const failed = (ref: string, errorReason: string) => ({ ref, state: 'error', digest: null, errorReason, sizeBytes: null });

/** A runner's HTTP API that records the pulls it is asked for. */
async function listeningRunner() {
  const pulls: string[] = [];
  const server = http.createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      if (request.method === 'POST' && request.url === '/images') {
        const { ref } = JSON.parse(body);
        pulls.push(ref);
        response.writeHead(202, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ ref, state: 'pulling', digest: null, errorReason: null, sizeBytes: null }));
      } else {
        response.writeHead(404).end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { pulls, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise((r) => server.close(r)) };
}

describe('snapshots', () => {
  let api: TestApi;
  let client: ApiClient;
  let organizationId: string;
  let runner: RegisteredRunner;
  let runnerHttp: Awaited<ReturnType<typeof listeningRunner>>;

  beforeAll(async () => {
    api = await startTestApi();
    await seedGeneralDefaults(api.dataSource);
    organizationId = (await createOrganization(api.dataSource)).id;
    client = apiClient(api.url, await createApiKey(api.dataSource, organizationId));
    runnerHttp = await listeningRunner();
    runner = await registerRunner(api.url, { cpu: 50, memory: 50, disk: 50 }, { url: runnerHttp.url });
  });
  afterAll(async () => {
    await api.close();
    await runnerHttp.close();
  });

  const sync = (images: unknown[], who: RegisteredRunner = runner) =>
    apiClient(api.url, who.token).post('/runners/sync', { sandboxes: [], images });

  async function eventually<T>(check: () => Promise<T>, until: (value: T) => boolean): Promise<T> {
    const deadline = Date.now() + 5_000;
    for (;;) {
      const value = await check();
      if (until(value) || Date.now() > deadline) return value;
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  it('creates a snapshot from an image: pending, pulled by the region\'s runners, active once one holds it', async () => {
    const created = await client.post('/snapshots', { name: 'py', imageName: 'registry.example.com/team/python:3.12', cpu: 2, memory: 2, disk: 4 });
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({
      name: 'py',
      imageName: 'registry.example.com/team/python:3.12',
      state: 'pending',
      general: false,
      organizationId,
      cpu: 2,
      mem: 2,
      memory: 2,
      disk: 4,
      gpu: 0,
      errorReason: null,
      size: null,
      entrypoint: null,
      regionIds: [TEST_REGION],
    });
    expect(await eventually(async () => runnerHttp.pulls, (pulls) => pulls.length > 0)).toEqual(['registry.example.com/team/python:3.12']);
    expectErrorBody(await client.post('/sandbox', { snapshot: 'py' }), 400, 'snapshot_not_active');

    await sync([{ ref: 'registry.example.com/team/python:3.12', state: 'pulling', digest: null, errorReason: null, sizeBytes: null }]);
    expect((await client.get('/snapshots/py')).body.state).toBe('pulling');
    await sync([ready('registry.example.com/team/python:3.12', 2 * 1024 ** 3)]);
    expect((await client.get(`/snapshots/${created.body.id}`)).body).toMatchObject({ state: 'active', size: 2 });
    expect((await client.post('/sandbox', { snapshot: 'py' })).body).toMatchObject({ snapshot: 'py', cpu: 2, memory: 2 });
    expect((await client.get('/snapshots/py')).body.lastUsedAt).not.toBeNull();
  });

  it('ends in error with the registry\'s reason when every runner of the region fails to pull', async () => {
    const image = 'registry.example.com/team/missing:1';
    await client.post('/snapshots', { name: 'missing', imageName: image });
    await sync([failed(image, 'manifest unknown: manifest tagged by "1" is not known')]);
    expect((await client.get('/snapshots/missing')).body).toMatchObject({
      state: 'error',
      errorReason: 'manifest unknown: manifest tagged by "1" is not known',
    });
    const refused = await client.post('/sandbox', { snapshot: 'missing' });
    expectErrorBody(refused, 400, 'snapshot_not_active');
    expect(refused.body.message).toContain('manifest unknown');
  });

  it('places no sandbox on a runner that failed to pull the image, while another holds it', async () => {
    const image = 'registry.example.com/team/partial:1';
    const second = await registerRunner(api.url, { cpu: 50, memory: 50, disk: 50 });
    try {
      await client.post('/snapshots', { name: 'partial', imageName: image });
      await sync([failed(image, 'unauthorized: authentication required')]);
      await sync([ready(image)], second);
      expect((await client.get('/snapshots/partial')).body.state).toBe('active');
      const created = await client.post('/sandbox/bulk', { items: [{ snapshotIdOrName: 'partial', count: 6, sandboxNamePrefix: 'partial' }] });
      expect(created.body.map((s: { runnerId: string }) => s.runnerId)).toEqual(Array(6).fill(second.id));
    } finally {
      await api.dataSource.query(`UPDATE runner SET schedulable = false WHERE id = $1`, [second.id]);
    }
  });

  it('asks a runner that lacks them for the images of its region\'s live snapshots', async () => {
    const answer = (await sync([ready('registry.example.com/team/python:3.12')])).body;
    expect(answer.pull).toEqual(expect.arrayContaining(['registry.example.com/team/partial:1']));
    expect(answer.pull).not.toContain('registry.example.com/team/python:3.12');
    expect(answer.pull).not.toContain('registry.example.com/team/missing:1');
  });

  it('refuses what it cannot honour, naming the field, and bad input, creating nothing', async () => {
    const before = (await client.get('/snapshots')).body.total;
    const cases: Array<[object, number, string, string]> = [
      [{ name: 'g', imageName: 'a:1', gpu: 1 }, 400, 'unsupported_field', 'gpu'],
      [{ name: 'g', imageName: 'a:1', gpuType: ['H100'] }, 400, 'unsupported_field', 'gpuType'],
      [{ name: 'g', imageName: 'a:1', sandboxClass: 'linux-vm' }, 400, 'unsupported_field', 'sandboxClass'],
      [{ name: 'g', buildInfo: { dockerfileContent: 'FROM x' } }, 400, 'unsupported_field', 'buildInfo'],
      [{ name: 'g', imageName: 'docker://a:1' }, 400, 'validation_failed', 'imageName'],
      [{ name: 'g', imageName: 'a b' }, 400, 'validation_failed', 'imageName'],
      [{ name: 'bad/name', imageName: 'a:1' }, 400, 'validation_failed', 'name'],
      [{ name: 'g', imageName: 'a:1', cpu: 0 }, 400, 'validation_failed', 'cpu'],
      [{ name: 'g', imageName: 'a:1', regionId: 'nowhere' }, 400, 'unknown_region', 'regionId'],
    ];
    for (const [body, status, code, field] of cases) {
      const answer = await client.post('/snapshots', body);
      expectErrorBody(answer, status, code);
      expect(answer.body.details.field).toBe(field);
    }
    expectErrorBody(await client.post('/snapshots', { name: 'big', imageName: 'a:1', cpu: 64 }), 403, 'sandbox_limit_exceeded');
    expectErrorBody(await client.post('/snapshots', { name: 'py', imageName: 'a:1' }), 409, 'snapshot_name_conflict');
    expect((await client.get('/snapshots')).body.total).toBe(before);
  });

  it('lists general and own snapshots, by name, a page at a time', async () => {
    await createSnapshot(api.dataSource, { organizationId, name: 'mine' });
    const other = await createOrganization(api.dataSource);
    await createSnapshot(api.dataSource, { organizationId: other.id, name: 'theirs' });
    const listed = await client.get('/snapshots');
    expect(listed.status).toBe(200);
    const names = listed.body.items.map((s: { name: string }) => s.name);
    expect(names).toEqual([...names].sort());
    expect(names).toEqual(expect.arrayContaining(['default', 'mine', 'py']));
    expect(names).not.toContain('theirs');
    expect(listed.body.items.find((s: { name: string }) => s.name === 'default')).toMatchObject({ general: true, state: 'active', regions: [TEST_REGION] });
    const pageTwo = (await client.get('/snapshots?page=2&limit=2')).body;
    expect(pageTwo).toMatchObject({ page: 2, total: names.length, totalPages: Math.ceil(names.length / 2) });
    expect(pageTwo.items.map((s: { name: string }) => s.name)).toEqual(names.slice(2, 4));
  });

  it('gets a snapshot by id or by name; the organization\'s own shadows a general one', async () => {
    const general = await createSnapshot(api.dataSource, { name: 'python' });
    const own = await createSnapshot(api.dataSource, { organizationId, name: 'python', cpu: 2 });
    expect((await client.get(`/snapshots/${general.id}`)).body.id).toBe(general.id);
    expect((await client.get('/snapshots/python')).body.id).toBe(own.id);
    const created = await client.post('/sandbox', { snapshot: 'python' });
    expect(created.body).toMatchObject({ snapshot: 'python', cpu: 2 });
    expectErrorBody(await client.get('/snapshots/nope'), 404, 'snapshot_not_found');
  });

  it('refuses to delete a snapshot live sandboxes use, or a general one; deletes it once they are gone', async () => {
    const created = (await client.post('/sandbox', { snapshot: 'py' })).body;
    expectErrorBody(await client.delete('/snapshots/py'), 409, 'snapshot_in_use');
    expectErrorBody(await client.delete('/snapshots/default'), 403, 'general_snapshot_read_only');
    await api.dataSource.query(`UPDATE sandbox SET state = 'destroyed' WHERE snapshot_id = (SELECT snapshot_id FROM sandbox WHERE id = $1)`, [created.id]);
    expect((await client.delete('/snapshots/py')).status).toBe(200);
    expectErrorBody(await client.get('/snapshots/py'), 404, 'snapshot_not_found');
    expectErrorBody(await client.post('/sandbox', { snapshot: 'py' }), 404, 'snapshot_not_found');
    // The name is free again.
    expect((await client.post('/snapshots', { name: 'py', imageName: 'registry.example.com/team/python:3.13' })).status).toBe(200);
  });

  it('refuses a snapshot not available in the organization\'s region', async () => {
    await createSnapshot(api.dataSource, { name: 'elsewhere', regions: ['other-region'] });
    const refused = await client.post('/sandbox', { snapshot: 'elsewhere' });
    expectErrorBody(refused, 400, 'snapshot_not_in_region');
    expect(refused.body.details).toMatchObject({ region: TEST_REGION });
  });
});
