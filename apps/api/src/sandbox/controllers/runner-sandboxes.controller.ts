import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import {
  parseContract,
  reportSandboxStatesRequest,
  sandboxStateUpdate,
  syncRequest,
  type ListAssignedSandboxesResponse,
  type ReportSandboxStatesResponse,
  type SandboxStateUpdate,
  type SyncRequest,
  type SyncResponse,
} from '@daytona/runner-contract';
import { AuthContext, type RunnerAuthContext } from '../../auth/auth-context.js';
import { RunnerAuth } from '../../auth/auth-metadata.js';
import { ContractBody } from '../../runner/contract-body.pipe.js';
import { RunnerAssignments } from '../services/runner-assignments.js';
import { RunnerSync } from '../services/runner-sync.js';
import { SandboxStateStore } from '../state/sandbox-state-store.js';

/** Routes a runner uses to report sandbox states and to agree with the API on what it holds. */
@ApiExcludeController()
@Controller('runners')
export class RunnerSandboxesController {
  constructor(
    private readonly store: SandboxStateStore,
    private readonly assignments: RunnerAssignments,
    private readonly runnerSync: RunnerSync,
  ) {}

  /** Each update stands on its own: one the API cannot use is rejected, the others apply. */
  @Post('sandbox-states')
  @HttpCode(200)
  @RunnerAuth()
  async reportSandboxStates(
    @AuthContext() auth: RunnerAuthContext,
    @Body(new ContractBody(reportSandboxStatesRequest)) request: { updates: unknown[] },
  ): Promise<ReportSandboxStatesResponse> {
    const valid: SandboxStateUpdate[] = [];
    const rejected: ReportSandboxStatesResponse['rejected'] = [];
    request.updates.forEach((update, index) => {
      const parsed = parseContract(sandboxStateUpdate, update);
      if (parsed.ok) valid.push(parsed.value);
      else rejected.push({ index, reason: parsed.violation.message });
    });
    const applied = await this.store.applyRunnerReports(auth.runner.id, valid);
    return { applied, rejected };
  }

  @Post('sync')
  @HttpCode(200)
  @RunnerAuth()
  async sync(@AuthContext() auth: RunnerAuthContext, @Body(new ContractBody(syncRequest)) request: SyncRequest): Promise<SyncResponse> {
    return this.runnerSync.sync(auth.runner.id, request);
  }

  @Get('sandboxes')
  @RunnerAuth()
  async listAssignedSandboxes(@AuthContext() auth: RunnerAuthContext): Promise<ListAssignedSandboxesResponse> {
    return { sandboxes: await this.assignments.listAssignedSandboxes(auth.runner.id) };
  }
}
