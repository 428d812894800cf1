import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { RunnerClient } from '../runner/runner-client.js';
import { RunnerState } from '../runner/runner-state.js';
import { Runner } from '../runner/runner.entity.js';
import type { Snapshot } from './snapshot.entity.js';

/**
 * Gets snapshot images onto runners before sandboxes need them: every ready runner of a new
 * snapshot's regions is asked to pull it at once, and every runner's sync is answered with the
 * images of its region it does not hold yet (runners that join later, or missed the request).
 */
@Injectable()
export class SnapshotDistribution {
  private readonly logger = new Logger('SnapshotDistribution');

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly runnerClient: RunnerClient,
  ) {}

  /** Best effort and in the background: a runner that misses it pulls on its next sync. */
  pullEverywhere(snapshot: Snapshot): void {
    void this.dataSource.manager
      .createQueryBuilder(Runner, 'r')
      .where('r.region = ANY(:regions) AND r.state = :ready', { regions: snapshot.regions, ready: RunnerState.READY })
      .getMany()
      .then((runners) =>
        Promise.all(
          runners.map((runner) =>
            this.runnerClient.pullImage(runner, snapshot.ref).catch((error: Error) => {
              this.logger.warn(`Runner ${runner.name} was not asked to pull ${snapshot.ref}: ${error.message}`);
            }),
          ),
        ),
      )
      .catch((error: Error) => this.logger.warn(`Could not ask runners to pull ${snapshot.ref}: ${error.message}`));
  }

  /** Images of the region's live snapshots that the runner does not report holding or pulling. */
  async missingOn(runnerId: string, heldRefs: string[]): Promise<string[]> {
    const rows: Array<{ ref: string }> = await this.dataSource.query(
      `SELECT DISTINCT sn.ref FROM snapshot sn JOIN runner r ON r.region = ANY(sn.regions)
        WHERE r.id = $1 AND sn.deleted_at IS NULL AND sn.state IN ('pending', 'pulling', 'active')
          AND NOT (sn.ref = ANY($2::text[]))
        ORDER BY sn.ref`,
      [runnerId, heldRefs],
    );
    return rows.map((row) => row.ref);
  }
}
