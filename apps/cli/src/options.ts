import type { BulkCreateItem } from '@daytonaio/sdk';
import { InvalidArgumentError } from 'commander';
import { readFileSync } from 'node:fs';

/**
 * Commander parser for a repeatable `key=value` option (`--label run=eval-7 --label team=a`):
 * collects into one object; the value may itself contain `=`.
 */
export function collectKeyValue(value: string, previous: Record<string, string> | undefined): Record<string, string> {
  const split = value.indexOf('=');
  if (split <= 0) throw new InvalidArgumentError(`expected key=value, got "${value}"`);
  return { ...previous, [value.slice(0, split)]: value.slice(split + 1) };
}

/** Commander parser for a repeatable plain option (`--id a --id b`). */
export function collectValues(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

export function parsePositiveInteger(value: string): number {
  const number = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(number) || number < 1) {
    throw new InvalidArgumentError(`expected a whole number, 1 or more, got "${value}"`);
  }
  return number;
}

export function parsePositiveNumber(value: string): number {
  const number = Number(value);
  if (value.trim() === '' || !Number.isFinite(number) || number <= 0) {
    throw new InvalidArgumentError(`expected a number of seconds above 0, got "${value}"`);
  }
  return number;
}

/** What `--item` sets; the rest of the item comes from the command's other options. */
export interface ItemSpec {
  snapshot?: string;
  count: number;
  prefix: string;
  allowUnder?: boolean;
}

const ITEM_KEYS = 'snapshot, count, prefix, allowUnder';

/**
 * Commander parser for a repeatable `--item snapshot=default,count=50,prefix=eval-a`: `count` and
 * `prefix` are required, `snapshot` and `allowUnder` (true/false) optional.
 */
export function collectItem(value: string, previous: ItemSpec[] | undefined): ItemSpec[] {
  const fields: Record<string, string> = {};
  for (const part of value.split(',')) {
    const [key, ...rest] = part.split('=');
    if (rest.length === 0 || !key.trim()) throw new InvalidArgumentError(`expected ${ITEM_KEYS} as key=value, separated by commas, got "${value}"`);
    fields[key.trim()] = rest.join('=').trim();
  }
  const unknown = Object.keys(fields).filter((key) => !['snapshot', 'count', 'prefix', 'allowUnder'].includes(key));
  if (unknown.length > 0) throw new InvalidArgumentError(`unknown item field ${unknown.join(', ')} (known: ${ITEM_KEYS})`);
  if (fields.count === undefined || !fields.prefix) throw new InvalidArgumentError(`an item needs count and prefix, got "${value}"`);
  if (fields.allowUnder !== undefined && !['true', 'false'].includes(fields.allowUnder)) {
    throw new InvalidArgumentError(`allowUnder must be true or false, got "${fields.allowUnder}"`);
  }
  const item: ItemSpec = { count: parsePositiveInteger(fields.count), prefix: fields.prefix };
  if (fields.snapshot) item.snapshot = fields.snapshot;
  if (fields.allowUnder !== undefined) item.allowUnder = fields.allowUnder === 'true';
  return [...(previous ?? []), item];
}

/**
 * Items from a JSON file: an array of the API's BulkCreateItem objects (`snapshotIdOrName`,
 * `count`, `sandboxNamePrefix`, `allowUnder`, `labels`, `env`), or `{ "items": [...] }`. The
 * server checks each field and names the offending one (`items.2.count`).
 */
export function readItemsFile(path: string): BulkCreateItem[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new InvalidArgumentError(`cannot read items from ${path}: ${(error as Error).message}`);
  }
  const items = Array.isArray(parsed) ? parsed : (parsed as { items?: unknown } | null)?.items;
  if (!Array.isArray(items) || !items.every((item) => typeof item === 'object' && item !== null && !Array.isArray(item))) {
    throw new InvalidArgumentError(`${path} must hold a JSON array of items, or { "items": [...] }`);
  }
  return items as BulkCreateItem[];
}
