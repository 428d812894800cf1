import { ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { ENV_LIMITS } from '@daytona/runner-contract';
import { IsBoolean, IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { IsNetworkAllowList, NETWORK_ALLOW_LIST_DESCRIPTION } from '../../common/validators/network-allow-list.js';
import { IsStringRecord, stringRecordSchema, type StringRecordRules } from '../../common/validators/is-string-record.js';
import { NoPlatformLabels, PLATFORM_LABEL_PREFIX } from '../services/platform-labels.js';
import { SANDBOX_NAME_PATTERN } from '../services/sandbox-naming.js';

const NOT_FORBIDDEN = ', and not `__proto__`, `constructor` or `prototype`';

/**
 * Environment variables, of a sandbox or of one command: the runner contract's limits. The total keeps a sandbox's and a command's variables together, with the command, far below
 * what the kernel accepts for one process (ARG_MAX, 2 MiB), and each NAME=value below 128 KiB.
 */
export const ENV_RULES: StringRecordRules = {
  key: ENV_LIMITS.name,
  keyDescription: 'environment variable names: a letter or "_", then letters, digits or "_", at most 256 characters' + NOT_FORBIDDEN,
  maxEntries: ENV_LIMITS.maxEntries,
  maxValueLength: ENV_LIMITS.maxValueLength,
  maxTotalBytes: ENV_LIMITS.maxTotalBytes,
};

export const LABEL_RULES: StringRecordRules = {
  key: /^[A-Za-z0-9][A-Za-z0-9._/-]{0,62}$/,
  keyDescription: '1-63 characters: a letter or digit, then letters, digits, ".", "_", "/" or "-"' + NOT_FORBIDDEN,
  maxEntries: 64,
  maxValueLength: 255,
};

export const RESERVED_LABELS_NOTE = `Keys starting with "${PLATFORM_LABEL_PREFIX}" are the platform's (400 reserved_label).`;

@ApiSchema({ name: 'CreateSandbox' })
export class CreateSandboxDto {
  @ApiPropertyOptional({ description: 'Snapshot id or name', default: 'default', example: 'default', minLength: 1, maxLength: 255 })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(255)
  snapshot?: string;

  @ApiPropertyOptional({
    description: 'Unique among the organization\'s live sandboxes; defaults to the sandbox id',
    example: 'my-sandbox',
    pattern: SANDBOX_NAME_PATTERN.source,
    minLength: 1,
    maxLength: 63,
  })
  @IsOptional()
  @Matches(SANDBOX_NAME_PATTERN, {
    message: 'name must be 1-63 characters: a letter or digit, then letters, digits, ".", "_" or "-"',
  })
  name?: string;

  @ApiPropertyOptional({
    ...stringRecordSchema(ENV_RULES, 'Environment variables of every command run in the sandbox.'),
    example: { FOO: 'bar' },
  })
  @IsOptional()
  @IsStringRecord(ENV_RULES)
  env?: Record<string, string>;

  @ApiPropertyOptional({
    ...stringRecordSchema(LABEL_RULES, `Labels, for filtering lists (GET /sandbox?labels=...) and bulk deletes. ${RESERVED_LABELS_NOTE}`),
    example: { team: 'eval' },
  })
  @IsOptional()
  @IsStringRecord(LABEL_RULES)
  @NoPlatformLabels()
  labels?: Record<string, string>;

  @ApiPropertyOptional({
    description:
      'true: the sandbox has only a loopback interface. false: egress through a network namespace of its own ' +
      '(never to the host, link-local or private addresses). Absent: networkAllowList decides if given, else the ' +
      'server default (SANDBOX_NETWORK_DEFAULT, "blocked" unless configured).',
  })
  @IsOptional()
  @IsBoolean()
  networkBlockAll?: boolean;

  @ApiPropertyOptional({ description: NETWORK_ALLOW_LIST_DESCRIPTION, example: '198.18.0.0/15,203.0.113.7/32', maxLength: 1_000 })
  @IsOptional()
  @IsNetworkAllowList()
  networkAllowList?: string;
}
