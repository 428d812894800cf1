import type { QuotaResource } from '../../common/errors/domain-error.js';

export interface Resources {
  cpu: number;
  memory: number;
  disk: number;
}

export const RESOURCES: readonly QuotaResource[] = ['cpu', 'memory', 'disk'];

export const NO_RESOURCES: Resources = { cpu: 0, memory: 0, disk: 0 };

export function subtractResources(a: Resources, b: Resources): Resources {
  return { cpu: a.cpu - b.cpu, memory: a.memory - b.memory, disk: a.disk - b.disk };
}

export function scaleResources(shape: Resources, count: number): Resources {
  return { cpu: shape.cpu * count, memory: shape.memory * count, disk: shape.disk * count };
}

/** How many sandboxes of `shape` fit in `room`, and which resource runs out first. */
export function howManyFit(room: Resources, shape: Resources): { count: number; limitedBy: QuotaResource } {
  let best = { count: Number.POSITIVE_INFINITY, limitedBy: 'cpu' as QuotaResource };
  for (const resource of RESOURCES) {
    const fit = Math.max(0, Math.floor(room[resource] / shape[resource]));
    if (fit < best.count) best = { count: fit, limitedBy: resource };
  }
  return best;
}
