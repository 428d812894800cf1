import { Module } from '@nestjs/common';
import { RunnerModule } from '../runner/runner.module.js';
import { SnapshotModule } from '../snapshot/snapshot.module.js';
import { RunnerSandboxesController } from './controllers/runner-sandboxes.controller.js';
import { SandboxController } from './controllers/sandbox.controller.js';
import { SandboxLifecycleController } from './controllers/sandbox-lifecycle.controller.js';
import { SandboxEventEmitter } from './events/sandbox-events.js';
import { RunnerAssignments } from './services/runner-assignments.js';
import { IdempotencyStore } from './idempotency/idempotency-store.js';
import { SandboxBulkDelete } from './services/sandbox-bulk-delete.js';
import { SandboxDispatcher } from './services/sandbox-dispatcher.js';
import { SandboxReconciler } from './services/sandbox-reconciler.js';
import { RunnerSync } from './services/runner-sync.js';
import { SandboxStateWaiters } from './services/sandbox-state-waiters.js';
import { SandboxActivity } from './services/sandbox-activity.js';
import { SandboxLifecycle } from './services/sandbox-lifecycle.js';
import { SandboxService } from './services/sandbox.service.js';
import { SandboxStateStore } from './state/sandbox-state-store.js';

@Module({
  imports: [SnapshotModule, RunnerModule],
  controllers: [SandboxController, SandboxLifecycleController, RunnerSandboxesController],
  providers: [
    SandboxService,
    SandboxLifecycle,
    SandboxActivity,
    SandboxBulkDelete,
    IdempotencyStore,
    SandboxEventEmitter,
    SandboxDispatcher,
    SandboxStateStore,
    RunnerSync,
    SandboxStateWaiters,
    SandboxReconciler,
    RunnerAssignments,
  ],
  exports: [SandboxService, SandboxStateWaiters, SandboxActivity],
})
export class SandboxModule {}
