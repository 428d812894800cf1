import { InvalidInputError } from '../../common/errors/domain-error.js';
import type { BulkCreateSandboxDto } from '../dto/bulk-create-sandbox.dto.js';

/**
 * What the env and labels of a request's sandboxes may take together (each item's times its
 * count): every row stores them, and a runner receives the env of all its new sandboxes in one
 * request (it reads at most 32 MiB).
 */
export const MAX_BULK_DATA_BYTES = 16 * 2 ** 20;

/** Rules that span items, checked before any database work (the DTO checks each field). */
export function assertBulkRequestAcceptable(dto: BulkCreateSandboxDto, maxTotalCount: number): void {
  const total = dto.items.reduce((sum, item) => sum + item.count, 0);
  if (total > maxTotalCount) {
    throw new InvalidInputError(
      'bulk_total_exceeded',
      `A bulk request may create at most ${maxTotalCount} sandboxes; this one asks for ${total}`,
      { field: 'items', requested: total, max: maxTotalCount },
    );
  }
  const seen = new Map<string, number>();
  dto.items.forEach((item, index) => {
    const first = seen.get(item.sandboxNamePrefix);
    if (first !== undefined) {
      throw new InvalidInputError(
        'duplicate_name_prefix',
        `items[${index}].sandboxNamePrefix "${item.sandboxNamePrefix}" repeats items[${first}]: names would collide`,
        { field: `items.${index}.sandboxNamePrefix`, prefix: item.sandboxNamePrefix },
      );
    }
    seen.set(item.sandboxNamePrefix, index);
  });
  const dataBytes = dto.items.reduce((sum, item) => sum + item.count * (jsonBytes(item.env) + jsonBytes(item.labels)), 0);
  if (dataBytes > MAX_BULK_DATA_BYTES) {
    throw new InvalidInputError(
      'bulk_data_too_large',
      `The env and labels of the items, each times its count, take ${dataBytes} bytes; a request may take at most ${MAX_BULK_DATA_BYTES}`,
      { field: 'items', bytes: dataBytes, max: MAX_BULK_DATA_BYTES },
    );
  }
}

function jsonBytes(record: Record<string, string> | undefined): number {
  return record ? Buffer.byteLength(JSON.stringify(record)) : 0;
}
