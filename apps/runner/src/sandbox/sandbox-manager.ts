import type {
  ExecuteCommandRequest,
  ExecuteCommandResponse,
  ReportSandboxStatesRequest,
  RunnerDesiredState,
  RunnerHeldState,
  RunnerReportedState,
  RunnerSandboxAssignment,
  RunnerSandboxSpec,
  RunnerSandboxStatus,
  SyncResponse,
} from '@daytona/runner-contract';
import { SANDBOX_ID } from '@daytona/runner-contract';
import { SandboxNotFoundError, SandboxNotStartedError } from '../errors/runner-error.js';
import type { ImageSource, ReadyImage } from '../images/image-store.js';
import type { Logger } from '../logging/logger.js';
import { HOST_SNAPSHOT_REF } from '../provider/host-snapshot.js';
import type { RunningSandbox, SandboxProvider } from '../provider/sandbox-provider.js';
import { ConcurrencyLimiter } from './concurrency-limiter.js';

export type SandboxStateUpdate = ReportSandboxStatesRequest['updates'][number];

/** Where state changes go (the batching reporter in production). */
export interface StateSink {
  report(update: SandboxStateUpdate): void;
}

export interface SandboxManagerOptions {
  startConcurrency: number;
  execDefaultTimeoutSeconds: number;
  /** Where sandboxes' images come from; null when the provider needs none (park, process). */
  images?: ImageSource | null;
}

interface ManagedSandbox {
  spec: RunnerSandboxSpec;
  /** `creating` while queued to start: taken, not begun (nothing to report yet). */
  state: RunnerHeldState;
  errorReason: string | null;
  /** What the last request asked for; queued work re-checks it before acting. */
  desired: RunnerDesiredState;
  running: RunningSandbox | null;
  /** Lifecycle operations on one sandbox run one after another. */
  tail: Promise<void>;
  /** Waiting for its image, outside the start queue. */
  awaitingImage: boolean;
}

// The API keeps at most this much of an error reason.
const MAX_REASON_LENGTH = 2000;
// A destroyed id is refused for this long, so a dispatch that was in flight cannot bring it back.
const TOMBSTONE_TTL_MS = 60 * 60 * 1000;
const MAX_TOMBSTONES = 200_000;

/** The sandboxes this runner owns: their lifecycle, serialized per sandbox, and what gets reported. */
export class SandboxManager {
  private readonly sandboxes = new Map<string, ManagedSandbox>();
  /** Destroyed ids, oldest first, with when they were destroyed. */
  private readonly tombstones = new Map<string, number>();
  private readonly starts: ConcurrencyLimiter;
  /** Destroys asked for by a sync, bounded like starts but never queued behind them. */
  private readonly removals: ConcurrencyLimiter;
  private closing = false;

  constructor(
    private readonly provider: SandboxProvider,
    private readonly states: StateSink,
    private readonly options: SandboxManagerOptions,
    private readonly logger: Logger,
  ) {
    this.starts = new ConcurrencyLimiter(options.startConcurrency);
    this.removals = new ConcurrencyLimiter(options.startConcurrency);
  }

  get count(): number {
    return this.sandboxes.size;
  }

  knows(id: string): boolean {
    return this.sandboxes.has(id);
  }

  list(): RunnerSandboxStatus[] {
    return [...this.sandboxes.values()].map((sandbox) => ({ id: sandbox.spec.id, state: sandbox.state, errorReason: sandbox.errorReason }));
  }

  /**
   * Takes ownership of sandboxes and queues the new ones to start; known ids cost nothing, and
   * ids destroyed recently are refused (left out of the answer).
   */
  create(specs: RunnerSandboxSpec[]): string[] {
    const accepted = new Set<string>();
    for (const spec of specs) {
      if (this.isTombstoned(spec.id)) {
        this.logger.warn(`Refusing to create ${spec.id}: it was destroyed here`);
        continue;
      }
      accepted.add(spec.id);
      if (this.sandboxes.has(spec.id)) continue;
      this.queueStart(this.track(spec, 'started', 'creating'));
    }
    return [...accepted];
  }

  /** What this runner holds right now, for the periodic sync with the API. */
  holdings(): Array<{ id: string; state: RunnerHeldState }> {
    return [...this.sandboxes.values()].filter((sandbox) => sandbox.desired !== 'destroyed').map((sandbox) => ({ id: sandbox.spec.id, state: sandbox.state }));
  }

  /**
   * Acts on the API's answer to a sync: destroys what it no longer wants, stops or starts what
   * it wants the other way, takes over what it assigns here that this runner lacks, and reports
   * again the states it has wrong.
   */
  async applySync({ destroy, assign, report, stop, start }: SyncResponse): Promise<void> {
    for (const id of report) {
      const sandbox = this.sandboxes.get(id);
      if (sandbox && sandbox.state !== 'creating' && !this.closing) this.states.report({ id, state: sandbox.state, errorReason: sandbox.errorReason });
    }
    const known = (id: string) => this.sandboxes.has(id);
    await Promise.all([
      ...destroy.map((id) => this.removals.run(() => this.destroy(id))),
      ...stop.filter(known).map((id) => this.removals.run(() => this.stop(id))),
      ...start.filter(known).map((id) => this.starts.run(() => this.start(id))),
      this.adopt(assign),
    ]);
  }

  async start(id: string): Promise<RunnerHeldState> {
    const sandbox = this.get(id);
    sandbox.desired = 'started';
    await this.serialize(sandbox, () => this.startNow(sandbox));
    return sandbox.state;
  }

  async stop(id: string): Promise<RunnerHeldState> {
    const sandbox = this.get(id);
    sandbox.desired = 'stopped';
    await this.serialize(sandbox, () => this.stopNow(sandbox));
    return sandbox.state;
  }

  /**
   * Queues the destroy of every id (each once), at most `startConcurrency` at a time, and answers
   * at once: each known sandbox is reported `destroyed` when it is gone, and the API's next sync
   * completes those this runner did not hold.
   */
  destroyMany(ids: readonly string[]): number {
    const unique = [...new Set(ids)];
    for (const id of unique) this.removals.run(() => this.destroy(id)).catch(() => undefined); // logged by serialize
    return unique.length;
  }

  /** Resolves once no process, cgroup or file of the sandbox is left; unknown ids are already gone. */
  async destroy(id: string): Promise<void> {
    this.tombstone(id);
    const sandbox = this.sandboxes.get(id);
    if (!sandbox) {
      // Not ours (or not yet re-adopted after a restart): still make sure nothing is left on disk.
      if (SANDBOX_ID.test(id)) await this.provider.removeTraces(id);
      return;
    }
    sandbox.desired = 'destroyed';
    await this.serialize(sandbox, async () => {
      await this.stopProcesses(sandbox);
      await this.provider.removeTraces(id);
      this.setState(sandbox, 'destroyed');
      if (sandbox.desired === 'destroyed') this.sandboxes.delete(id);
    });
  }

  async execute(id: string, request: ExecuteCommandRequest): Promise<ExecuteCommandResponse> {
    const sandbox = this.get(id);
    if (sandbox.state !== 'started' || !sandbox.running) throw new SandboxNotStartedError(id, sandbox.state);
    return sandbox.running.execute({
      command: request.command,
      cwd: request.cwd,
      env: request.env ?? {},
      timeoutSeconds: request.timeout ?? this.options.execDefaultTimeoutSeconds,
    });
  }

  /**
   * Takes over what the API says this runner holds, after a restart: nothing runs yet, so
   * `started` ones are started again, `stopped` ones stay down and `destroyed` ones are deleted.
   * Sandboxes already created over HTTP since this process started are left alone.
   */
  async adopt(assignments: RunnerSandboxAssignment[]): Promise<void> {
    const removals: Array<Promise<void>> = [];
    for (const { desiredState, state, recoverable, ...spec } of assignments) {
      if (this.sandboxes.has(spec.id) || this.isTombstoned(spec.id)) continue;
      if (!SANDBOX_ID.test(spec.id)) {
        this.logger.warn(`Ignoring assigned sandbox with unusable id ${JSON.stringify(spec.id)}`);
        continue;
      }
      if (desiredState === 'destroyed') {
        removals.push(this.starts.run(() => this.provider.removeTraces(spec.id)).then(() => this.states.report({ id: spec.id, state: 'destroyed' })));
        continue;
      }
      if (state === 'error' && !recoverable) {
        // Left as the API knows it (so not reported): files kept for inspection, not started.
        this.track(spec, desiredState, 'error', false).errorReason = 'The sandbox was in error before the runner restarted';
      } else if (desiredState === 'stopped') {
        this.track(spec, desiredState, 'stopped');
      } else {
        // One that ran before is restarting (the API hears so at once); a new one is only queued.
        this.queueStart(this.track(spec, desiredState, state === 'creating' ? 'creating' : 'starting'));
      }
    }
    await Promise.all(removals);
  }

  /** Kills every sandbox's processes without reporting: the next start re-creates them from the API's list. */
  async shutdown(): Promise<void> {
    this.closing = true;
    await Promise.all([...this.sandboxes.values()].map((sandbox) => this.serialize(sandbox, () => this.stopProcesses(sandbox))));
  }

  private track(spec: RunnerSandboxSpec, desired: RunnerDesiredState, state: RunnerHeldState, report = true): ManagedSandbox {
    const sandbox: ManagedSandbox = { spec, state, errorReason: null, desired, running: null, tail: Promise.resolve(), awaitingImage: false };
    this.sandboxes.set(spec.id, sandbox);
    if (report && state !== 'creating' && !this.closing) this.states.report({ id: spec.id, state, errorReason: null });
    return sandbox;
  }

  private tombstone(id: string): void {
    this.tombstones.delete(id);
    this.tombstones.set(id, Date.now());
    const expired = Date.now() - TOMBSTONE_TTL_MS;
    for (const [oldest, at] of this.tombstones) {
      if (at > expired && this.tombstones.size <= MAX_TOMBSTONES) break;
      this.tombstones.delete(oldest);
    }
  }

  private isTombstoned(id: string): boolean {
    const at = this.tombstones.get(id);
    return at !== undefined && at > Date.now() - TOMBSTONE_TTL_MS;
  }

  private get(id: string): ManagedSandbox {
    const sandbox = this.sandboxes.get(id);
    if (!sandbox || sandbox.desired === 'destroyed') throw new SandboxNotFoundError(id);
    return sandbox;
  }

  private queueStart(sandbox: ManagedSandbox): void {
    this.starts.run(() => this.serialize(sandbox, () => this.startNow(sandbox))).catch(() => undefined); // logged by serialize
  }

  private async startNow(sandbox: ManagedSandbox): Promise<void> {
    if (this.closing || sandbox.desired !== 'started' || sandbox.running) return;
    let image: ReadyImage | undefined;
    const { images } = this.options;
    if (images && sandbox.spec.snapshotRef !== HOST_SNAPSHOT_REF) {
      image = images.ready(sandbox.spec.snapshotRef);
      if (!image) return this.pullThenStart(sandbox, images);
    }
    this.setState(sandbox, 'starting');
    try {
      const running = await this.provider.start(sandbox.spec, (reason) => this.onUnexpectedExit(sandbox, running, reason), image);
      sandbox.running = running;
      this.setState(sandbox, 'started');
    } catch (error) {
      this.logger.warn(`Sandbox ${sandbox.spec.id} failed to start: ${(error as Error).message}`);
      this.setState(sandbox, 'error', (error as Error).message);
    }
  }

  /**
   * Gives up its start slot while its image is pulled (one pull for every sandbox of the image),
   * then queues up again; a failed pull ends it in error, unless it was stopped or destroyed meanwhile.
   */
  private pullThenStart(sandbox: ManagedSandbox, images: ImageSource): void {
    this.setState(sandbox, 'pulling_snapshot');
    if (sandbox.awaitingImage) return;
    sandbox.awaitingImage = true;
    images.ensure(sandbox.spec.snapshotRef).then(
      () => {
        sandbox.awaitingImage = false;
        this.queueStart(sandbox);
      },
      (error: Error) => {
        sandbox.awaitingImage = false;
        const failed = this.serialize(sandbox, async () => {
          if (this.closing || sandbox.desired !== 'started' || sandbox.running || sandbox.state !== 'pulling_snapshot') return;
          this.setState(sandbox, 'error', `Could not pull image ${sandbox.spec.snapshotRef}: ${error.message}`);
        });
        failed.catch(() => undefined); // logged by serialize
      },
    );
  }

  private async stopNow(sandbox: ManagedSandbox): Promise<void> {
    await this.stopProcesses(sandbox);
    this.setState(sandbox, 'stopped');
  }

  private async stopProcesses(sandbox: ManagedSandbox): Promise<void> {
    const running = sandbox.running;
    sandbox.running = null;
    await running?.stop();
  }

  private onUnexpectedExit(sandbox: ManagedSandbox, running: RunningSandbox, reason: string): void {
    const cleanUp = this.serialize(sandbox, async () => {
      if (sandbox.running !== running) return;
      this.logger.warn(`Sandbox ${sandbox.spec.id} stopped unexpectedly: ${reason}`);
      this.setState(sandbox, 'error', reason);
      await this.stopProcesses(sandbox);
    });
    cleanUp.catch(() => undefined); // logged by serialize
  }

  private setState(sandbox: ManagedSandbox, state: RunnerReportedState, errorReason: string | null = null): void {
    const reason = errorReason?.slice(0, MAX_REASON_LENGTH) ?? null;
    if (sandbox.state === state && sandbox.errorReason === reason) return;
    sandbox.state = state;
    sandbox.errorReason = reason;
    if (!this.closing) this.states.report({ id: sandbox.spec.id, state, errorReason: reason });
  }

  private serialize<T>(sandbox: ManagedSandbox, operation: () => Promise<T>): Promise<T> {
    const result = sandbox.tail.then(operation);
    sandbox.tail = result.then(
      () => undefined,
      (error: Error) => this.logger.error(`Sandbox ${sandbox.spec.id}: ${error.message}`),
    );
    return result;
  }
}
