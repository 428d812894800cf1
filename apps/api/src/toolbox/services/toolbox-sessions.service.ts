import { Injectable } from '@nestjs/common';
import { MAX_EXEC_TIMEOUT_SECONDS, listSessionsResponse, session, sessionCommand, sessionCommandLogs, sessionExecuteResponse } from '@daytona/runner-contract';
import { z } from 'zod';
import type { SessionCommandDto, SessionCommandLogsDto, SessionDto, SessionExecuteDto, SessionExecuteResponseDto } from '../dto/session.dto.js';
import { RunnerToolboxClient } from './runner-toolbox-client.js';
import { ToolboxTargets } from './toolbox-target.js';

const nothing = z.strictObject({});
// A synchronous exec waits for its command, at most an hour (the runner then answers without exitCode).
const EXEC_WAIT_MS = MAX_EXEC_TIMEOUT_SECONDS * 1000 + 15_000;

/** Process sessions: long-lived shells in the sandbox, kept by its runner until deleted or the sandbox stops. */
@Injectable()
export class ToolboxSessionsService {
  constructor(
    private readonly targets: ToolboxTargets,
    private readonly toolbox: RunnerToolboxClient,
  ) {}

  async createSession(organizationId: string, sandboxId: string, sessionId: string): Promise<void> {
    const target = await this.targets.resolve(organizationId, sandboxId);
    await this.toolbox.json(target, 'POST', 'sessions', nothing, { body: { sessionId } });
  }

  async listSessions(organizationId: string, sandboxId: string): Promise<SessionDto[]> {
    const target = await this.targets.resolve(organizationId, sandboxId);
    return (await this.toolbox.json(target, 'GET', 'sessions', listSessionsResponse)).sessions;
  }

  async getSession(organizationId: string, sandboxId: string, sessionId: string): Promise<SessionDto> {
    const target = await this.targets.resolve(organizationId, sandboxId);
    return this.toolbox.json(target, 'GET', `sessions/${encodeURIComponent(sessionId)}`, session);
  }

  async deleteSession(organizationId: string, sandboxId: string, sessionId: string): Promise<void> {
    const target = await this.targets.resolve(organizationId, sandboxId);
    await this.toolbox.json(target, 'DELETE', `sessions/${encodeURIComponent(sessionId)}`, nothing);
  }

  async execute(organizationId: string, sandboxId: string, sessionId: string, dto: SessionExecuteDto): Promise<SessionExecuteResponseDto> {
    const target = await this.targets.resolve(organizationId, sandboxId);
    try {
      return await this.toolbox.json(target, 'POST', `sessions/${encodeURIComponent(sessionId)}/exec`, sessionExecuteResponse, {
        body: { command: dto.command, runAsync: dto.runAsync ?? false },
        timeoutMs: dto.runAsync ? undefined : EXEC_WAIT_MS,
      });
    } finally {
      this.targets.ended(target);
    }
  }

  async getCommand(organizationId: string, sandboxId: string, sessionId: string, commandId: string): Promise<SessionCommandDto> {
    const target = await this.targets.resolve(organizationId, sandboxId);
    return this.toolbox.json(target, 'GET', `sessions/${encodeURIComponent(sessionId)}/commands/${encodeURIComponent(commandId)}`, sessionCommand);
  }

  async getCommandLogs(organizationId: string, sandboxId: string, sessionId: string, commandId: string): Promise<SessionCommandLogsDto> {
    const target = await this.targets.resolve(organizationId, sandboxId);
    return this.toolbox.json(target, 'GET', `sessions/${encodeURIComponent(sessionId)}/commands/${encodeURIComponent(commandId)}/logs`, sessionCommandLogs);
  }
}
