import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Runners enroll once and then hold a credential of their own, stored here only as a hash; the
 * API presents a different secret to each runner, derived from the control-plane secret (so it
 * is stored nowhere). The shared plain-text token goes: runners enrolled before re-enroll on
 * their next registration. Runners say whether they isolate their sandboxes.
 */
export class RunnerEnrollment1764500000000 implements MigrationInterface {
  name = 'RunnerEnrollment1764500000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE control_plane_secret (id integer PRIMARY KEY CHECK (id = 1), secret text NOT NULL)`);
    await queryRunner.query(`DROP INDEX runner_token_idx`);
    await queryRunner.query(`ALTER TABLE runner DROP COLUMN token`);
    await queryRunner.query(`ALTER TABLE runner ADD COLUMN credential_hash text, ADD COLUMN isolated boolean NOT NULL DEFAULT false`);
    await queryRunner.query(`CREATE UNIQUE INDEX runner_credential_hash_idx ON runner (credential_hash)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX runner_credential_hash_idx`);
    await queryRunner.query(`ALTER TABLE runner DROP COLUMN credential_hash, DROP COLUMN isolated`);
    await queryRunner.query(`ALTER TABLE runner ADD COLUMN token text NOT NULL DEFAULT md5(random()::text)`);
    await queryRunner.query(`CREATE UNIQUE INDEX runner_token_idx ON runner (token)`);
    await queryRunner.query(`DROP TABLE control_plane_secret`);
  }
}
