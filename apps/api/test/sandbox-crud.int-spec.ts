import { ALL_PERMISSIONS } from '../src/auth/permissions.js';
import { createApiKey, createOrganization, registerRunner, seedGeneralDefaults, type RegisteredRunner } from './support/factories.js';
import { apiClient, expectErrorBody, type ApiClient } from './support/http.js';
import { startTestApi, type TestApi } from './support/test-api.js';

describe('sandbox create, get, list, delete', () => {
  let api: TestApi;
  let client: ApiClient;
  let runner: RegisteredRunner;

  beforeAll(async () => {
    api = await startTestApi();
    await seedGeneralDefaults(api.dataSource);
    const organization = await createOrganization(api.dataSource);
    client = apiClient(api.url, await createApiKey(api.dataSource, organization.id, ALL_PERMISSIONS));
    runner = await registerRunner(api.url, { cpu: 50, memory: 50, disk: 50 });
  });
  afterAll(() => api.close());

  it('serves health without a key', async () => {
    expect(await apiClient(api.url).get('/health')).toEqual({ status: 200, body: { status: 'ok' } });
  });

  it('creates a sandbox from the default snapshot, placed on a runner', async () => {
    const created = await client.post('/sandbox', { name: 'crud-one', env: { FOO: 'bar' }, labels: { team: 'a' } });
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({
      name: 'crud-one',
      snapshot: 'default',
      state: 'creating',
      desiredState: 'started',
      cpu: 1,
      memory: 1,
      disk: 1,
      env: { FOO: 'bar' },
      labels: { team: 'a' },
      errorReason: null,
    });
    expect(created.body.runnerId).toMatch(/^[0-9a-f-]{36}$/);
    expect(new Date(created.body.createdAt).getTime()).toBeGreaterThan(Date.now() - 60_000);

    const byId = await client.get(`/sandbox/${created.body.id}`);
    const byName = await client.get('/sandbox/crud-one');
    expect(byId).toEqual({ status: 200, body: created.body });
    expect(byName.body.id).toBe(created.body.id);
  });

  it('names an unnamed sandbox after its id', async () => {
    const created = await client.post('/sandbox', {});
    expect(created.status).toBe(200);
    expect(created.body.name).toBe(created.body.id);
  });

  it('lists with pagination and filters by state and labels', async () => {
    for (const name of ['page-1', 'page-2', 'page-3']) {
      expect((await client.post('/sandbox', { name, labels: { group: 'paging' } })).status).toBe(200);
    }
    const firstPage = await client.get('/sandbox?labels=' + encodeURIComponent('{"group":"paging"}') + '&limit=2');
    expect(firstPage.status).toBe(200);
    expect(firstPage.body).toMatchObject({ total: 3, page: 1, limit: 2, totalPages: 2 });
    expect(firstPage.body.items).toHaveLength(2);
    const secondPage = await client.get('/sandbox?labels=' + encodeURIComponent('{"group":"paging"}') + '&limit=2&page=2');
    expect(secondPage.body.items).toHaveLength(1);
    const allNames = [...firstPage.body.items, ...secondPage.body.items].map((s: { name: string }) => s.name).sort();
    expect(allNames).toEqual(['page-1', 'page-2', 'page-3']);

    const started = await client.get('/sandbox?states=started');
    expect(started.body.total).toBe(0);
    const creating = await client.get('/sandbox?states=creating&states=started');
    expect(creating.body.total).toBeGreaterThanOrEqual(3);
  });

  it('deletes a sandbox, frees its name and hides it from the default listing', async () => {
    const created = await client.post('/sandbox', { name: 'to-delete', labels: { group: 'delete' } });
    const deleted = await client.delete('/sandbox/to-delete');
    expect(deleted.status).toBe(200);
    // No runner process answers here, so the sandbox waits in `destroying` until its runner
    // reports it gone (real runners: runner-sandboxes.int-spec.ts).
    expect(deleted.body).toMatchObject({ id: created.body.id, state: 'destroying', desiredState: 'destroyed' });
    expectErrorBody(await client.post('/sandbox', { name: 'to-delete' }), 409, 'name_conflict');
    await apiClient(api.url, runner.token).post('/runners/sandbox-states', {
      updates: [{ id: created.body.id, state: 'destroyed' }],
    });

    expectErrorBody(await client.get('/sandbox/to-delete'), 404, 'sandbox_not_found');
    expect((await client.get(`/sandbox/${created.body.id}`)).body.state).toBe('destroyed');
    const listed = await client.get('/sandbox?labels=' + encodeURIComponent('{"group":"delete"}'));
    expect(listed.body.total).toBe(0);
    const listedDestroyed = await client.get(
      '/sandbox?states=destroyed&labels=' + encodeURIComponent('{"group":"delete"}'),
    );
    expect(listedDestroyed.body.total).toBe(1);

    const again = await client.post('/sandbox', { name: 'to-delete' });
    expect(again.status).toBe(200);
    expect(again.body.id).not.toBe(created.body.id);
  });

  it('refuses a name already held by a live sandbox', async () => {
    expect((await client.post('/sandbox', { name: 'taken' })).status).toBe(200);
    const conflict = await client.post('/sandbox', { name: 'taken' });
    expectErrorBody(conflict, 409, 'name_conflict');
    expect(conflict.body.details).toEqual({ names: ['taken'], count: 1 });
  });

  it('answers 404 for an unknown sandbox, by id or by name', async () => {
    expectErrorBody(await client.get('/sandbox/00000000-0000-4000-8000-000000000000'), 404, 'sandbox_not_found');
    expectErrorBody(await client.get('/sandbox/no-such-sandbox'), 404, 'sandbox_not_found');
    expectErrorBody(await client.delete('/sandbox/no-such-sandbox'), 404, 'sandbox_not_found');
  });
});
