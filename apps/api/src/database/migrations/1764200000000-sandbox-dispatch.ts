import { MigrationInterface, QueryRunner } from 'typeorm';

/** Tracks which sandboxes a runner has taken, so unacknowledged ones can be dispatched again. */
export class SandboxDispatch1764200000000 implements MigrationInterface {
  name = 'SandboxDispatch1764200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE sandbox ADD COLUMN acknowledged_at timestamptz`);
    await queryRunner.query(
      `CREATE INDEX sandbox_pending_start_idx ON sandbox (created_at) WHERE state IN ('creating', 'starting')`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX sandbox_pending_start_idx`);
    await queryRunner.query(`ALTER TABLE sandbox DROP COLUMN acknowledged_at`);
  }
}
