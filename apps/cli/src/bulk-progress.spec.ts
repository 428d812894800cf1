import type { BulkCreateProgress } from '@daytonaio/sdk';
import { BulkProgressTracker, emptyCounts, estimateRemainingMs } from './bulk-progress.js';

const line = (id: string, state: BulkCreateProgress['state']): BulkCreateProgress => ({ id, name: `p-${id}`, state });

it('counts each sandbox once, by its latest state', () => {
  const tracker = new BulkProgressTracker(4);
  for (const progress of [line('a', 'creating'), line('b', 'creating'), line('a', 'starting'), line('a', 'started'), line('c', 'error'), line('d', 'starting')]) {
    tracker.record(progress);
  }
  expect(tracker.current()).toEqual({ ...emptyCounts(4), created: 4, creating: 1, starting: 1, started: 1, error: 1 });
});

it('a sandbox that leaves a state leaves its count: error to started after recovery, started to stopping', () => {
  const tracker = new BulkProgressTracker(2);
  tracker.record(line('a', 'error'));
  tracker.record(line('a', 'started'));
  tracker.record(line('b', 'started'));
  tracker.record(line('b', 'stopping'));
  expect(tracker.current()).toEqual({ ...emptyCounts(2), created: 2, started: 1, other: 1 });
});

it('build_failed counts as error', () => {
  const tracker = new BulkProgressTracker(1);
  tracker.record(line('a', 'build_failed'));
  expect(tracker.current().error).toBe(1);
});

it('a repeated line (a retried stream reports every sandbox again) changes nothing and says so', () => {
  const tracker = new BulkProgressTracker(1);
  expect(tracker.record(line('a', 'creating'))).toBe(true);
  expect(tracker.record(line('a', 'started'))).toBe(true);
  expect(tracker.record(line('a', 'started'))).toBe(false);
  expect(tracker.current()).toEqual({ ...emptyCounts(1), created: 1, started: 1 });
});

describe('estimateRemainingMs', () => {
  it('is unknown before a first sandbox settles', () => {
    expect(estimateRemainingMs({ ...emptyCounts(10), created: 10, creating: 10 }, 5_000)).toBeUndefined();
  });

  it('goes by the rate so far, over what was asked for when not all exist yet', () => {
    // 2 settled in 4 s: 2 s each; 8 of the 10 asked for are left.
    expect(estimateRemainingMs({ ...emptyCounts(10), created: 5, starting: 3, started: 1, error: 1 }, 4_000)).toBe(16_000);
  });
});
