import { SnapshotState, type Snapshot as SnapshotDto, type CreateSnapshot } from '@daytonaio/api-client';
import { callApi, type ApiClients } from './api-calls.js';
import { DaytonaSnapshotStateError, DaytonaTimeoutError, DaytonaValidationError } from './errors.js';

/**
 * A snapshot as the API describes it: an OCI image (`imageName`) that sandboxes are created
 * from, with the resources each of them gets. `state` is `pending`, `pulling`, `active` (sandboxes
 * can be created from it) or `error` (`errorReason` says why, in the registry's words).
 */
export type Snapshot = SnapshotDto;

/** Resources of every sandbox created from a snapshot. */
export interface Resources {
  /** CPU cores; default 1. */
  cpu?: number;
  /** GPUs: this server has none, so only 0 (anything else is `unsupported_field`). */
  gpu?: number;
  /** Memory, GiB; default 1. */
  memory?: number;
  /** Disk, GiB; default 3. */
  disk?: number;
}

export interface CreateSnapshotParams {
  /** Unique among the organization's snapshots: a letter or digit, then letters, digits, `.`, `_`, `:`, `@`, `-`. */
  name: string;
  /**
   * An image reference every runner of the region can pull, e.g. `registry.example.com/team/image:tag`.
   * This server has no image builder: build and push the image yourself, then name it here.
   */
  image: string;
  resources?: Resources;
  /** The sandbox's main process; by default the image's own entrypoint and command. */
  entrypoint?: string[];
  /** Region to pull the image in; the organization's region by default. */
  regionId?: string;
}

export interface CreateSnapshotOptions {
  /** Called with a line at each state the snapshot is seen in while `create` waits. */
  onLogs?: (chunk: string) => void;
  /** Seconds to wait until the snapshot is active; default 900, longer than a runner's own pull limit (600). */
  timeout?: number;
}

export interface PaginatedSnapshots {
  items: Snapshot[];
  /** Snapshots over all pages. */
  total: number;
  page: number;
  totalPages: number;
}

export const DEFAULT_SNAPSHOT_TIMEOUT_SECONDS = 900;
// A pull takes a few hundred milliseconds at best (the runner resolves, downloads and unpacks),
// so the first look is a little later than a sandbox wait's; the backoff then matches it.
const FIRST_POLL_MS = 250;
const MAX_POLL_MS = 2_000;
/** Floor for each request of the wait, so the last one is not cut off before it can answer. */
const MIN_REQUEST_SECONDS = 1;

/**
 * The organization's snapshots: `daytona.snapshot`. A snapshot is an OCI image that runners pull
 * once; sandboxes are then created from it by name (`create({ snapshot })`, or a bulk item's
 * `snapshotIdOrName`).
 */
export class SnapshotService {
  /** @internal The Daytona client creates the service. */
  constructor(private readonly api: ApiClients) {}

  /**
   * Registers an image as a snapshot and waits until a runner has pulled it (`active`), polling
   * with backoff (250 ms doubling to 2 s). Throws DaytonaSnapshotStateError with the registry's
   * reason if it ends in `error` (the snapshot stays, in `error`, until you delete it), and
   * DaytonaTimeoutError after `options.timeout` seconds (default 900).
   *
   * @example
   * const snapshot = await daytona.snapshot.create(
   *   { name: 'python-3.12', image: 'registry.example.com/team/python:3.12', resources: { cpu: 2, memory: 4 } },
   *   { onLogs: console.log, timeout: 300 },
   * )
   * const sandbox = await daytona.create({ snapshot: snapshot.name })
   */
  async create(params: CreateSnapshotParams, options: CreateSnapshotOptions = {}): Promise<Snapshot> {
    if (typeof params.image !== 'string') {
      throw new DaytonaValidationError(
        'image must be an image reference string: this server has no image builder, so build and push the image, then name it',
        { code: 'validation_failed', details: { field: 'image' } },
      );
    }
    const timeout = options.timeout ?? DEFAULT_SNAPSHOT_TIMEOUT_SECONDS;
    const deadline = Date.now() + timeout * 1000;
    const { cpu, gpu, memory, disk } = params.resources ?? {};
    const body: CreateSnapshot = {
      name: params.name,
      imageName: params.image,
      entrypoint: params.entrypoint,
      regionId: params.regionId,
      cpu,
      gpu,
      memory,
      disk,
    };
    // Not retried: the server takes no Idempotency-Key for snapshots, and a retry after a lost
    // answer would meet its own snapshot as snapshot_name_conflict.
    let snapshot = await callApi(
      (request) => this.api.snapshots.createSnapshot(body, request),
      Math.min(this.api.requestTimeout, Math.max(timeout, MIN_REQUEST_SECONDS)),
    );
    let pollMs = FIRST_POLL_MS;
    let logged: SnapshotState | undefined;
    for (;;) {
      if (snapshot.state === SnapshotState.ACTIVE) {
        options.onLogs?.(`Created snapshot ${snapshot.name} (${snapshot.state})`);
        return snapshot;
      }
      if (snapshot.state !== logged) options.onLogs?.(`Creating snapshot ${snapshot.name} (${snapshot.state})`);
      logged = snapshot.state;
      if (snapshot.state === SnapshotState.ERROR) {
        throw new DaytonaSnapshotStateError(
          `Snapshot "${snapshot.name}" could not be created from ${snapshot.imageName}: ${snapshot.errorReason ?? 'no reason given'}`,
          snapshot.name,
          snapshot.state,
          snapshot.errorReason ?? undefined,
        );
      }
      const remainingMs = deadline - Date.now();
      if (remainingMs <= 0) {
        throw new DaytonaTimeoutError(
          `Snapshot "${snapshot.name}" is still ${snapshot.state} after ${timeout} s; it stays and may still become active: ` +
            'get it later, or delete it',
        );
      }
      // Jitter keeps many waits started at once from polling in lockstep.
      await sleep(Math.min(pollMs * (0.8 + Math.random() * 0.4), remainingMs));
      pollMs = Math.min(pollMs * 2, MAX_POLL_MS);
      const { id } = snapshot;
      const limit = Math.min(this.api.requestTimeout, Math.max((deadline - Date.now()) / 1000, MIN_REQUEST_SECONDS));
      snapshot = await callApi((request) => this.api.snapshots.getSnapshot(id, request), limit, this.api.retry);
    }
  }

  /**
   * Gets a snapshot by name (or id), the organization's own or a general one. Throws
   * DaytonaNotFoundError (`snapshot_not_found`) if there is none.
   *
   * @example
   * const snapshot = await daytona.snapshot.get('python-3.12')
   * console.log(snapshot.state, snapshot.imageName)
   */
  async get(name: string): Promise<Snapshot> {
    return callApi((request) => this.api.snapshots.getSnapshot(name, request), this.api.requestTimeout, this.api.retry);
  }

  /**
   * Lists the organization's snapshots and the general ones, by name, one page at a time.
   *
   * @param page 1-based; default 1
   * @param limit page size, 1-1000; default 100
   * @example
   * const { items, totalPages } = await daytona.snapshot.list(1, 50)
   * for (const snapshot of items) console.log(snapshot.name, snapshot.state)
   */
  async list(page?: number, limit?: number): Promise<PaginatedSnapshots> {
    const answer = await callApi(
      (request) => this.api.snapshots.listSnapshots(page, limit, request),
      this.api.requestTimeout,
      this.api.retry,
    );
    return { items: answer.items, total: answer.total, page: answer.page, totalPages: answer.totalPages };
  }

  /**
   * Deletes one of the organization's snapshots, given as an object or by name (or id); its name is
   * free again. Refused while live sandboxes use it (DaytonaConflictError `snapshot_in_use`:
   * delete them first), and for general snapshots (DaytonaAuthorizationError
   * `general_snapshot_read_only`).
   *
   * @example
   * await daytona.snapshot.delete(snapshot)
   * await daytona.snapshot.delete('python-3.12')
   */
  async delete(snapshot: Snapshot | string): Promise<void> {
    const idOrName = typeof snapshot === 'string' ? snapshot : snapshot.id;
    await callApi((request) => this.api.snapshots.deleteSnapshot(idOrName, request), this.api.requestTimeout, this.api.retry);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
