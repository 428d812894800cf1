import { EntityManager } from 'typeorm';
import { ConflictError } from '../../common/errors/domain-error.js';
import { isUniqueViolation } from '../../database/unique-violation.js';
import { Sandbox } from '../entities/sandbox.entity.js';
import { STATES_RELEASING_NAME } from '../entities/sandbox-state.js';

/**
 * Rows per INSERT. Each column travels as one array parameter (unnest), so a statement has 24
 * bind parameters whatever its row count, far from Postgres' 65,535 limit; chunking only bounds
 * the size of one statement.
 */
export const INSERT_CHUNK_ROWS = 20_000;

/** Inserts sandboxes with one statement per chunk, never one statement per row. */
export async function insertSandboxRows(manager: EntityManager, sandboxes: Sandbox[]): Promise<void> {
  try {
    for (let start = 0; start < sandboxes.length; start += INSERT_CHUNK_ROWS) {
      const chunk = sandboxes.slice(start, start + INSERT_CHUNK_ROWS);
      const column = <K extends keyof Sandbox>(key: K) => chunk.map((s) => s[key]);
      await manager.query(
        `INSERT INTO sandbox (id, organization_id, name, snapshot_id, snapshot_name, image_ref, runner_id, region, state,
                              desired_state, cpu, memory, disk, env, labels, os_user, auto_stop_interval,
                              auto_archive_interval, auto_delete_interval, last_activity_at, created_at, updated_at,
                              network_block_all, network_allow_list)
         SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::uuid[], $5::text[], $6::text[], $7::uuid[], $8::text[],
                              $9::text[], $10::text[], $11::int[], $12::int[], $13::int[], $14::jsonb[], $15::jsonb[],
                              $16::text[], $17::int[], $18::int[], $19::int[], $20::timestamptz[], $21::timestamptz[],
                              $22::timestamptz[], $23::boolean[], $24::text[])`,
        [
          column('id'),
          column('organizationId'),
          column('name'),
          column('snapshotId'),
          column('snapshotName'),
          column('imageRef'),
          column('runnerId'),
          column('region'),
          column('state'),
          column('desiredState'),
          column('cpu'),
          column('memory'),
          column('disk'),
          chunk.map((s) => JSON.stringify(s.env)),
          chunk.map((s) => JSON.stringify(s.labels)),
          column('osUser'),
          column('autoStopInterval'),
          column('autoArchiveInterval'),
          column('autoDeleteInterval'),
          column('lastActivityAt'),
          column('createdAt'),
          column('updatedAt'),
          column('networkBlockAll'),
          column('networkAllowList'),
        ],
      );
    }
  } catch (error) {
    if (isUniqueViolation(error, 'sandbox_org_live_name_idx')) {
      throw new ConflictError('name_conflict', 'A sandbox with one of these names already exists');
    }
    throw error;
  }
}

/** Names already held by live sandboxes of the organization; call inside the admission lock. */
export async function findTakenNames(
  manager: EntityManager,
  organizationId: string,
  names: string[],
): Promise<string[]> {
  if (names.length === 0) return [];
  const rows: Array<{ name: string }> = await manager.query(
    `SELECT name FROM sandbox
      WHERE organization_id = $1 AND name = ANY($2) AND NOT (state = ANY($3))
      ORDER BY name`,
    [organizationId, names, STATES_RELEASING_NAME],
  );
  return rows.map((row) => row.name);
}

export function assertNamesFree(takenNames: string[]): void {
  if (takenNames.length === 0) return;
  const shown = takenNames.slice(0, 100);
  throw new ConflictError(
    'name_conflict',
    `Sandbox name${takenNames.length > 1 ? 's' : ''} already in use: ${shown.join(', ')}` +
      (takenNames.length > shown.length ? ` and ${takenNames.length - shown.length} more` : ''),
    { names: shown, count: takenNames.length },
  );
}
