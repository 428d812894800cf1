import { SnapshotState, type Snapshot } from '@daytonaio/api-client';
import { callApi, type ApiClients } from './api-calls.js';
import { DaytonaError, DaytonaTimeoutError } from './errors.js';

export type { Snapshot };

export interface CreateSnapshotParams {
  /** Unique among the organization's snapshots. */
  name: string;
  /** An OCI image reference every runner of the region can pull, e.g. `registry.example.com/team/python:3.12`. */
  image: string;
  /** Per sandbox; the server's defaults (1 cpu, 1 GiB memory, 3 GiB disk) when left out. */
  resources?: { cpu?: number; memory?: number; disk?: number };
  /** Replaces the image's entrypoint. */
  entrypoint?: string[];
}

export interface CreateSnapshotOptions {
  /** Seconds to wait until a runner has pulled the image (`active`); default 900. */
  timeout?: number;
  /** Hears the snapshot each time it is seen in a new state (`pending`, `pulling`, `active`, ...). */
  onState?: (snapshot: Snapshot) => void;
}

export interface PaginatedSnapshots {
  items: Snapshot[];
  total: number;
  page: number;
  totalPages: number;
}

const DEFAULT_CREATE_TIMEOUT_SECONDS = 900;
const FIRST_POLL_MS = 250;
const MAX_POLL_MS = 2_000;

/**
 * Snapshots: the OCI images sandboxes are created from, as `daytona.snapshot`.
 *
 * @example
 * const snapshot = await daytona.snapshot.create({ name: 'python-3.12', image: 'registry.example.com/python:3.12' })
 * const sandbox = await daytona.create({ snapshot: snapshot.name })
 */
export class SnapshotService {
  /** @internal Made by `Daytona`. */
  constructor(private readonly api: ApiClients) {}

  /**
   * Registers an image and waits until a runner has pulled it (`active`). Throws DaytonaError
   * with the registry's reason if the pull fails (the snapshot stays, in `error`, until deleted),
   * DaytonaTimeoutError if it is still pulling after `options.timeout` seconds.
   *
   * @example
   * await daytona.snapshot.create({ name: 'big', image: 'ghcr.io/acme/eval:7', resources: { cpu: 4 } }, { onState: (s) => console.log(s.state) })
   */
  async create(params: CreateSnapshotParams, options: CreateSnapshotOptions = {}): Promise<Snapshot> {
    const timeout = options.timeout ?? DEFAULT_CREATE_TIMEOUT_SECONDS;
    const deadline = Date.now() + timeout * 1000;
    const body = { name: params.name, imageName: params.image, entrypoint: params.entrypoint, ...params.resources };
    // Not retried: a repeat after a lost answer would meet the first one's name (409).
    let snapshot = await callApi((request) => this.api.snapshots.createSnapshot(body, request), this.api.requestTimeout);
    let seen: SnapshotState | undefined;
    for (let pollMs = FIRST_POLL_MS; ; pollMs = Math.min(pollMs * 2, MAX_POLL_MS)) {
      if (snapshot.state !== seen) options.onState?.(snapshot);
      seen = snapshot.state;
      if (snapshot.state === SnapshotState.ACTIVE) return snapshot;
      if (snapshot.state === SnapshotState.ERROR) {
        throw new DaytonaError(`Snapshot "${snapshot.name}" could not be pulled from ${snapshot.imageName}: ${snapshot.errorReason ?? 'no reason given'}`);
      }
      if (Date.now() + pollMs > deadline) throw new DaytonaTimeoutError(`Snapshot "${snapshot.name}" is still ${snapshot.state} after ${timeout} s`);
      await new Promise((resolve) => setTimeout(resolve, pollMs));
      snapshot = await this.get(snapshot.id);
    }
  }

  /** A snapshot by id or name, the organization's own or a general one. Throws DaytonaNotFoundError. */
  async get(idOrName: string): Promise<Snapshot> {
    return callApi((request) => this.api.snapshots.getSnapshot(idOrName, request), this.api.requestTimeout, this.api.retry);
  }

  /**
   * One page of the snapshots the organization can use (its own and the general ones).
   *
   * @example
   * const { items, totalPages } = await daytona.snapshot.list({ page: 1, limit: 100 })
   */
  async list(params: { page?: number; limit?: number } = {}): Promise<PaginatedSnapshots> {
    const page = await callApi(
      (request) => this.api.snapshots.listSnapshots(params.page, params.limit, request),
      this.api.requestTimeout,
      this.api.retry,
    );
    return { items: page.items, total: page.total, page: page.page, totalPages: page.totalPages };
  }

  /** Deletes a snapshot, given as an object or by id or name; refused (`snapshot_in_use`) while live sandboxes use it. */
  async delete(snapshot: Snapshot | string): Promise<void> {
    const idOrName = typeof snapshot === 'string' ? snapshot : snapshot.id;
    await callApi((request) => this.api.snapshots.deleteSnapshot(idOrName, request), this.api.requestTimeout, this.api.retry);
  }
}
