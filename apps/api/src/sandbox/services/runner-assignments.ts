import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { RunnerSandboxAssignment } from '../../../../../libs/runner-contract/src/index.js';

/** What a (re)starting runner should hold: every sandbox placed on it that is not destroyed. */
@Injectable()
export class RunnerAssignments {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async listAssignedSandboxes(runnerId: string): Promise<RunnerSandboxAssignment[]> {
    return this.dataSource.query(
      `SELECT s.id, s.name, sn.ref AS "snapshotRef", s.cpu, s.memory, s.disk, s.env,
              s.desired_state AS "desiredState", s.state
         FROM sandbox s JOIN snapshot sn ON sn.id = s.snapshot_id
        WHERE s.runner_id = $1 AND s.state <> 'destroyed'
        ORDER BY s.created_at, s.name`,
      [runnerId],
    );
  }
}
