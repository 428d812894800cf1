import { OrganizationResourcePermission as P } from '../src/auth/permissions.js';
import { createApiKey, createOrganization, createSnapshot, registerRunner, seedGeneralDefaults } from './support/factories.js';
import { apiClient, expectErrorBody } from './support/http.js';
import { startTestApi, type TestApi } from './support/test-api.js';

describe('authentication, permissions and organization isolation', () => {
  let api: TestApi;

  beforeAll(async () => {
    api = await startTestApi();
    await seedGeneralDefaults(api.dataSource);
    await registerRunner(api.url, { cpu: 50, memory: 50, disk: 50 });
  });
  afterAll(() => api.close());

  it('rejects a missing, malformed or unknown key with 401', async () => {
    expectErrorBody(await apiClient(api.url).get('/sandbox'), 401, 'unauthenticated');
    expectErrorBody(await apiClient(api.url, 'dtn_not-a-real-key').get('/sandbox'), 401, 'unauthenticated');
    const basic = await fetch(`${api.url}/sandbox`, { headers: { authorization: 'Basic dXNlcjpwYXNz' } });
    expect(basic.status).toBe(401);
    expect(((await basic.json()) as { code: string }).code).toBe('unauthenticated');
  });

  it('rejects an expired key with 401', async () => {
    const organization = await createOrganization(api.dataSource);
    const key = await createApiKey(api.dataSource, organization.id);
    await api.dataSource.query(`UPDATE api_key SET expires_at = now() - interval '1 minute' WHERE organization_id = $1`, [
      organization.id,
    ]);
    expectErrorBody(await apiClient(api.url, key).get('/sandbox'), 401, 'unauthenticated');
  });

  it('rejects a key without the route\'s permission with 403, naming it', async () => {
    const organization = await createOrganization(api.dataSource);
    const readOnly = apiClient(api.url, await createApiKey(api.dataSource, organization.id, [P.READ_SANDBOXES]));
    expect((await readOnly.get('/sandbox')).status).toBe(200);
    const denied = await readOnly.post('/sandbox', {});
    expectErrorBody(denied, 403, 'missing_permission');
    expect(denied.body.details).toEqual({ missing: ['write:sandboxes'] });
    expectErrorBody(await readOnly.delete('/sandbox/anything'), 403, 'missing_permission');
    expectErrorBody(await readOnly.get('/snapshots'), 403, 'missing_permission');
  });

  it('keeps two organizations from seeing each other\'s sandboxes and snapshots', async () => {
    const orgA = await createOrganization(api.dataSource);
    const orgB = await createOrganization(api.dataSource);
    const a = apiClient(api.url, await createApiKey(api.dataSource, orgA.id));
    const b = apiClient(api.url, await createApiKey(api.dataSource, orgB.id));
    const privateSnapshot = await createSnapshot(api.dataSource, { organizationId: orgA.id, name: 'a-private' });

    const sandbox = await a.post('/sandbox', { name: 'shared-name', snapshot: 'a-private' });
    expect(sandbox.status).toBe(200);

    expectErrorBody(await b.get(`/sandbox/${sandbox.body.id}`), 404, 'sandbox_not_found');
    expectErrorBody(await b.get('/sandbox/shared-name'), 404, 'sandbox_not_found');
    expectErrorBody(await b.delete(`/sandbox/${sandbox.body.id}`), 404, 'sandbox_not_found');
    expect((await b.get('/sandbox')).body.total).toBe(0);
    expectErrorBody(await b.post('/sandbox', { snapshot: 'a-private' }), 404, 'snapshot_not_found');
    expectErrorBody(await b.post('/sandbox', { snapshot: privateSnapshot.id }), 404, 'snapshot_not_found');
    expectErrorBody(await b.get(`/snapshots/${privateSnapshot.id}`), 404, 'snapshot_not_found');

    // Names are per organization: B may use the same name.
    expect((await b.post('/sandbox', { name: 'shared-name' })).status).toBe(200);
    expect((await a.get(`/sandbox/${sandbox.body.id}`)).body.state).toBe('creating');
  });
});
