import { QueryFailedError } from 'typeorm';

/** Socket errors met while connecting to Postgres or talking to it. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE']);

/**
 * SQLSTATEs that say the server is going away or refuses sessions, not that a statement is
 * wrong: class 08 (connection exception), admin/crash shutdown, cannot connect now, too many
 * connections.
 */
const UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300']);

/** What node-postgres says when the connection goes away under a query or cannot be made. */
const UNAVAILABLE_MESSAGE = /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error)/;

/**
 * True when `error` means the database cannot be reached right now (answered 503
 * `database_unavailable`), as opposed to a statement that failed (a bug: 500). Looks through
 * TypeORM's QueryFailedError, `cause` chains and AggregateError (one error per address tried).
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  const pending: unknown[] = [error];
  const seen = new Set<unknown>();
  while (pending.length > 0) {
    const candidate = pending.pop();
    if (typeof candidate !== 'object' || candidate === null || seen.has(candidate)) continue;
    seen.add(candidate);
    const { code, message } = candidate as { code?: unknown; message?: unknown };
    if (typeof code === 'string' && (NETWORK_CODES.has(code) || code.startsWith('08') || UNAVAILABLE_SQLSTATES.has(code))) {
      return true;
    }
    if (typeof message === 'string' && UNAVAILABLE_MESSAGE.test(message)) return true;
    if (candidate instanceof QueryFailedError) pending.push(candidate.driverError);
    if (candidate instanceof AggregateError) pending.push(...candidate.errors);
    pending.push((candidate as { cause?: unknown }).cause);
  }
  return false;
}
