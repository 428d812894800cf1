import { SandboxState, type BulkCreateProgress } from '@daytonaio/sdk';

/** What the progress display shows of a bulk create. */
export interface ProgressCounts {
  /** Sandboxes asked for (the sum of the items' counts). */
  requested: number;
  /** Sandboxes the server has reported at all: they exist. */
  created: number;
  /** Still on their way: `creating` or `starting`. */
  creating: number;
  starting: number;
  started: number;
  /** In `error` or `build_failed`. */
  error: number;
  /** In any other state (stopped, destroying, ... by someone else's hand while the wait ran). */
  other: number;
}

const FAILED_STATES: ReadonlySet<string> = new Set([SandboxState.ERROR, SandboxState.BUILD_FAILED]);

export function isFailedState(state: string): boolean {
  return FAILED_STATES.has(state);
}

type CountedState = 'creating' | 'starting' | 'started' | 'error' | 'other';

function countedState(state: string): CountedState {
  if (state === SandboxState.CREATING || state === SandboxState.STARTING || state === SandboxState.STARTED) return state;
  return isFailedState(state) ? 'error' : 'other';
}

export function emptyCounts(requested: number): ProgressCounts {
  return { requested, created: 0, creating: 0, starting: 0, started: 0, error: 0, other: 0 };
}

/** Counts of a list of sandboxes (the final answer), as the tracker would have them. */
export function countStates(states: string[], requested: number): ProgressCounts {
  const counts = emptyCounts(requested);
  for (const state of states) counts[countedState(state)]++;
  counts.created = states.length;
  return counts;
}

/** Sandboxes that have settled: started, or in error (the wait is over for them). */
export function settledOf(counts: ProgressCounts): number {
  return counts.started + counts.error;
}

/**
 * Milliseconds until every created sandbox has settled, at the rate they have settled so far;
 * undefined before the first one has (nothing to go by).
 */
export function estimateRemainingMs(counts: ProgressCounts, elapsedMs: number): number | undefined {
  const settled = settledOf(counts);
  if (settled === 0) return undefined;
  const total = Math.max(counts.created, counts.requested);
  return Math.max(total - settled, 0) * (elapsedMs / settled);
}

/**
 * The latest state of each sandbox of a bulk create, from the progress stream. Counts come from
 * the latest state per id, never from how many lines arrived: a retried stream reports every
 * sandbox again.
 */
export class BulkProgressTracker {
  private readonly states = new Map<string, CountedState>();
  private readonly counts: ProgressCounts;

  constructor(requested: number) {
    this.counts = emptyCounts(requested);
  }

  /** Records one line; answers whether the counts changed. */
  record(progress: BulkCreateProgress): boolean {
    const before = this.states.get(progress.id);
    const after = countedState(progress.state);
    if (before === after) return false;
    this.states.set(progress.id, after);
    if (before === undefined) this.counts.created++;
    else this.counts[before]--;
    this.counts[after]++;
    return true;
  }

  current(): ProgressCounts {
    return { ...this.counts };
  }
}
