import { MigrationInterface, QueryRunner } from 'typeorm';

/** Each sandbox's network: only lo (every sandbox made before had just that), or egress with an optional allow list. */
export class SandboxNetwork1764700000000 implements MigrationInterface {
  name = 'SandboxNetwork1764700000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE sandbox ADD COLUMN network_block_all boolean NOT NULL DEFAULT true`);
    await queryRunner.query(`ALTER TABLE sandbox ADD COLUMN network_allow_list text`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE sandbox DROP COLUMN network_allow_list`);
    await queryRunner.query(`ALTER TABLE sandbox DROP COLUMN network_block_all`);
  }
}
