import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { AuthContext, type OrganizationAuthContext } from '../../auth/auth-context.js';
import { RequiredOrganizationResourcePermissions } from '../../auth/auth-metadata.js';
import { OrganizationResourcePermission } from '../../auth/permissions.js';
import type { Response } from 'express';
import { abortedOnClose } from '../../common/http/aborted-on-close.js';
import { ApiErrorResponses } from '../../openapi/api-error-responses.js';
import { BulkCreateSandboxDto } from '../dto/bulk-create-sandbox.dto.js';
import { CreateSandboxDto } from '../dto/create-sandbox.dto.js';
import { ListSandboxesQueryDto } from '../dto/list-sandboxes-query.dto.js';
import { PaginatedSandboxesDto } from '../dto/paginated-sandboxes.dto.js';
import { SandboxDto } from '../dto/sandbox.dto.js';
import { SandboxService } from '../services/sandbox.service.js';

/** Resolving the snapshot to create from. */
const SNAPSHOT_USE = ['snapshot_not_found', 'snapshot_not_active', 'snapshot_not_in_region'] as const;
/** Admission: limits, quota, names, runner capacity. */
const ADMISSION = ['sandbox_limit_exceeded', 'quota_exceeded', 'name_conflict', 'insufficient_capacity'] as const;

@ApiTags('sandbox')
@Controller('sandbox')
export class SandboxController {
  constructor(private readonly sandboxService: SandboxService) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({ summary: 'Create a sandbox from a snapshot', operationId: 'createSandbox' })
  @ApiOkResponse({ type: SandboxDto })
  @ApiErrorResponses(...SNAPSHOT_USE, ...ADMISSION)
  @RequiredOrganizationResourcePermissions([OrganizationResourcePermission.WRITE_SANDBOXES])
  async createSandbox(
    @AuthContext() auth: OrganizationAuthContext,
    @Body() dto: CreateSandboxDto,
  ): Promise<SandboxDto> {
    return this.sandboxService.createFromSnapshot(dto, auth.organization);
  }

  @Post('bulk')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Bulk create sandboxes',
    description:
      'Creates up to 10,000 sandboxes from snapshots in one call: all or nothing, admitted item by item ' +
      'against the quota and runner capacity, named {prefix}-{n}. Answers in item order, then name order.',
    operationId: 'bulkCreateSandbox',
  })
  @ApiResponse({ status: 200, type: [SandboxDto] })
  @ApiErrorResponses('bulk_total_exceeded', 'duplicate_name_prefix', ...SNAPSHOT_USE, ...ADMISSION)
  @RequiredOrganizationResourcePermissions([OrganizationResourcePermission.WRITE_SANDBOXES])
  async bulkCreateSandbox(
    @AuthContext() auth: OrganizationAuthContext,
    @Body() dto: BulkCreateSandboxDto,
    @Res({ passthrough: true }) response: Response,
  ): Promise<SandboxDto[]> {
    return this.sandboxService.bulkCreate(dto, auth.organization, { signal: abortedOnClose(response) });
  }

  @Get()
  @ApiOperation({ summary: 'List sandboxes', operationId: 'listSandboxes' })
  @ApiOkResponse({ type: PaginatedSandboxesDto })
  @ApiErrorResponses('invalid_labels')
  @RequiredOrganizationResourcePermissions([OrganizationResourcePermission.READ_SANDBOXES])
  async listSandboxes(
    @AuthContext() auth: OrganizationAuthContext,
    @Query() query: ListSandboxesQueryDto,
  ): Promise<PaginatedSandboxesDto> {
    return this.sandboxService.listSandboxes(auth.organization.id, query);
  }

  @Get(':sandboxIdOrName')
  @ApiOperation({ summary: 'Get a sandbox by id or name', operationId: 'getSandbox' })
  @ApiOkResponse({ type: SandboxDto })
  @ApiErrorResponses('sandbox_not_found')
  @RequiredOrganizationResourcePermissions([OrganizationResourcePermission.READ_SANDBOXES])
  async getSandbox(
    @AuthContext() auth: OrganizationAuthContext,
    @Param('sandboxIdOrName') sandboxIdOrName: string,
  ): Promise<SandboxDto> {
    return this.sandboxService.getSandbox(auth.organization.id, sandboxIdOrName);
  }

  @Delete(':sandboxIdOrName')
  @ApiOperation({ summary: 'Delete a sandbox', operationId: 'deleteSandbox' })
  @ApiOkResponse({ type: SandboxDto })
  @ApiErrorResponses('sandbox_not_found')
  @RequiredOrganizationResourcePermissions([OrganizationResourcePermission.DELETE_SANDBOXES])
  async deleteSandbox(
    @AuthContext() auth: OrganizationAuthContext,
    @Param('sandboxIdOrName') sandboxIdOrName: string,
  ): Promise<SandboxDto> {
    return this.sandboxService.deleteSandbox(auth.organization.id, sandboxIdOrName);
  }
}
