import { Module } from '@nestjs/common';
import { RunnerModule } from '../runner/runner.module.js';
import { SandboxModule } from '../sandbox/sandbox.module.js';
import { ToolboxController } from './toolbox.controller.js';
import { ToolboxService } from './toolbox.service.js';

@Module({
  imports: [SandboxModule, RunnerModule],
  controllers: [ToolboxController],
  providers: [ToolboxService],
})
export class ToolboxModule {}
