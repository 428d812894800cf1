import { InvalidInputError } from '../../common/errors/domain-error.js';
import type { BulkCreateSandboxDto } from '../dto/bulk-create-sandbox.dto.js';

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
}
