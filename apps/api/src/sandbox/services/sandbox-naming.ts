export const SANDBOX_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

/** 1..50 characters so that `{prefix}-{n}` always stays a valid sandbox name. */
export const SANDBOX_NAME_PREFIX_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,49}$/;

/**
 * Names for a bulk item: `{prefix}-{n}` for n = 1..count, zero-padded to max(5, digits(count)),
 * so that they sort in creation order: batch-a-00001 … batch-a-99999, then 6 digits from 100,000.
 */
export function bulkSandboxNames(prefix: string, count: number): string[] {
  const width = Math.max(5, String(count).length);
  return Array.from({ length: count }, (_, i) => `${prefix}-${String(i + 1).padStart(width, '0')}`);
}
