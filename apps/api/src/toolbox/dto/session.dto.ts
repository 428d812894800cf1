import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { MAX_COMMAND_BYTES, SESSION_ID } from '@daytona/runner-contract';
import { IsBoolean, IsOptional, IsString, Matches, MinLength } from 'class-validator';
import { IsWellFormedText, MaxUtf8Bytes } from '../../common/validators/text.js';

@ApiSchema({ name: 'CreateSessionRequest' })
export class CreateSessionDto {
  @ApiProperty({ example: 'build', description: '1-128 letters, digits, ".", "_" or "-", starting with a letter or digit; unique in the sandbox', pattern: SESSION_ID.source })
  @IsString()
  @Matches(SESSION_ID)
  sessionId: string;
}

@ApiSchema({ name: 'SessionExecuteRequest' })
export class SessionExecuteDto {
  @ApiProperty({ example: 'cd app && export MODE=test', description: `Run by the session's shell itself: cd and export last; at most ${MAX_COMMAND_BYTES} bytes` })
  @IsString()
  @MinLength(1)
  @MaxUtf8Bytes(MAX_COMMAND_BYTES)
  @IsWellFormedText()
  command: string;

  @ApiPropertyOptional({ description: 'Answer at once with the cmdId; the command runs after those before it' })
  @IsOptional()
  @IsBoolean()
  runAsync?: boolean;

  @ApiPropertyOptional({ description: 'Accepted for the official SDKs; without a terminal there is no echo to suppress' })
  @IsOptional()
  @IsBoolean()
  suppressInputEcho?: boolean;
}

@ApiSchema({ name: 'Command' })
export class SessionCommandDto {
  @ApiProperty({ description: 'The cmdId' })
  id: string;

  @ApiProperty()
  command: string;

  @ApiPropertyOptional({ type: 'integer', description: 'Absent while it runs or waits' })
  exitCode?: number;
}

@ApiSchema({ name: 'Session' })
export class SessionDto {
  @ApiProperty()
  sessionId: string;

  @ApiProperty({ type: [SessionCommandDto], description: 'Oldest first; the most recent 1,000' })
  commands: SessionCommandDto[];
}

@ApiSchema({ name: 'SessionExecuteResponse' })
export class SessionExecuteResponseDto {
  @ApiProperty()
  cmdId: string;

  @ApiPropertyOptional({ type: 'integer', description: 'Absent with runAsync, or for a command still running after an hour' })
  exitCode?: number;

  @ApiPropertyOptional({ description: 'stdout and stderr interleaved' })
  output?: string;

  @ApiPropertyOptional()
  stdout?: string;

  @ApiPropertyOptional()
  stderr?: string;
}

@ApiSchema({ name: 'SessionCommandLogsResponse' })
export class SessionCommandLogsDto {
  @ApiProperty({ description: 'stdout and stderr interleaved as produced' })
  output: string;

  @ApiProperty()
  stdout: string;

  @ApiProperty()
  stderr: string;

  @ApiProperty({ description: 'Output was dropped: past 1 MiB per command, or the oldest commands of a session past 8 MiB' })
  truncated: boolean;
}
