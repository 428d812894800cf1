import type { RunnerSandboxAssignment } from '@daytona/runner-contract';
import type { Logger } from '../logging/logger.js';
import type { SandboxProvider } from '../provider/sandbox-provider.js';
import type { SandboxManager } from '../sandbox/sandbox-manager.js';

/**
 * Makes this machine match the API's list after a (re)start: sandbox directories the API does not
 * assign here are orphans and go; assigned sandboxes are adopted (started, kept stopped, left in
 * error or destroyed, as the API wants). Sandboxes created over HTTP since this process started
 * are never orphans, even if the list was read before they arrived.
 */
export async function reconcileWithAssignments(
  assignments: RunnerSandboxAssignment[],
  manager: SandboxManager,
  provider: SandboxProvider,
  logger: Logger,
): Promise<void> {
  const assigned = new Set(assignments.map((assignment) => assignment.id));
  const orphans = (await provider.listLocalSandboxIds()).filter((id) => !assigned.has(id) && !manager.knows(id));
  for (const id of orphans) await provider.removeTraces(id);
  await manager.adopt(assignments);
  const wanted = (state: string) => assignments.filter((assignment) => assignment.desiredState === state).length;
  logger.log(
    `Reconciled with the API: ${assignments.length} assigned (${wanted('started')} to start, ${wanted('stopped')} stopped, ` +
      `${wanted('destroyed')} to destroy), ${orphans.length} orphaned director${orphans.length === 1 ? 'y' : 'ies'} removed`,
  );
}
