import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../logging/logger.js';
import { ControlPlaneError } from './control-plane-client.js';

const FIRST_DELAY_MS = 250;
const MAX_DELAY_MS = 10_000;

/**
 * Retries a call to the API with exponential backoff while the API is unreachable or failing;
 * gives up at once when the API refuses (a 4xx that no retry can fix) or when `signal` aborts.
 */
export async function retryUntilAnswered<T>(what: string, call: () => Promise<T>, logger: Logger, signal?: AbortSignal): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (error instanceof ControlPlaneError && error.refused) throw error;
      if (signal?.aborted) throw error;
      const delay = Math.min(FIRST_DELAY_MS * 2 ** attempt, MAX_DELAY_MS);
      logger.warn(`${what}: ${(error as Error).message}; retrying in ${delay} ms`);
      await sleep(delay, undefined, { signal }).catch(() => undefined);
      if (signal?.aborted) throw error;
    }
  }
}
