import { SandboxState, type Sandbox as SandboxDto } from '@daytonaio/api-client';
import { callApi, type ApiClients } from './api-calls.js';
import { DaytonaSandboxStateError, DaytonaTimeoutError } from './errors.js';
import { Process } from './Process.js';

/** States from which a sandbox will never reach `started`, or `stopped`, on its own. */
const ENDED: ReadonlySet<SandboxState> = new Set([
  SandboxState.ERROR,
  SandboxState.BUILD_FAILED,
  SandboxState.DESTROYING,
  SandboxState.DESTROYED,
]);
const FIRST_POLL_MS = 100;
const MAX_POLL_MS = 2_000;
/** Floor for the last status request of a wait (and for a start or stop request), so it is not cut off before it can answer. */
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
  /** Minutes without activity (toolbox calls) before the server stops it; 0 never. */
  get autoStopInterval(): number {
    return this.dto.autoStopInterval;
  }
  /** Minutes after it stopped before the server destroys it; negative never, 0 at once. */
  get autoDeleteInterval(): number {
    return this.dto.autoDeleteInterval;
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
    await this.waitForState(SandboxState.STARTED, 'start', timeout);
  }

  /**
   * Waits until the sandbox is `stopped`, as `waitUntilStarted` waits for `started`: throws
   * DaytonaSandboxStateError if it ends in `error` or is destroyed, DaytonaTimeoutError after
   * `timeout` seconds (default 60).
   *
   * @example
   * await sandbox.waitUntilStopped(30)
   */
  async waitUntilStopped(timeout: number = DEFAULT_START_TIMEOUT_SECONDS): Promise<void> {
    await this.waitForState(SandboxState.STOPPED, 'stop', timeout);
  }

  /**
   * Starts a stopped sandbox and waits until it is started: the same files, new processes.
   * Starting one that is started or starting only waits. Throws DaytonaConflictError
   * (`sandbox_state_conflict`, `details.state`) for a sandbox that cannot start (destroyed, in
   * error, still stopping), and DaytonaTimeoutError after `timeout` seconds (default 60).
   *
   * @example
   * await sandbox.stop()
   * await sandbox.start(30)
   * console.log(sandbox.state) // 'started'
   */
  async start(timeout: number = DEFAULT_START_TIMEOUT_SECONDS): Promise<void> {
    const deadline = Date.now() + timeout * 1000;
    this.dto = await callApi(
      (options) => this.api.sandbox.startSandbox(this.id, options),
      Math.min(this.api.requestTimeout, Math.max(timeout, MIN_LAST_REQUEST_SECONDS)),
      this.api.retry,
    );
    await this.waitForState(SandboxState.STARTED, 'start', Math.max((deadline - Date.now()) / 1000, 0), timeout);
  }

  /**
   * Stops the sandbox and waits until it is stopped: its processes end, its files (home and
   * everything installed) stay, and it keeps its quota. Stopping one that is stopped or stopping
   * only waits. `force` is accepted for the official SDKs' sake: this server always ends the
   * processes at once.
   *
   * @example
   * await sandbox.stop()
   * console.log(sandbox.state) // 'stopped'
   */
  async stop(timeout: number = DEFAULT_START_TIMEOUT_SECONDS, force = false): Promise<void> {
    const deadline = Date.now() + timeout * 1000;
    this.dto = await callApi(
      (options) => this.api.sandbox.stopSandbox(this.id, force, options),
      Math.min(this.api.requestTimeout, Math.max(timeout, MIN_LAST_REQUEST_SECONDS)),
      this.api.retry,
    );
    await this.waitForState(SandboxState.STOPPED, 'stop', Math.max((deadline - Date.now()) / 1000, 0), timeout);
  }

  /**
   * Sets the minutes without activity (toolbox calls) before the server stops the sandbox; 0
   * never. `autoStopInterval` follows the server's answer.
   *
   * @example
   * await sandbox.setAutostopInterval(60)
   */
  async setAutostopInterval(interval: number): Promise<void> {
    this.dto = await callApi(
      (options) => this.api.sandbox.setAutostopInterval(this.id, interval, options),
      this.api.requestTimeout,
      this.api.retry,
    );
  }

  /**
   * Sets the minutes after a stop before the server destroys the sandbox; negative never, 0 as
   * soon as it stops. `autoDeleteInterval` follows the server's answer.
   *
   * @example
   * await sandbox.setAutoDeleteInterval(0) // gone once stopped
   */
  async setAutoDeleteInterval(interval: number): Promise<void> {
    this.dto = await callApi(
      (options) => this.api.sandbox.setAutoDeleteInterval(this.id, interval, options),
      this.api.requestTimeout,
      this.api.retry,
    );
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

  /** `timeout` is what is left to wait; `reportedTimeout`, what the caller asked for, is what a timeout names. */
  private async waitForState(target: SandboxState, verb: 'start' | 'stop', timeout: number, reportedTimeout = timeout): Promise<void> {
    const deadline = Date.now() + timeout * 1000;
    let pollMs = FIRST_POLL_MS;
    for (;;) {
      if (this.state === target) return;
      if (ENDED.has(this.state)) {
        const reason = this.errorReason ? `: ${this.errorReason}` : '';
        throw new DaytonaSandboxStateError(
          `Sandbox "${this.name}" (${this.id}) is ${this.state} and will not ${verb}${reason}`,
          this.id,
          this.state,
          this.errorReason,
        );
      }
      const remainingMs = deadline - Date.now();
      if (remainingMs <= 0) {
        throw new DaytonaTimeoutError(`Sandbox "${this.name}" (${this.id}) is still ${this.state} after ${reportedTimeout} s`);
      }
      // Jitter keeps many sandboxes waiting at once from polling in lockstep.
      await sleep(Math.min(pollMs * (0.8 + Math.random() * 0.4), remainingMs));
      pollMs = Math.min(pollMs * 2, MAX_POLL_MS);
      const remainingSeconds = (deadline - Date.now()) / 1000;
      await this.refreshWithin(Math.min(this.api.requestTimeout, Math.max(remainingSeconds, MIN_LAST_REQUEST_SECONDS)));
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
