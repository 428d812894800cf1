import type { EntityManager } from 'typeorm';
import { ApiKey } from '../auth/api-key.entity.js';
import { generateApiKey, hashApiKey, newApiKeyRow } from '../auth/api-key-hash.js';
import { ALL_PERMISSIONS } from '../auth/permissions.js';

/**
 * Makes sure there is a key to hand to the operator: the one given (stored if unknown), else a
 * new one when `generate` says there is somewhere to show it. Answers the plain key when this call
 * generated it (shown once), else null. Names stay unique in the organization.
 */
export async function seedApiKey(
  manager: EntityManager,
  organizationId: string,
  options: { given: string | null; generate: boolean },
): Promise<string | null> {
  const plainKey = options.given ?? (options.generate ? generateApiKey() : null);
  if (!plainKey || (await manager.existsBy(ApiKey, { keyHash: hashApiKey(plainKey) }))) return null;
  const name = await freeKeyName(manager, organizationId);
  await manager.insert(ApiKey, newApiKeyRow(organizationId, name, ALL_PERMISSIONS, plainKey));
  return options.given ? null : plainKey;
}

/** `default`, or `default-2`, `default-3`, ... if taken (keys are deleted by name). */
async function freeKeyName(manager: EntityManager, organizationId: string): Promise<string> {
  const taken = new Set(
    (await manager.query(`SELECT name FROM api_key WHERE organization_id = $1 AND name LIKE 'default%'`, [organizationId])).map(
      (row: { name: string }) => row.name,
    ),
  );
  let name = 'default';
  for (let n = 2; taken.has(name); n++) name = `default-${n}`;
  return name;
}
