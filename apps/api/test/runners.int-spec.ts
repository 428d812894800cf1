import { createApiKey, createOrganization, registerRunner } from './support/factories.js';
import { apiClient, expectErrorBody } from './support/http.js';
import { RUNNER_REGISTRATION_TOKEN, startTestApi, type TestApi } from './support/test-api.js';

describe('runner registration and heartbeat', () => {
  let api: TestApi;

  beforeAll(async () => {
    api = await startTestApi();
    await createOrganization(api.dataSource);
  });
  afterAll(() => api.close());

  const registration = (overrides: Record<string, unknown> = {}) => ({
    name: 'runner-a',
    url: 'http://127.0.0.1:9',
    region: 'test-region',
    token: 'a'.repeat(40),
    capacity: { cpu: 4, memory: 8, disk: 20 },
    ...overrides,
  });

  it('refuses registration without the registration secret', async () => {
    expectErrorBody(await apiClient(api.url).post('/runners/register', registration()), 401, 'unauthenticated');
    expectErrorBody(await apiClient(api.url, 'wrong-secret-wrong-secret').post('/runners/register', registration()), 401, 'unauthenticated');
  });

  it('refuses an unknown region and a bad capacity', async () => {
    const client = apiClient(api.url, RUNNER_REGISTRATION_TOKEN);
    expectErrorBody(await client.post('/runners/register', registration({ region: 'mars' })), 400, 'unknown_region');
    expectErrorBody(
      await client.post('/runners/register', registration({ capacity: { cpu: -1, memory: 1, disk: 1 } })),
      400,
      'validation_failed',
    );
    expectErrorBody(await client.post('/runners/register', registration({ token: 'short' })), 400, 'validation_failed');
  });

  it('registers idempotently by name and accepts heartbeats with the runner token only', async () => {
    const client = apiClient(api.url, RUNNER_REGISTRATION_TOKEN);
    const first = await client.post('/runners/register', registration());
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ name: 'runner-a', region: 'test-region', state: 'ready' });
    const second = await client.post('/runners/register', registration({ capacity: { cpu: 8, memory: 8, disk: 20 } }));
    expect(second.body.id).toBe(first.body.id);
    const [row] = await api.dataSource.query('SELECT capacity_cpu FROM runner WHERE id = $1', [first.body.id]);
    expect(row.capacity_cpu).toBe(8);

    expect((await apiClient(api.url, 'a'.repeat(40)).post('/runners/heartbeat')).status).toBe(204);
    expectErrorBody(await apiClient(api.url, 'b'.repeat(40)).post('/runners/heartbeat'), 401, 'unauthenticated');
  });

  it('does not accept an organization API key as a runner token', async () => {
    const organization = await createOrganization(api.dataSource);
    const key = await createApiKey(api.dataSource, organization.id);
    expectErrorBody(await apiClient(api.url, key).post('/runners/heartbeat'), 401, 'unauthenticated');
    expectErrorBody(await apiClient(api.url, key).post('/runners/register', registration()), 401, 'unauthenticated');
  });

  it('refuses a token already used by another runner', async () => {
    const { token } = await registerRunner(api.url, { cpu: 1, memory: 1, disk: 1 }, { name: 'runner-b' });
    const client = apiClient(api.url, RUNNER_REGISTRATION_TOKEN);
    expectErrorBody(await client.post('/runners/register', registration({ name: 'runner-c', token })), 409, 'runner_token_in_use');
  });
});
