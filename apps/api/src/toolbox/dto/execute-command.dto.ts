import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { MAX_COMMAND_BYTES, MAX_EXEC_TIMEOUT_SECONDS, MAX_PATH_LENGTH } from '@daytona/runner-contract';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min, MinLength } from 'class-validator';
import { IsStringRecord, stringRecordSchema } from '../../common/validators/is-string-record.js';
import { IsWellFormedText, MaxUtf8Bytes } from '../../common/validators/text.js';
import { ENV_RULES } from '../../sandbox/dto/create-sandbox.dto.js';

/** `0` asks for no limit: the longest a command may run (an hour). */
export const TIMEOUT_DESCRIPTION = `Seconds before the process group is killed (exit code 124); default 300, 0 means the server's maximum (${MAX_EXEC_TIMEOUT_SECONDS})`;

/**
 * What a runner accepts (the runner contract's executeCommandRequest), no less strict: a command
 * and cwd that are non-empty strings without NUL bytes, env names and values as in ENV_RULES,
 * an integer timeout of 0 to 3,600 seconds. A runner that refuses a command is a bug.
 */
@ApiSchema({ name: 'ExecuteRequest' })
export class ExecuteCommandDto {
  @ApiProperty({
    example: 'echo hello',
    description: `Run by /bin/sh -c inside the sandbox; at most ${MAX_COMMAND_BYTES} bytes in UTF-8`,
    minLength: 1,
    maxLength: MAX_COMMAND_BYTES,
  })
  @IsString()
  @MinLength(1)
  @MaxUtf8Bytes(MAX_COMMAND_BYTES)
  @IsWellFormedText()
  command: string;

  @ApiPropertyOptional({
    example: '/home/daytona',
    description: 'Working directory, absolute or relative to the home directory; defaults to the home directory',
    minLength: 1,
    maxLength: MAX_PATH_LENGTH,
  })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(MAX_PATH_LENGTH)
  @IsWellFormedText()
  cwd?: string;

  @ApiPropertyOptional(stringRecordSchema(ENV_RULES, "Environment variables of this command, over the sandbox's (the official Daytona name)."))
  @IsOptional()
  @IsStringRecord(ENV_RULES)
  envs?: Record<string, string>;

  @ApiPropertyOptional(stringRecordSchema(ENV_RULES, 'The same as `envs`, under its earlier name; give one of the two.'))
  @IsOptional()
  @IsStringRecord(ENV_RULES)
  env?: Record<string, string>;

  @ApiPropertyOptional({ type: 'integer', description: TIMEOUT_DESCRIPTION, minimum: 0, maximum: MAX_EXEC_TIMEOUT_SECONDS })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_EXEC_TIMEOUT_SECONDS)
  timeout?: number;
}

@ApiSchema({ name: 'ExecuteResponse' })
export class ExecuteCommandResponseDto {
  @ApiProperty({ type: 'integer', example: 0 })
  exitCode: number;

  @ApiProperty({ example: 'hello\n', description: 'stdout and stderr interleaved, at most 1 MiB' })
  result: string;
}
