import 'reflect-metadata';
import { getMetadataStorage } from 'class-validator';
import { RegisterRunnerDto, RunnerCapacityDto } from '../../runner/dto/register-runner.dto.js';
import { ReportSandboxStatesDto, SandboxStateUpdateDto } from '../../runner/dto/sandbox-state-report.dto.js';
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
  RegisterRunnerDto,
  RunnerCapacityDto,
  ReportSandboxStatesDto,
  SandboxStateUpdateDto,
];

describe('global input limits', () => {
  it('are no stricter than any DTO: arrays', () => {
    const sizes = DTOS.flatMap((dto) =>
      getMetadataStorage()
        .getTargetValidationMetadatas(dto, '', true, false)
        .filter((metadata) => metadata.name === 'arrayMaxSize')
        .map((metadata) => ({ field: `${dto.name}.${metadata.propertyName}`, max: metadata.constraints[0] as number })),
    );
    expect(sizes.map((s) => s.field)).toEqual(
      expect.arrayContaining(['BulkCreateSandboxDto.items', 'ReportSandboxStatesDto.updates', 'ListSandboxesQueryDto.states']),
    );
    for (const { max } of sizes) expect(max).toBeLessThanOrEqual(INPUT_LIMITS.maxArrayItems);
    // The limit is the largest array a route takes: runners' state reports.
    expect(Math.max(...sizes.map((s) => s.max))).toBe(INPUT_LIMITS.maxArrayItems);
  });

  it('are no stricter than any DTO: keys of records', () => {
    for (const rules of [ENV_RULES, LABEL_RULES]) expect(rules.maxEntries).toBeLessThanOrEqual(INPUT_LIMITS.maxObjectKeys);
  });
});
