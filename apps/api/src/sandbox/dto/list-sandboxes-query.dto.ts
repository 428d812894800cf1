import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsEnum, IsInt, IsOptional, IsString, Max, Min } from 'class-validator';
import { SandboxState } from '../entities/sandbox-state.js';

export class ListSandboxesQueryDto {
  @ApiPropertyOptional({
    enum: SandboxState,
    enumName: 'SandboxState',
    isArray: true,
    description: 'Only sandboxes in these states (repeat the parameter for several). Destroyed ones are listed only when asked for.',
  })
  @IsOptional()
  @Transform(({ value }) => (Array.isArray(value) ? value : [value]))
  @IsEnum(SandboxState, { each: true })
  states?: SandboxState[];

  @ApiPropertyOptional({ description: 'JSON object of labels that must all match, e.g. {"team":"eval"}' })
  @IsOptional()
  @IsString()
  labels?: string;

  @ApiPropertyOptional({ type: 'integer', default: 1, minimum: 1 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  page?: number;

  @ApiPropertyOptional({ type: 'integer', default: 100, minimum: 1, maximum: 1000 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;
}
