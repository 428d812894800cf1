import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min, MinLength } from 'class-validator';
import { IsStringRecord } from '../../common/validators/is-string-record.js';
import { ENV_RULES } from '../../sandbox/dto/create-sandbox.dto.js';

export const MAX_COMMAND_TIMEOUT_SECONDS = 3_600;

@ApiSchema({ name: 'ExecuteRequest' })
export class ExecuteCommandDto {
  @ApiProperty({ example: 'echo hello', description: 'Run by /bin/sh -c inside the sandbox' })
  @IsString()
  @MinLength(1)
  @MaxLength(100_000)
  command: string;

  @ApiPropertyOptional({ example: '/home/daytona', description: 'Working directory; defaults to the home directory' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(4_096)
  cwd?: string;

  @ApiPropertyOptional({ type: 'object', additionalProperties: { type: 'string' } })
  @IsOptional()
  @IsStringRecord(ENV_RULES)
  env?: Record<string, string>;

  @ApiPropertyOptional({
    type: 'integer',
    description: `Seconds before the command's process group is killed (exit code 124); default 300`,
    minimum: 1,
    maximum: MAX_COMMAND_TIMEOUT_SECONDS,
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_COMMAND_TIMEOUT_SECONDS)
  timeout?: number;
}

@ApiSchema({ name: 'ExecuteResponse' })
export class ExecuteCommandResponseDto {
  @ApiProperty({ type: 'integer', example: 0 })
  exitCode: number;

  @ApiProperty({ example: 'hello\n', description: 'stdout and stderr interleaved, at most 1 MiB' })
  result: string;
}
