import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, In } from 'typeorm';
import { InvalidInputError, UnavailableError } from '../../common/errors/domain-error.js';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { RunnerClient } from '../../runner/runner-client.js';
import { RunnerState } from '../../runner/runner-state.js';
import { Runner } from '../../runner/runner.entity.js';
import type { BulkDeleteSandboxesDto, BulkDeleteSandboxesResultDto } from '../dto/bulk-delete-sandboxes.dto.js';
import { SandboxStateStore } from '../state/sandbox-state-store.js';

/**
 * Destroys every live sandbox of an organization that matches all the given selectors, at most
 * BULK_MAX_TOTAL_COUNT per call, with a bounded number of statements and one request per runner.
 * Sandboxes already being destroyed are not matched again, so repeating a call until `hasMore`
 * is false ends.
 */
@Injectable()
export class SandboxBulkDelete {
  private readonly logger = new Logger('SandboxBulkDelete');

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly store: SandboxStateStore,
    private readonly runnerClient: RunnerClient,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async destroyMatching(organizationId: string, selector: BulkDeleteSandboxesDto): Promise<BulkDeleteSandboxesResultDto> {
    const labels = selector.labels && Object.keys(selector.labels).length > 0 ? selector.labels : null;
    const ids = selector.ids && selector.ids.length > 0 ? selector.ids : null;
    const namePrefix = selector.namePrefix ?? null;
    if (!labels && !ids && !namePrefix) {
      throw new InvalidInputError('empty_selector', 'Name at least one of labels, namePrefix or ids: a bulk delete never means "everything"', {
        selectors: ['labels', 'namePrefix', 'ids'],
      });
    }
    const max = this.config.bulk.maxTotalCount;
    const matched: Array<{ id: string }> = await this.dataSource.query(
      `SELECT id FROM sandbox
        WHERE organization_id = $1 AND state <> 'destroyed' AND desired_state <> 'destroyed'
          AND ($2::jsonb IS NULL OR labels @> $2::jsonb)
          AND ($3::text IS NULL OR starts_with(name, $3::text))
          AND ($4::uuid[] IS NULL OR id = ANY($4::uuid[]))
        ORDER BY created_at, id
        LIMIT $5`,
      [organizationId, labels && JSON.stringify(labels), namePrefix, ids, max + 1],
    );
    const marked = await this.store.applyTo(
      'api.destroy_requested',
      matched.slice(0, max).map((row) => row.id),
    );
    await this.destroyOnRunners(marked.map((event) => event.id));
    return { count: marked.length, hasMore: matched.length > max };
  }

  /**
   * One request per ready runner (it answers at once and reports each `destroyed`); a runner that
   * does not answer destroys them at its next sync. Sandboxes with no ready runner are done now:
   * a runner that comes back is told by its first sync to destroy what is no longer wanted.
   */
  private async destroyOnRunners(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    const placed: Array<{ id: string; runnerId: string | null }> = await this.dataSource.query(
      `SELECT id, runner_id AS "runnerId" FROM sandbox WHERE id = ANY($1::uuid[])`,
      [ids],
    );
    const byRunner = new Map<string, string[]>();
    const done: string[] = [];
    for (const { id, runnerId } of placed) {
      if (!runnerId) done.push(id);
      else if (byRunner.has(runnerId)) byRunner.get(runnerId)!.push(id);
      else byRunner.set(runnerId, [id]);
    }
    const runners = byRunner.size === 0 ? [] : await this.dataSource.manager.findBy(Runner, { id: In([...byRunner.keys()]) });
    const ready = new Set(runners.filter((runner) => runner.state === RunnerState.READY).map((runner) => runner.id));
    for (const [runnerId, group] of byRunner) if (!ready.has(runnerId)) done.push(...group);
    await Promise.all(
      runners
        .filter((runner) => ready.has(runner.id))
        .map(async (runner) => {
          const group = byRunner.get(runner.id)!;
          try {
            await this.runnerClient.destroySandboxes(runner, group);
          } catch (error) {
            if (!(error instanceof UnavailableError)) throw error;
            this.logger.warn(`Destroy of ${group.length} sandbox(es) deferred to runner ${runner.name}'s next sync: ${error.message}`);
          }
        }),
    );
    await this.store.applyTo('api.destroy_completed', done);
  }
}
