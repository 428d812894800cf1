import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrorResponses } from '../openapi/api-error-responses.js';
import { ApiKeyManagement } from './api-key-management.js';
import { AuthContext, type OrganizationAuthContext } from './auth-context.js';
import { RequiredOrganizationResourcePermissions } from './auth-metadata.js';
import { ApiKeyDto, CreateApiKeyDto, CreatedApiKeyDto } from './dto/api-key.dto.js';
import { OrganizationResourcePermission } from './permissions.js';

@ApiTags('api-keys')
@Controller('api-keys')
export class ApiKeysController {
  constructor(private readonly keys: ApiKeyManagement) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Create an API key',
    description: 'Answers the key itself this once. A key grants only permissions the calling key holds.',
    operationId: 'createApiKey',
  })
  @ApiOkResponse({ type: CreatedApiKeyDto })
  @ApiErrorResponses('permission_not_grantable', 'api_key_exists')
  @RequiredOrganizationResourcePermissions([OrganizationResourcePermission.WRITE_API_KEYS])
  async createApiKey(@AuthContext() auth: OrganizationAuthContext, @Body() dto: CreateApiKeyDto): Promise<CreatedApiKeyDto> {
    return this.keys.create(auth, dto);
  }

  @Get()
  @ApiOperation({ summary: "List the organization's API keys (never their secrets)", operationId: 'listApiKeys' })
  @ApiOkResponse({ type: [ApiKeyDto] })
  @RequiredOrganizationResourcePermissions([OrganizationResourcePermission.WRITE_API_KEYS])
  async listApiKeys(@AuthContext() auth: OrganizationAuthContext): Promise<ApiKeyDto[]> {
    return this.keys.list(auth.organization.id);
  }

  @Delete(':name')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete an API key by name; it stops working at once', operationId: 'deleteApiKey' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiErrorResponses('api_key_not_found')
  @RequiredOrganizationResourcePermissions([OrganizationResourcePermission.WRITE_API_KEYS])
  async deleteApiKey(@AuthContext() auth: OrganizationAuthContext, @Param('name') name: string): Promise<void> {
    await this.keys.delete(auth.organization.id, name);
  }
}
