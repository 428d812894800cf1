import { Module } from '@nestjs/common';
import { RunnerModule } from '../runner/runner.module.js';
import { RunnerImages } from './runner-images.js';
import { SnapshotController } from './snapshot.controller.js';
import { SnapshotDistribution } from './snapshot-distribution.js';
import { SnapshotService } from './snapshot.service.js';

@Module({
  imports: [RunnerModule],
  controllers: [SnapshotController],
  providers: [SnapshotService, SnapshotDistribution, RunnerImages],
  exports: [SnapshotService, SnapshotDistribution, RunnerImages],
})
export class SnapshotModule {}
