import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';
import { ConflictError, UnprocessableError } from '../../common/errors/domain-error.js';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { updateReturning } from '../../database/update-returning.js';
import { IDEMPOTENCY_KEY_HEADER } from './idempotency-key-header.js';

/** How long a key answers for the sandboxes it created. */
export const IDEMPOTENCY_TTL_HOURS = 24;

/**
 * One create carrying an Idempotency-Key. The record (key, fingerprint of the body, sandbox ids)
 * is written in the transaction that inserts the sandboxes, so it exists exactly when they do: a
 * request that fails leaves the key free, and a crash cannot leave it half taken. Requests with
 * one key are serialized by a transaction-level advisory lock, so concurrent repeats create once.
 */
export class IdempotentRequest {
  constructor(
    private readonly dataSource: DataSource,
    private readonly waitMs: number,
    readonly organizationId: string,
    readonly key: string,
    private readonly fingerprint: string,
  ) {}

  /**
   * The sandbox ids an earlier request with this key created, or null if none did; 422 when
   * that request had another body. Cheap (one indexed read), and answers before any other check,
   * so a repeat succeeds even if, say, its snapshot is gone since.
   */
  async previous(manager: EntityManager = this.dataSource.manager): Promise<string[] | null> {
    const [row]: Array<{ fingerprint: string; sandboxIds: string[] }> = await manager.query(
      `SELECT fingerprint, sandbox_ids AS "sandboxIds" FROM idempotency_key
        WHERE organization_id = $1 AND key = $2 AND expires_at > now()`,
      [this.organizationId, this.key],
    );
    if (!row) return null;
    if (row.fingerprint !== this.fingerprint) {
      throw new UnprocessableError(
        'idempotency_key_reused',
        `This ${IDEMPOTENCY_KEY_HEADER} was used in the last ${IDEMPOTENCY_TTL_HOURS} h with another request body or operation`,
        { field: IDEMPOTENCY_KEY_HEADER },
      );
    }
    return row.sandboxIds;
  }

  /**
   * Inside the creating transaction, before anything is written: waits (bounded) for a request
   * with the same key that is still creating, then answers what it created, if it did.
   */
  async claim(manager: EntityManager): Promise<string[] | null> {
    const [{ previous }] = await manager.query(
      `SELECT current_setting('lock_timeout') AS previous, set_config('lock_timeout', $1, true)`,
      [`${this.waitMs}ms`],
    );
    try {
      await manager.query('SELECT pg_advisory_xact_lock(hashtext($1), hashtext($2))', [`idempotency:${this.organizationId}`, this.key]);
    } catch (error) {
      if (sqlState(error) !== '55P03') throw error;
      throw new ConflictError(
        'idempotency_key_in_progress',
        `A request with this ${IDEMPOTENCY_KEY_HEADER} is still being processed; retry shortly`,
        { field: IDEMPOTENCY_KEY_HEADER },
      );
    }
    await manager.query(`SELECT set_config('lock_timeout', $1, true)`, [previous]);
    return this.previous(manager);
  }

  /** Inside the creating transaction, after the insert (an expired record is replaced). */
  async record(manager: EntityManager, sandboxIds: string[]): Promise<void> {
    await manager.query(
      `INSERT INTO idempotency_key (organization_id, key, fingerprint, sandbox_ids, expires_at)
       VALUES ($1, $2, $3, $4::uuid[], now() + make_interval(hours => $5))
       ON CONFLICT (organization_id, key) DO UPDATE
         SET fingerprint = EXCLUDED.fingerprint, sandbox_ids = EXCLUDED.sandbox_ids, created_at = now(), expires_at = EXCLUDED.expires_at`,
      [this.organizationId, this.key, this.fingerprint, sandboxIds, IDEMPOTENCY_TTL_HOURS],
    );
  }
}

@Injectable()
export class IdempotencyStore {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The request's idempotency handle, or undefined when it sent no key. */
  request(organizationId: string, key: string | undefined, operation: string, body: unknown): IdempotentRequest | undefined {
    if (key === undefined) return undefined;
    const fingerprint = createHash('sha256').update(canonicalJson({ operation, body })).digest('hex');
    return new IdempotentRequest(this.dataSource, this.config.idempotencyWaitMs, organizationId, key, fingerprint);
  }
}

/** Removes at most `limit` expired records; the reconciler calls it every pass. */
export async function deleteExpiredIdempotencyKeys(manager: EntityManager, limit: number): Promise<number> {
  const rows = await updateReturning<{ key: string }>(
    manager,
    `DELETE FROM idempotency_key WHERE ctid = ANY(ARRAY(SELECT ctid FROM idempotency_key WHERE expires_at <= now() LIMIT $1))
     RETURNING key`,
    [limit],
  );
  return rows.length;
}

/** JSON with object keys sorted at every level, so key order does not change the fingerprint. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, entry: unknown) =>
    entry && typeof entry === 'object' && !Array.isArray(entry)
      ? Object.fromEntries(Object.entries(entry).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : entry,
  );
}

function sqlState(error: unknown): string | undefined {
  const candidate = error as { code?: unknown; driverError?: { code?: unknown } };
  const code = candidate.driverError?.code ?? candidate.code;
  return typeof code === 'string' ? code : undefined;
}
