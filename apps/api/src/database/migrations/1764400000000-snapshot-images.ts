import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Snapshots are OCI images: the image a user named, why a pull failed, the entrypoint, the
 * image's size, when sandboxes were last created from it, and a soft delete (sandboxes keep pointing at their snapshot row). What each
 * runner holds of each image is `runner_image`, reported by the runner's syncs.
 */
export class SnapshotImages1764400000000 implements MigrationInterface {
  name = 'SnapshotImages1764400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE snapshot
      ADD COLUMN image_name text,
      ADD COLUMN error_reason text,
      ADD COLUMN entrypoint text[],
      ADD COLUMN size_bytes bigint,
      ADD COLUMN last_used_at timestamptz,
      ADD COLUMN deleted_at timestamptz`);
    await queryRunner.query(`UPDATE snapshot SET image_name = ref`);
    await queryRunner.query(`ALTER TABLE snapshot ALTER COLUMN image_name SET NOT NULL`);
    await queryRunner.query(`DROP INDEX snapshot_org_name_idx`);
    await queryRunner.query(`DROP INDEX snapshot_general_name_idx`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX snapshot_org_name_idx ON snapshot (organization_id, name) WHERE organization_id IS NOT NULL AND deleted_at IS NULL`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX snapshot_general_name_idx ON snapshot (name) WHERE organization_id IS NULL AND deleted_at IS NULL`,
    );
    await queryRunner.query(`CREATE INDEX snapshot_ref_idx ON snapshot (ref) WHERE deleted_at IS NULL`);
    await queryRunner.query(`
      CREATE TABLE runner_image (
        runner_id uuid NOT NULL REFERENCES runner(id) ON DELETE CASCADE,
        ref text NOT NULL,
        state text NOT NULL,
        digest text,
        error_reason text,
        size_bytes bigint,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (runner_id, ref)
      )`);
    await queryRunner.query(`CREATE INDEX runner_image_ref_idx ON runner_image (ref)`);
    // A sandbox keeps the image it was created from, even if its snapshot later names another.
    await queryRunner.query(`ALTER TABLE sandbox ADD COLUMN image_ref text`);
    await queryRunner.query(`UPDATE sandbox s SET image_ref = sn.ref FROM snapshot sn WHERE sn.id = s.snapshot_id`);
    await queryRunner.query(`ALTER TABLE sandbox ALTER COLUMN image_ref SET NOT NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE sandbox DROP COLUMN image_ref`);
    await queryRunner.query(`DROP TABLE runner_image`);
    await queryRunner.query(`DROP INDEX snapshot_ref_idx`);
    await queryRunner.query(`DROP INDEX snapshot_org_name_idx`);
    await queryRunner.query(`DROP INDEX snapshot_general_name_idx`);
    await queryRunner.query(`DELETE FROM snapshot WHERE deleted_at IS NOT NULL`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX snapshot_org_name_idx ON snapshot (organization_id, name) WHERE organization_id IS NOT NULL`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX snapshot_general_name_idx ON snapshot (name) WHERE organization_id IS NULL`);
    await queryRunner.query(`ALTER TABLE snapshot
      DROP COLUMN image_name, DROP COLUMN error_reason, DROP COLUMN entrypoint, DROP COLUMN size_bytes,
      DROP COLUMN last_used_at, DROP COLUMN deleted_at`);
  }
}
