import type { Logger } from '../logging/logger.js';
import type { ControlPlaneClient } from './control-plane-client.js';

/** Tells the API this runner is alive every `intervalMs`, one heartbeat at a time. */
export function startHeartbeats(client: ControlPlaneClient, intervalMs: number, logger: Logger): { stop(): void } {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let failing = false;
  const beat = async () => {
    try {
      await client.heartbeat();
      if (failing) logger.log('Heartbeats reach the API again');
      failing = false;
    } catch (error) {
      // Logged once per outage, not once per beat.
      if (!failing) logger.warn(`Heartbeat failed: ${(error as Error).message}`);
      failing = true;
    }
    if (!stopped) timer = setTimeout(beat, intervalMs);
  };
  timer = setTimeout(beat, intervalMs);
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
