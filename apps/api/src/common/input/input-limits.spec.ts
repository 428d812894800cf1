import 'reflect-metadata';
import { getMetadataStorage } from 'class-validator';
import { ENV_LIMITS, MAX_SANDBOXES_PER_SYNC, MAX_UPDATES_PER_REPORT } from '@daytona/runner-contract';
import { BulkCreateItemDto, BulkCreateSandboxDto } from '../../sandbox/dto/bulk-create-sandbox.dto.js';
import { CreateSandboxDto, ENV_RULES, LABEL_RULES } from '../../sandbox/dto/create-sandbox.dto.js';
import { ListSandboxesQueryDto } from '../../sandbox/dto/list-sandboxes-query.dto.js';
import { ExecuteCommandDto } from '../../toolbox/dto/execute-command.dto.js';
import { INPUT_LIMITS } from './input-rules.js';

/** Every DTO a route takes: the global limits must never refuse what one of them accepts. */
const DTOS = [
  BulkCreateSandboxDto,
  BulkCreateItemDto,
  CreateSandboxDto,
  ListSandboxesQueryDto,
  ExecuteCommandDto,
];
/** Arrays runners send (checked by the runner contract's schemas, not by DTOs). */
const RUNNER_ARRAYS = { 'ReportSandboxStatesRequest.updates': MAX_UPDATES_PER_REPORT, 'SyncRequest.sandboxes': MAX_SANDBOXES_PER_SYNC };

describe('global input limits', () => {
  it('are no stricter than any DTO: arrays', () => {
    const sizes = DTOS.flatMap((dto) =>
      getMetadataStorage()
        .getTargetValidationMetadatas(dto, '', true, false)
        .filter((metadata) => metadata.name === 'arrayMaxSize')
        .map((metadata) => ({ field: `${dto.name}.${metadata.propertyName}`, max: metadata.constraints[0] as number })),
    );
    for (const [field, max] of Object.entries(RUNNER_ARRAYS)) sizes.push({ field, max });
    expect(sizes.map((s) => s.field)).toEqual(
      expect.arrayContaining(['BulkCreateSandboxDto.items', 'ReportSandboxStatesRequest.updates', 'ListSandboxesQueryDto.states']),
    );
    for (const { max } of sizes) expect(max).toBeLessThanOrEqual(INPUT_LIMITS.maxArrayItems);
    // The limit is the largest array a route takes: runners' state reports.
    expect(Math.max(...sizes.map((s) => s.max))).toBe(INPUT_LIMITS.maxArrayItems);
  });

  it('are no stricter than any DTO: keys of records', () => {
    for (const rules of [ENV_RULES, LABEL_RULES, ENV_LIMITS]) expect(rules.maxEntries).toBeLessThanOrEqual(INPUT_LIMITS.maxObjectKeys);
  });
});
