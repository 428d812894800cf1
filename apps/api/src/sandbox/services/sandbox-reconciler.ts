import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { updateReturning } from '../../database/update-returning.js';
import { RunnerState } from '../../runner/runner-state.js';
import { deleteExpiredIdempotencyKeys } from '../idempotency/idempotency-store.js';
import { SandboxStateStore } from '../state/sandbox-state-store.js';

const RECONCILE_LOCK = 'daytona:sandbox-reconciler';
/** Rows one statement of a pass changes at most; the rest waits for the next pass. */
export const RECONCILE_BATCH = 5_000;

/**
 * Repairs what messages alone cannot guarantee, from the database alone: it never calls a runner
 * (runners converge through their own periodic sync), so no slow runner can hold it up, and each
 * pass does a bounded amount of work. Every API instance runs it; a session advisory lock lets one
 * pass run at a time across all of them.
 */
@Injectable()
export class SandboxReconciler implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('SandboxReconciler');
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly store: SandboxStateStore,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = this.reconcileOnce()
        .catch((error: unknown) => this.logger.warn(`Reconcile pass failed: ${(error as Error).message}`))
        .finally(() => (this.running = null));
    }, this.config.reconciler.intervalMs);
  }

  async onModuleDestroy(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  /** One pass; returns without doing anything when another instance holds the lock. */
  async reconcileOnce(): Promise<void> {
    const connection = this.dataSource.createQueryRunner();
    try {
      const [{ locked }] = await connection.query('SELECT pg_try_advisory_lock(hashtext($1)) AS locked', [RECONCILE_LOCK]);
      if (!locked) return;
      try {
        await this.markSilentRunnersUnresponsive(connection.manager);
        await this.failSandboxesOfLostRunners(connection.manager);
        await this.failStuckStarts(connection.manager);
        await this.stopIdleSandboxes(connection.manager);
        await this.deleteLongStoppedSandboxes(connection.manager);
        await deleteExpiredIdempotencyKeys(connection.manager, RECONCILE_BATCH);
      } finally {
        await connection.query('SELECT pg_advisory_unlock(hashtext($1))', [RECONCILE_LOCK]);
      }
    } finally {
      await connection.release();
    }
  }

  /** Runners past the heartbeat timeout stop receiving work. */
  private async markSilentRunnersUnresponsive(manager: EntityManager): Promise<void> {
    const silent: Array<{ name: string }> = await updateReturning(
      manager,
      `UPDATE runner SET state = $1, updated_at = now()
        WHERE state = $2 AND last_heartbeat_at < now() - make_interval(secs => $3)
      RETURNING name`,
      [RunnerState.UNRESPONSIVE, RunnerState.READY, this.config.reconciler.runnerHeartbeatTimeoutMs / 1000],
    );
    for (const runner of silent) this.logger.warn(`Runner ${runner.name} missed its heartbeats: unresponsive`);
  }

  /**
   * What an unresponsive runner held ends in error (it may come back through its runner's sync,
   * if the quota still has room); a destroy it can no longer confirm is complete.
   */
  private async failSandboxesOfLostRunners(manager: EntityManager): Promise<void> {
    const onLostRunner = (state: string) => ({
      where: `s.id IN (SELECT sb.id FROM sandbox sb JOIN runner r ON r.id = sb.runner_id
                        WHERE r.state = $7 AND sb.state ${state} LIMIT ${RECONCILE_BATCH})`,
      parameters: [RunnerState.UNRESPONSIVE],
    });
    await this.store.apply('api.destroy_completed', onLostRunner(`= 'destroying'`), { manager });
    await this.store.apply('api.runner_lost', onLostRunner(`NOT IN ('destroyed', 'destroying', 'error', 'build_failed')`), {
      manager,
      reason: 'Its runner stopped responding',
    });
  }

  /**
   * Started sandboxes without activity (toolbox calls, starts) for their auto-stop interval are
   * stopped: their runners hear it from their next sync.
   */
  private async stopIdleSandboxes(manager: EntityManager): Promise<void> {
    await this.store.apply(
      'api.stop_requested',
      {
        where: `s.id IN (SELECT id FROM sandbox WHERE state = 'started' AND auto_stop_interval > 0
                           AND last_activity_at < now() - make_interval(mins => auto_stop_interval) LIMIT ${RECONCILE_BATCH})`,
        parameters: [],
      },
      { manager },
    );
  }

  /** Sandboxes stopped for their auto-delete interval (0: at once) are destroyed. */
  private async deleteLongStoppedSandboxes(manager: EntityManager): Promise<void> {
    await this.store.apply(
      'api.destroy_requested',
      {
        where: `s.id IN (SELECT id FROM sandbox WHERE state = 'stopped' AND auto_delete_interval >= 0
                           AND state_entered_at <= now() - make_interval(mins => auto_delete_interval) LIMIT ${RECONCILE_BATCH})`,
        parameters: [],
      },
      { manager },
    );
  }

  /**
   * Starts that take too long, counted from when the sandbox entered its state: `starting` (the
   * runner is starting it), or `creating` with no runner ever having taken it. A sandbox a live
   * runner has taken but not begun (its start queue is long) is not late: the runner's sync and
   * heartbeats cover it.
   */
  private async failStuckStarts(manager: EntityManager): Promise<void> {
    const timeoutSeconds = this.config.reconciler.sandboxStartTimeoutMs / 1000;
    await this.store.apply(
      'api.start_timed_out',
      {
        where: `s.id IN (SELECT id FROM sandbox
                          WHERE (state = 'starting' OR (state = 'creating' AND acknowledged_at IS NULL)) AND desired_state = 'started'
                           AND state_entered_at < now() - make_interval(secs => $7) LIMIT ${RECONCILE_BATCH})`,
        parameters: [timeoutSeconds],
      },
      { manager, reason: `Did not start within ${timeoutSeconds} s` },
    );
  }
}
