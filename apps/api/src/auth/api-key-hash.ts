import { createHash, randomBytes } from 'node:crypto';
import type { ApiKey } from './api-key.entity.js';
import type { OrganizationResourcePermission } from './permissions.js';

const KEY_PREFIX = 'dtn_';

/**
 * API keys are 256 random bits, so a fast hash is enough: there is nothing to brute-force.
 * Lookup is by hash, which also makes the comparison constant-time with respect to the key.
 */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export function generateApiKey(): string {
  return KEY_PREFIX + randomBytes(32).toString('base64url');
}

/** The part of a key safe to show in listings and logs. */
export function displayPrefix(key: string): string {
  return key.slice(0, KEY_PREFIX.length + 4);
}

export type ApiKeyRow = Omit<ApiKey, 'id' | 'createdAt' | 'lastUsedAt'>;

export function newApiKeyRow(
  organizationId: string,
  name: string,
  permissions: OrganizationResourcePermission[],
  plainKey: string,
  expiresAt: Date | null = null,
): ApiKeyRow {
  return {
    organizationId,
    name,
    keyHash: hashApiKey(plainKey),
    keyPrefix: displayPrefix(plainKey),
    permissions,
    expiresAt,
  };
}
