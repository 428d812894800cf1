import type { Logger } from '../logging/logger.js';

/**
 * Runs `task` every `intervalMs`, one run at a time (the next is scheduled when one ends). A
 * failure is logged once per outage, not once per run, and the recovery once.
 */
export function runPeriodically(what: string, intervalMs: number, task: () => Promise<void>, logger: Logger): { stop(): Promise<void> } {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let failing = false;
  let current: Promise<void> = Promise.resolve();
  const run = async () => {
    try {
      await task();
      if (failing) logger.log(`${what}: reaches the API again`);
      failing = false;
    } catch (error) {
      if (!failing) logger.warn(`${what} failed: ${(error as Error).message}`);
      failing = true;
    }
    if (!stopped) timer = setTimeout(() => (current = run()), intervalMs);
  };
  timer = setTimeout(() => (current = run()), intervalMs);
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await current;
    },
  };
}
