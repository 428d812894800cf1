import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuthContext, type OrganizationAuthContext } from '../../auth/auth-context.js';
import { RequiredOrganizationResourcePermissions } from '../../auth/auth-metadata.js';
import { OrganizationResourcePermission } from '../../auth/permissions.js';
import { ApiErrorResponses } from '../../openapi/api-error-responses.js';
import { CodeRunDto, CodeRunResponseDto } from '../dto/code-run.dto.js';
import { ExecuteCommandDto, ExecuteCommandResponseDto } from '../dto/execute-command.dto.js';
import { ToolboxProcessService } from '../services/toolbox-process.service.js';

const SANDBOX_ERRORS = ['sandbox_not_found', 'sandbox_not_started', 'sandbox_parked', 'runner_unavailable', 'runner_error'] as const;

@ApiTags('toolbox')
@Controller('toolbox')
export class ProcessController {
  constructor(private readonly process: ToolboxProcessService) {}

  @Post(':sandboxId/process/execute')
  @HttpCode(200)
  @ApiOperation({ summary: 'Run a command in a sandbox (the official toolbox route)', operationId: 'executeProcessCommand' })
  @ApiOkResponse({ type: ExecuteCommandResponseDto })
  @ApiErrorResponses(...SANDBOX_ERRORS)
  @RequiredOrganizationResourcePermissions([OrganizationResourcePermission.WRITE_SANDBOXES])
  executeProcessCommand(@AuthContext() auth: OrganizationAuthContext, @Param('sandboxId') sandboxId: string, @Body() dto: ExecuteCommandDto): Promise<ExecuteCommandResponseDto> {
    return this.process.executeCommand(auth.organization.id, sandboxId, dto);
  }

  /** The route this API had first; the SDKs built on it keep working. */
  @Post(':sandboxId/toolbox/process/execute')
  @HttpCode(200)
  @ApiOperation({ summary: 'Run a command in a sandbox (the same as executeProcessCommand, at its earlier path)', operationId: 'executeCommand' })
  @ApiOkResponse({ type: ExecuteCommandResponseDto })
  @ApiErrorResponses(...SANDBOX_ERRORS)
  @RequiredOrganizationResourcePermissions([OrganizationResourcePermission.WRITE_SANDBOXES])
  executeCommand(@AuthContext() auth: OrganizationAuthContext, @Param('sandboxId') sandboxId: string, @Body() dto: ExecuteCommandDto): Promise<ExecuteCommandResponseDto> {
    return this.process.executeCommand(auth.organization.id, sandboxId, dto);
  }

  @Post(':sandboxId/process/code-run')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Run code with its interpreter in a sandbox',
    description: 'python, javascript or typescript: with python3 (or python), node, tsx (or ts-node) from the sandbox. An image without the interpreter is 422 interpreter_not_found.',
    operationId: 'codeRun',
  })
  @ApiOkResponse({ type: CodeRunResponseDto })
  @ApiErrorResponses(...SANDBOX_ERRORS, 'interpreter_not_found')
  @RequiredOrganizationResourcePermissions([OrganizationResourcePermission.WRITE_SANDBOXES])
  codeRun(@AuthContext() auth: OrganizationAuthContext, @Param('sandboxId') sandboxId: string, @Body() dto: CodeRunDto): Promise<CodeRunResponseDto> {
    return this.process.codeRun(auth.organization.id, sandboxId, dto);
  }
}
