import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What the official Daytona SDKs expect of a sandbox, and what stopping idle sandboxes and
 * deleting stopped ones needs: the OS user commands run as, the auto-stop / auto-archive /
 * auto-delete intervals (minutes), and when the sandbox was last used.
 */
export class SandboxLifecycle1764800000000 implements MigrationInterface {
  name = 'SandboxLifecycle1764800000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE sandbox
      ADD COLUMN os_user text NOT NULL DEFAULT 'root',
      ADD COLUMN auto_stop_interval integer NOT NULL DEFAULT 15,
      ADD COLUMN auto_archive_interval integer NOT NULL DEFAULT 0,
      ADD COLUMN auto_delete_interval integer NOT NULL DEFAULT -1,
      ADD COLUMN last_activity_at timestamptz NOT NULL DEFAULT now()`);
    await queryRunner.query(`UPDATE sandbox SET last_activity_at = updated_at`);
    // The reconciler's auto-stop and auto-delete passes.
    await queryRunner.query(
      `CREATE INDEX sandbox_idle_idx ON sandbox (last_activity_at) WHERE state = 'started' AND auto_stop_interval > 0`,
    );
    await queryRunner.query(
      `CREATE INDEX sandbox_stopped_idx ON sandbox (state_entered_at) WHERE state = 'stopped' AND auto_delete_interval >= 0`,
    );
    await queryRunner.query(`ALTER TABLE runner_image ADD COLUMN image_user text`);
    await queryRunner.query(`ALTER TABLE snapshot ADD COLUMN image_user text`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE snapshot DROP COLUMN image_user`);
    await queryRunner.query(`ALTER TABLE runner_image DROP COLUMN image_user`);
    await queryRunner.query(`DROP INDEX sandbox_stopped_idx`);
    await queryRunner.query(`DROP INDEX sandbox_idle_idx`);
    await queryRunner.query(`ALTER TABLE sandbox
      DROP COLUMN os_user, DROP COLUMN auto_stop_interval, DROP COLUMN auto_archive_interval,
      DROP COLUMN auto_delete_interval, DROP COLUMN last_activity_at`);
  }
}
