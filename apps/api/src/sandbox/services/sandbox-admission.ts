import { EntityManager } from 'typeorm';
import {
  InsufficientCapacityError,
  NotFoundError,
  QuotaExceededError,
} from '../../common/errors/domain-error.js';
import { Organization } from '../../organization/organization.entity.js';
import { RunnerState } from '../../runner/runner-state.js';
import { STATES_RELEASING_RESOURCES } from '../entities/sandbox-state.js';
import { howManyFit, NO_RESOURCES, scaleResources, subtractResources, type Resources } from './quota.js';
import { interleavePlacements, placeOnRunners, runnerSlots, type RunnerRoom } from './sandbox-placement.js';

export interface AdmissionItem {
  shape: Resources;
  count: number;
  /** Admit as many as fit (possibly none) instead of failing the whole request. */
  allowUnder: boolean;
  /** Runners this item may not go to (they could not pull its image). */
  unusableRunnerIds?: ReadonlySet<string>;
}

export interface AdmittedItem {
  /** One runner id per admitted sandbox, in name order. */
  runnerIds: string[];
}

/**
 * Decides, inside the caller's transaction, how many sandboxes of each item may be created and
 * on which runners. Admission is serialized per organization (row lock) and per region
 * (advisory lock, since runner capacity is shared between organizations), and usage is read
 * inside those locks, so concurrent requests can never together exceed a quota or a runner.
 * Items are admitted in order, each consuming the headroom left by the ones before.
 */
export interface PlacementPolicy {
  /** Place sandboxes on runners that do not isolate them too (development on hosts without bubblewrap). */
  allowUnisolatedRunners: boolean;
}

export async function admitSandboxes(
  manager: EntityManager,
  organizationId: string,
  region: string,
  items: AdmissionItem[],
  policy: PlacementPolicy,
): Promise<AdmittedItem[]> {
  const organization = await lockOrganization(manager, organizationId);
  await lockRegion(manager, region);

  let quotaRoom = subtractResources(quotaOf(organization), await organizationUsage(manager, organizationId));
  const runners = await runnerRooms(manager, { region }, policy);

  return items.map((item) => {
    // The same room objects, so what one item takes is gone for the next.
    const usable = item.unusableRunnerIds?.size ? runners.filter((r) => !item.unusableRunnerIds!.has(r.runnerId)) : runners;
    const byQuota = howManyFit(quotaRoom, item.shape);
    const byRunners = runnerSlots(usable, item.shape);
    const admitted = Math.min(item.count, byQuota.count, byRunners);
    if (admitted < item.count && !item.allowUnder) {
      if (byQuota.count < item.count) {
        const resource = byQuota.limitedBy;
        throw new QuotaExceededError(
          resource,
          item.shape[resource] * item.count,
          Math.max(0, quotaRoom[resource]),
          quotaOf(organization)[resource],
        );
      }
      throw new InsufficientCapacityError(region, item.count, byRunners);
    }
    const placements = placeOnRunners(usable, item.shape, admitted);
    for (const placement of placements) {
      const runner = runners.find((r) => r.runnerId === placement.runnerId)!;
      runner.free = subtractResources(runner.free, scaleResources(item.shape, placement.count));
    }
    quotaRoom = subtractResources(quotaRoom, scaleResources(item.shape, admitted));
    return { runnerIds: interleavePlacements(placements) };
  });
}

/**
 * Which of `sandboxes` (all of one organization, in a state that holds no quota, placed on
 * `runnerId`) may hold their resources again: admitted in the order given, under the same locks
 * as a create, against what is left of the organization's quota and of the runner.
 */
export async function admitReturningSandboxes(
  manager: EntityManager,
  organizationId: string,
  region: string,
  runnerId: string,
  sandboxes: Array<Resources & { id: string }>,
  policy: PlacementPolicy,
): Promise<string[]> {
  const organization = await lockOrganization(manager, organizationId);
  await lockRegion(manager, region);
  let quotaRoom = subtractResources(quotaOf(organization), await organizationUsage(manager, organizationId));
  let runnerRoom = (await runnerRooms(manager, { runnerId }, policy))[0]?.free ?? NO_RESOURCES;
  const admitted: string[] = [];
  for (const sandbox of sandboxes) {
    if (howManyFit(quotaRoom, sandbox).count < 1 || howManyFit(runnerRoom, sandbox).count < 1) continue;
    quotaRoom = subtractResources(quotaRoom, sandbox);
    runnerRoom = subtractResources(runnerRoom, sandbox);
    admitted.push(sandbox.id);
  }
  return admitted;
}

/** Runner capacity is shared between organizations, so admission is serialized per region too. */
function lockRegion(manager: EntityManager, region: string): Promise<unknown> {
  return manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`sandbox-admission:region:${region}`]);
}

function quotaOf(organization: Organization): Resources {
  return {
    cpu: organization.totalCpuQuota,
    memory: organization.totalMemoryQuota,
    disk: organization.totalDiskQuota,
  };
}

async function lockOrganization(manager: EntityManager, organizationId: string): Promise<Organization> {
  const organization = await manager
    .createQueryBuilder(Organization, 'o')
    .setLock('pessimistic_write')
    .where('o.id = :organizationId', { organizationId })
    .getOne();
  if (!organization) throw new NotFoundError('organization_not_found', 'Organization not found');
  return organization;
}

async function organizationUsage(manager: EntityManager, organizationId: string): Promise<Resources> {
  const [row] = await manager.query(
    `SELECT coalesce(sum(cpu), 0)::int AS cpu, coalesce(sum(memory), 0)::int AS memory,
            coalesce(sum(disk), 0)::int AS disk
       FROM sandbox WHERE organization_id = $1 AND NOT (state = ANY($2))`,
    [organizationId, STATES_RELEASING_RESOURCES],
  );
  return row ?? NO_RESOURCES;
}

/**
 * Free room of the ready, schedulable runners of a region; or of one runner, whatever its state
 * (a runner reporting sandboxes is there, whether or not its heartbeat has been seen yet). Only
 * runners that isolate their sandboxes, unless the policy allows the others.
 */
async function runnerRooms(manager: EntityManager, where: { region: string } | { runnerId: string }, policy: PlacementPolicy): Promise<RunnerRoom[]> {
  const [selection, parameters] =
    'region' in where ? ['r.region = $3 AND r.state = $4 AND r.schedulable', [where.region, RunnerState.READY]] : ['r.id = $3', [where.runnerId]];
  const filter = `${selection} AND (r.isolated OR $2)`;
  const rows: Array<{ id: string; cpu: number; memory: number; disk: number }> = await manager.query(
    `SELECT r.id,
            r.capacity_cpu - coalesce(u.cpu, 0) AS cpu,
            r.capacity_memory - coalesce(u.memory, 0) AS memory,
            r.capacity_disk - coalesce(u.disk, 0) AS disk
       FROM runner r
       LEFT JOIN (
         SELECT runner_id, sum(cpu)::int AS cpu, sum(memory)::int AS memory, sum(disk)::int AS disk
           FROM sandbox WHERE runner_id IS NOT NULL AND NOT (state = ANY($1))
          GROUP BY runner_id
       ) u ON u.runner_id = r.id
      WHERE ${filter}
      ORDER BY r.id`,
    [STATES_RELEASING_RESOURCES, policy.allowUnisolatedRunners, ...parameters],
  );
  return rows.map((row) => ({ runnerId: row.id, free: { cpu: row.cpu, memory: row.memory, disk: row.disk } }));
}
