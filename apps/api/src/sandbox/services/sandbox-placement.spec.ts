import { interleavePlacements, placeOnRunners, runnerSlots, type RunnerRoom } from './sandbox-placement.js';

const shape = { cpu: 1, memory: 2, disk: 1 };
const room = (runnerId: string, cpu: number, memory = 1000, disk = 1000): RunnerRoom => ({
  runnerId,
  free: { cpu, memory, disk },
});

describe('placeOnRunners', () => {
  it('splits in proportion to free room', () => {
    const placements = placeOnRunners([room('a', 10), room('b', 30)], shape, 8);
    expect(placements).toEqual([
      { runnerId: 'a', count: 2 },
      { runnerId: 'b', count: 6 },
    ]);
  });

  it('never places past a runner\'s room, whichever resource binds', () => {
    const runners = [room('a', 100, 4), room('b', 100, 100)];
    expect(runnerSlots(runners, shape)).toBe(52);
    const placements = placeOnRunners(runners, shape, 52);
    expect(placements).toEqual([
      { runnerId: 'a', count: 2 },
      { runnerId: 'b', count: 50 },
    ]);
  });

  it('places only what fits when asked for more', () => {
    expect(placeOnRunners([room('a', 3), room('b', 1)], shape, 10)).toEqual([
      { runnerId: 'a', count: 3 },
      { runnerId: 'b', count: 1 },
    ]);
  });

  it('places nothing on full or negative runners', () => {
    expect(placeOnRunners([room('a', 0), room('b', -2)], shape, 5)).toEqual([]);
  });

  it('sends a single sandbox to the runner with the most room', () => {
    expect(placeOnRunners([room('a', 3), room('b', 9), room('c', 5)], shape, 1)).toEqual([{ runnerId: 'b', count: 1 }]);
  });

  it('always places exactly min(count, total slots)', () => {
    for (let seed = 1; seed < 200; seed++) {
      const runners = Array.from({ length: (seed % 7) + 1 }, (_, i) => room(`r${i}`, (seed * (i + 3)) % 23));
      const count = (seed * 13) % 60;
      const placements = placeOnRunners(runners, shape, count);
      const placed = placements.reduce((sum, p) => sum + p.count, 0);
      expect(placed).toBe(Math.min(count, runnerSlots(runners, shape)));
      for (const p of placements) {
        expect(p.count).toBeLessThanOrEqual(runners.find((r) => r.runnerId === p.runnerId)!.free.cpu);
      }
    }
  });
});

describe('interleavePlacements', () => {
  it('alternates runners so neighbours land apart', () => {
    expect(interleavePlacements([{ runnerId: 'a', count: 3 }, { runnerId: 'b', count: 1 }])).toEqual(['a', 'b', 'a', 'a']);
  });
});
