import { setTimeout as sleep } from 'node:timers/promises';
import type { SandboxCgroups } from '../cgroups/sandbox-cgroups.js';

// Between rounds over cgroups that could not be removed yet (members still dying).
const ROUND_PAUSE_MS = 100;

/**
 * Kills every process in every sandbox cgroup and removes the cgroups, again and again until none
 * is left, then removes the (empty) parents. Sandboxes are removed in parallel: one round costs
 * about as much for 200 sandboxes as for one. Never gives up: as long as a cgroup exists, something
 * may still be running or about to join it. Resolves with how many sandboxes had cgroups.
 */
export async function sweepSandboxCgroups(cgroups: SandboxCgroups, onStuck: (ids: string[], error: Error) => void): Promise<number> {
  const swept = new Set<string>();
  for (;;) {
    const ids = await cgroups.list();
    if (ids.length === 0) break;
    for (const id of ids) swept.add(id);
    const results = await Promise.allSettled(ids.map((id) => cgroups.remove(id)));
    const stuck = ids.filter((_, index) => results[index].status === 'rejected');
    if (stuck.length > 0) {
      onStuck(stuck, (results.find((result) => result.status === 'rejected') as PromiseRejectedResult).reason as Error);
      await sleep(ROUND_PAUSE_MS);
    }
  }
  await cgroups.removeParents();
  return swept.size;
}
