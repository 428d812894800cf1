import { Inject, Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { SANDBOX_STATE_BUS, type SandboxStateBus, type SandboxStateEvent } from '../../bus/sandbox-state-bus.js';
import { SandboxState } from '../entities/sandbox-state.js';

type Waiter = (event: SandboxStateEvent) => void;

export interface WaitOptions {
  timeoutMs: number;
  /** Aborted when the caller is gone (e.g. the HTTP client disconnected). */
  signal?: AbortSignal;
  /** Pub/sub may drop messages; pending sandboxes are re-read from the database this often. */
  recheckIntervalMs?: number;
  /** Called with each sandbox's state when first read, then with every change seen (bus or re-read). */
  onChange?: (change: SandboxStateChange) => void;
}

export interface SandboxStateChange {
  id: string;
  state: SandboxState;
  errorReason: string | null;
}

export type WaitOutcome = 'settled' | 'timeout' | 'aborted';

/** Where a sandbox has got to that waiting longer will not change. */
export const SETTLED_STATES: ReadonlySet<SandboxState> = new Set([
  SandboxState.STARTED,
  SandboxState.ERROR,
  SandboxState.BUILD_FAILED,
  SandboxState.DESTROYED,
]);

/**
 * One bus subscription per API process, whatever the number of waiters, and a map from
 * sandbox id to its waiters (any number per id).
 */
@Injectable()
export class SandboxStateWaiters implements OnModuleInit, OnModuleDestroy {
  private readonly waiters = new Map<string, Set<Waiter>>();
  /** Waits in progress, ended early (as aborted) when the application shuts down. */
  private readonly activeWaits = new Set<(outcome: WaitOutcome) => void>();
  private unsubscribe: (() => void) | null = null;

  constructor(
    @Inject(SANDBOX_STATE_BUS) private readonly bus: SandboxStateBus,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  async onModuleInit(): Promise<void> {
    this.unsubscribe = await this.bus.subscribe((events) => this.dispatch(events));
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
    for (const finish of this.activeWaits) finish('aborted');
  }

  /** Number of sandbox ids with at least one waiter (for tests and metrics). */
  get watchedCount(): number {
    return this.waiters.size;
  }

  /** Calls `waiter` with every state change of `ids` until the returned function is called. */
  register(ids: readonly string[], waiter: Waiter): () => void {
    for (const id of ids) {
      let set = this.waiters.get(id);
      if (!set) this.waiters.set(id, (set = new Set()));
      set.add(waiter);
    }
    return () => {
      for (const id of ids) {
        const set = this.waiters.get(id);
        set?.delete(waiter);
        if (set?.size === 0) this.waiters.delete(id);
      }
    };
  }

  /**
   * Resolves when every sandbox is settled (started, error, build_failed or destroyed), at the
   * timeout, or when the signal aborts; never throws for a timeout.
   */
  async waitUntilSettled(ids: readonly string[], options: WaitOptions): Promise<WaitOutcome> {
    const pending = new Set(ids);
    if (pending.size === 0) return 'settled';
    let finish!: (outcome: WaitOutcome) => void;
    const done = new Promise<WaitOutcome>((resolve) => (finish = resolve));
    const reported = new Map<string, string>();
    const report = (change: SandboxStateChange) => {
      const seen = `${change.state}\0${change.errorReason ?? ''}`;
      if (reported.get(change.id) === seen) return;
      reported.set(change.id, seen);
      options.onChange!(change);
    };
    const observe = (change: SandboxStateChange) => {
      if (options.onChange) report(change);
      if (SETTLED_STATES.has(change.state) && pending.delete(change.id) && pending.size === 0) finish('settled');
    };
    // A re-read that started before an event of the same sandbox arrived may be older than it.
    let events = 0;
    const lastEvent = new Map<string, number>();
    const unregister = this.register(ids, (event) => {
      lastEvent.set(event.id, ++events);
      observe({ id: event.id, state: event.state, errorReason: event.errorReason ?? null });
    });
    const recheck = async () => {
      const readFrom = events;
      for (const row of await this.readStates([...pending])) {
        if ((lastEvent.get(row.id) ?? 0) <= readFrom) observe(row);
      }
    };
    const timeout = setTimeout(() => finish('timeout'), options.timeoutMs);
    const interval = setInterval(() => void recheck().catch(() => undefined), options.recheckIntervalMs ?? 2_000);
    this.activeWaits.add(finish);
    const onAbort = () => finish('aborted');
    options.signal?.addEventListener('abort', onAbort);
    if (options.signal?.aborted) finish('aborted');
    try {
      // Subscribed before this read, so a change is either seen here or delivered as an event.
      await recheck();
      return await done;
    } finally {
      clearTimeout(timeout);
      clearInterval(interval);
      options.signal?.removeEventListener('abort', onAbort);
      this.activeWaits.delete(finish);
      unregister();
    }
  }

  private dispatch(events: SandboxStateEvent[]): void {
    for (const event of events) {
      const set = this.waiters.get(event.id);
      if (set) for (const waiter of [...set]) waiter(event);
    }
  }

  private async readStates(ids: string[]): Promise<SandboxStateChange[]> {
    if (ids.length === 0) return [];
    return this.dataSource.query('SELECT id, state, error_reason AS "errorReason" FROM sandbox WHERE id = ANY($1::uuid[])', [ids]);
  }
}
