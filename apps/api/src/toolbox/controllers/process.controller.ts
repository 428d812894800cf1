import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuthContext, type OrganizationAuthContext } from '../auth/auth-context.js';
import { RequiredOrganizationResourcePermissions } from '../auth/auth-metadata.js';
import { OrganizationResourcePermission } from '../auth/permissions.js';
import { ApiErrorResponses } from '../openapi/api-error-responses.js';
import { ExecuteCommandDto, ExecuteCommandResponseDto } from './dto/execute-command.dto.js';
import { ToolboxService } from './toolbox.service.js';

@ApiTags('toolbox')
@Controller('toolbox')
export class ToolboxController {
  constructor(private readonly toolbox: ToolboxService) {}

  @Post(':sandboxId/toolbox/process/execute')
  @HttpCode(200)
  @ApiOperation({ summary: 'Run a command in a sandbox', operationId: 'executeCommand' })
  @ApiOkResponse({ type: ExecuteCommandResponseDto })
  @ApiErrorResponses('sandbox_not_found', 'sandbox_not_started', 'sandbox_parked', 'runner_unavailable', 'runner_error')
  @RequiredOrganizationResourcePermissions([OrganizationResourcePermission.WRITE_SANDBOXES])
  async executeCommand(
    @AuthContext() auth: OrganizationAuthContext,
    @Param('sandboxId') sandboxId: string,
    @Body() dto: ExecuteCommandDto,
  ): Promise<ExecuteCommandResponseDto> {
    return this.toolbox.executeCommand(auth.organization.id, sandboxId, dto);
  }
}
