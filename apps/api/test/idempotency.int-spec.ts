import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { SandboxReconciler } from '../src/sandbox/services/sandbox-reconciler.js';
import { createApiKey, createOrganization, registerRunner, seedGeneralDefaults, type RegisteredRunner } from './support/factories.js';
import { apiClient, expectErrorBody, type ApiClient } from './support/http.js';
import { startTestApi, type TestApi } from './support/test-api.js';

/** Idempotency-Key on POST /sandbox and POST /sandbox/bulk, with a runner played by the test. */
describe('Idempotency-Key on creates', () => {
  let api: TestApi;
  let client: ApiClient;
  let organizationId: string;
  let runner: RegisteredRunner;

  beforeAll(async () => {
    api = await startTestApi({ IDEMPOTENCY_WAIT_SECONDS: '1', BULK_AWAIT_TIMEOUT_SECONDS: '1', RECONCILE_INTERVAL_MS: '600000' });
    await seedGeneralDefaults(api.dataSource);
    organizationId = (await createOrganization(api.dataSource, { totalCpuQuota: 1000, totalMemoryQuota: 1000, totalDiskQuota: 1000 })).id;
    client = apiClient(api.url, await createApiKey(api.dataSource, organizationId));
    runner = await registerRunner(api.url, { cpu: 1000, memory: 1000, disk: 1000 });
  });
  afterAll(() => api.close());

  const newKey = () => `key-${randomBytes(6).toString('hex')}`;
  const withKey = (key: string) => ({ 'Idempotency-Key': key });
  const sandboxCount = async (): Promise<number> =>
    (await api.dataSource.query('SELECT count(*)::int AS n FROM sandbox WHERE organization_id = $1', [organizationId]))[0].n;
  const bulkBody = (prefix: string, count = 3, extra: object = {}) => ({
    items: [{ snapshotIdOrName: 'default', count, sandboxNamePrefix: prefix, labels: { run: prefix } }],
    ...extra,
  });
  const ids = (sandboxes: Array<{ id: string }>) => sandboxes.map((s) => s.id);

  it('answers a repeated bulk with the same sandboxes in their current states, creating nothing', async () => {
    const key = newKey();
    const first = await client.post('/sandbox/bulk', bulkBody('again'), withKey(key));
    expect(first.status).toBe(200);
    const before = await sandboxCount();
    await apiClient(api.url, runner.token).post('/runners/sandbox-states', { updates: [{ id: first.body[0].id, state: 'started' }] });

    const repeat = await client.post('/sandbox/bulk', bulkBody('again'), withKey(key));
    expect(repeat.status).toBe(200);
    expect(ids(repeat.body)).toEqual(ids(first.body));
    expect(repeat.body.map((s: { state: string }) => s.state)).toEqual(['started', 'creating', 'creating']);
    expect(repeat.body[0].labels).toEqual(first.body[0].labels);
    // Key order is not part of the body's meaning.
    const reordered = { items: [{ labels: { run: 'again' }, sandboxNamePrefix: 'again', count: 3, snapshotIdOrName: 'default' }] };
    expect(ids((await client.post('/sandbox/bulk', reordered, withKey(key))).body)).toEqual(ids(first.body));
    expect(await sandboxCount()).toBe(before);
    // Without the key, the same body is a new request (and its names are taken).
    expectErrorBody(await client.post('/sandbox/bulk', bulkBody('again')), 409, 'name_conflict');
  });

  it('creates exactly once when repeats of one key arrive together', async () => {
    const key = newKey();
    const before = await sandboxCount();
    const answers = await Promise.all(Array.from({ length: 16 }, () => client.post('/sandbox/bulk', bulkBody('together', 50), withKey(key))));
    const succeeded = answers.filter((answer) => answer.status === 200);
    // Each repeat waits for the first; one still waiting after IDEMPOTENCY_WAIT_SECONDS would be a 409.
    for (const answer of answers.filter((a) => a.status !== 200)) expectErrorBody(answer, 409, 'idempotency_key_in_progress');
    expect(succeeded.length).toBeGreaterThanOrEqual(2);
    for (const answer of succeeded) expect(ids(answer.body)).toEqual(ids(succeeded[0].body));
    expect(await sandboxCount()).toBe(before + 50);
  });

  it('refuses the key with another body, or for the other operation (422), changing nothing', async () => {
    const key = newKey();
    expect((await client.post('/sandbox/bulk', bulkBody('mismatch'), withKey(key))).status).toBe(200);
    const before = await sandboxCount();
    const other = await client.post('/sandbox/bulk', bulkBody('mismatch', 4), withKey(key));
    expectErrorBody(other, 422, 'idempotency_key_reused');
    expect(other.body.details).toEqual({ field: 'Idempotency-Key' });
    expectErrorBody(await client.post('/sandbox/bulk', bulkBody('mismatch', 3, { awaitStarted: true }), withKey(key)), 422, 'idempotency_key_reused');
    expectErrorBody(await client.post('/sandbox', {}, withKey(key)), 422, 'idempotency_key_reused');
    expect(await sandboxCount()).toBe(before);
  });

  it('keeps the key free when the first request fails, so a retry can succeed', async () => {
    const key = newKey();
    const blocker = (await client.post('/sandbox', { name: 'retried-00002' })).body;
    expectErrorBody(await client.post('/sandbox/bulk', bulkBody('retried'), withKey(key)), 409, 'name_conflict');
    await api.dataSource.query(`UPDATE sandbox SET state = 'destroyed', desired_state = 'destroyed' WHERE id = $1`, [blocker.id]);
    const retry = await client.post('/sandbox/bulk', bulkBody('retried'), withKey(key));
    expect(retry.status).toBe(200);
    expect(retry.body.map((s: { name: string }) => s.name)).toEqual(['retried-00001', 'retried-00002', 'retried-00003']);
  });

  it('answers a repeated single create with the same sandbox', async () => {
    const key = newKey();
    const first = await client.post('/sandbox', { env: { A: '1' } }, withKey(key));
    const repeat = await client.post('/sandbox', { env: { A: '1' } }, withKey(key));
    expect(repeat.status).toBe(200);
    expect(repeat.body.id).toBe(first.body.id);
    expectErrorBody(await client.post('/sandbox', { env: { A: '2' } }, withKey(key)), 422, 'idempotency_key_reused');
  });

  it('waits for a first request still creating, and answers 409 past the wait', async () => {
    const key = newKey();
    const holder = new pg.Client({ connectionString: api.databaseUrl });
    await holder.connect();
    try {
      // The lock a first request holds while it creates.
      await holder.query('BEGIN');
      await holder.query('SELECT pg_advisory_xact_lock(hashtext($1), hashtext($2))', [`idempotency:${organizationId}`, key]);
      const before = await sandboxCount();
      const started = Date.now();
      const refused = await client.post('/sandbox/bulk', bulkBody('busy'), withKey(key));
      expectErrorBody(refused, 409, 'idempotency_key_in_progress');
      expect(Date.now() - started).toBeGreaterThanOrEqual(900);
      expect(await sandboxCount()).toBe(before);

      const waiting = client.post('/sandbox/bulk', bulkBody('busy'), withKey(key));
      await new Promise((r) => setTimeout(r, 300));
      await holder.query('ROLLBACK');
      expect((await waiting).status).toBe(200);
      expect(await sandboxCount()).toBe(before + 3);
    } finally {
      await holder.end();
    }
  });

  it('waits again for the same sandboxes when the repeat asks for awaitStarted', async () => {
    const key = newKey();
    const body = bulkBody('await', 2, { awaitStarted: true });
    const first = await client.post('/sandbox/bulk', body, withKey(key));
    expect(first.body.map((s: { state: string }) => s.state)).toEqual(['creating', 'creating']);
    const repeat = client.post('/sandbox/bulk', body, withKey(key));
    await new Promise((r) => setTimeout(r, 200));
    await apiClient(api.url, runner.token).post('/runners/sandbox-states', { updates: ids(first.body).map((id) => ({ id, state: 'started' })) });
    const answer = await repeat;
    expect(ids(answer.body)).toEqual(ids(first.body));
    expect(answer.body.map((s: { state: string }) => s.state)).toEqual(['started', 'started']);
  });

  it('refuses keys that are not 1-255 printable ASCII, naming the header', async () => {
    for (const bad of ['', 'x'.repeat(256), 'caf\u00e9']) {
      const refused = await client.post('/sandbox/bulk', bulkBody('badkey'), withKey(bad));
      expectErrorBody(refused, 400, 'validation_failed');
      expect(refused.body.details).toEqual({ field: 'Idempotency-Key' });
      expectErrorBody(await client.post('/sandbox', {}, withKey(bad)), 400, 'validation_failed');
    }
    expect((await client.post('/sandbox/bulk', bulkBody('okkey'), withKey('~ A key, with spaces: 1 ~'))).status).toBe(200);
  });

  it('forgets keys after 24 h: the reconciler deletes expired ones, and the key creates anew', async () => {
    const key = newKey();
    const first = await client.post('/sandbox/bulk', bulkBody('expiring', 1), withKey(key));
    await api.dataSource.query(`UPDATE idempotency_key SET expires_at = now() - interval '1 second' WHERE key = $1`, [key]);
    // An expired record no longer answers, even before it is cleaned up.
    const after = await client.post('/sandbox/bulk', bulkBody('expiring2', 1), withKey(key));
    expect(after.status).toBe(200);
    expect(ids(after.body)).not.toEqual(ids(first.body));
    await api.dataSource.query(`UPDATE idempotency_key SET expires_at = now() - interval '1 second' WHERE key = $1`, [key]);
    await api.app.get(SandboxReconciler).reconcileOnce();
    expect(await api.dataSource.query('SELECT key FROM idempotency_key WHERE key = $1', [key])).toEqual([]);
  });
});
