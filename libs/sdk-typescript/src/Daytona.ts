import type { SandboxState } from '@daytonaio/api-client';
import { randomUUID } from 'node:crypto';
import { callApi, createApiClients, type ApiClients } from './api-calls.js';
import { bulkCreateWithProgress, ProgressCallbackFailed, type BulkCreateProgress } from './bulk-create-stream.js';
import { resolveConfig, type DaytonaConfig } from './config.js';
import { DaytonaConnectionError, DaytonaTimeoutError } from './errors.js';
import type { RetryClock } from './retry-policy.js';
import { DEFAULT_START_TIMEOUT_SECONDS, Sandbox } from './Sandbox.js';
import { SnapshotService } from './SnapshotService.js';

/** One line of a bulk create: `count` sandboxes from one snapshot, named `{prefix}-00001`, ... */
export interface BulkCreateItem {
  snapshotIdOrName: string;
  count: number;
  /** 1-50 characters: a letter or digit, then letters, digits, `.`, `_` or `-`. */
  sandboxNamePrefix: string;
  /** Create as many as quota and runner capacity allow (possibly none) instead of failing. */
  allowUnder?: boolean;
  /** Labels of every sandbox of the item. Keys starting `daytona.io/` are the platform's (`reserved_label`). */
  labels?: Record<string, string>;
  /** Environment variables of every sandbox of the item, seen by each command run in it. */
  env?: Record<string, string>;
}

export interface BulkCreateOptions {
  /** Answer only once every sandbox is started, error or build_failed (or at the server's timeout). */
  awaitStarted?: boolean;
  /**
   * Seconds the client waits for the answer: default 300 with `awaitStarted` (the server's own
   * wait; 30 s are added on top so the server can answer first), 60 without. Retries happen
   * within it.
   */
  timeout?: number;
  /**
   * Makes the request safe to repeat: for 24 h the server answers a repeat with the same key and
   * items with the sandboxes of the first, creating nothing. A fresh UUID per call when left out
   * (the same on each of the SDK's own retries); pass your own to repeat a call yourself.
   */
  idempotencyKey?: string;
  /**
   * With `awaitStarted`: called with each sandbox's state as the server reports it, while the call
   * waits (the server's NDJSON progress stream): first every sandbox's state when the wait begins,
   * then one call per state change. A retry after a dropped connection reports every sandbox again,
   * so keep the latest state per `id` rather than counting calls. An error thrown here ends the
   * call with that error (the sandboxes exist). Ignored without `awaitStarted`.
   */
  onProgress?: (progress: BulkCreateProgress) => void;
}

export interface CreateSandboxParams {
  /** Snapshot id or name; `default` when left out. */
  snapshot?: string;
  /** Unique among the organization's live sandboxes; the sandbox id when left out. */
  name?: string;
  env?: Record<string, string>;
  labels?: Record<string, string>;
}

export interface CreateSandboxOptions {
  /** Seconds to wait until the sandbox is started; default 60. */
  timeout?: number;
  /** `false` answers as soon as the sandbox exists (state `creating`), without waiting; default true. */
  waitUntilStarted?: boolean;
  /** As for bulkCreate: a fresh UUID per call when left out, the same on each retry. */
  idempotencyKey?: string;
}

/**
 * Which sandboxes `bulkDelete` destroys: those matching every selector given. At least one is
 * required (the server refuses an empty selector with `empty_selector`).
 */
export interface BulkDeleteSelector {
  /** Labels a sandbox must all have, e.g. `{ run: 'eval-7' }` or `{ [BULK_REQUEST_LABEL]: id }`. */
  labels?: Record<string, string>;
  /** A prefix of the name, as plain text: `eval-7-` matches `eval-7-00001`, not `eval-70-00001`. */
  namePrefix?: string;
  /** Sandbox ids (at most 10,000). */
  ids?: string[];
}

export interface ListSandboxesParams {
  /** Only sandboxes in these states. Destroyed ones are listed only when asked for. */
  states?: SandboxState[];
  /** Only sandboxes carrying all of these labels. */
  labels?: Record<string, string>;
  /** 1-based; default 1. */
  page?: number;
  /** Page size, 1-1000; default 100. */
  limit?: number;
  /** The previous page's `nextCursor`: the page after it, stable while sandboxes come and go (use instead of `page`). */
  cursor?: string;
  /** Only sandboxes whose name starts with this. */
  name?: string;
  /** Default `createdAt`, newest first. */
  sort?: 'createdAt' | 'updatedAt' | 'lastActivityAt' | 'name' | 'state';
  order?: 'asc' | 'desc';
}

export interface PaginatedSandboxes {
  items: Sandbox[];
  /** Matching sandboxes over all pages. */
  total: number;
  page: number;
  limit: number;
  totalPages: number;
  /** The cursor of the next page; null on the last. */
  nextCursor: string | null;
}

const BULK_AWAIT_DEFAULT_TIMEOUT_SECONDS = 300;
const BULK_AWAIT_MARGIN_SECONDS = 30;
const BULK_DEFAULT_TIMEOUT_SECONDS = 60;
/** Even with a tiny start timeout, the create request itself gets a chance to answer. */
const MIN_CREATE_REQUEST_SECONDS = 1;

/**
 * Client of a Daytona API: creates, finds and deletes sandboxes.
 *
 * @example
 * const daytona = new Daytona() // DAYTONA_API_KEY / DAYTONA_API_URL, or .env.local from `npm start`
 * const sandbox = await daytona.create()
 * console.log((await sandbox.process.executeCommand('uname -a')).result)
 * await sandbox.delete()
 */
export class Daytona {
  /** The organization's snapshots: create (from an image reference), get, list, delete. */
  readonly snapshot: SnapshotService;
  private readonly api: ApiClients;

  /**
   * Settings come from `config`, then the environment (`DAYTONA_API_KEY`, `DAYTONA_API_URL`),
   * then `.env.local` in the current directory or a parent. Throws DaytonaError without a key.
   *
   * @example
   * const daytona = new Daytona({ apiKey: 'dtn_...', apiUrl: 'http://127.0.0.1:3000/api' })
   */
  constructor(config?: DaytonaConfig, /** @internal The SDK's tests replace time and waiting. */ clock?: RetryClock) {
    this.api = createApiClients(resolveConfig(config), clock);
    this.snapshot = new SnapshotService(this.api);
  }

  /**
   * Creates one sandbox and waits until it is started. Throws DaytonaSandboxStateError if it
   * ends in error, DaytonaTimeoutError after `options.timeout` seconds (default 60); in both
   * cases the sandbox exists until you delete it. With `waitUntilStarted: false` it answers as
   * soon as the sandbox exists. The request carries an Idempotency-Key, so the SDK's retries
   * after a dropped connection never create a second sandbox.
   *
   * @example
   * const sandbox = await daytona.create({ name: 'scratch', labels: { team: 'eval' } }, { timeout: 30 })
   * const later = await daytona.create({ name: 'later' }, { waitUntilStarted: false }) // state 'creating'
   */
  async create(params: CreateSandboxParams = {}, options: CreateSandboxOptions = {}): Promise<Sandbox> {
    const timeout = options.timeout ?? DEFAULT_START_TIMEOUT_SECONDS;
    const deadline = Date.now() + timeout * 1000;
    const body = { snapshot: params.snapshot, name: params.name, env: params.env, labels: params.labels };
    const idempotencyKey = options.idempotencyKey ?? randomUUID();
    const dto = await callApi(
      (request) => this.api.sandbox.createSandbox(body, idempotencyKey, request),
      Math.min(this.api.requestTimeout, Math.max(timeout, MIN_CREATE_REQUEST_SECONDS)),
      this.api.retry,
    );
    const sandbox = new Sandbox(dto, this.api);
    if (options.waitUntilStarted === false) return sandbox;
    await sandbox.waitUntilStarted(Math.max((deadline - Date.now()) / 1000, 0));
    return sandbox;
  }

  /**
   * Gets a sandbox by id or name. Throws DaytonaNotFoundError if the organization has none.
   *
   * @example
   * const sandbox = await daytona.get('batch-a-00001')
   */
  async get(idOrName: string): Promise<Sandbox> {
    const dto = await callApi((request) => this.api.sandbox.getSandbox(idOrName, request), this.api.requestTimeout, this.api.retry);
    return new Sandbox(dto, this.api);
  }

  /**
   * Lists the organization's sandboxes, newest first, one page at a time.
   *
   * @example
   * const { items, total } = await daytona.list({ states: [SandboxState.STARTED], labels: { team: 'eval' } })
   */
  async list(params: ListSandboxesParams = {}): Promise<PaginatedSandboxes> {
    const labels = params.labels === undefined ? undefined : JSON.stringify(params.labels);
    const page = await callApi(
      (request) =>
        this.api.sandbox.listSandboxes(
          params.states,
          labels,
          params.page,
          params.limit,
          params.cursor,
          undefined,
          params.name,
          undefined,
          params.sort,
          params.order,
          request,
        ),
      this.api.requestTimeout,
      this.api.retry,
    );
    const items = page.items.map((dto) => new Sandbox(dto, this.api));
    return { items, total: page.total, page: page.page, limit: page.limit, totalPages: page.totalPages, nextCursor: page.nextCursor };
  }

  /**
   * Deletes a sandbox, given as an object or by id or name. (By name, a retry after a dropped
   * answer can meet DaytonaNotFoundError: the first attempt destroyed it and freed the name.)
   *
   * @example
   * await daytona.delete(sandbox)
   * await daytona.delete('batch-a-00002')
   */
  async delete(sandbox: Sandbox | string): Promise<void> {
    if (typeof sandbox !== 'string') return sandbox.delete();
    await callApi((request) => this.api.sandbox.deleteSandbox(sandbox, request), this.api.requestTimeout, this.api.retry);
  }

  /**
   * Starts a stopped sandbox and waits until it is started (see `Sandbox.start`).
   *
   * @example
   * await daytona.start(sandbox, 30)
   */
  async start(sandbox: Sandbox, timeout?: number): Promise<void> {
    await sandbox.start(timeout);
  }

  /**
   * Stops a sandbox and waits until it is stopped; its files stay (see `Sandbox.stop`).
   *
   * @example
   * await daytona.stop(sandbox)
   */
  async stop(sandbox: Sandbox, timeout?: number): Promise<void> {
    await sandbox.stop(timeout);
  }

  /**
   * Destroys every live sandbox matching all the selectors given, and answers how many it marked
   * for destruction. The server marks at most 10,000 per request; this calls it again until
   * nothing more matches, so one call deletes them all. Each sandbox is `destroying` on return
   * and `destroyed` once its runner has removed it. An empty selector is a
   * DaytonaValidationError (`empty_selector`): a bulk delete never means "everything". After a
   * retried request whose first answer was lost, the count leaves out what that request marked.
   *
   * @example
   * const deleted = await daytona.bulkDelete({ labels: { run: 'eval-7' } })
   * await daytona.bulkDelete({ namePrefix: 'eval-7-', ids: [sandbox.id] }) // both must match
   */
  async bulkDelete(selector: BulkDeleteSelector): Promise<number> {
    const body = { labels: selector.labels, namePrefix: selector.namePrefix, ids: selector.ids };
    let total = 0;
    for (;;) {
      const { count, hasMore } = await callApi(
        (request) => this.api.sandbox.bulkDeleteSandboxes(body, request),
        this.api.requestTimeout,
        this.api.retry,
      );
      total += count;
      // A round that marks nothing ends the loop even if the server says more match.
      if (!hasMore || count === 0) return total;
    }
  }

  /**
   * Creates many sandboxes in one call: all or nothing, in item order then name order
   * (`{prefix}-00001`, ...). Without `awaitStarted` it answers at once and the sandboxes start
   * in the background (see `Sandbox.waitUntilStarted`). With `awaitStarted` it answers when every
   * sandbox is started, error or build_failed, or at the server's timeout: check each `state`.
   * With `allowUnder`, an item may create fewer than `count`: compare the sandboxes returned.
   * An item's `labels` and `env` go to each of its sandboxes, and every sandbox of the request
   * carries its id as `bulkRequestId`. The request has an Idempotency-Key, so the SDK's retries
   * after a dropped connection never create twice. With `awaitStarted` and `onProgress`, the
   * server streams each state change as it happens and `onProgress` hears every one.
   *
   * @example
   * const sandboxes = await daytona.bulkCreate(
   *   [{ snapshotIdOrName: 'default', count: 100, sandboxNamePrefix: 'eval-run-7', allowUnder: true, labels: { run: 'eval-7' }, env: { EVAL_RUN: '7' } }],
   *   { awaitStarted: true, timeout: 300 },
   * )
   * console.log(`${sandboxes.length} of 100 created`)
   *
   * const states = new Map<string, SandboxState>()
   * await daytona.bulkCreate([{ snapshotIdOrName: 'default', count: 1000, sandboxNamePrefix: 'eval-run-8' }], {
   *   awaitStarted: true,
   *   onProgress: ({ id, state }) => states.set(id, state),
   * })
   */
  async bulkCreate(items: BulkCreateItem[], options: BulkCreateOptions = {}): Promise<Sandbox[]> {
    const awaitStarted = options.awaitStarted ?? false;
    const timeout = awaitStarted
      ? (options.timeout ?? BULK_AWAIT_DEFAULT_TIMEOUT_SECONDS) + BULK_AWAIT_MARGIN_SECONDS
      : (options.timeout ?? BULK_DEFAULT_TIMEOUT_SECONDS);
    const idempotencyKey = options.idempotencyKey ?? randomUUID();
    const body = { items, awaitStarted };
    const onProgress = awaitStarted ? options.onProgress : undefined;
    try {
      const dtos = await callApi(
        (request) =>
          onProgress
            ? bulkCreateWithProgress(this.api.sandbox, body, idempotencyKey, request, onProgress)
            : this.api.sandbox.bulkCreateSandbox(body, idempotencyKey, request),
        timeout,
        this.api.retry,
      );
      return dtos.map((dto) => new Sandbox(dto, this.api));
    } catch (error) {
      if (error instanceof ProgressCallbackFailed) throw error.callbackError;
      if (!(error instanceof DaytonaTimeoutError || error instanceof DaytonaConnectionError)) throw error;
      const names = items.map((item) => `${item.sandboxNamePrefix}-00001...`).join(', ');
      const ErrorClass = error instanceof DaytonaTimeoutError ? DaytonaTimeoutError : DaytonaConnectionError;
      throw new ErrorClass(
        `${error.message}. The sandboxes may have been created anyway: look them up by name (${names}) and delete them ` +
          `if unwanted, or call bulkCreate again with idempotencyKey "${idempotencyKey}" to get them without creating more`,
      );
    }
  }
}
