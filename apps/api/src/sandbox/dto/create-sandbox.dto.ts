import { ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { ENV_LIMITS } from '@daytona/runner-contract';
import { IsBoolean, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min, MinLength } from 'class-validator';
import { IsNetworkAllowList, NETWORK_ALLOW_LIST_DESCRIPTION } from '../../common/validators/network-allow-list.js';
import { OnlyValue } from '../../common/validators/only-value.js';
import { SandboxLifecycleFieldsDto } from './sandbox-lifecycle-fields.dto.js';
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

/** Bounds of the per-sandbox resources a create may ask for (the organization's maxima apply too). */
export const MAX_SANDBOX_RESOURCES = { cpu: 1_024, memory: 65_536, disk: 1_048_576 };
const NOTHING = 'this server does not support it; leave it out';
const absent = () => false;

@ApiSchema({ name: 'CreateSandbox' })
export class CreateSandboxDto extends SandboxLifecycleFieldsDto {
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

  @ApiPropertyOptional({ description: "Region to create the sandbox in; the organization's by default", example: 'local', maxLength: 63 })
  @IsOptional()
  @IsString()
  @MaxLength(63)
  target?: string;

  @ApiPropertyOptional({
    description: "The OS user commands run as: only the image's own user (the sandbox record's `user`) on this server",
    maxLength: 256,
  })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(256)
  user?: string;

  @ApiPropertyOptional({ type: 'integer', description: "CPU cores; the snapshot's by default", minimum: 1, maximum: MAX_SANDBOX_RESOURCES.cpu })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_SANDBOX_RESOURCES.cpu)
  cpu?: number;

  @ApiPropertyOptional({ type: 'integer', description: "Memory, GiB; the snapshot's by default", minimum: 1, maximum: MAX_SANDBOX_RESOURCES.memory })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_SANDBOX_RESOURCES.memory)
  memory?: number;

  @ApiPropertyOptional({ type: 'integer', description: "Disk, GiB; the snapshot's by default", minimum: 1, maximum: MAX_SANDBOX_RESOURCES.disk })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_SANDBOX_RESOURCES.disk)
  disk?: number;

  @ApiPropertyOptional({ type: 'integer', description: 'GPUs: only 0 (this server has none)', minimum: 0, maximum: 0 })
  @IsOptional()
  @OnlyValue((value) => value === 0, 'GPUs are not available on this server; send 0 or leave it out')
  gpu?: number;

  @ApiPropertyOptional({ type: [String], description: 'GPU types: none are available on this server', maxItems: 0 })
  @IsOptional()
  @OnlyValue((value) => Array.isArray(value) && value.length === 0, 'GPUs are not available on this server; leave gpuType out')
  gpuType?: string[];

  @ApiPropertyOptional({ description: 'Public preview links: not available on this server (only false)', default: false })
  @IsOptional()
  @OnlyValue((value) => value === false, 'public preview links are not available on this server; send false or leave it out')
  public?: boolean;

  @ApiPropertyOptional({ type: 'array', items: { type: 'object' }, description: 'Volumes: not available on this server (only [])', maxItems: 0 })
  @IsOptional()
  @OnlyValue((value) => Array.isArray(value) && value.length === 0, 'volumes are not available on this server; send [] or leave it out')
  volumes?: unknown[];

  @ApiPropertyOptional({ description: 'Nested virtualization: not available (only false)', default: false })
  @IsOptional()
  @OnlyValue((value) => value === false, 'nested virtualization is not available on this server; send false or leave it out')
  kvm?: boolean;

  @ApiPropertyOptional({ description: 'Spot capacity: not available (only false)', default: false })
  @IsOptional()
  @OnlyValue((value) => value === false, 'spot sandboxes are not available on this server; send false or leave it out')
  spot?: boolean;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: 'Image builds: not available on this server (use a snapshot)' })
  @IsOptional()
  @OnlyValue(absent, 'image builds are not available on this server; create a snapshot from an image instead')
  buildInfo?: Record<string, unknown>;

  @ApiPropertyOptional({ type: 'integer', description: 'Not available on this server' })
  @IsOptional()
  @OnlyValue(absent, `ttlMinutes: ${NOTHING} (autoStopInterval and autoDeleteInterval are)`)
  ttlMinutes?: number;

  @ApiPropertyOptional({ type: 'integer', description: 'Pausing: not available on this server (only 0)' })
  @IsOptional()
  @OnlyValue((value) => value === 0, 'pausing sandboxes is not available on this server; send 0 or leave it out')
  autoPauseInterval?: number;

  @ApiPropertyOptional({ type: 'array', items: { type: 'object' }, description: 'Secrets: not available on this server' })
  @IsOptional()
  @OnlyValue(absent, `secrets: ${NOTHING}; pass env`)
  secrets?: unknown[];

  @ApiPropertyOptional({ description: 'Not available on this server' })
  @IsOptional()
  @OnlyValue(absent, NOTHING)
  domainAllowList?: string;

  @ApiPropertyOptional({ description: 'Not available on this server' })
  @IsOptional()
  @OnlyValue(absent, NOTHING)
  outboundProxyUrl?: string;

  @ApiPropertyOptional({ description: 'Not available on this server' })
  @IsOptional()
  @OnlyValue(absent, NOTHING)
  otelEndpointOverride?: string;

  @ApiPropertyOptional({ description: 'Not available on this server' })
  @IsOptional()
  @OnlyValue(absent, NOTHING)
  linkedSandbox?: string;
}
