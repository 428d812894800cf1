import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ConflictError, ForbiddenError, InvalidInputError, NotFoundError } from '../common/errors/domain-error.js';
import { isUniqueViolation } from '../database/unique-violation.js';
import { updateReturning } from '../database/update-returning.js';
import type { OrganizationAuthContext } from './auth-context.js';
import { ApiKey } from './api-key.entity.js';
import { generateApiKey, newApiKeyRow } from './api-key-hash.js';
import type { ApiKeyDto, CreateApiKeyDto, CreatedApiKeyDto } from './dto/api-key.dto.js';

/** The organization's API keys over the API: a key may hand out only what it holds itself. */
@Injectable()
export class ApiKeyManagement {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async create(caller: OrganizationAuthContext, dto: CreateApiKeyDto): Promise<CreatedApiKeyDto> {
    const notHeld = dto.permissions.filter((permission) => !caller.permissions.includes(permission));
    if (notHeld.length > 0) {
      throw new ForbiddenError('permission_not_grantable', `A key can grant only permissions it holds; this one lacks ${notHeld.join(', ')}`, {
        field: 'permissions',
        permissions: notHeld,
      });
    }
    const expiresAt = dto.expiresAt === undefined ? null : new Date(dto.expiresAt);
    if (expiresAt && expiresAt.getTime() <= Date.now()) {
      throw new InvalidInputError('validation_failed', 'expiresAt must be in the future', { field: 'expiresAt' });
    }
    const callerExpiry = caller.apiKeyExpiresAt;
    if (callerExpiry && (!expiresAt || expiresAt > callerExpiry)) {
      throw new ForbiddenError(
        'permission_not_grantable',
        `This key expires at ${callerExpiry.toISOString()}; a key it creates must expire no later`,
        { field: 'expiresAt', latest: callerExpiry.toISOString() },
      );
    }
    const plainKey = generateApiKey();
    const row = newApiKeyRow(caller.organization.id, dto.name, dto.permissions, plainKey, expiresAt);
    try {
      const [created]: Array<{ createdAt: Date }> = await this.dataSource.query(
        `INSERT INTO api_key (organization_id, name, key_hash, key_prefix, permissions, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING created_at AS "createdAt"`,
        [row.organizationId, row.name, row.keyHash, row.keyPrefix, row.permissions, row.expiresAt],
      );
      return { ...toApiKeyDto({ ...row, createdAt: created.createdAt, lastUsedAt: null }), key: plainKey };
    } catch (error) {
      if (isUniqueViolation(error, 'api_key_org_name_idx')) {
        throw new ConflictError('api_key_exists', `The organization already has an API key named "${dto.name}"`, { field: 'name', name: dto.name });
      }
      throw error;
    }
  }

  async list(organizationId: string): Promise<ApiKeyDto[]> {
    const keys = await this.dataSource.manager.find(ApiKey, { where: { organizationId }, order: { createdAt: 'ASC', name: 'ASC' } });
    return keys.map(toApiKeyDto);
  }

  /** Takes effect at once: keys are looked up on every request. */
  async delete(organizationId: string, name: string): Promise<void> {
    const deleted = await updateReturning<{ id: string }>(
      this.dataSource.manager,
      'DELETE FROM api_key WHERE organization_id = $1 AND name = $2 RETURNING id',
      [organizationId, name],
    );
    if (deleted.length === 0) throw new NotFoundError('api_key_not_found', `No API key named "${name}"`, { name });
  }
}

type ListedKey = Pick<ApiKey, 'name' | 'keyPrefix' | 'permissions' | 'createdAt' | 'expiresAt' | 'lastUsedAt'>;

function toApiKeyDto(key: ListedKey): ApiKeyDto {
  return {
    name: key.name,
    prefix: key.keyPrefix,
    permissions: key.permissions,
    createdAt: key.createdAt,
    expiresAt: key.expiresAt,
    lastUsedAt: key.lastUsedAt,
  };
}

