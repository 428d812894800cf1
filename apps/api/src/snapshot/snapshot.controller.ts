import { Controller, Get, Param } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuthContext, type OrganizationAuthContext } from '../auth/auth-context.js';
import { RequiredOrganizationResourcePermissions } from '../auth/auth-metadata.js';
import { OrganizationResourcePermission } from '../auth/permissions.js';
import { ApiErrorResponses } from '../openapi/api-error-responses.js';
import { SnapshotDto } from './dto/snapshot.dto.js';
import { SnapshotService } from './snapshot.service.js';

@ApiTags('snapshots')
@Controller('snapshots')
export class SnapshotController {
  constructor(private readonly snapshots: SnapshotService) {}

  @Get()
  @ApiOperation({ summary: 'List snapshots', operationId: 'listSnapshots' })
  @ApiOkResponse({ type: [SnapshotDto] })
  @RequiredOrganizationResourcePermissions([OrganizationResourcePermission.READ_SNAPSHOTS])
  async listSnapshots(@AuthContext() auth: OrganizationAuthContext): Promise<SnapshotDto[]> {
    return (await this.snapshots.listSnapshots(auth.organization.id)).map(SnapshotDto.fromEntity);
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
}
