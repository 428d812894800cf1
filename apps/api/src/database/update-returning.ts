import type { EntityManager } from 'typeorm';

/** Runs an UPDATE/DELETE … RETURNING and gives back its rows (TypeORM wraps them with a count). */
export async function updateReturning<T>(manager: EntityManager, sql: string, parameters: unknown[]): Promise<T[]> {
  const result = await manager.query(sql, parameters);
  return (Array.isArray(result) && Array.isArray(result[0]) ? result[0] : result) as T[];
}
