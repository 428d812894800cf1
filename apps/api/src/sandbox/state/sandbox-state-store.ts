import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { runnerReportedState, type SandboxStateUpdate } from '@daytona/runner-contract';
import { DataSource, EntityManager } from 'typeorm';
import { SANDBOX_STATE_BUS, type SandboxStateBus, type SandboxStateEvent } from '../../bus/sandbox-state-bus.js';
import { isUuid } from '../../common/uuid.js';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { updateReturning } from '../../database/update-returning.js';
import { SandboxState } from '../entities/sandbox-state.js';
import { admitReturningSandboxes } from '../services/sandbox-admission.js';
import { allowedMoves, runnerEvent, TRANSITIONS, type SandboxEvent } from './sandbox-transitions.js';

const EVENT_COLUMNS = `s.id, s.organization_id AS "organizationId", s.state, s.error_reason AS "errorReason"`;

/** Error reasons only for moves into `error`; a sandbox that (re)starts has none. */
const NEXT_REASON = (to: string, reason: string) =>
  `CASE WHEN ${to} = 'error' THEN ${reason} WHEN ${to} IN ('starting', 'started') THEN NULL ELSE s.error_reason END`;

/** Same move for every row, chosen by the caller's condition (bounded by the caller). */
export interface Selection {
  /** SQL over `s` (the sandbox row); its parameters are numbered from $7. */
  where: string;
  parameters: unknown[];
}

const RUNNER_REPORT_EVENTS: readonly SandboxEvent[] = runnerReportedState.options.map(runnerEvent);

/**
 * The one writer of sandbox state: every change goes through the transition table
 * (sandbox-transitions.ts), records when the state was entered, and is published on the bus after
 * it is committed. Statements run outside any caller transaction (autocommit), so what is
 * published is always what others read.
 */
@Injectable()
export class SandboxStateStore {
  private readonly logger = new Logger('SandboxStateStore');

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(SANDBOX_STATE_BUS) private readonly bus: SandboxStateBus,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Applies `event` to the sandboxes `selection` picks, where the table allows it. */
  async apply(event: SandboxEvent, selection: Selection, options: { reason?: string; manager?: EntityManager } = {}): Promise<SandboxStateEvent[]> {
    const { to, from, desired, setsDesired, recoverable = false } = TRANSITIONS[event];
    const changed = await updateReturning<SandboxStateEvent>(
      options.manager ?? this.dataSource.manager,
      `UPDATE sandbox s
          SET state = $1, desired_state = coalesce($2, s.desired_state),
              error_reason = ${NEXT_REASON('$1', '$3')},
              recoverable = CASE WHEN $1 = 'error' THEN $6 ELSE false END,
              state_entered_at = CASE WHEN s.state <> $1 THEN now() ELSE s.state_entered_at END,
              updated_at = now()
        WHERE s.state = ANY($4) AND s.desired_state = ANY($5) AND (${selection.where})
      RETURNING ${EVENT_COLUMNS}`,
      [to, setsDesired ?? null, options.reason ?? null, from, desired, recoverable, ...selection.parameters],
    );
    await this.publish(changed);
    return changed;
  }

  /** `apply` to the given ids. */
  applyTo(event: SandboxEvent, ids: string[], options: { reason?: string } = {}): Promise<SandboxStateEvent[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.apply(event, { where: 's.id = ANY($7::uuid[])', parameters: [ids] }, options);
  }

  /**
   * What a runner says about its sandboxes, in one statement for the whole batch: each update
   * applies where the table allows it (anything else, e.g. a late `started` for a destroyed
   * sandbox, is ignored). A sandbox the API had given up on comes back only if its quota and its
   * runner still have room; otherwise it is marked for destruction. Returns how many changed.
   */
  async applyRunnerReports(runnerId: string, updates: SandboxStateUpdate[]): Promise<number> {
    // Within one report the last word on a sandbox wins; ids that cannot be ours change nothing.
    const latest = [...new Map(updates.filter((u) => isUuid(u.id)).map((u) => [u.id, u])).values()];
    if (latest.length === 0) return 0;
    const moves = allowedMoves(RUNNER_REPORT_EVENTS);
    const direct = moves.filter((move) => !move.readmit);
    const changed = await this.applyReports(this.dataSource.manager, runnerId, latest, direct);
    const returning = await this.readmit(runnerId, latest, moves.filter((move) => move.readmit));
    await this.publish(changed);
    return changed.length + returning;
  }

  /** Records that the runner holds these sandboxes (it took them, or reports them). */
  async markAcknowledged(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.dataSource.query(`UPDATE sandbox SET acknowledged_at = now() WHERE id = ANY($1::uuid[]) AND acknowledged_at IS NULL`, [ids]);
  }

  private publish(events: SandboxStateEvent[]): Promise<void> {
    return this.bus.publish(events);
  }

  private applyReports(
    manager: EntityManager,
    runnerId: string,
    updates: SandboxStateUpdate[],
    moves: ReturnType<typeof allowedMoves>,
  ): Promise<SandboxStateEvent[]> {
    return updateReturning<SandboxStateEvent>(
      manager,
      `UPDATE sandbox s
          SET state = u.state, error_reason = ${NEXT_REASON('u.state', 'u.error_reason')}, recoverable = false,
              state_entered_at = CASE WHEN s.state <> u.state THEN now() ELSE s.state_entered_at END,
              updated_at = now(), acknowledged_at = coalesce(s.acknowledged_at, now())
         FROM unnest($2::uuid[], $3::text[], $4::text[]) AS u(id, state, error_reason)
        WHERE s.id = u.id AND s.runner_id = $1
          AND (u.state, s.state, s.desired_state) IN (SELECT * FROM unnest($5::text[], $6::text[], $7::text[]))
          AND (s.state, s.error_reason) IS DISTINCT FROM (u.state, ${NEXT_REASON('u.state', 'u.error_reason')})
      RETURNING ${EVENT_COLUMNS}`,
      [
        runnerId,
        updates.map((u) => u.id),
        updates.map((u) => u.state),
        updates.map((u) => u.errorReason ?? null),
        moves.map((m) => m.to),
        moves.map((m) => m.from),
        moves.map((m) => m.desired),
      ],
    );
  }

  /**
   * Sandboxes in a state that holds no quota (error) that their runner reports running again:
   * admitted one organization at a time, in id order, against what is left of the quota and of
   * the runner; the rest stay in error and are marked for destruction (the runner's next sync
   * destroys them).
   */
  private async readmit(runnerId: string, updates: SandboxStateUpdate[], moves: ReturnType<typeof allowedMoves>): Promise<number> {
    const candidates: Array<{ id: string; organizationId: string; region: string; cpu: number; memory: number; disk: number }> =
      await this.dataSource.query(
        `SELECT s.id, s.organization_id AS "organizationId", s.region, s.cpu, s.memory, s.disk
           FROM sandbox s JOIN unnest($2::uuid[], $3::text[]) AS u(id, state) ON u.id = s.id
          WHERE s.runner_id = $1 AND (u.state, s.state, s.desired_state) IN (SELECT * FROM unnest($4::text[], $5::text[], $6::text[]))
          ORDER BY s.organization_id, s.id`,
        [runnerId, updates.map((u) => u.id), updates.map((u) => u.state), moves.map((m) => m.to), moves.map((m) => m.from), moves.map((m) => m.desired)],
      );
    if (candidates.length === 0) return 0;
    const byOrganization = new Map<string, typeof candidates>();
    for (const candidate of candidates) {
      const group = byOrganization.get(candidate.organizationId) ?? [];
      group.push(candidate);
      byOrganization.set(candidate.organizationId, group);
    }
    let changedCount = 0;
    for (const [organizationId, sandboxes] of byOrganization) {
      const changed = await this.dataSource.transaction(async (manager) => {
        const admitted = new Set(
          await admitReturningSandboxes(manager, organizationId, sandboxes[0].region, runnerId, sandboxes, {
            allowUnisolatedRunners: this.config.allowUnisolatedRunners,
          }),
        );
        const revived = await this.applyReports(manager, runnerId, updates.filter((u) => admitted.has(u.id)), moves);
        const refused = sandboxes.filter((sandbox) => !admitted.has(sandbox.id)).map((sandbox) => sandbox.id);
        if (refused.length > 0) {
          await manager.query(
            `UPDATE sandbox SET desired_state = 'destroyed', updated_at = now(),
                    error_reason = left(coalesce(error_reason || '; ', '') ||
                      'it came back on its runner, but its quota or runner had no room left, so it is being destroyed', 2000)
              WHERE id = ANY($1::uuid[]) AND state = $2`,
            [refused, SandboxState.ERROR],
          );
          this.logger.warn(`${refused.length} sandbox(es) came back after an error without room; destroying them`);
        }
        return revived;
      });
      await this.publish(changed);
      changedCount += changed.length;
    }
    return changedCount;
  }
}
