import { ApiKeyUsage } from '../src/auth/api-key-usage.js';
import { ALL_PERMISSIONS, OrganizationResourcePermission as P } from '../src/auth/permissions.js';
import { createApiKey, createOrganization } from './support/factories.js';
import { apiClient, expectErrorBody, type ApiClient } from './support/http.js';
import { startTestApi, type TestApi } from './support/test-api.js';

describe('API keys over the API', () => {
  let api: TestApi;
  let admin: ApiClient;
  let organizationId: string;

  beforeAll(async () => {
    api = await startTestApi();
    organizationId = (await createOrganization(api.dataSource)).id;
    admin = apiClient(api.url, await createApiKey(api.dataSource, organizationId, ALL_PERMISSIONS));
  });
  afterAll(() => api.close());

  const inAMinute = () => new Date(Date.now() + 60_000).toISOString();

  it('creates a key shown once, lists keys without any secret, and deletes by name at once', async () => {
    const created = await admin.post('/api-keys', { name: 'ci-runner', permissions: [P.READ_SANDBOXES, P.WRITE_SANDBOXES] });
    expect(created.status).toBe(200);
    expect(created.body).toEqual({
      name: 'ci-runner',
      key: expect.stringMatching(/^dtn_[A-Za-z0-9_-]{43}$/),
      prefix: created.body.key.slice(0, 8),
      permissions: ['read:sandboxes', 'write:sandboxes'],
      createdAt: expect.any(String),
      expiresAt: null,
      lastUsedAt: null,
    });
    const ci = apiClient(api.url, created.body.key);
    expect((await ci.get('/sandbox')).status).toBe(200);
    expectErrorBody(await ci.delete('/sandbox/x'), 403, 'missing_permission');

    const listed = await admin.get('/api-keys');
    expect(listed.status).toBe(200);
    const entry = listed.body.find((key: { name: string }) => key.name === 'ci-runner');
    expect(Object.keys(entry).sort()).toEqual(['createdAt', 'expiresAt', 'lastUsedAt', 'name', 'permissions', 'prefix']);
    expect(JSON.stringify(listed.body)).not.toContain(created.body.key);
    const [{ key_hash: hash }] = await api.dataSource.query(`SELECT key_hash FROM api_key WHERE name = 'ci-runner'`);
    expect(JSON.stringify(listed.body)).not.toContain(hash);

    expectErrorBody(await admin.post('/api-keys', { name: 'ci-runner', permissions: [P.READ_SANDBOXES] }), 409, 'api_key_exists');
    const deleted = await admin.delete('/api-keys/ci-runner');
    expect(deleted.status).toBe(204);
    expectErrorBody(await ci.get('/sandbox'), 401, 'unauthenticated');
    expectErrorBody(await admin.delete('/api-keys/ci-runner'), 404, 'api_key_not_found');
    // Another organization's key of the same name is not ours to see or delete.
    const otherOrganization = await createOrganization(api.dataSource);
    const other = apiClient(api.url, await createApiKey(api.dataSource, otherOrganization.id, ALL_PERMISSIONS));
    expect((await other.post('/api-keys', { name: 'shared-name', permissions: [P.READ_SANDBOXES] })).status).toBe(200);
    expect((await admin.get('/api-keys')).body.map((key: { name: string }) => key.name)).not.toContain('shared-name');
    expectErrorBody(await admin.delete('/api-keys/shared-name'), 404, 'api_key_not_found');
  });

  it('grants only permissions the calling key has, and no later expiry than its own', async () => {
    const limited = await admin.post('/api-keys', { name: 'limited', permissions: [P.READ_SANDBOXES, P.WRITE_API_KEYS] });
    const keyMaker = apiClient(api.url, limited.body.key);
    const escalation = await keyMaker.post('/api-keys', { name: 'escalated', permissions: [P.READ_SANDBOXES, P.DELETE_SANDBOXES] });
    expectErrorBody(escalation, 403, 'permission_not_grantable');
    expect(escalation.body.details).toEqual({ field: 'permissions', permissions: ['delete:sandboxes'] });
    expect((await keyMaker.post('/api-keys', { name: 'narrower', permissions: [P.READ_SANDBOXES] })).status).toBe(200);

    const expiring = await admin.post('/api-keys', { name: 'expiring-maker', permissions: [P.WRITE_API_KEYS], expiresAt: inAMinute() });
    const shortLived = apiClient(api.url, expiring.body.key);
    expectErrorBody(await shortLived.post('/api-keys', { name: 'forever', permissions: [P.WRITE_API_KEYS] }), 403, 'permission_not_grantable');
    const later = new Date(Date.now() + 3_600_000).toISOString();
    expectErrorBody(await shortLived.post('/api-keys', { name: 'later', permissions: [P.WRITE_API_KEYS], expiresAt: later }), 403, 'permission_not_grantable');
    const sooner = new Date(Date.now() + 30_000).toISOString();
    expect((await shortLived.post('/api-keys', { name: 'sooner', permissions: [P.WRITE_API_KEYS], expiresAt: sooner })).status).toBe(200);

    const withoutPermission = apiClient(api.url, (await admin.post('/api-keys', { name: 'reader', permissions: [P.READ_SANDBOXES] })).body.key);
    expectErrorBody(await withoutPermission.get('/api-keys'), 403, 'missing_permission');
    expectErrorBody(await withoutPermission.post('/api-keys', { name: 'x', permissions: [P.READ_SANDBOXES] }), 403, 'missing_permission');
    expectErrorBody(await withoutPermission.delete('/api-keys/limited'), 403, 'missing_permission');
  });

  it('stops a key at its expiry', async () => {
    const expiresAt = new Date(Date.now() + 1_500).toISOString();
    const created = await admin.post('/api-keys', { name: 'brief', permissions: [P.READ_SANDBOXES], expiresAt });
    expect(created.body.expiresAt).toBe(expiresAt);
    const brief = apiClient(api.url, created.body.key);
    expect((await brief.get('/sandbox')).status).toBe(200);
    await new Promise((r) => setTimeout(r, Date.parse(expiresAt) - Date.now() + 100));
    expectErrorBody(await brief.get('/sandbox'), 401, 'unauthenticated');
  });

  it('records lastUsedAt in batches, not with a write per request', async () => {
    const created = await admin.post('/api-keys', { name: 'used', permissions: [P.READ_SANDBOXES] });
    const used = apiClient(api.url, created.body.key);
    const usage = api.app.get(ApiKeyUsage);
    await usage.flush();
    const before = Date.now();
    for (let i = 0; i < 5; i++) expect((await used.get('/sandbox')).status).toBe(200);
    const lastUsed = async () => (await admin.get('/api-keys')).body.find((key: { name: string }) => key.name === 'used').lastUsedAt;
    expect(await lastUsed()).toBeNull();
    await usage.flush();
    const recorded = Date.parse(await lastUsed());
    expect(recorded).toBeGreaterThanOrEqual(before - 1_000);
    expect(recorded).toBeLessThanOrEqual(Date.now());
  });

  it('refuses bad names, permissions and expiries, naming the field', async () => {
    const cases: Array<[object, string]> = [
      [{ name: '-dash', permissions: [P.READ_SANDBOXES] }, 'name'],
      [{ name: 'a'.repeat(64), permissions: [P.READ_SANDBOXES] }, 'name'],
      [{ name: 'ok', permissions: [] }, 'permissions'],
      [{ name: 'ok', permissions: ['root'] }, 'permissions'],
      [{ name: 'ok', permissions: [P.READ_SANDBOXES, P.READ_SANDBOXES] }, 'permissions'],
      [{ name: 'ok', permissions: [P.READ_SANDBOXES], expiresAt: 'tomorrow' }, 'expiresAt'],
      [{ name: 'ok', permissions: [P.READ_SANDBOXES], expiresAt: '2001-01-01T00:00:00Z' }, 'expiresAt'],
      [{ name: 'ok', permissions: [P.READ_SANDBOXES], secret: 'mine' }, 'secret'],
    ];
    for (const [body, field] of cases) {
      const refused = await admin.post('/api-keys', body);
      expectErrorBody(refused, 400, 'validation_failed');
      expect(refused.body.details.field).toBe(field);
    }
    expect((await admin.get('/api-keys')).body.map((key: { name: string }) => key.name)).not.toContain('ok');
  });
});
