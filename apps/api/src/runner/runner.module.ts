import { Module } from '@nestjs/common';
import { RunnerClient } from './runner-client.js';
import { RunnerController } from './runner.controller.js';
import { RunnerService } from './runner.service.js';

@Module({
  controllers: [RunnerController],
  providers: [RunnerService, RunnerClient],
  exports: [RunnerService, RunnerClient],
})
export class RunnerModule {}
