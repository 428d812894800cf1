import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { Organization } from '../organization/organization.entity.js';
import { ApiKey } from './api-key.entity.js';
import { generateApiKey, hashApiKey, newApiKeyRow } from './api-key-hash.js';
import { OrganizationResourcePermission } from './permissions.js';

export interface ResolvedApiKey {
  apiKey: ApiKey;
  organization: Organization;
}

@Injectable()
export class ApiKeyService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Creates a key and returns its plain value, which is not stored anywhere. */
  async createApiKey(
    organizationId: string,
    name: string,
    permissions: OrganizationResourcePermission[],
    plainKey: string = generateApiKey(),
    manager: EntityManager = this.dataSource.manager,
  ): Promise<{ apiKey: ApiKey; plainKey: string }> {
    const apiKey = manager.create(ApiKey, newApiKeyRow(organizationId, name, permissions, plainKey));
    await manager.insert(ApiKey, apiKey);
    return { apiKey, plainKey };
  }

  /** Every authenticated request runs this: one query for the key and its organization. */
  async resolveApiKey(plainKey: string): Promise<ResolvedApiKey | null> {
    const apiKey = await this.dataSource.manager.findOne(ApiKey, {
      where: { keyHash: hashApiKey(plainKey) },
      relations: { organization: true },
    });
    if (!apiKey?.organization || (apiKey.expiresAt && apiKey.expiresAt.getTime() <= Date.now())) return null;
    return { apiKey, organization: apiKey.organization };
  }
}
