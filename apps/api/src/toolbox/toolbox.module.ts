import { Module } from '@nestjs/common';
import { RunnerModule } from '../runner/runner.module.js';
import { SandboxModule } from '../sandbox/sandbox.module.js';
import { FilesController } from './controllers/files.controller.js';
import { ProcessController } from './controllers/process.controller.js';
import { SessionsController } from './controllers/sessions.controller.js';
import { FileTransferService } from './services/file-transfer.service.js';
import { RunnerToolboxClient } from './services/runner-toolbox-client.js';
import { ToolboxFilesService } from './services/toolbox-files.service.js';
import { ToolboxProcessService } from './services/toolbox-process.service.js';
import { ToolboxSessionsService } from './services/toolbox-sessions.service.js';
import { ToolboxTargets } from './services/toolbox-target.js';

/** The toolbox of the official Daytona scheme, at /toolbox/{sandboxId}/…, forwarded to the sandbox's runner. */
@Module({
  imports: [SandboxModule, RunnerModule],
  controllers: [ProcessController, FilesController, SessionsController],
  providers: [ToolboxTargets, RunnerToolboxClient, ToolboxProcessService, ToolboxFilesService, ToolboxSessionsService, FileTransferService],
})
export class ToolboxModule {}
