import { ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { IsStringRecord } from '../../common/validators/is-string-record.js';
import { SANDBOX_NAME_PATTERN } from '../services/sandbox-naming.js';

export const ENV_RULES = {
  key: /^[A-Za-z_][A-Za-z0-9_]{0,255}$/,
  keyDescription: 'valid environment variable names',
  maxEntries: 256,
  maxValueLength: 32_768,
};

export const LABEL_RULES = {
  key: /^[A-Za-z0-9][A-Za-z0-9._/-]{0,62}$/,
  keyDescription: '1-63 letters, digits, ".", "_", "/" or "-"',
  maxEntries: 64,
  maxValueLength: 255,
};

@ApiSchema({ name: 'CreateSandbox' })
export class CreateSandboxDto {
  @ApiPropertyOptional({ description: 'Snapshot id or name', default: 'default', example: 'default' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(255)
  snapshot?: string;

  @ApiPropertyOptional({
    description: 'Unique among the organization\'s live sandboxes; defaults to the sandbox id',
    example: 'my-sandbox',
    pattern: SANDBOX_NAME_PATTERN.source,
  })
  @IsOptional()
  @Matches(SANDBOX_NAME_PATTERN, {
    message: 'name must be 1-63 characters: a letter or digit, then letters, digits, ".", "_" or "-"',
  })
  name?: string;

  @ApiPropertyOptional({ type: 'object', additionalProperties: { type: 'string' }, example: { FOO: 'bar' } })
  @IsOptional()
  @IsStringRecord(ENV_RULES)
  env?: Record<string, string>;

  @ApiPropertyOptional({ type: 'object', additionalProperties: { type: 'string' }, example: { team: 'eval' } })
  @IsOptional()
  @IsStringRecord(LABEL_RULES)
  labels?: Record<string, string>;
}
