import type { ReportSandboxStatesRequest, ReportSandboxStatesResponse } from '@daytona/runner-contract';
import type { Logger } from '../logging/logger.js';
import type { SandboxStateUpdate, StateSink } from '../sandbox/sandbox-manager.js';
import { ControlPlaneError } from './control-plane-client.js';

/** Sends a batch; throws ControlPlaneError when it did not land. */
export type SendStates = (request: ReportSandboxStatesRequest) => Promise<ReportSandboxStatesResponse | void>;

// One request carries at most this many updates (the API's body limit stays comfortable), and this
// many queued updates are sent at once instead of waiting for the next interval.
export const MAX_BATCH = 1000;
const MAX_RETRY_DELAY_MS = 5_000;

/**
 * Batches sandbox state changes to the API: queued in order, sent every interval (at once when a
 * full batch is waiting), one request in flight at a time, and retried in order when the API is
 * unreachable. The API answers which updates it could not use (logged, and the rest applied); a
 * batch it refuses outright (4xx) is split until the update it refuses is alone, and only that
 * one is dropped: retrying it forever would block every later update.
 */
export class StateReporter implements StateSink {
  private queue: SandboxStateUpdate[] = [];
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | null = null;
  private failures = 0;
  private running = false;

  constructor(
    private readonly send: SendStates,
    private readonly intervalMs: number,
    private readonly logger: Logger,
  ) {}

  get queued(): number {
    return this.queue.length;
  }

  report(update: SandboxStateUpdate): void {
    this.queue.push(update);
    if (this.running) this.schedule();
  }

  /** Starts sending (after registration: the API does not know this runner before). */
  start(): void {
    this.running = true;
    if (this.queue.length > 0) this.schedule();
  }

  /** Stops the timer and tries to deliver what is queued, for at most `deadlineMs`. */
  async stop(deadlineMs: number): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    this.timer = undefined;
    const deadline = Date.now() + deadlineMs;
    while (Date.now() < deadline) {
      await this.inFlight;
      if (this.queue.length === 0) return;
      const failuresBefore = this.failures;
      await Promise.race([this.flush(), new Promise((resolve) => setTimeout(resolve, Math.max(0, deadline - Date.now())).unref())]);
      if (this.failures > failuresBefore) break;
    }
    if (this.queue.length > 0) this.logger.warn(`${this.queue.length} sandbox state update(s) not delivered before shutdown`);
  }

  private schedule(): void {
    if (this.inFlight) return; // the flush in flight schedules the next one
    const full = this.queue.length >= MAX_BATCH && this.failures === 0;
    if (full) {
      clearTimeout(this.timer);
      this.timer = undefined;
      void this.flush();
      return;
    }
    if (this.timer) return;
    const delay = this.failures === 0 ? this.intervalMs : Math.min(this.intervalMs * 2 ** this.failures, MAX_RETRY_DELAY_MS);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, delay);
  }

  private flush(): Promise<void> {
    if (this.inFlight || this.queue.length === 0) return this.inFlight ?? Promise.resolve();
    const batch = this.queue.slice(0, MAX_BATCH);
    this.inFlight = this.deliver(batch)
      .then(
        () => {
          this.queue.splice(0, batch.length);
          this.failures = 0;
        },
        (error: Error) => {
          if (this.failures === 0) this.logger.warn(`Reporting sandbox states failed, will retry in order: ${error.message}`);
          this.failures++;
        },
      )
      .finally(() => {
        this.inFlight = null;
        if (this.running && this.queue.length > 0) this.schedule();
      });
    return this.inFlight;
  }

  /** Resolves once every update of `batch` has landed or been refused on its own. */
  private async deliver(batch: SandboxStateUpdate[]): Promise<void> {
    try {
      const answer = await this.send({ updates: batch });
      for (const { index, reason } of answer?.rejected ?? []) {
        this.logger.error(`The API rejected the state update ${JSON.stringify(batch[index])}: ${reason}`);
      }
    } catch (error) {
      if (!(error instanceof ControlPlaneError && error.refused)) throw error;
      if (batch.length === 1) {
        this.logger.error(`The API refused the state update ${JSON.stringify(batch[0])}, dropped: ${error.message}`);
        return;
      }
      const half = Math.ceil(batch.length / 2);
      await this.deliver(batch.slice(0, half));
      await this.deliver(batch.slice(half));
    }
  }
}
