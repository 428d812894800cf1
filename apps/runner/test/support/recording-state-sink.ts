import type { RunnerReportedState } from '@daytona/runner-contract';
import type { SandboxStateUpdate, StateSink } from '../../src/sandbox/sandbox-manager.js';

/** Records reported state changes in order and lets a test wait for one. */
export class RecordingStateSink implements StateSink {
  readonly updates: SandboxStateUpdate[] = [];
  private waiters: Array<{ matches: (update: SandboxStateUpdate) => boolean; resolve: (update: SandboxStateUpdate) => void }> = [];

  report(update: SandboxStateUpdate): void {
    this.updates.push(update);
    this.waiters = this.waiters.filter((waiter) => {
      if (!waiter.matches(update)) return true;
      waiter.resolve(update);
      return false;
    });
  }

  statesOf(id: string): RunnerReportedState[] {
    return this.updates.filter((update) => update.id === id).map((update) => update.state);
  }

  /** Resolves with the first update (already seen or still to come) of `id` to `state` (or to any of `states`). */
  waitFor(id: string, state: RunnerReportedState | RunnerReportedState[], timeoutMs = 15_000): Promise<SandboxStateUpdate> {
    const states = Array.isArray(state) ? state : [state];
    const matches = (update: SandboxStateUpdate) => update.id === id && states.includes(update.state);
    const seen = this.updates.find(matches);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${id} never reported ${states.join(' or ')}; saw ${this.statesOf(id).join(' -> ')}`)), timeoutMs);
      this.waiters.push({ matches, resolve: (update) => (clearTimeout(timer), resolve(update)) });
    });
  }
}
