import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { generateApiKey, newApiKeyRow } from '../../src/auth/api-key-hash.js';
import { ApiKey } from '../../src/auth/api-key.entity.js';
import { ALL_PERMISSIONS, OrganizationResourcePermission } from '../../src/auth/permissions.js';
import { Organization } from '../../src/organization/organization.entity.js';
import { Region } from '../../src/organization/region.entity.js';
import { SnapshotState } from '../../src/snapshot/snapshot-state.js';
import { Snapshot } from '../../src/snapshot/snapshot.entity.js';
import { seedDefaults } from '../../src/seed/seed-defaults.js';
import { RUNNER_REGISTRATION_TOKEN, TEST_DEFAULT_IMAGE, TEST_REGION } from './test-api.js';

export async function ensureRegion(dataSource: DataSource, id = TEST_REGION): Promise<void> {
  await dataSource.createQueryBuilder().insert().into(Region).values({ id, name: id }).orIgnore().execute();
}

/**
 * The general `default` snapshot and region, as a real first start would create them, and the
 * snapshot active, as if a runner had pulled its image (a runner pulls it again when a sandbox
 * needs it and its cache lacks it).
 */
export async function seedGeneralDefaults(dataSource: DataSource): Promise<void> {
  await seedDefaults(dataSource, { region: TEST_REGION, apiKey: null, defaultSnapshotImage: TEST_DEFAULT_IMAGE });
  await dataSource.query(`UPDATE snapshot SET state = $1 WHERE organization_id IS NULL AND name = 'default'`, [SnapshotState.ACTIVE]);
}

export async function createOrganization(
  dataSource: DataSource,
  overrides: Partial<Organization> = {},
): Promise<Organization> {
  await ensureRegion(dataSource, overrides.defaultRegion ?? TEST_REGION);
  const organization = dataSource.manager.create(Organization, {
    name: `org-${randomBytes(3).toString('hex')}`,
    defaultRegion: TEST_REGION,
    totalCpuQuota: 100,
    totalMemoryQuota: 100,
    totalDiskQuota: 100,
    maxCpuPerSandbox: 4,
    maxMemoryPerSandbox: 8,
    maxDiskPerSandbox: 10,
    ...overrides,
  });
  return dataSource.manager.save(organization);
}

export async function createApiKey(
  dataSource: DataSource,
  organizationId: string,
  permissions: OrganizationResourcePermission[] = ALL_PERMISSIONS,
): Promise<string> {
  const plainKey = generateApiKey();
  await dataSource.manager.insert(ApiKey, newApiKeyRow(organizationId, `test-${randomBytes(4).toString('hex')}`, permissions, plainKey));
  return plainKey;
}

export async function createSnapshot(dataSource: DataSource, overrides: Partial<Snapshot> = {}): Promise<Snapshot> {
  const snapshot = dataSource.manager.create(Snapshot, {
    organizationId: null,
    name: `snap-${randomBytes(3).toString('hex')}`,
    state: SnapshotState.ACTIVE,
    cpu: 1,
    memory: 1,
    disk: 1,
    regions: [TEST_REGION],
    imageName: TEST_DEFAULT_IMAGE,
    ref: TEST_DEFAULT_IMAGE,
    ...overrides,
  });
  return dataSource.manager.save(snapshot);
}

export interface RegisteredRunner {
  id: string;
  /** The credential the runner presents to the API. */
  token: string;
}

/** Registers a runner through the real registration route, as a runner process would. */
export async function registerRunner(
  apiUrl: string,
  capacity: { cpu: number; memory: number; disk: number },
  overrides: { name?: string; region?: string; url?: string; isolated?: boolean } = {},
): Promise<RegisteredRunner> {
  const response = await fetch(`${apiUrl}/runners/register`, {
    method: 'POST',
    headers: { authorization: `Bearer ${RUNNER_REGISTRATION_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      name: overrides.name ?? `runner-${randomBytes(3).toString('hex')}`,
      url: overrides.url ?? 'http://127.0.0.1:9',
      region: overrides.region ?? TEST_REGION,
      capacity,
      isolated: overrides.isolated ?? true,
    }),
  });
  if (response.status !== 200) throw new Error(`runner registration failed: ${response.status} ${await response.text()}`);
  const body = (await response.json()) as { id: string; credential: string };
  return { id: body.id, token: body.credential };
}
