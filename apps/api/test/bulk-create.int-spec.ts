import { OrganizationResourcePermission as P } from '../src/auth/permissions.js';
import {
  createApiKey,
  createOrganization,
  createSnapshot,
  registerRunner,
  seedGeneralDefaults,
} from './support/factories.js';
import { apiClient, expectErrorBody, type ApiClient } from './support/http.js';
import { startTestApi, type TestApi } from './support/test-api.js';

describe('POST /sandbox/bulk', () => {
  let api: TestApi;

  beforeAll(async () => {
    api = await startTestApi({ BULK_MAX_TOTAL_COUNT: '500' });
    await seedGeneralDefaults(api.dataSource);
  });
  afterAll(() => api.close());

  async function newOrgClient(quotas: Record<string, number> = {}): Promise<ApiClient> {
    const organization = await createOrganization(api.dataSource, { totalCpuQuota: 1000, totalMemoryQuota: 1000, totalDiskQuota: 1000, ...quotas });
    return apiClient(api.url, await createApiKey(api.dataSource, organization.id));
  }

  const item = (overrides: Record<string, unknown> = {}) => ({
    snapshotIdOrName: 'default',
    count: 2,
    sandboxNamePrefix: 'batch',
    ...overrides,
  });

  describe('with room for everything', () => {
    let client: ApiClient;
    let runners: string[];

    beforeAll(async () => {
      runners = [
        (await registerRunner(api.url, { cpu: 300, memory: 300, disk: 300 })).id,
        (await registerRunner(api.url, { cpu: 100, memory: 100, disk: 100 })).id,
      ];
      client = await newOrgClient();
    });

    afterEach(async () => {
      await api.dataSource.query(`UPDATE sandbox SET state = 'destroyed'`);
    });

    it('creates every sandbox in item order, then name order, spread over runners by free room', async () => {
      const result = await client.post('/sandbox/bulk', {
        items: [item({ count: 3, sandboxNamePrefix: 'batch-a' }), item({ count: 397, sandboxNamePrefix: 'batch-b' })],
      });
      expect(result.status).toBe(200);
      expect(result.body).toHaveLength(400);
      expect(result.body.slice(0, 4).map((s: { name: string }) => s.name)).toEqual([
        'batch-a-00001',
        'batch-a-00002',
        'batch-a-00003',
        'batch-b-00001',
      ]);
      expect(result.body[399].name).toBe('batch-b-00397');
      expect(result.body[0]).toMatchObject({ snapshot: 'default', state: 'creating', desiredState: 'started', cpu: 1 });
      // Every runner filled exactly to capacity: 300 and 100.
      const perRunner = (id: string) => result.body.filter((s: { runnerId: string }) => s.runnerId === id).length;
      expect([perRunner(runners[0]), perRunner(runners[1])]).toEqual([300, 100]);
      expect(new Set(result.body.map((s: { id: string }) => s.id)).size).toBe(400);
      expect((await client.get('/sandbox?limit=1')).body.total).toBe(400);
    });

    it('answers 503 insufficient_capacity past the runners\' room, creating nothing', async () => {
      const refused = await client.post('/sandbox/bulk', { items: [item({ count: 401 })] });
      expectErrorBody(refused, 503, 'insufficient_capacity');
      expect(refused.body.details).toMatchObject({ requested: 401, available: 400 });
      expect((await client.get('/sandbox')).body.total).toBe(0);
    });

    it('with allowUnder, creates exactly what the runners hold', async () => {
      const result = await client.post('/sandbox/bulk', { items: [item({ count: 450, allowUnder: true, sandboxNamePrefix: 'under' })] });
      expect(result.status).toBe(200);
      expect(result.body).toHaveLength(400);
      expect(result.body[399].name).toBe('under-00400');
    });

    it('refuses names already in use with 409 name_conflict, listing them, creating nothing', async () => {
      expect((await client.post('/sandbox', { name: 'dup-00002' })).status).toBe(200);
      const refused = await client.post('/sandbox/bulk', { items: [item({ count: 3, sandboxNamePrefix: 'dup' })] });
      expectErrorBody(refused, 409, 'name_conflict');
      expect(refused.body.details).toEqual({ names: ['dup-00002'], count: 1 });
      expect((await client.get('/sandbox')).body.total).toBe(1);
    });

    it('resolves a snapshot by id, and an organization\'s own snapshot', async () => {
      const organization = await createOrganization(api.dataSource);
      const own = await createSnapshot(api.dataSource, { organizationId: organization.id, name: 'own', cpu: 2 });
      const ownClient = apiClient(api.url, await createApiKey(api.dataSource, organization.id));
      const result = await ownClient.post('/sandbox/bulk', {
        items: [item({ snapshotIdOrName: own.id, count: 1 }), item({ snapshotIdOrName: 'own', sandboxNamePrefix: 'by-name', count: 1 })],
      });
      expect(result.status).toBe(200);
      expect(result.body.map((s: { snapshot: string; cpu: number }) => [s.snapshot, s.cpu])).toEqual([
        ['own', 2],
        ['own', 2],
      ]);
    });
  });

  describe('input rules: 400 with a code and the field, nothing created', () => {
    let client: ApiClient;

    beforeAll(async () => {
      await registerRunner(api.url, { cpu: 1000, memory: 1000, disk: 1000 });
      client = await newOrgClient();
    });
    afterEach(async () => {
      expect((await client.get('/sandbox')).body.total).toBe(0);
    });

    it.each([
      ['no items', { items: [] }, 'items'],
      ['items missing', {}, 'items'],
      ['101 items', { items: Array.from({ length: 101 }, (_, i) => item({ sandboxNamePrefix: `p${i}`, count: 1 })) }, 'items'],
      ['a count of 0', { items: [item({ count: 0 })] }, 'items.0.count'],
      ['a count of 1.5', { items: [item({ count: 1.5 })] }, 'items.0.count'],
      ['a count of "3"', { items: [item({ count: '3' })] }, 'items.0.count'],
      ['a count of -1', { items: [item({ count: -1 })] }, 'items.0.count'],
      ['no count', { items: [{ snapshotIdOrName: 'default', sandboxNamePrefix: 'x' }] }, 'items.0.count'],
      ['a prefix starting with "-"', { items: [item({ sandboxNamePrefix: '-x' })] }, 'items.0.sandboxNamePrefix'],
      ['a prefix with a space', { items: [item({ sandboxNamePrefix: 'a b' })] }, 'items.0.sandboxNamePrefix'],
      ['an empty prefix', { items: [item({ sandboxNamePrefix: '' })] }, 'items.0.sandboxNamePrefix'],
      ['a 51-character prefix', { items: [item({ sandboxNamePrefix: 'a'.repeat(51) })] }, 'items.0.sandboxNamePrefix'],
      ['an unknown top-level field', { items: [item()], parallel: true }, 'parallel'],
      ['an unknown item field', { items: [item({ cpu: 4 })] }, 'items.0.cpu'],
      ['a non-boolean awaitStarted', { items: [item()], awaitStarted: 'yes' }, 'awaitStarted'],
      ['a non-boolean allowUnder', { items: [item({ allowUnder: 1 })] }, 'items.0.allowUnder'],
    ])('refuses %s', async (_label, body, field) => {
      const result = await client.post('/sandbox/bulk', body);
      expectErrorBody(result, 400, 'validation_failed');
      expect(result.body.details.field).toBe(field);
    });

    it('refuses a total over the configured maximum', async () => {
      const result = await client.post('/sandbox/bulk', {
        items: [item({ count: 300, sandboxNamePrefix: 'a' }), item({ count: 201, sandboxNamePrefix: 'b' })],
      });
      expectErrorBody(result, 400, 'bulk_total_exceeded');
      expect(result.body.details).toEqual({ field: 'items', requested: 501, max: 500 });
    });

    it('refuses the same prefix twice', async () => {
      const result = await client.post('/sandbox/bulk', { items: [item(), item({ snapshotIdOrName: 'default' })] });
      expectErrorBody(result, 400, 'duplicate_name_prefix');
      expect(result.body.details.field).toBe('items.1.sandboxNamePrefix');
    });

    it('refuses unknown, inactive and other organizations\' snapshots', async () => {
      expectErrorBody(await client.post('/sandbox/bulk', { items: [item({ snapshotIdOrName: 'nope' })] }), 404, 'snapshot_not_found');
      await createSnapshot(api.dataSource, { name: 'retired', state: 'inactive' as never });
      expectErrorBody(await client.post('/sandbox/bulk', { items: [item({ snapshotIdOrName: 'retired' })] }), 400, 'snapshot_not_active');
      const other = await createOrganization(api.dataSource);
      const theirs = await createSnapshot(api.dataSource, { organizationId: other.id, name: 'theirs' });
      expectErrorBody(await client.post('/sandbox/bulk', { items: [item({ snapshotIdOrName: theirs.id })] }), 404, 'snapshot_not_found');
      // A later item's bad snapshot fails the whole request, not just that item.
      expectErrorBody(
        await client.post('/sandbox/bulk', { items: [item(), item({ snapshotIdOrName: 'nope', sandboxNamePrefix: 'b' })] }),
        404,
        'snapshot_not_found',
      );
    });
  });

  describe('quota', () => {
    beforeAll(async () => {
      await registerRunner(api.url, { cpu: 1000, memory: 1000, disk: 1000 });
    });

    it('without allowUnder, refuses with 403 quota_exceeded and creates nothing', async () => {
      const client = await newOrgClient({ totalCpuQuota: 7 });
      const refused = await client.post('/sandbox/bulk', {
        items: [item({ count: 5, sandboxNamePrefix: 'a' }), item({ count: 5, sandboxNamePrefix: 'b' })],
      });
      expectErrorBody(refused, 403, 'quota_exceeded');
      expect(refused.body.details).toEqual({ resource: 'cpu', requested: 5, available: 2, limit: 7 });
      expect((await client.get('/sandbox')).body.total).toBe(0);
    });

    it('with allowUnder, creates exactly what the quota allows, item by item', async () => {
      const client = await newOrgClient({ totalCpuQuota: 7 });
      const result = await client.post('/sandbox/bulk', {
        items: [
          item({ count: 5, sandboxNamePrefix: 'a' }),
          item({ count: 5, sandboxNamePrefix: 'b', allowUnder: true }),
          item({ count: 5, sandboxNamePrefix: 'c', allowUnder: true }),
        ],
      });
      expect(result.status).toBe(200);
      expect(result.body.map((s: { name: string }) => s.name)).toEqual([
        'a-00001', 'a-00002', 'a-00003', 'a-00004', 'a-00005', 'b-00001', 'b-00002',
      ]);
    });

    it('counts single creates against the same quota', async () => {
      const client = await newOrgClient({ totalMemoryQuota: 3 });
      expect((await client.post('/sandbox', {})).status).toBe(200);
      const refused = await client.post('/sandbox/bulk', { items: [item({ count: 3 })] });
      expect(refused.body.details).toMatchObject({ resource: 'memory', available: 2 });
    });

    it('never exceeds the quota when 20 bulk requests race, round after round', async () => {
      for (let round = 0; round < 3; round++) {
        const client = await newOrgClient({ totalCpuQuota: 30 });
        const results = await Promise.all(
          Array.from({ length: 20 }, (_, i) => client.post('/sandbox/bulk', { items: [item({ count: 4, sandboxNamePrefix: `r${i}` })] })),
        );
        const accepted = results.filter((r) => r.status === 200);
        expect(results.every((r) => r.status === 200 || r.body.code === 'quota_exceeded')).toBe(true);
        expect(accepted).toHaveLength(7);
        expect(accepted.every((r) => r.body.length === 4)).toBe(true);
        expect((await client.get('/sandbox')).body.total).toBe(28);
      }
    });

    it('leaves no row when the insert fails midway', async () => {
      const client = await newOrgClient();
      await api.dataSource.query(`
        CREATE FUNCTION fail_on_marked_name() RETURNS trigger AS $$
        BEGIN RAISE EXCEPTION 'injected failure'; END $$ LANGUAGE plpgsql;
        CREATE TRIGGER fail_midway BEFORE INSERT ON sandbox FOR EACH ROW
          WHEN (NEW.name = 'midway-00150') EXECUTE FUNCTION fail_on_marked_name();`);
      try {
        const result = await client.post('/sandbox/bulk', { items: [item({ count: 300, sandboxNamePrefix: 'midway' })] });
        expectErrorBody(result, 500, 'internal_error');
        const [{ count }] = await api.dataSource.query(`SELECT count(*)::int AS count FROM sandbox WHERE name LIKE 'midway-%'`);
        expect(count).toBe(0);
      } finally {
        await api.dataSource.query(`DROP TRIGGER fail_midway ON sandbox; DROP FUNCTION fail_on_marked_name();`);
      }
    });
  });

  describe('auth', () => {
    it('needs a key (401) with write:sandboxes (403)', async () => {
      expectErrorBody(await apiClient(api.url).post('/sandbox/bulk', { items: [item()] }), 401, 'unauthenticated');
      const organization = await createOrganization(api.dataSource);
      const readOnly = apiClient(api.url, await createApiKey(api.dataSource, organization.id, [P.READ_SANDBOXES]));
      const denied = await readOnly.post('/sandbox/bulk', { items: [item()] });
      expectErrorBody(denied, 403, 'missing_permission');
    });
  });
});
