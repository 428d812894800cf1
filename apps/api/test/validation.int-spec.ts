import { createApiKey, createOrganization, registerRunner, seedGeneralDefaults } from './support/factories.js';
import { apiClient, expectErrorBody, type ApiClient } from './support/http.js';
import { startTestApi, type TestApi } from './support/test-api.js';

describe('bad input is refused with 400 and creates nothing', () => {
  let api: TestApi;
  let client: ApiClient;

  beforeAll(async () => {
    api = await startTestApi();
    await seedGeneralDefaults(api.dataSource);
    const organization = await createOrganization(api.dataSource);
    client = apiClient(api.url, await createApiKey(api.dataSource, organization.id));
    await registerRunner(api.url, { cpu: 50, memory: 50, disk: 50 });
  });
  afterAll(() => api.close());

  afterEach(async () => {
    expect((await client.get('/sandbox')).body.total).toBe(0);
  });

  it.each([
    ['an unknown field', { snapshot: 'default', gpu: 1 }, 'gpu'],
    ['a number for the snapshot', { snapshot: 7 }, 'snapshot'],
    ['an empty snapshot', { snapshot: '' }, 'snapshot'],
    ['a name with a space', { name: 'has space' }, 'name'],
    ['a name starting with a dash', { name: '-x' }, 'name'],
    ['a name of 64 characters', { name: 'a'.repeat(64) }, 'name'],
    ['a non-string env value', { env: { FOO: 1 } }, 'env'],
    ['an invalid env name', { env: { '1FOO': 'x' } }, 'env'],
    ['labels as an array', { labels: ['a'] }, 'labels'],
    ['env as a string', { env: 'FOO=bar' }, 'env'],
  ])('refuses %s', async (_label, body, field) => {
    const result = await client.post('/sandbox', body);
    expectErrorBody(result, 400, 'validation_failed');
    expect(result.body.details.field).toBe(field);
  });

  it('refuses a JSON array or a bare value as the body', async () => {
    expectErrorBody(await client.post('/sandbox', '[1,2]'), 400, 'validation_failed');
  });

  it('refuses malformed JSON', async () => {
    expectErrorBody(await client.post('/sandbox', '{"name":'), 400, 'invalid_json');
  });

  it('refuses a body over the size limit', async () => {
    expectErrorBody(await client.post('/sandbox', { name: 'x', env: { A: 'x'.repeat(6 * 1024 * 1024) } }), 413, 'payload_too_large');
  });

  it('refuses bad list parameters', async () => {
    expectErrorBody(await client.get('/sandbox?states=sleeping'), 400, 'validation_failed');
    expectErrorBody(await client.get('/sandbox?page=0'), 400, 'validation_failed');
    expectErrorBody(await client.get('/sandbox?limit=1001'), 400, 'validation_failed');
    expectErrorBody(await client.get('/sandbox?limit=abc'), 400, 'validation_failed');
    expectErrorBody(await client.get('/sandbox?labels=notjson'), 400, 'invalid_labels');
    expectErrorBody(await client.get('/sandbox?labels=' + encodeURIComponent('{"a":1}')), 400, 'invalid_labels');
    expectErrorBody(await client.get('/sandbox?unknown=1'), 400, 'validation_failed');
  });

  it('answers an unknown route with 404 in the same error shape', async () => {
    expectErrorBody(await client.get('/no-such-route'), 404, 'route_not_found');
  });

  it('refuses unknown and inactive snapshots', async () => {
    expectErrorBody(await client.post('/sandbox', { snapshot: 'no-such-snapshot' }), 404, 'snapshot_not_found');
    await api.dataSource.query(`UPDATE snapshot SET state = 'inactive' WHERE name = 'default'`);
    try {
      const inactive = await client.post('/sandbox', {});
      expectErrorBody(inactive, 400, 'snapshot_not_active');
      expect(inactive.body.details).toMatchObject({ snapshot: 'default', state: 'inactive' });
    } finally {
      await api.dataSource.query(`UPDATE snapshot SET state = 'active' WHERE name = 'default'`);
    }
  });
});
