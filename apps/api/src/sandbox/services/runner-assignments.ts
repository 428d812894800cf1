import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { RunnerSandboxAssignment, RunnerSandboxSpec } from '@daytona/runner-contract';
import { DataSource } from 'typeorm';

const ASSIGNMENT_COLUMNS = `s.id, s.name, s.image_ref AS "snapshotRef", sn.entrypoint, s.cpu, s.memory, s.disk, s.env,
                            s.network_block_all AS "networkBlockAll", s.network_allow_list AS "networkAllowList",
                            s.desired_state AS "desiredState", s.state, s.recoverable, s.runner_id AS "runnerId"`;

export type PlacedAssignment = RunnerSandboxAssignment & { runnerId: string };

/** What the API wants runners to hold, read in the shape the runner contract carries. */
@Injectable()
export class RunnerAssignments {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private async query(sql: string, parameters: unknown[]): Promise<PlacedAssignment[]> {
    const rows: Row[] = await this.dataSource.query(sql, parameters);
    return rows.map(({ entrypoint, networkAllowList, ...row }) => ({
      ...row,
      ...(entrypoint ? { entrypoint } : {}),
      ...(networkAllowList ? { networkAllowList: networkAllowList.split(',') } : {}),
    }));
  }

  /** Every sandbox placed on the runner that is not destroyed (what a starting runner adopts). */
  async listAssignedSandboxes(runnerId: string): Promise<RunnerSandboxAssignment[]> {
    const rows = await this.query(
      `SELECT ${ASSIGNMENT_COLUMNS} FROM sandbox s JOIN snapshot sn ON sn.id = s.snapshot_id
        WHERE s.runner_id = $1 AND s.state <> 'destroyed'
        ORDER BY s.created_at, s.name`,
      [runnerId],
    );
    return rows.map(withoutRunner);
  }

  /** The given sandboxes as they are now, leaving out those destroyed or being destroyed. */
  async current(ids: string[]): Promise<PlacedAssignment[]> {
    if (ids.length === 0) return [];
    return this.query(
      `SELECT ${ASSIGNMENT_COLUMNS} FROM sandbox s JOIN snapshot sn ON sn.id = s.snapshot_id
        WHERE s.id = ANY($1::uuid[]) AND s.runner_id IS NOT NULL AND s.state <> 'destroyed' AND s.desired_state <> 'destroyed'
        ORDER BY s.created_at, s.name`,
      [ids],
    );
  }
}

/** Rows as the contract has them: no entrypoint means the image's own; no allow list, the internet. */
type Row = Omit<PlacedAssignment, 'entrypoint' | 'networkAllowList'> & { entrypoint: string[] | null; networkAllowList: string | null };

export function withoutRunner({ runnerId: _, ...assignment }: PlacedAssignment): RunnerSandboxAssignment {
  return assignment;
}

export function toSpec({ desiredState: _d, state: _s, recoverable: _v, runnerId: _r, ...spec }: PlacedAssignment): RunnerSandboxSpec {
  return spec;
}
