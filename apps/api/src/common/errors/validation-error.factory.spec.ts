import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { BulkCreateSandboxDto } from '../../sandbox/dto/bulk-create-sandbox.dto.js';
import { ListSandboxesQueryDto } from '../../sandbox/dto/list-sandboxes-query.dto.js';
import { MAX_REPORTED_VIOLATIONS, validationErrorFactory } from './validation-error.factory.js';

async function refusal(type: new () => object, plain: object) {
  const errors = await validate(plainToInstance(type, plain), { whitelist: true, forbidNonWhitelisted: true });
  expect(errors.length).toBeGreaterThan(0);
  return validationErrorFactory(errors);
}

describe('validationErrorFactory', () => {
  it('names the first field, with dotted paths into nested items', async () => {
    const error = await refusal(BulkCreateSandboxDto, { items: [{ snapshotIdOrName: 'default', count: 0, sandboxNamePrefix: 'a' }] });
    expect(error.code).toBe('validation_failed');
    expect(error.details).toEqual({
      field: 'items.0.count',
      violations: [{ field: 'items.0.count', constraints: { min: 'count must not be less than 1' } }],
    });
  });

  it('takes the code a constraint names', async () => {
    const error = await refusal(ListSandboxesQueryDto, { labels: '{"a":1}' });
    expect(error.code).toBe('invalid_labels');
    expect(error.details?.field).toBe('labels');
    expect((await refusal(ListSandboxesQueryDto, { page: '0' })).code).toBe('validation_failed');
  });

  it('lists at most 100 violations and summarizes 10 of them', async () => {
    const items = Array.from({ length: 200 }, () => ({ count: 0 }));
    const error = await refusal(BulkCreateSandboxDto, { items });
    const violations = error.details?.violations as unknown[];
    expect(violations).toHaveLength(MAX_REPORTED_VIOLATIONS);
    expect(error.details?.violationCount).toBe(1 + 3 * 200);
    expect(error.message).toMatch(/; and 591 more problem\(s\)$/);
  });
});
