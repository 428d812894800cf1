import type { z } from 'zod';

export interface ContractViolation {
  /** Dotted path of the offending field, e.g. `sandboxes.0.env.FOO`; empty for the whole value. */
  field: string;
  message: string;
}

/** Validates `value` against a contract schema: the value (unknown keys refused) or the first violation. */
export function parseContract<T extends z.ZodType>(
  schema: T,
  value: unknown,
): { ok: true; value: z.infer<T> } | { ok: false; violation: ContractViolation } {
  const result = schema.safeParse(value);
  if (result.success) return { ok: true, value: result.data };
  const [issue] = result.error.issues;
  const field = issue.path.map(String).join('.');
  const keys = issue.code === 'unrecognized_keys' ? ` (${issue.keys.join(', ')})` : '';
  return { ok: false, violation: { field, message: `${field || 'body'}: ${issue.message}${keys}` } };
}
