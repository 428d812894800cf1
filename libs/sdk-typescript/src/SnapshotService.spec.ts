import type { Snapshot } from '@daytonaio/api-client';
import { randomUUID } from 'node:crypto';
import { DaytonaConflictError, DaytonaError } from './errors.js';
import { errorBody, useStubApi } from './testing/stub-api.js';

function snapshotDto(overrides: Partial<Snapshot> = {}): Snapshot {
  const now = new Date('2026-01-01T00:00:00.000Z').toISOString();
  return {
    id: randomUUID(),
    organizationId: randomUUID(),
    name: 'python',
    imageName: 'registry.example.com/python:3.12',
    general: false,
    state: 'pending',
    errorReason: null,
    size: null,
    entrypoint: null,
    cpu: 1,
    gpu: 0,
    memory: 1,
    mem: 1,
    disk: 3,
    regions: ['local'],
    regionIds: ['local'],
    createdAt: now,
    updatedAt: now,
    lastUsedAt: null,
    ...overrides,
  };
}

describe('daytona.snapshot', () => {
  const api = useStubApi();

  it('create sends the image and resources, then polls until active, reporting each new state once', async () => {
    const pending = snapshotDto({ cpu: 2 });
    api.stub.on('POST', '/snapshots', { status: 201, body: pending });
    api.stub.onSequence('GET', `/snapshots/${pending.id}`, [
      { body: { ...pending, state: 'pulling' } },
      { body: { ...pending, state: 'pulling' } },
      { body: { ...pending, state: 'active' } },
    ]);
    const states: string[] = [];

    const snapshot = await api.daytona.snapshot.create(
      { name: 'python', image: 'registry.example.com/python:3.12', resources: { cpu: 2 } },
      { onState: (seen) => states.push(seen.state) },
    );

    expect(api.stub.requestsTo('POST', '/snapshots')[0].body).toEqual({ name: 'python', imageName: 'registry.example.com/python:3.12', cpu: 2 });
    expect(snapshot.state).toBe('active');
    expect(states).toEqual(['pending', 'pulling', 'active']);
  });

  it("create throws with the registry's reason when the pull fails", async () => {
    const pending = snapshotDto();
    api.stub.on('POST', '/snapshots', { status: 201, body: pending });
    api.stub.on('GET', `/snapshots/${pending.id}`, { body: { ...pending, state: 'error', errorReason: 'manifest unknown' } });
    await expect(api.daytona.snapshot.create({ name: 'python', image: pending.imageName })).rejects.toThrow(/could not be pulled.*manifest unknown/);
  });

  it('create maps a name conflict to DaytonaConflictError with its code', async () => {
    api.stub.on('POST', '/snapshots', { status: 409, body: errorBody(409, 'snapshot_name_conflict', 'A snapshot named "python" already exists') });
    const error = await api.daytona.snapshot.create({ name: 'python', image: 'x' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DaytonaConflictError);
    expect((error as DaytonaError).code).toBe('snapshot_name_conflict');
  });

  it('list asks for the page and answers it; delete goes by name or by the object id', async () => {
    const items = [snapshotDto({ name: 'a' }), snapshotDto({ name: 'b' })];
    api.stub.on('GET', '/snapshots', { body: { items, total: 3, page: 2, totalPages: 2 } });
    api.stub.on('DELETE', '/snapshots/a', { status: 204 });
    api.stub.on('DELETE', `/snapshots/${items[1].id}`, { status: 204 });

    const page = await api.daytona.snapshot.list({ page: 2, limit: 2 });
    await api.daytona.snapshot.delete('a');
    await api.daytona.snapshot.delete(items[1]);

    expect(api.stub.requestsTo('GET', '/snapshots')[0].url).toBe('/api/snapshots?page=2&limit=2');
    expect(page).toEqual({ items, total: 3, page: 2, totalPages: 2 });
    expect(api.stub.requestsTo('DELETE', '/snapshots/a')).toHaveLength(1);
    expect(api.stub.requestsTo('DELETE', `/snapshots/${items[1].id}`)).toHaveLength(1);
  });
});
