import { EntityManager } from 'typeorm';
import { ConflictError } from '../../common/errors/domain-error.js';
import { isUniqueViolation } from '../../database/unique-violation.js';
import { Sandbox } from '../entities/sandbox.entity.js';
import { STATES_RELEASING_NAME } from '../entities/sandbox-state.js';

/** Postgres allows 65,535 bind parameters per statement; 17 columns x 2,000 rows stays well under. */
export const INSERT_CHUNK_ROWS = 2_000;

/** Inserts sandboxes with one multi-row statement per chunk, never one statement per row. */
export async function insertSandboxRows(manager: EntityManager, sandboxes: Sandbox[]): Promise<void> {
  try {
    for (let start = 0; start < sandboxes.length; start += INSERT_CHUNK_ROWS) {
      await manager.insert(Sandbox, sandboxes.slice(start, start + INSERT_CHUNK_ROWS));
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
