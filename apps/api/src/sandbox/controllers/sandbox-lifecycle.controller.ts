import { Body, Controller, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuthContext, type OrganizationAuthContext } from '../../auth/auth-context.js';
import { RequiredOrganizationResourcePermissions } from '../../auth/auth-metadata.js';
import { OrganizationResourcePermission } from '../../auth/permissions.js';
import { ApiErrorResponses } from '../../openapi/api-error-responses.js';
import {
  AutoArchiveParamsDto,
  AutoDeleteParamsDto,
  AutoStopParamsDto,
  SandboxLabelsDto,
  SandboxLabelsResultDto,
  StopSandboxQueryDto,
  ToolboxProxyUrlDto,
} from '../dto/sandbox-lifecycle.dto.js';
import { SandboxDto } from '../dto/sandbox.dto.js';
import { SandboxLifecycle } from '../services/sandbox-lifecycle.js';

const WRITE = [OrganizationResourcePermission.WRITE_SANDBOXES];

/** Starting and stopping sandboxes, their intervals, labels and toolbox URL: the routes Daytona's SDKs call. */
@ApiTags('sandbox')
@Controller('sandbox/:sandboxIdOrName')
export class SandboxLifecycleController {
  constructor(private readonly lifecycle: SandboxLifecycle) {}

  @Post('start')
  @HttpCode(200)
  @ApiOperation({ summary: 'Start a stopped sandbox (same files, new processes)', operationId: 'startSandbox' })
  @ApiOkResponse({ type: SandboxDto })
  @ApiErrorResponses('sandbox_not_found', 'sandbox_state_conflict')
  @RequiredOrganizationResourcePermissions(WRITE)
  startSandbox(@AuthContext() auth: OrganizationAuthContext, @Param('sandboxIdOrName') idOrName: string): Promise<SandboxDto> {
    return this.lifecycle.start(auth.organization.id, idOrName);
  }

  @Post('stop')
  @HttpCode(200)
  @ApiOperation({ summary: 'Stop a sandbox: its processes end, its files and its quota stay', operationId: 'stopSandbox' })
  @ApiOkResponse({ type: SandboxDto })
  @ApiErrorResponses('sandbox_not_found', 'sandbox_state_conflict')
  @RequiredOrganizationResourcePermissions(WRITE)
  stopSandbox(
    @AuthContext() auth: OrganizationAuthContext,
    @Param('sandboxIdOrName') idOrName: string,
    @Query() _query: StopSandboxQueryDto,
  ): Promise<SandboxDto> {
    return this.lifecycle.stop(auth.organization.id, idOrName);
  }

  @Post('autostop/:interval')
  @HttpCode(200)
  @ApiOperation({ summary: 'Set the minutes without activity before the sandbox is stopped (0 never)', operationId: 'setAutostopInterval' })
  @ApiOkResponse({ type: SandboxDto })
  @ApiErrorResponses('sandbox_not_found')
  @RequiredOrganizationResourcePermissions(WRITE)
  setAutostopInterval(@AuthContext() auth: OrganizationAuthContext, @Param() params: AutoStopParamsDto): Promise<SandboxDto> {
    return this.lifecycle.setInterval(auth.organization.id, params.sandboxIdOrName, 'autoStopInterval', params.interval);
  }

  @Post('autodelete/:interval')
  @HttpCode(200)
  @ApiOperation({ summary: 'Set the minutes after a stop before the sandbox is destroyed (negative never, 0 at once)', operationId: 'setAutoDeleteInterval' })
  @ApiOkResponse({ type: SandboxDto })
  @ApiErrorResponses('sandbox_not_found')
  @RequiredOrganizationResourcePermissions(WRITE)
  setAutoDeleteInterval(@AuthContext() auth: OrganizationAuthContext, @Param() params: AutoDeleteParamsDto): Promise<SandboxDto> {
    return this.lifecycle.setInterval(auth.organization.id, params.sandboxIdOrName, 'autoDeleteInterval', params.interval);
  }

  @Post('autoarchive/:interval')
  @HttpCode(200)
  @ApiOperation({ summary: 'Archiving is not available here: only 0 is accepted', operationId: 'setAutoArchiveInterval' })
  @ApiOkResponse({ type: SandboxDto })
  @ApiErrorResponses('sandbox_not_found', 'unsupported_field')
  @RequiredOrganizationResourcePermissions(WRITE)
  setAutoArchiveInterval(@AuthContext() auth: OrganizationAuthContext, @Param() params: AutoArchiveParamsDto): Promise<SandboxDto> {
    return this.lifecycle.setInterval(auth.organization.id, params.sandboxIdOrName, 'autoArchiveInterval', params.interval);
  }

  @Put('labels')
  @HttpCode(200)
  @ApiOperation({ summary: "Replace a sandbox's labels", operationId: 'replaceLabels' })
  @ApiOkResponse({ type: SandboxLabelsResultDto })
  @ApiErrorResponses('sandbox_not_found', 'reserved_label')
  @RequiredOrganizationResourcePermissions(WRITE)
  async replaceLabels(
    @AuthContext() auth: OrganizationAuthContext,
    @Param('sandboxIdOrName') idOrName: string,
    @Body() dto: SandboxLabelsDto,
  ): Promise<SandboxLabelsResultDto> {
    return { labels: await this.lifecycle.replaceLabels(auth.organization.id, idOrName, dto.labels) };
  }

  @Get('toolbox-proxy-url')
  @ApiOperation({ summary: "The base URL of the sandbox's toolbox", operationId: 'getToolboxProxyUrl' })
  @ApiOkResponse({ type: ToolboxProxyUrlDto })
  @ApiErrorResponses('sandbox_not_found')
  @RequiredOrganizationResourcePermissions([OrganizationResourcePermission.READ_SANDBOXES])
  async getToolboxProxyUrl(@AuthContext() auth: OrganizationAuthContext, @Param('sandboxIdOrName') idOrName: string): Promise<ToolboxProxyUrlDto> {
    await this.lifecycle.exists(auth.organization.id, idOrName);
    return this.lifecycle.toolboxProxyUrl();
  }
}
