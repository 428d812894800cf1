import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { SyncRequest, SyncResponse } from '@daytona/runner-contract';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { SandboxDesiredState, SandboxState } from '../entities/sandbox-state.js';
import { RunnerImages } from '../../snapshot/runner-images.js';
import { SnapshotDistribution } from '../../snapshot/snapshot-distribution.js';
import { SandboxStateStore } from '../state/sandbox-state-store.js';
import { RunnerAssignments, withoutRunner } from './runner-assignments.js';

interface LiveRow {
  id: string;
  state: SandboxState;
  desiredState: SandboxDesiredState;
  recoverable: boolean;
  acknowledged: boolean;
  /** Seconds since the sandbox entered its state. */
  age: number;
}

/** What a runner holds that runs, or is on its way to (a stop applies to all of it). */
const RUNNING: ReadonlySet<string> = new Set(['creating', 'pulling_snapshot', 'starting', 'started']);

/** States in which a sandbox has nothing on a runner worth creating (unless it is a recoverable error). */
const NOTHING_TO_RUN: ReadonlySet<SandboxState> = new Set([SandboxState.ERROR, SandboxState.BUILD_FAILED, SandboxState.DESTROYING]);

/**
 * Makes a runner and the database agree, from what the runner says it holds: every few seconds,
 * not only when it restarts. Whatever the database no longer wants is destroyed on the runner
 * (destroyed rows stay as tombstones, so a late dispatch is refused there too); what the runner
 * lacks is sent again; what runs but should be stopped (or the other way round) is stopped or
 * started; a differing state is reported again through the ordered report channel;
 * a destroy the runner already finished is completed. Its images tell which snapshots are ready
 * where; it is asked to pull the images of its region it lacks.
 */
@Injectable()
export class RunnerSync {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly store: SandboxStateStore,
    private readonly assignments: RunnerAssignments,
    private readonly images: RunnerImages,
    private readonly distribution: SnapshotDistribution,
  ) {}

  async sync(runnerId: string, { sandboxes: held, images }: SyncRequest): Promise<SyncResponse> {
    await this.images.record(runnerId, images);
    const rows: LiveRow[] = await this.dataSource.query(
      `SELECT id, state, desired_state AS "desiredState", recoverable, acknowledged_at IS NOT NULL AS acknowledged,
              extract(epoch FROM now() - state_entered_at)::float AS age
         FROM sandbox WHERE runner_id = $1 AND state <> 'destroyed'`,
      [runnerId],
    );
    const live = new Map(rows.map((row) => [row.id, row]));
    const heldState = new Map(held.map((sandbox) => [sandbox.id, sandbox.state]));

    const destroy: string[] = [];
    const report: string[] = [];
    const stop: string[] = [];
    const start: string[] = [];
    for (const { id, state } of held) {
      const row = live.get(id);
      if (!row || row.desiredState === SandboxDesiredState.DESTROYED) destroy.push(id);
      else if (row.desiredState === SandboxDesiredState.STOPPED && RUNNING.has(state)) stop.push(id);
      else if (row.desiredState === SandboxDesiredState.STARTED && state === 'stopped') start.push(id);
      else if (row.state !== state) report.push(id);
    }

    const redispatchAfterSeconds = this.config.reconciler.redispatchAfterMs / 1000;
    const missing = rows.filter(
      (row) =>
        !heldState.has(row.id) &&
        row.desiredState !== SandboxDesiredState.DESTROYED &&
        (!NOTHING_TO_RUN.has(row.state) || row.recoverable) &&
        // A new sandbox is usually in flight to the runner already; send it again only if it is late.
        (row.state !== SandboxState.CREATING || row.acknowledged || row.age >= redispatchAfterSeconds),
    );
    const finished = rows.filter((row) => row.state === SandboxState.DESTROYING && !heldState.has(row.id)).map((row) => row.id);

    await this.store.markAcknowledged(rows.filter((row) => !row.acknowledged && heldState.has(row.id)).map((row) => row.id));
    await this.store.applyTo('api.destroy_completed', finished);
    const assign = (await this.assignments.current(missing.map((row) => row.id))).filter((a) => a.runnerId === runnerId).map(withoutRunner);
    const pull = await this.distribution.missingOn(runnerId, images.map((image) => image.ref));
    return { destroy, assign, report, pull, stop, start };
  }
}
