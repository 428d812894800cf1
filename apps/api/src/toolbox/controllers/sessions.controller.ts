import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuthContext, type OrganizationAuthContext } from '../../auth/auth-context.js';
import { RequiredOrganizationResourcePermissions } from '../../auth/auth-metadata.js';
import { OrganizationResourcePermission } from '../../auth/permissions.js';
import { ApiErrorResponses } from '../../openapi/api-error-responses.js';
import { CreateSessionDto, SessionCommandDto, SessionCommandLogsDto, SessionDto, SessionExecuteDto, SessionExecuteResponseDto } from '../dto/session.dto.js';
import { ToolboxSessionsService } from '../services/toolbox-sessions.service.js';

const SANDBOX_ERRORS = ['sandbox_not_found', 'sandbox_not_started', 'sandbox_parked', 'runner_unavailable', 'runner_error'] as const;
const READ = [OrganizationResourcePermission.READ_SANDBOXES];
const WRITE = [OrganizationResourcePermission.WRITE_SANDBOXES];

/** Process sessions: a long-lived shell per session, in which commands run one after another. */
@ApiTags('toolbox')
@Controller('toolbox/:sandboxId/process/session')
export class SessionsController {
  constructor(private readonly sessions: ToolboxSessionsService) {}

  @Post()
  @HttpCode(204)
  @ApiOperation({ summary: 'Start a session: a shell in the sandbox that keeps its cwd and exported env between commands', operationId: 'createSession' })
  @ApiNoContentResponse({ description: 'Started; it lasts until deleted or the sandbox stops' })
  @ApiErrorResponses(...SANDBOX_ERRORS, 'session_exists', 'session_limit_exceeded')
  @RequiredOrganizationResourcePermissions(WRITE)
  createSession(@AuthContext() auth: OrganizationAuthContext, @Param('sandboxId') sandboxId: string, @Body() dto: CreateSessionDto): Promise<void> {
    return this.sessions.createSession(auth.organization.id, sandboxId, dto.sessionId);
  }

  @Get()
  @ApiOperation({ summary: "The sandbox's sessions, with their commands", operationId: 'listSessions' })
  @ApiOkResponse({ type: [SessionDto] })
  @ApiErrorResponses(...SANDBOX_ERRORS)
  @RequiredOrganizationResourcePermissions(READ)
  listSessions(@AuthContext() auth: OrganizationAuthContext, @Param('sandboxId') sandboxId: string): Promise<SessionDto[]> {
    return this.sessions.listSessions(auth.organization.id, sandboxId);
  }

  @Get(':sessionId')
  @ApiOperation({ summary: 'A session and its commands', operationId: 'getSession' })
  @ApiOkResponse({ type: SessionDto })
  @ApiErrorResponses(...SANDBOX_ERRORS, 'session_not_found')
  @RequiredOrganizationResourcePermissions(READ)
  getSession(@AuthContext() auth: OrganizationAuthContext, @Param('sandboxId') sandboxId: string, @Param('sessionId') sessionId: string): Promise<SessionDto> {
    return this.sessions.getSession(auth.organization.id, sandboxId, sessionId);
  }

  @Delete(':sessionId')
  @HttpCode(204)
  @ApiOperation({ summary: 'End a session, killing its shell and everything it started', operationId: 'deleteSession' })
  @ApiNoContentResponse({ description: 'Ended' })
  @ApiErrorResponses(...SANDBOX_ERRORS, 'session_not_found')
  @RequiredOrganizationResourcePermissions(WRITE)
  deleteSession(@AuthContext() auth: OrganizationAuthContext, @Param('sandboxId') sandboxId: string, @Param('sessionId') sessionId: string): Promise<void> {
    return this.sessions.deleteSession(auth.organization.id, sandboxId, sessionId);
  }

  @Post(':sessionId/exec')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Run a command in a session, after the commands before it',
    description: 'With runAsync, answers at once with the cmdId; else when the command has ended (waiting at most an hour). A command that exits the shell ends the session.',
    operationId: 'sessionExecuteCommand',
  })
  @ApiOkResponse({ type: SessionExecuteResponseDto })
  @ApiErrorResponses(...SANDBOX_ERRORS, 'session_not_found', 'session_ended')
  @RequiredOrganizationResourcePermissions(WRITE)
  sessionExecuteCommand(
    @AuthContext() auth: OrganizationAuthContext,
    @Param('sandboxId') sandboxId: string,
    @Param('sessionId') sessionId: string,
    @Body() dto: SessionExecuteDto,
  ): Promise<SessionExecuteResponseDto> {
    return this.sessions.execute(auth.organization.id, sandboxId, sessionId, dto);
  }

  @Get(':sessionId/command/:commandId')
  @ApiOperation({ summary: 'A command of a session (exitCode once it has ended)', operationId: 'getSessionCommand' })
  @ApiOkResponse({ type: SessionCommandDto })
  @ApiErrorResponses(...SANDBOX_ERRORS, 'session_not_found', 'command_not_found')
  @RequiredOrganizationResourcePermissions(READ)
  getSessionCommand(
    @AuthContext() auth: OrganizationAuthContext,
    @Param('sandboxId') sandboxId: string,
    @Param('sessionId') sessionId: string,
    @Param('commandId') commandId: string,
  ): Promise<SessionCommandDto> {
    return this.sessions.getCommand(auth.organization.id, sandboxId, sessionId, commandId);
  }

  @Get(':sessionId/command/:commandId/logs')
  @ApiOperation({ summary: 'The output of a command of a session so far', operationId: 'getSessionCommandLogs' })
  @ApiOkResponse({ type: SessionCommandLogsDto })
  @ApiErrorResponses(...SANDBOX_ERRORS, 'session_not_found', 'command_not_found')
  @RequiredOrganizationResourcePermissions(READ)
  getSessionCommandLogs(
    @AuthContext() auth: OrganizationAuthContext,
    @Param('sandboxId') sandboxId: string,
    @Param('sessionId') sessionId: string,
    @Param('commandId') commandId: string,
  ): Promise<SessionCommandLogsDto> {
    return this.sessions.getCommandLogs(auth.organization.id, sandboxId, sessionId, commandId);
  }
}
