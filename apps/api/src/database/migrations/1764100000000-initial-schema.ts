import { MigrationInterface, QueryRunner } from 'typeorm';

export class InitialSchema1764100000000 implements MigrationInterface {
  name = 'InitialSchema1764100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE region (
        id text PRIMARY KEY,
        name text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      CREATE TABLE organization (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL,
        default_region text NOT NULL REFERENCES region(id),
        total_cpu_quota integer NOT NULL CHECK (total_cpu_quota >= 0),
        total_memory_quota integer NOT NULL CHECK (total_memory_quota >= 0),
        total_disk_quota integer NOT NULL CHECK (total_disk_quota >= 0),
        max_cpu_per_sandbox integer NOT NULL CHECK (max_cpu_per_sandbox >= 1),
        max_memory_per_sandbox integer NOT NULL CHECK (max_memory_per_sandbox >= 1),
        max_disk_per_sandbox integer NOT NULL CHECK (max_disk_per_sandbox >= 1),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      CREATE TABLE api_key (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organization(id) ON DELETE CASCADE,
        name text NOT NULL,
        key_hash text NOT NULL,
        key_prefix text NOT NULL,
        permissions text[] NOT NULL,
        expires_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE UNIQUE INDEX api_key_key_hash_idx ON api_key (key_hash)`);
    await queryRunner.query(`
      CREATE TABLE snapshot (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid REFERENCES organization(id) ON DELETE CASCADE,
        name text NOT NULL,
        state text NOT NULL,
        cpu integer NOT NULL CHECK (cpu >= 1),
        memory integer NOT NULL CHECK (memory >= 1),
        disk integer NOT NULL CHECK (disk >= 1),
        regions text[] NOT NULL,
        ref text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX snapshot_org_name_idx ON snapshot (organization_id, name) WHERE organization_id IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX snapshot_general_name_idx ON snapshot (name) WHERE organization_id IS NULL`,
    );
    await queryRunner.query(`
      CREATE TABLE runner (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL,
        url text NOT NULL,
        token text NOT NULL,
        region text NOT NULL REFERENCES region(id),
        capacity_cpu integer NOT NULL CHECK (capacity_cpu >= 0),
        capacity_memory integer NOT NULL CHECK (capacity_memory >= 0),
        capacity_disk integer NOT NULL CHECK (capacity_disk >= 0),
        state text NOT NULL,
        schedulable boolean NOT NULL DEFAULT true,
        last_heartbeat_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE UNIQUE INDEX runner_name_idx ON runner (name)`);
    await queryRunner.query(`CREATE UNIQUE INDEX runner_token_idx ON runner (token)`);
    await queryRunner.query(`
      CREATE TABLE sandbox (
        id uuid PRIMARY KEY,
        organization_id uuid NOT NULL REFERENCES organization(id) ON DELETE CASCADE,
        name text NOT NULL,
        snapshot_id uuid NOT NULL REFERENCES snapshot(id),
        snapshot_name text NOT NULL,
        runner_id uuid REFERENCES runner(id),
        region text NOT NULL,
        state text NOT NULL,
        desired_state text NOT NULL,
        cpu integer NOT NULL,
        memory integer NOT NULL,
        disk integer NOT NULL,
        env jsonb NOT NULL DEFAULT '{}',
        labels jsonb NOT NULL DEFAULT '{}',
        error_reason text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    // Names are reserved until destroyed; this index is the last line of defence behind admission.
    await queryRunner.query(
      `CREATE UNIQUE INDEX sandbox_org_live_name_idx ON sandbox (organization_id, name) WHERE state <> 'destroyed'`,
    );
    await queryRunner.query(
      `CREATE INDEX sandbox_org_state_created_idx ON sandbox (organization_id, state, created_at)`,
    );
    await queryRunner.query(
      `CREATE INDEX sandbox_runner_claims_idx ON sandbox (runner_id)
         WHERE state NOT IN ('destroyed', 'error', 'build_failed')`,
    );
    await queryRunner.query(`CREATE INDEX sandbox_labels_idx ON sandbox USING gin (labels jsonb_path_ops)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['sandbox', 'runner', 'snapshot', 'api_key', 'organization', 'region']) {
      await queryRunner.query(`DROP TABLE IF EXISTS ${table}`);
    }
  }
}
