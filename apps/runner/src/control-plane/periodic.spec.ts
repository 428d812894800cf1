import { silentLogger } from '../../test/support/silent-logger.js';
import { runPeriodically } from './periodic.js';

const until = async (condition: () => boolean, timeoutMs = 2_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
};

describe('runPeriodically', () => {
  it('runs at the interval, and at once when asked soon()', async () => {
    let runs = 0;
    const periodic = runPeriodically('test', 60_000, async () => void runs++, silentLogger);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(runs).toBe(0);
    periodic.soon();
    await until(() => runs === 1);
    await periodic.stop();
  });

  it('runs once more right after the run in progress when asked soon() meanwhile, and never two at once', async () => {
    let runs = 0;
    let active = 0;
    let maxActive = 0;
    let release!: () => void;
    const periodic = runPeriodically(
      'test',
      60_000,
      async () => {
        active++;
        maxActive = Math.max(maxActive, active);
        runs++;
        if (runs === 1) await new Promise<void>((resolve) => (release = resolve));
        active--;
      },
      silentLogger,
    );
    periodic.soon();
    await until(() => runs === 1);
    periodic.soon();
    periodic.soon();
    release();
    await until(() => runs === 2);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(runs).toBe(2);
    expect(maxActive).toBe(1);
    await periodic.stop();
  });
});
