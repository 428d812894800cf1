import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { ListAssignedSandboxesResponse } from '../../../../../libs/runner-contract/src/index.js';
import { AuthContext, type RunnerAuthContext } from '../../auth/auth-context.js';
import { RunnerAuth } from '../../auth/auth-metadata.js';
import { ReportSandboxStatesDto } from '../../runner/dto/sandbox-state-report.dto.js';
import { RunnerAssignments } from '../services/runner-assignments.js';
import { SandboxStateReports } from '../services/sandbox-state-reports.js';

/** Routes a runner uses to report sandbox states and to learn what it should hold. */
@ApiExcludeController()
@Controller('runners')
export class RunnerSandboxesController {
  constructor(
    private readonly reports: SandboxStateReports,
    private readonly assignments: RunnerAssignments,
  ) {}

  @Post('sandbox-states')
  @HttpCode(204)
  @RunnerAuth()
  async reportSandboxStates(@AuthContext() auth: RunnerAuthContext, @Body() dto: ReportSandboxStatesDto): Promise<void> {
    await this.reports.applyRunnerReports(auth.runner.id, dto.updates);
  }

  @Get('sandboxes')
  @RunnerAuth()
  async listAssignedSandboxes(@AuthContext() auth: RunnerAuthContext): Promise<ListAssignedSandboxesResponse> {
    return { sandboxes: await this.assignments.listAssignedSandboxes(auth.runner.id) };
  }
}
