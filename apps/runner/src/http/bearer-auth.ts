import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Compares `Authorization: Bearer <token>` with the API's token in constant time (both sides are
 * hashed first so neither the content nor the length of the token leaks through timing). Before
 * the runner has registered there is no token, and nothing is let in.
 */
export function hasApiToken(authorization: string | undefined, token: string | null): boolean {
  const presented = /^Bearer (.+)$/i.exec(authorization ?? '')?.[1] ?? '';
  return token !== null && timingSafeEqual(sha256(presented), sha256(token));
}

function sha256(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
