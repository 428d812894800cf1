import { InvalidInputError } from '../../common/errors/domain-error.js';
import type { SandboxSort } from '../dto/list-sandboxes-query.dto.js';

/**
 * What each sort orders by; ties are broken by id, so every page boundary is exact. Times to the
 * millisecond, as a cursor (and JavaScript) holds them.
 */
export const SORT_COLUMNS: Record<SandboxSort, string> = {
  createdAt: `date_trunc('milliseconds', s.created_at)`,
  updatedAt: `date_trunc('milliseconds', s.updated_at)`,
  lastActivityAt: `date_trunc('milliseconds', s.last_activity_at)`,
  name: 's.name',
  state: 's.state',
};

interface Position {
  sort: SandboxSort;
  order: 'asc' | 'desc';
  /** The last row's sort value (ISO time for times) and id. */
  value: string;
  id: string;
}

/** An opaque cursor: where the page ended, under which sort and order. */
export function encodeCursor(position: Position): string {
  return Buffer.from(JSON.stringify([position.sort, position.order, position.value, position.id])).toString('base64url');
}

/** The position a cursor names; 400 `invalid_cursor` if it is not one, or was made for another sort or order. */
export function decodeCursor(cursor: string, sort: SandboxSort, order: 'asc' | 'desc'): Position {
  let parsed: unknown = null;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    // not one of ours
  }
  const parts = Array.isArray(parsed) && parsed.length === 4 && parsed.every((part) => typeof part === 'string') ? (parsed as string[]) : null;
  if (!parts || parts[0] !== sort || parts[1] !== order || !/^[0-9a-f-]{36}$/.test(parts[3])) {
    throw new InvalidInputError('invalid_cursor', 'cursor is not a nextCursor of this list with this sort and order', { field: 'cursor' });
  }
  return { sort, order, value: parts[2], id: parts[3] };
}
