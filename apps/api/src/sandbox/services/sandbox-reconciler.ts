import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { SANDBOX_STATE_BUS, type SandboxStateBus, type SandboxStateEvent } from '../../bus/sandbox-state-bus.js';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { updateReturning } from '../../database/update-returning.js';
import { RunnerClient } from '../../runner/runner-client.js';
import { RunnerState } from '../../runner/runner-state.js';
import { Runner } from '../../runner/runner.entity.js';
import { Sandbox } from '../entities/sandbox.entity.js';
import { SandboxDispatcher } from './sandbox-dispatcher.js';

const RECONCILE_LOCK = 'daytona:sandbox-reconciler';
const RETURNING_EVENT = `RETURNING id, organization_id AS "organizationId", state, error_reason AS "errorReason"`;

/**
 * Repairs what messages alone cannot guarantee. Every API instance runs it; a transaction-scoped
 * advisory lock lets one pass run at a time across all of them.
 */
@Injectable()
export class SandboxReconciler implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('SandboxReconciler');
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(SANDBOX_STATE_BUS) private readonly bus: SandboxStateBus,
    private readonly dispatcher: SandboxDispatcher,
    private readonly runnerClient: RunnerClient,
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
    const { changed, redispatch } = await this.dataSource.transaction(async (manager) => {
      const [{ locked }] = await manager.query('SELECT pg_try_advisory_xact_lock(hashtext($1)) AS locked', [RECONCILE_LOCK]);
      if (!locked) return { changed: [], redispatch: [] };
      return {
        changed: [
          ...(await this.markSilentRunnersUnresponsive(manager)),
          ...(await this.failStuckSandboxes(manager)),
        ],
        redispatch: await this.findUnacknowledged(manager),
      };
    });
    await this.bus.publish(changed);
    await this.retryDestroys();
    if (redispatch.length > 0) {
      this.logger.log(`Dispatching ${redispatch.length} unacknowledged sandbox(es) again`);
      await this.dispatcher.dispatchToRunners(redispatch);
    }
  }

  /** Runners past the heartbeat timeout stop receiving work; what they held ends in error. */
  private async markSilentRunnersUnresponsive(manager: EntityManager): Promise<SandboxStateEvent[]> {
    const timeoutSeconds = this.config.reconciler.runnerHeartbeatTimeoutMs / 1000;
    const silent: Array<{ id: string; name: string }> = await updateReturning(
      manager,
      `UPDATE runner SET state = $1, updated_at = now()
        WHERE state = $2 AND last_heartbeat_at < now() - make_interval(secs => $3)
      RETURNING id, name`,
      [RunnerState.UNRESPONSIVE, RunnerState.READY, timeoutSeconds],
    );
    for (const runner of silent) this.logger.warn(`Runner ${runner.name} missed its heartbeats: unresponsive`);
    return updateReturning<SandboxStateEvent>(
      manager,
      `UPDATE sandbox s
          SET state = CASE WHEN s.desired_state = 'destroyed' THEN 'destroyed' ELSE 'error' END,
              error_reason = CASE WHEN s.desired_state = 'destroyed' THEN s.error_reason
                                  ELSE 'Runner ' || r.name || ' stopped responding' END,
              updated_at = now()
         FROM runner r
        WHERE s.runner_id = r.id AND r.state = $1
          AND s.state NOT IN ('destroyed', 'error', 'build_failed')
      RETURNING s.id, s.organization_id AS "organizationId", s.state, s.error_reason AS "errorReason"`,
      [RunnerState.UNRESPONSIVE],
    );
  }

  private async failStuckSandboxes(manager: EntityManager): Promise<SandboxStateEvent[]> {
    const timeoutSeconds = this.config.reconciler.sandboxStartTimeoutMs / 1000;
    return updateReturning<SandboxStateEvent>(
      manager,
      `UPDATE sandbox
          SET state = 'error', updated_at = now(),
              error_reason = 'Did not start within ' || $1::int || ' s'
        WHERE state IN ('creating', 'starting') AND desired_state = 'started'
          AND created_at < now() - make_interval(secs => $1)
      ${RETURNING_EVENT}`,
      [timeoutSeconds],
    );
  }

  /** Destroys whose runner call failed earlier; each succeeds or waits for the next pass. */
  private async retryDestroys(): Promise<void> {
    const stuck: Array<{ sandboxId: string; runnerId: string }> = await this.dataSource.query(
      `SELECT s.id AS "sandboxId", s.runner_id AS "runnerId" FROM sandbox s JOIN runner r ON r.id = s.runner_id
        WHERE s.state = 'destroying' AND r.state = $1 AND s.updated_at < now() - interval '10 seconds'
        LIMIT 1000`,
      [RunnerState.READY],
    );
    for (const { sandboxId, runnerId } of stuck) {
      const runner = await this.dataSource.manager.findOneByOrFail(Runner, { id: runnerId });
      try {
        await this.runnerClient.destroySandbox(runner, sandboxId);
      } catch {
        continue;
      }
      const changed = await updateReturning<SandboxStateEvent>(
        this.dataSource.manager,
        `UPDATE sandbox SET state = 'destroyed', updated_at = now() WHERE id = $1 AND state = 'destroying' ${RETURNING_EVENT}`,
        [sandboxId],
      );
      await this.bus.publish(changed);
    }
  }

  private async findUnacknowledged(manager: EntityManager): Promise<Sandbox[]> {
    return manager
      .createQueryBuilder(Sandbox, 's')
      .innerJoin('runner', 'r', 'r.id = s.runner_id AND r.state = :ready', { ready: RunnerState.READY })
      .where(`s.state = 'creating' AND s.acknowledged_at IS NULL`)
      .andWhere('s.created_at < now() - make_interval(secs => :after)', {
        after: this.config.reconciler.redispatchAfterMs / 1000,
      })
      .limit(20_000)
      .getMany();
  }
}
