import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsOptional, IsString, IsUUID, MaxLength, ValidateNested } from 'class-validator';
import type { RunnerReportedState } from '../../../../../libs/runner-contract/src/index.js';

const REPORTED_STATES: RunnerReportedState[] = ['starting', 'started', 'stopping', 'stopped', 'destroying', 'destroyed', 'error'];

export class SandboxStateUpdateDto {
  @IsUUID()
  id: string;

  @IsIn(REPORTED_STATES)
  state: RunnerReportedState;

  @IsOptional()
  @IsString()
  @MaxLength(2_000)
  errorReason?: string | null;
}

export class ReportSandboxStatesDto {
  @IsArray()
  @ArrayMaxSize(20_000)
  @ValidateNested({ each: true })
  @Type(() => SandboxStateUpdateDto)
  updates: SandboxStateUpdateDto[];
}
