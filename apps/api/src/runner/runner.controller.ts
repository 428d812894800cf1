import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { registerRunnerRequest, type RegisterRunnerRequest, type RegisterRunnerResponse } from '@daytona/runner-contract';
import { AuthContext, type RunnerAuthContext } from '../auth/auth-context.js';
import { RunnerAuth, RunnerRegistrationAuth } from '../auth/auth-metadata.js';
import { ContractBody } from './contract-body.pipe.js';
import { RunnerService } from './runner.service.js';

/** Routes runners call. Not part of the public API, so kept out of the OpenAPI spec. */
@ApiExcludeController()
@Controller('runners')
export class RunnerController {
  constructor(private readonly runners: RunnerService) {}

  @Post('register')
  @HttpCode(200)
  @RunnerRegistrationAuth()
  async registerRunner(@Body(new ContractBody(registerRunnerRequest)) request: RegisterRunnerRequest): Promise<RegisterRunnerResponse> {
    const runner = await this.runners.registerRunner(request);
    return { id: runner.id, name: runner.name, region: runner.region, state: runner.state };
  }

  @Post('heartbeat')
  @HttpCode(204)
  @RunnerAuth()
  async recordHeartbeat(@AuthContext() auth: RunnerAuthContext): Promise<void> {
    await this.runners.recordHeartbeat(auth.runner.id);
  }
}
