import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { ReportSandboxStatesRequest } from '../../../../../libs/runner-contract/src/index.js';
import { updateReturning } from '../../database/update-returning.js';
import { SANDBOX_STATE_BUS, type SandboxStateBus, type SandboxStateEvent } from '../../bus/sandbox-state-bus.js';

/**
 * Persists what runners report, in one statement per report, and publishes the changes.
 * Rules: a destroyed sandbox never comes back; a sandbox the API gave up on (error,
 * build_failed) or is destroying only moves on to destroying/destroyed; repeats are ignored.
 */
@Injectable()
export class SandboxStateReports {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(SANDBOX_STATE_BUS) private readonly bus: SandboxStateBus,
  ) {}

  async applyRunnerReports(runnerId: string, updates: ReportSandboxStatesRequest['updates']): Promise<number> {
    // Within one report the last word on a sandbox wins.
    const latest = new Map(updates.map((u) => [u.id, u]));
    if (latest.size === 0) return 0;
    const rows = [...latest.values()];
    const changed = await updateReturning<SandboxStateEvent>(
      this.dataSource.manager,
      `UPDATE sandbox s
          SET state = u.state, error_reason = u.error_reason, updated_at = now(),
              acknowledged_at = coalesce(s.acknowledged_at, now())
         FROM unnest($2::uuid[], $3::text[], $4::text[]) AS u(id, state, error_reason)
        WHERE s.id = u.id AND s.runner_id = $1
          AND s.state <> 'destroyed'
          AND (s.state NOT IN ('error', 'build_failed') OR u.state = 'destroyed')
          AND (s.desired_state <> 'destroyed' OR u.state IN ('destroying', 'destroyed'))
          AND (s.state, s.error_reason) IS DISTINCT FROM (u.state, u.error_reason)
      RETURNING s.id, s.organization_id AS "organizationId", s.state, s.error_reason AS "errorReason"`,
      [runnerId, rows.map((r) => r.id), rows.map((r) => r.state), rows.map((r) => r.errorReason ?? null)],
    );
    await this.bus.publish(changed);
    return changed.length;
  }
}
