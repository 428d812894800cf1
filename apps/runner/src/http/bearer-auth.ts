import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Compares `Authorization: Bearer <token>` with the runner token in constant time. Both sides are
 * hashed first so neither the content nor the length of the token leaks through timing.
 */
export function hasRunnerToken(authorization: string | undefined, token: string): boolean {
  const presented = /^Bearer (.+)$/i.exec(authorization ?? '')?.[1] ?? '';
  return timingSafeEqual(sha256(presented), sha256(token));
}

function sha256(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
