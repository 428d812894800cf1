import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { Organization } from '../organization/organization.entity.js';
import { ApiKey } from './api-key.entity.js';
import { hashApiKey } from './api-key-hash.js';

export interface ResolvedApiKey {
  apiKey: ApiKey;
  organization: Organization;
}

@Injectable()
export class ApiKeyService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

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
