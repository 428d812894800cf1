import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuthContext, type OrganizationAuthContext } from '../auth/auth-context.js';
import { RequiredOrganizationResourcePermissions } from '../auth/auth-metadata.js';
import { OrganizationResourcePermission } from '../auth/permissions.js';
import { ApiErrorResponses } from '../openapi/api-error-responses.js';
import { CreateSnapshotDto } from './dto/create-snapshot.dto.js';
import { ListSnapshotsQueryDto } from './dto/list-snapshots-query.dto.js';
import { PaginatedSnapshotsDto } from './dto/paginated-snapshots.dto.js';
import { SnapshotDto } from './dto/snapshot.dto.js';
import { SnapshotService } from './snapshot.service.js';

@ApiTags('snapshots')
@Controller('snapshots')
export class SnapshotController {
  constructor(private readonly snapshots: SnapshotService) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Create a snapshot from an OCI image',
    description: 'Answers at once with the snapshot `pending`; it becomes `active` once a runner of its region has pulled the image, or `error` with the registry\'s reason.',
    operationId: 'createSnapshot',
  })
  @ApiOkResponse({ type: SnapshotDto })
  @ApiErrorResponses('unsupported_field', 'unknown_region', 'sandbox_limit_exceeded', 'snapshot_name_conflict')
  @RequiredOrganizationResourcePermissions([OrganizationResourcePermission.WRITE_SNAPSHOTS])
  async createSnapshot(@AuthContext() auth: OrganizationAuthContext, @Body() dto: CreateSnapshotDto): Promise<SnapshotDto> {
    return SnapshotDto.fromEntity(await this.snapshots.createSnapshot(auth.organization, dto));
  }

  @Get()
  @ApiOperation({ summary: 'List snapshots', operationId: 'listSnapshots' })
  @ApiOkResponse({ type: PaginatedSnapshotsDto })
  @RequiredOrganizationResourcePermissions([OrganizationResourcePermission.READ_SNAPSHOTS])
  async listSnapshots(@AuthContext() auth: OrganizationAuthContext, @Query() query: ListSnapshotsQueryDto): Promise<PaginatedSnapshotsDto> {
    const page = await this.snapshots.listSnapshots(auth.organization.id, query);
    return { ...page, items: page.items.map(SnapshotDto.fromEntity) };
  }

  @Get(':snapshotIdOrName')
  @ApiOperation({ summary: 'Get a snapshot by id or name', operationId: 'getSnapshot' })
  @ApiOkResponse({ type: SnapshotDto })
  @ApiErrorResponses('snapshot_not_found')
  @RequiredOrganizationResourcePermissions([OrganizationResourcePermission.READ_SNAPSHOTS])
  async getSnapshot(
    @AuthContext() auth: OrganizationAuthContext,
    @Param('snapshotIdOrName') snapshotIdOrName: string,
  ): Promise<SnapshotDto> {
    return SnapshotDto.fromEntity(await this.snapshots.getSnapshot(auth.organization.id, snapshotIdOrName));
  }

  @Delete(':snapshotIdOrName')
  @HttpCode(200)
  @ApiOperation({ summary: 'Delete a snapshot (refused while live sandboxes use it)', operationId: 'deleteSnapshot' })
  @ApiOkResponse({ description: 'Deleted' })
  @ApiErrorResponses('snapshot_not_found', 'general_snapshot_read_only', 'snapshot_in_use')
  @RequiredOrganizationResourcePermissions([OrganizationResourcePermission.WRITE_SNAPSHOTS])
  async deleteSnapshot(@AuthContext() auth: OrganizationAuthContext, @Param('snapshotIdOrName') snapshotIdOrName: string): Promise<void> {
    await this.snapshots.deleteSnapshot(auth.organization.id, snapshotIdOrName);
  }
}
