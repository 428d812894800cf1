import { DataSource } from 'typeorm';
import { Organization } from '../organization/organization.entity.js';
import { Region } from '../organization/region.entity.js';
import { DEFAULT_SNAPSHOT_NAME } from '../snapshot/default-snapshot.js';
import { SnapshotState } from '../snapshot/snapshot-state.js';
import { Snapshot } from '../snapshot/snapshot.entity.js';
import { seedApiKey } from './seed-api-key.js';

export const DEFAULT_ORGANIZATION_NAME = 'default';

/** Quotas of the seeded organization; an operator changes them in the organization table. */
export const DEFAULT_ORGANIZATION_QUOTAS = {
  totalCpuQuota: 10_000,
  totalMemoryQuota: 10_000,
  totalDiskQuota: 10_000,
  maxCpuPerSandbox: 4,
  maxMemoryPerSandbox: 8,
  maxDiskPerSandbox: 10,
};

/** The built-in snapshot: the host's /usr, /bin, /lib*, /etc mounted read-only by the runner. */
export const DEFAULT_SNAPSHOT = { name: DEFAULT_SNAPSHOT_NAME, cpu: 1, memory: 1, disk: 1, ref: 'host' };

export interface SeedResult {
  organizationId: string;
  /** Set only when this call generated a key, which is then shown once and never again. */
  generatedApiKey: string | null;
}

/**
 * Makes sure the default region, organization, general `default` snapshot and an API key exist.
 * Idempotent and safe when several API instances start at once (advisory lock).
 */
export async function seedDefaults(
  dataSource: DataSource,
  options: {
    region: string;
    apiKey: string | null;
    /** Generate a key even for an organization that exists, when none is given (the caller has somewhere to show it). */
    newKeyWhenNoneGiven?: boolean;
  },
): Promise<SeedResult> {
  return dataSource.transaction(async (manager) => {
    await manager.query(`SELECT pg_advisory_xact_lock(hashtext('daytona:seed'))`);
    await manager
      .createQueryBuilder()
      .insert()
      .into(Region)
      .values({ id: options.region, name: options.region })
      .orIgnore()
      .execute();

    let organization = await manager.findOne(Organization, {
      where: { name: DEFAULT_ORGANIZATION_NAME },
      order: { createdAt: 'ASC' },
    });
    const isNew = organization === null;
    if (!organization) {
      organization = manager.create(Organization, {
        name: DEFAULT_ORGANIZATION_NAME,
        defaultRegion: options.region,
        ...DEFAULT_ORGANIZATION_QUOTAS,
      });
      await manager.save(organization);
    }

    const snapshotExists = await manager
      .createQueryBuilder(Snapshot, 's')
      .where('s.organization_id IS NULL AND s.name = :name', { name: DEFAULT_SNAPSHOT.name })
      .getExists();
    if (!snapshotExists) {
      await manager.insert(Snapshot, {
        ...DEFAULT_SNAPSHOT,
        organizationId: null,
        state: SnapshotState.ACTIVE,
        regions: [options.region],
      });
    }

    const generatedApiKey = await seedApiKey(manager, organization.id, {
      given: options.apiKey,
      generate: isNew || (options.newKeyWhenNoneGiven ?? false),
    });
    return { organizationId: organization.id, generatedApiKey };
  });
}
