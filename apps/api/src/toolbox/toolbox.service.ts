import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ConflictError, UnavailableError } from '../common/errors/domain-error.js';
import { RunnerClient } from '../runner/runner-client.js';
import { Runner } from '../runner/runner.entity.js';
import { SandboxState } from '../sandbox/entities/sandbox-state.js';
import { SandboxActivity } from '../sandbox/services/sandbox-activity.js';
import { SandboxService } from '../sandbox/services/sandbox.service.js';
import { ExecuteCommandDto, ExecuteCommandResponseDto } from './dto/execute-command.dto.js';

const DEFAULT_TIMEOUT_SECONDS = 300;
/** Room beyond the command's own timeout for the runner to kill it and answer. */
const RESPONSE_MARGIN_MS = 15_000;

@Injectable()
export class ToolboxService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly sandboxes: SandboxService,
    private readonly runnerClient: RunnerClient,
    private readonly activity: SandboxActivity,
  ) {}

  async executeCommand(organizationId: string, sandboxIdOrName: string, dto: ExecuteCommandDto): Promise<ExecuteCommandResponseDto> {
    const sandbox = await this.sandboxes.getSandboxEntity(organizationId, sandboxIdOrName);
    if (sandbox.state !== SandboxState.STARTED) {
      throw new ConflictError('sandbox_not_started', `Sandbox "${sandbox.name}" is ${sandbox.state}, not started`, {
        state: sandbox.state,
      });
    }
    const runner = sandbox.runnerId ? await this.dataSource.manager.findOneBy(Runner, { id: sandbox.runnerId }) : null;
    if (!runner) throw new UnavailableError('runner_unavailable', 'The sandbox has no runner');
    const timeout = dto.timeout ?? DEFAULT_TIMEOUT_SECONDS;
    // Toolbox calls are activity (auto-stop): when they begin, and when they end.
    this.activity.record(sandbox.id);
    try {
      const { exitCode, result } = await this.runnerClient.executeCommand(
        runner,
        sandbox.id,
        { command: dto.command, cwd: dto.cwd, env: dto.env, timeout },
        timeout * 1000 + RESPONSE_MARGIN_MS,
      );
      return { exitCode, result };
    } finally {
      this.activity.record(sandbox.id);
    }
  }
}
