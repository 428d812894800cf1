import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsInt, IsOptional, IsString, Max, Min } from 'class-validator';
import { IsStringRecord, stringRecordSchema } from '../../common/validators/is-string-record.js';
import { OnlyValue } from '../../common/validators/only-value.js';
import { NoPlatformLabels } from '../services/platform-labels.js';
import { LABEL_RULES } from './create-sandbox.dto.js';
import { MAX_INTERVAL_MINUTES } from './sandbox-lifecycle-fields.dto.js';

export class StopSandboxQueryDto {
  @ApiPropertyOptional({ description: 'Accepted for compatibility: a stop here always kills the processes at once', default: false })
  @IsOptional()
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  force?: boolean;
}

/** The whole path of a /sandbox/{sandboxIdOrName}/…/{interval} route (each parameter validated). */
class SandboxPathDto {
  @ApiProperty()
  @IsString()
  sandboxIdOrName: string;
}

export class AutoStopParamsDto extends SandboxPathDto {
  @ApiProperty({ type: 'integer', description: 'Minutes without activity before it is stopped; 0 never', minimum: 0, maximum: MAX_INTERVAL_MINUTES })
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(MAX_INTERVAL_MINUTES)
  interval: number;
}

export class AutoDeleteParamsDto extends SandboxPathDto {
  @ApiProperty({ type: 'integer', description: 'Minutes after it stopped before it is destroyed; negative never, 0 at once', minimum: -1, maximum: MAX_INTERVAL_MINUTES })
  @Type(() => Number)
  @IsInt()
  @Min(-1)
  @Max(MAX_INTERVAL_MINUTES)
  interval: number;
}

export class AutoArchiveParamsDto extends SandboxPathDto {
  @ApiProperty({ type: 'integer', description: 'Only 0: stopped sandboxes are not archived on this server', minimum: 0, maximum: 0 })
  @Type(() => Number)
  @IsInt()
  @OnlyValue((value) => value === 0, 'archiving stopped sandboxes is not available on this server; only 0')
  interval: number;
}

@ApiSchema({ name: 'SandboxLabels' })
export class SandboxLabelsDto {
  @ApiProperty(stringRecordSchema(LABEL_RULES, 'The labels, replacing the user\'s labels (the platform\'s daytona.io/ ones stay).'))
  @IsStringRecord(LABEL_RULES)
  @NoPlatformLabels()
  labels: Record<string, string>;
}

@ApiSchema({ name: 'SandboxLabelsResult' })
export class SandboxLabelsResultDto {
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' }, description: 'Every label of the sandbox now, the platform\'s included' })
  labels: Record<string, string>;
}

@ApiSchema({ name: 'ToolboxProxyUrl' })
export class ToolboxProxyUrlDto {
  @ApiProperty({ example: 'http://127.0.0.1:3000/api/toolbox' })
  url: string;
}
