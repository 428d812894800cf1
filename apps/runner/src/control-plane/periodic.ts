import type { Logger } from '../logging/logger.js';

/**
 * Runs `task` every `intervalMs`, one run at a time (the next is scheduled when one ends). A
 * failure is logged once per outage, not once per run, and the recovery once.
 */
export function runPeriodically(
  what: string,
  intervalMs: number,
  task: () => Promise<void>,
  logger: Logger,
): { stop(): Promise<void>; soon(): void } {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let failing = false;
  let running = false;
  let again = false;
  let current: Promise<void> = Promise.resolve();
  const run = async () => {
    running = true;
    try {
      await task();
      if (failing) logger.log(`${what}: reaches the API again`);
      failing = false;
    } catch (error) {
      if (!failing) logger.warn(`${what} failed: ${(error as Error).message}`);
      failing = true;
    }
    running = false;
    if (stopped) return;
    const next = again ? 0 : intervalMs;
    again = false;
    timer = setTimeout(() => (current = run()), next);
  };
  timer = setTimeout(() => (current = run()), intervalMs);
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await current;
    },
    /** Runs as soon as possible instead of at the next interval (right after the run in progress, if one is). */
    soon() {
      if (stopped) return;
      if (running) {
        again = true;
        return;
      }
      clearTimeout(timer);
      timer = setTimeout(() => (current = run()), 0);
    },
  };
}
