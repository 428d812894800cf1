import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createApiKey, createOrganization, registerRunner, seedGeneralDefaults } from './support/factories.js';
import { apiClient, expectErrorBody, type ApiClient } from './support/http.js';
import { startTcpProxy, type TcpProxy } from './support/tcp-proxy.js';
import { createTestDatabase, startTestApi, type TestApi } from './support/test-api.js';

/** The API reaches its database through a proxy the test can cut. */
describe('an unreachable database is 503 database_unavailable, on every operation, until it is back', () => {
  let proxy: TcpProxy;
  let api: TestApi;
  let client: ApiClient;

  beforeAll(async () => {
    const direct = new URL(await createTestDatabase());
    proxy = await startTcpProxy({ host: direct.hostname, port: Number(direct.port) });
    const viaProxy = new URL(direct);
    viaProxy.port = String(proxy.port);
    api = await startTestApi({ RECONCILE_INTERVAL_MS: '600000' }, viaProxy.toString());
    await seedGeneralDefaults(api.dataSource);
    client = apiClient(api.url, await createApiKey(api.dataSource, (await createOrganization(api.dataSource)).id));
    await registerRunner(api.url, { cpu: 10, memory: 10, disk: 10 });
  });
  afterAll(async () => {
    await proxy?.restore().catch(() => undefined);
    await api?.close();
    await proxy?.close();
  });

  const spec = JSON.parse(readFileSync(resolve('apps/api/openapi.json'), 'utf8'));
  const operations = Object.entries(spec.paths).flatMap(([path, item]) =>
    Object.entries(item as Record<string, { operationId: string; requestBody?: { content?: Record<string, unknown> } }>).map(([method, operation]) => ({
      operationId: operation.operationId,
      method: method.toUpperCase(),
      path: path.replace(/\{[^}]+\}/g, 'x'),
      // An upload is multipart, never JSON: it goes without a body (a JSON one is 415 before anything else).
      body: operation.requestBody && !operation.requestBody.content?.['multipart/form-data'] ? {} : undefined,
    })),
  );

  it('answers 503 while the database is gone, and serves again once it is back', async () => {
    expect((await client.get('/sandbox')).status).toBe(200);
    await proxy.cut();
    try {
      for (const operation of operations) {
        const result = await client.request(operation.method, operation.path, operation.body);
        expectErrorBody(result, 503, 'database_unavailable');
        expect(result.body.message).not.toMatch(/127\.0\.0\.1|postgres|ECONN/i);
      }
    } finally {
      await proxy.restore();
    }
    const deadline = Date.now() + 10_000;
    while ((await client.get('/health')).status !== 200) {
      if (Date.now() > deadline) throw new Error('the API did not recover');
      await new Promise((r) => setTimeout(r, 100));
    }
    const created = await client.post('/sandbox', { name: 'after-the-outage' });
    expect(created.status).toBe(200);
    expect((await client.get('/sandbox')).body.items.map((s: { name: string }) => s.name)).toEqual(['after-the-outage']);
  });
});
