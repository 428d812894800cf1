import {
  DaytonaAuthorizationError,
  DaytonaConflictError,
  DaytonaNotFoundError,
  DaytonaSnapshotStateError,
  DaytonaTimeoutError,
  DaytonaValidationError,
} from './errors.js';
import { errorBody, snapshotDto, useStubApi } from './testing/stub-api.js';

describe('daytona.snapshot', () => {
  const api = useStubApi();

  describe('create', () => {
    it('sends the image reference and resources, then polls the snapshot by id until it is active', async () => {
      const pending = snapshotDto({ name: 'py', imageName: 'registry.example.com/py:3.12', cpu: 2, memory: 4, disk: 8 });
      api.stub.on('POST', '/snapshots', { body: pending });
      api.stub.onSequence('GET', `/snapshots/${pending.id}`, [
        { body: { ...pending, state: 'pulling' } },
        { body: { ...pending, state: 'pulling' } },
        { body: { ...pending, state: 'active', size: 0.12 } },
      ]);
      const logs: string[] = [];

      const snapshot = await api.daytona.snapshot.create(
        { name: 'py', image: 'registry.example.com/py:3.12', resources: { cpu: 2, memory: 4, disk: 8 }, entrypoint: ['sleep', 'infinity'] },
        { onLogs: (line) => logs.push(line), timeout: 30 },
      );

      expect(api.stub.requestsTo('POST', '/snapshots')[0].body).toEqual({
        name: 'py',
        imageName: 'registry.example.com/py:3.12',
        entrypoint: ['sleep', 'infinity'],
        cpu: 2,
        memory: 4,
        disk: 8,
      });
      expect(api.stub.requestsTo('GET', `/snapshots/${pending.id}`)).toHaveLength(3);
      expect(snapshot).toMatchObject({ id: pending.id, name: 'py', state: 'active', size: 0.12, cpu: 2 });
      expect(logs).toEqual(['Creating snapshot py (pending)', 'Creating snapshot py (pulling)', 'Created snapshot py (active)']);
    });

    it('throws DaytonaSnapshotStateError with the registry’s reason when the snapshot ends in error', async () => {
      const pending = snapshotDto({ name: 'nope', imageName: 'registry.example.com/nope:1' });
      const reason = 'error reading manifest 1 in registry.example.com/nope: manifest unknown: manifest unknown';
      api.stub.on('POST', '/snapshots', { body: pending });
      api.stub.on('GET', `/snapshots/${pending.id}`, { body: { ...pending, state: 'error', errorReason: reason } });

      const attempt = api.daytona.snapshot.create({ name: 'nope', image: 'registry.example.com/nope:1' });

      await expect(attempt).rejects.toBeInstanceOf(DaytonaSnapshotStateError);
      await expect(attempt).rejects.toMatchObject({ snapshotName: 'nope', state: 'error', errorReason: reason });
      await expect(attempt).rejects.toThrow(/nope.*registry\.example\.com\/nope:1.*manifest unknown/);
    });

    it('gives up with DaytonaTimeoutError at its timeout while the snapshot stays pending', async () => {
      const pending = snapshotDto({ name: 'stuck' });
      api.stub.on('POST', '/snapshots', { body: pending });
      api.stub.on('GET', `/snapshots/${pending.id}`, { body: pending });
      const started = Date.now();

      const attempt = api.daytona.snapshot.create({ name: 'stuck', image: pending.imageName }, { timeout: 0.6 });

      await expect(attempt).rejects.toBeInstanceOf(DaytonaTimeoutError);
      await expect(attempt).rejects.toThrow(/"stuck" is still pending after 0.6 s/);
      expect(Date.now() - started).toBeGreaterThanOrEqual(550);
      expect(Date.now() - started).toBeLessThan(2_500);
      expect(api.stub.requestsTo('GET', `/snapshots/${pending.id}`).length).toBeGreaterThanOrEqual(1);
    });

    it('maps the server’s refusals onto the error tree, with its code and details', async () => {
      api.stub.onSequence('POST', '/snapshots', [
        { status: 409, body: errorBody(409, 'snapshot_name_conflict', 'A snapshot named "py" already exists', { name: 'py' }) },
        { status: 400, body: errorBody(400, 'unsupported_field', 'gpu: GPUs are not available on this server', { field: 'gpu' }) },
      ]);

      await expect(api.daytona.snapshot.create({ name: 'py', image: 'py:3.12' })).rejects.toMatchObject({
        constructor: DaytonaConflictError,
        statusCode: 409,
        code: 'snapshot_name_conflict',
      });
      const gpu = api.daytona.snapshot.create({ name: 'gpu', image: 'py:3.12', resources: { gpu: 1 } });
      await expect(gpu).rejects.toBeInstanceOf(DaytonaValidationError);
      await expect(gpu).rejects.toMatchObject({ code: 'unsupported_field', details: { field: 'gpu' } });
      expect(api.stub.requestsTo('POST', '/snapshots')[1].body).toMatchObject({ gpu: 1 });
    });

    it('refuses an image that is not a reference before sending anything: this server builds no images', async () => {
      const image = { dockerfile: 'FROM python:3.12' } as unknown as string;
      await expect(api.daytona.snapshot.create({ name: 'built', image })).rejects.toThrow(/no image builder/);
      expect(api.stub.requests).toHaveLength(0);
    });
  });

  describe('get, list and delete', () => {
    it('gets a snapshot by name, and a missing one is DaytonaNotFoundError', async () => {
      const dto = snapshotDto({ name: 'python:3.12', state: 'active' });
      api.stub.on('GET', '/snapshots/python%3A3.12', { body: dto });
      api.stub.on('GET', '/snapshots/gone', { status: 404, body: errorBody(404, 'snapshot_not_found', 'Snapshot "gone" not found') });

      expect(await api.daytona.snapshot.get('python:3.12')).toEqual(dto);
      await expect(api.daytona.snapshot.get('gone')).rejects.toMatchObject({
        constructor: DaytonaNotFoundError,
        code: 'snapshot_not_found',
      });
    });

    it('lists one page, sending page and limit only when given', async () => {
      const items = [snapshotDto({ name: 'a' }), snapshotDto({ name: 'default', general: true, organizationId: null })];
      api.stub.on('GET', '/snapshots', { body: { items, total: 12, page: 2, totalPages: 6 } });

      expect(await api.daytona.snapshot.list(2, 2)).toEqual({ items, total: 12, page: 2, totalPages: 6 });
      await api.daytona.snapshot.list();

      expect(api.stub.requestsTo('GET', '/snapshots').map((request) => request.url)).toEqual([
        '/api/snapshots?page=2&limit=2',
        '/api/snapshots',
      ]);
    });

    it('deletes by the object’s id or by name, and maps in-use and general snapshots to their errors', async () => {
      const dto = snapshotDto({ name: 'mine' });
      api.stub.on('DELETE', `/snapshots/${dto.id}`, { status: 200 });
      api.stub.on('DELETE', '/snapshots/used', {
        status: 409,
        body: errorBody(409, 'snapshot_in_use', 'Snapshot "used" is used by 2 live sandbox(es)', { snapshot: 'used', sandboxes: 2 }),
      });
      api.stub.on('DELETE', '/snapshots/default', {
        status: 403,
        body: errorBody(403, 'general_snapshot_read_only', 'Snapshot "default" is a general snapshot and cannot be deleted'),
      });

      await api.daytona.snapshot.delete(dto);
      await expect(api.daytona.snapshot.delete('used')).rejects.toMatchObject({
        constructor: DaytonaConflictError,
        code: 'snapshot_in_use',
        details: { sandboxes: 2 },
      });
      await expect(api.daytona.snapshot.delete('default')).rejects.toMatchObject({
        constructor: DaytonaAuthorizationError,
        code: 'general_snapshot_read_only',
      });
      expect(api.stub.requestsTo('DELETE', `/snapshots/${dto.id}`)).toHaveLength(1);
    });
  });
});
