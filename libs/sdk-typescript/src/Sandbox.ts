import { SandboxState, type Sandbox as SandboxDto } from '@daytonaio/api-client';
import { callApi, type ApiClients } from './api-calls.js';
import { DaytonaSandboxStateError, DaytonaTimeoutError } from './errors.js';
import { Process } from './Process.js';

/** States from which a sandbox will never reach `started` on its own. */
const NEVER_STARTS: ReadonlySet<SandboxState> = new Set([
  SandboxState.ERROR,
  SandboxState.BUILD_FAILED,
  SandboxState.DESTROYING,
  SandboxState.DESTROYED,
]);
const FIRST_POLL_MS = 100;
const MAX_POLL_MS = 2_000;
/** Floor for the last status request of a wait, so it is not cut off before it can answer. */
const MIN_LAST_REQUEST_SECONDS = 1;
export const DEFAULT_START_TIMEOUT_SECONDS = 60;
/** The label the API puts on every sandbox of a bulk create, the same value for the whole request. */
export const BULK_REQUEST_LABEL = 'daytona.io/bulk-request';

/**
 * One sandbox. Get one from `daytona.create()`, `bulkCreate()`, `get()` or `list()`. Its fields
 * are a snapshot of the server's view, brought up to date by `refresh()` and `waitUntilStarted()`.
 */
export class Sandbox {
  /** Run commands inside the sandbox. */
  readonly process: Process;
  private dto: SandboxDto;

  /** @internal The Daytona client creates Sandbox objects. */
  constructor(
    dto: SandboxDto,
    private readonly api: ApiClients,
  ) {
    this.dto = dto;
    this.process = new Process(dto.id, api);
  }

  get id(): string {
    return this.dto.id;
  }
  get name(): string {
    return this.dto.name;
  }
  get state(): SandboxState {
    return this.dto.state;
  }
  get organizationId(): string {
    return this.dto.organizationId;
  }
  /** Name of the snapshot the sandbox was created from. */
  get snapshot(): string {
    return this.dto.snapshot;
  }
  get region(): string {
    return this.dto.region;
  }
  /** CPU cores. */
  get cpu(): number {
    return this.dto.cpu;
  }
  /** Memory, GiB. */
  get memory(): number {
    return this.dto.memory;
  }
  /** Disk, GiB. */
  get disk(): number {
    return this.dto.disk;
  }
  get env(): Record<string, string> {
    return { ...this.dto.env };
  }
  /** Its labels, including the platform's own (`daytona.io/...`). */
  get labels(): Record<string, string> {
    return { ...this.dto.labels };
  }
  /**
   * The id of the bulk create that made the sandbox (its `daytona.io/bulk-request` label); every
   * sandbox of one request has the same. Undefined for a sandbox from `create`.
   *
   * @example
   * const [first] = await daytona.bulkCreate([{ snapshotIdOrName: 'default', count: 10, sandboxNamePrefix: 'job' }])
   * await daytona.bulkDelete({ labels: { [BULK_REQUEST_LABEL]: first.bulkRequestId! } })
   */
  get bulkRequestId(): string | undefined {
    return this.dto.labels[BULK_REQUEST_LABEL];
  }
  /** Why the sandbox is in `error` or `build_failed`. */
  get errorReason(): string | undefined {
    return this.dto.errorReason ?? undefined;
  }
  get createdAt(): Date {
    return new Date(this.dto.createdAt);
  }
  get updatedAt(): Date {
    return new Date(this.dto.updatedAt);
  }

  /**
   * Re-reads the sandbox from the API.
   *
   * @example
   * await sandbox.refresh()
   * console.log(sandbox.state) // 'started'
   */
  async refresh(): Promise<void> {
    await this.refreshWithin(this.api.requestTimeout);
  }

  /**
   * Waits until the sandbox is `started`, polling with backoff. Throws DaytonaSandboxStateError
   * (with the server's reason) as soon as it ends in `error` or `build_failed` or is destroyed,
   * and DaytonaTimeoutError after `timeout` seconds (default 60).
   *
   * @example
   * const [sandbox] = await daytona.bulkCreate([{ snapshotIdOrName: 'default', count: 1, sandboxNamePrefix: 'job' }])
   * await sandbox.waitUntilStarted(30)
   */
  async waitUntilStarted(timeout: number = DEFAULT_START_TIMEOUT_SECONDS): Promise<void> {
    const deadline = Date.now() + timeout * 1000;
    let pollMs = FIRST_POLL_MS;
    for (;;) {
      if (this.state === SandboxState.STARTED) return;
      if (NEVER_STARTS.has(this.state)) {
        const reason = this.errorReason ? `: ${this.errorReason}` : '';
        throw new DaytonaSandboxStateError(
          `Sandbox "${this.name}" (${this.id}) is ${this.state} and will not start${reason}`,
          this.id,
          this.state,
          this.errorReason,
        );
      }
      const remainingMs = deadline - Date.now();
      if (remainingMs <= 0) {
        throw new DaytonaTimeoutError(`Sandbox "${this.name}" (${this.id}) is still ${this.state} after ${timeout} s`);
      }
      // Jitter keeps many sandboxes waiting at once from polling in lockstep.
      await sleep(Math.min(pollMs * (0.8 + Math.random() * 0.4), remainingMs));
      pollMs = Math.min(pollMs * 2, MAX_POLL_MS);
      const remainingSeconds = (deadline - Date.now()) / 1000;
      await this.refreshWithin(Math.min(this.api.requestTimeout, Math.max(remainingSeconds, MIN_LAST_REQUEST_SECONDS)));
    }
  }

  /**
   * Deletes the sandbox with its processes and files; once it is destroyed its name is free again.
   *
   * @example
   * await sandbox.delete()
   * console.log(sandbox.state) // 'destroyed'
   */
  async delete(): Promise<void> {
    this.dto = await callApi((options) => this.api.sandbox.deleteSandbox(this.id, options), this.api.requestTimeout, this.api.retry);
  }

  /** The sandbox's fields as plain data, for logging. */
  toJSON(): SandboxDto {
    return { ...this.dto };
  }

  private async refreshWithin(timeoutSeconds: number): Promise<void> {
    this.dto = await callApi((options) => this.api.sandbox.getSandbox(this.id, options), timeoutSeconds, this.api.retry);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
