import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Idempotency keys of creates (one row per organization and key, kept 24 h), and API keys
 * managed over the API: a name unique within the organization (DELETE /api-keys/{name}) and
 * when each was last used.
 */
export class RunningFleets1764600000000 implements MigrationInterface {
  name = 'RunningFleets1764600000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE idempotency_key (
        organization_id uuid NOT NULL REFERENCES organization(id) ON DELETE CASCADE,
        key text NOT NULL,
        fingerprint text NOT NULL,
        sandbox_ids uuid[] NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        PRIMARY KEY (organization_id, key)
      )`);
    await queryRunner.query(`CREATE INDEX idempotency_key_expires_idx ON idempotency_key (expires_at)`);

    await queryRunner.query(`ALTER TABLE api_key ADD COLUMN last_used_at timestamptz`);
    // Keys made before names had to be unique keep theirs where they can; repeats get a suffix.
    await queryRunner.query(`
      UPDATE api_key k SET name = left(k.name, 50) || '-' || d.n
        FROM (SELECT id, row_number() OVER (PARTITION BY organization_id, name ORDER BY created_at, id) AS n FROM api_key) d
       WHERE d.id = k.id AND d.n > 1`);
    await queryRunner.query(`CREATE UNIQUE INDEX api_key_org_name_idx ON api_key (organization_id, name)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX api_key_org_name_idx`);
    await queryRunner.query(`ALTER TABLE api_key DROP COLUMN last_used_at`);
    await queryRunner.query(`DROP TABLE idempotency_key`);
  }
}
