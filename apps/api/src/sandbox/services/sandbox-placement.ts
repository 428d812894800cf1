import { howManyFit, type Resources } from './quota.js';

export interface RunnerRoom {
  runnerId: string;
  /** Capacity left on the runner after the sandboxes already placed there. */
  free: Resources;
}

export interface Placement {
  runnerId: string;
  count: number;
}

/** How many sandboxes of `shape` all the runners together can still take. */
export function runnerSlots(runners: RunnerRoom[], shape: Resources): number {
  return runners.reduce((sum, runner) => sum + howManyFit(runner.free, shape).count, 0);
}

/**
 * Spreads `count` sandboxes over runners in proportion to the room each has left
 * (largest-remainder method), never past any runner's room. Returns fewer than `count`
 * only when the runners together cannot hold them. Deterministic for equal input.
 */
export function placeOnRunners(runners: RunnerRoom[], shape: Resources, count: number): Placement[] {
  const slots = runners.map((runner) => ({ runnerId: runner.runnerId, slots: howManyFit(runner.free, shape).count }));
  const total = slots.reduce((sum, s) => sum + s.slots, 0);
  const placing = Math.min(count, total);
  if (placing === 0) return [];

  const shares = slots.map((s) => {
    const exact = (placing * s.slots) / total;
    return { ...s, count: Math.floor(exact), remainder: exact - Math.floor(exact) };
  });
  let left = placing - shares.reduce((sum, s) => sum + s.count, 0);
  const byRemainder = [...shares].sort((a, b) => b.remainder - a.remainder || b.slots - a.slots);
  for (const share of byRemainder) {
    if (left === 0) break;
    if (share.count < share.slots) {
      share.count += 1;
      left -= 1;
    }
  }
  return shares.filter((s) => s.count > 0).map(({ runnerId, count: c }) => ({ runnerId, count: c }));
}

/** Expands placements into one runner id per sandbox, interleaved so neighbours land apart. */
export function interleavePlacements(placements: Placement[]): string[] {
  const remaining = placements.map((p) => ({ ...p }));
  const order: string[] = [];
  while (remaining.some((p) => p.count > 0)) {
    for (const p of remaining) {
      if (p.count > 0) {
        order.push(p.runnerId);
        p.count -= 1;
      }
    }
  }
  return order;
}
