import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { OnlyValue } from '../../common/validators/only-value.js';

/** A year, in minutes: far beyond any sensible interval, and well inside an integer column. */
export const MAX_INTERVAL_MINUTES = 525_600;
export const DEFAULT_AUTO_STOP_MINUTES = 15;

/** The intervals a create (single or a bulk item) may set, as Daytona has them. */
export class SandboxLifecycleFieldsDto {
  @ApiPropertyOptional({
    type: 'integer',
    // No `default` in the schema: generated clients would then send it on every create.
    description: `Minutes without activity (toolbox calls, starts) before the sandbox is stopped; 0 never; ${DEFAULT_AUTO_STOP_MINUTES} when left out`,
    minimum: 0,
    maximum: MAX_INTERVAL_MINUTES,
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_INTERVAL_MINUTES)
  autoStopInterval?: number;

  @ApiPropertyOptional({
    type: 'integer',
    description: 'Minutes after the sandbox stopped before it is destroyed; negative never (when left out), 0 at once',
    minimum: -1,
    maximum: MAX_INTERVAL_MINUTES,
  })
  @IsOptional()
  @IsInt()
  @Min(-1)
  @Max(MAX_INTERVAL_MINUTES)
  autoDeleteInterval?: number;

  @ApiPropertyOptional({
    type: 'integer',
    description: 'Archiving is not available on this server: only 0 (the maximum interval, that is never) is accepted',
    minimum: 0,
    maximum: 0,
  })
  @IsOptional()
  @OnlyValue((value) => value === 0, 'archiving stopped sandboxes is not available on this server; send 0 or leave it out')
  autoArchiveInterval?: number;
}
