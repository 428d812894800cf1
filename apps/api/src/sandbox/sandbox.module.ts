import { Module } from '@nestjs/common';
import { SnapshotModule } from '../snapshot/snapshot.module.js';
import { SandboxController } from './controllers/sandbox.controller.js';
import { SandboxService } from './services/sandbox.service.js';

@Module({
  imports: [SnapshotModule],
  controllers: [SandboxController],
  providers: [SandboxService],
  exports: [SandboxService],
})
export class SandboxModule {}
