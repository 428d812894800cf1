import { ConcurrencyLimiter } from './concurrency-limiter.js';

describe('ConcurrencyLimiter', () => {
  it('never runs more than the limit at once, and runs everything in order', async () => {
    const limiter = new ConcurrencyLimiter(3);
    let active = 0;
    let peak = 0;
    const order: number[] = [];
    const tasks = Array.from({ length: 20 }, (_, index) =>
      limiter.run(async () => {
        order.push(index);
        active++;
        peak = Math.max(peak, active);
        await new Promise((resolve) => setTimeout(resolve, 2));
        active--;
        return index * 2;
      }),
    );
    expect(limiter.pending).toBe(17);
    expect(await Promise.all(tasks)).toEqual(Array.from({ length: 20 }, (_, index) => index * 2));
    expect(peak).toBe(3);
    expect(order).toEqual(Array.from({ length: 20 }, (_, index) => index));
    expect(limiter.pending).toBe(0);
  });

  it('keeps going after a task fails', async () => {
    const limiter = new ConcurrencyLimiter(1);
    const failed = limiter.run(() => Promise.reject(new Error('boom')));
    const next = limiter.run(async () => 'next');
    await expect(failed).rejects.toThrow('boom');
    expect(await next).toBe('next');
  });
});
