import { Module } from '@nestjs/common';
import { RunnerClient } from './runner-client.js';
import { RunnerCredentials } from './runner-credentials.js';
import { RunnerController } from './runner.controller.js';
import { RunnerService } from './runner.service.js';

@Module({
  controllers: [RunnerController],
  providers: [RunnerService, RunnerClient, RunnerCredentials],
  exports: [RunnerService, RunnerClient, RunnerCredentials],
})
export class RunnerModule {}
