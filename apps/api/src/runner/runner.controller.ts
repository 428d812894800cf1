import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { registerRunnerRequest, type RegisterRunnerRequest, type RegisterRunnerResponse } from '@daytona/runner-contract';
import { AuthContext, type RunnerAuthContext } from '../auth/auth-context.js';
import { RunnerAuth, RunnerRegistrationAuth } from '../auth/auth-metadata.js';
import { ContractBody } from './contract-body.pipe.js';
import { RunnerCredentials } from './runner-credentials.js';
import type { Runner } from './runner.entity.js';
import { RunnerService } from './runner.service.js';

/**
 * Routes runners call, and the operator's routes over runners (authenticated, like registration,
 * with the operator's RUNNER_REGISTRATION_TOKEN). Not part of the public API, so kept out of the
 * OpenAPI spec.
 */
@ApiExcludeController()
@Controller('runners')
export class RunnerController {
  constructor(
    private readonly runners: RunnerService,
    private readonly credentials: RunnerCredentials,
  ) {}

  @Post('register')
  @HttpCode(200)
  @RunnerRegistrationAuth()
  async registerRunner(@Body(new ContractBody(registerRunnerRequest)) request: RegisterRunnerRequest): Promise<RegisterRunnerResponse> {
    const { runner, credential } = await this.runners.registerRunner(request);
    return {
      id: runner.id,
      name: runner.name,
      region: runner.region,
      state: runner.state,
      credential,
      apiToken: await this.credentials.apiTokenFor(runner.id),
    };
  }

  @Post('heartbeat')
  @HttpCode(204)
  @RunnerAuth()
  async recordHeartbeat(@AuthContext() auth: RunnerAuthContext): Promise<void> {
    await this.runners.recordHeartbeat(auth.runner.id);
  }

  @Get()
  @RunnerRegistrationAuth()
  async listRunners() {
    return { runners: (await this.runners.listRunners()).map((runner) => ({ ...describe(runner), sandboxes: runner.sandboxes })) };
  }

  @Post(':name/disable')
  @HttpCode(200)
  @RunnerRegistrationAuth()
  async disableRunner(@Param('name') name: string) {
    return describe(await this.runners.setSchedulable(name, false));
  }

  @Post(':name/enable')
  @HttpCode(200)
  @RunnerRegistrationAuth()
  async enableRunner(@Param('name') name: string) {
    return describe(await this.runners.setSchedulable(name, true));
  }

  @Delete(':name')
  @HttpCode(204)
  @RunnerRegistrationAuth()
  async deleteRunner(@Param('name') name: string): Promise<void> {
    await this.runners.deleteRunner(name);
  }
}

/** What the operator sees of a runner: never its credential or its hash. */
function describe(runner: Runner) {
  return {
    id: runner.id,
    name: runner.name,
    url: runner.url,
    region: runner.region,
    state: runner.state,
    schedulable: runner.schedulable,
    isolated: runner.isolated,
    capacity: { cpu: runner.capacityCpu, memory: runner.capacityMemory, disk: runner.capacityDisk },
    lastHeartbeatAt: runner.lastHeartbeatAt,
  };
}
