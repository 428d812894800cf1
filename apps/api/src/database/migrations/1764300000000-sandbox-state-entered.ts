import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Records when each sandbox entered its current state, so timeouts count from there rather than
 * from creation, and whether an error is one its runner may recover from (the API gave up on it,
 * the runner did not report a failure); indexes what a runner's periodic sync reads.
 */
export class SandboxStateEntered1764300000000 implements MigrationInterface {
  name = 'SandboxStateEntered1764300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE sandbox ADD COLUMN state_entered_at timestamptz NOT NULL DEFAULT now()`);
    await queryRunner.query(`UPDATE sandbox SET state_entered_at = updated_at`);
    await queryRunner.query(`ALTER TABLE sandbox ADD COLUMN recoverable boolean NOT NULL DEFAULT false`);
    await queryRunner.query(`DROP INDEX sandbox_pending_start_idx`);
    await queryRunner.query(
      `CREATE INDEX sandbox_pending_start_idx ON sandbox (state_entered_at) WHERE state IN ('creating', 'starting')`,
    );
    await queryRunner.query(`CREATE INDEX sandbox_runner_live_idx ON sandbox (runner_id) WHERE state <> 'destroyed'`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX sandbox_runner_live_idx`);
    await queryRunner.query(`DROP INDEX sandbox_pending_start_idx`);
    await queryRunner.query(
      `CREATE INDEX sandbox_pending_start_idx ON sandbox (created_at) WHERE state IN ('creating', 'starting')`,
    );
    await queryRunner.query(`ALTER TABLE sandbox DROP COLUMN recoverable`);
    await queryRunner.query(`ALTER TABLE sandbox DROP COLUMN state_entered_at`);
  }
}
