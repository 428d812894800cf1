import { SandboxLifecycleFieldsDto } from './sandbox-lifecycle-fields.dto.js';
import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { MAX_BULK_TOTAL_COUNT_SETTING } from '../../config/app-config.js';
import { IsStringRecord, stringRecordSchema } from '../../common/validators/is-string-record.js';
import { IsNetworkAllowList, NETWORK_ALLOW_LIST_DESCRIPTION } from '../../common/validators/network-allow-list.js';
import { BULK_REQUEST_LABEL, NoPlatformLabels } from '../services/platform-labels.js';
import { MAX_BULK_DATA_BYTES } from '../services/bulk-request-rules.js';
import { SANDBOX_NAME_PREFIX_PATTERN } from '../services/sandbox-naming.js';
import { ENV_RULES, LABEL_RULES, RESERVED_LABELS_NOTE } from './create-sandbox.dto.js';

export const MAX_BULK_ITEMS = 100;

@ApiSchema({ name: 'BulkCreateItem' })
export class BulkCreateItemDto extends SandboxLifecycleFieldsDto {
  @ApiProperty({
    description: 'Id or name of the snapshot to create the sandboxes from',
    example: 'default',
    minLength: 1,
    maxLength: 255,
  })
  @IsString()
  @MinLength(1)
  @MaxLength(255)
  snapshotIdOrName: string;

  @ApiProperty({
    type: 'integer',
    description:
      'How many sandboxes to create. The counts of all items together may not exceed the server\'s ' +
      'BULK_MAX_TOTAL_COUNT (10,000 by default; 400 bulk_total_exceeded), which is at most ' +
      `${MAX_BULK_TOTAL_COUNT_SETTING.toLocaleString('en-US')}.`,
    minimum: 1,
    maximum: MAX_BULK_TOTAL_COUNT_SETTING,
    example: 100,
  })
  @IsInt()
  @Min(1)
  @Max(MAX_BULK_TOTAL_COUNT_SETTING)
  count: number;

  @ApiProperty({
    description:
      'Sandboxes are named {prefix}-{n}, n zero-padded to max(5, digits): batch-a-00001. 1-50 characters: ' +
      'a letter or digit, then letters, digits, ".", "_" or "-"; unique within the request.',
    example: 'batch-a',
    pattern: SANDBOX_NAME_PREFIX_PATTERN.source,
    minLength: 1,
    maxLength: 50,
  })
  @IsString()
  @Matches(SANDBOX_NAME_PREFIX_PATTERN, {
    message: 'sandboxNamePrefix must be 1-50 characters: a letter or digit, then letters, digits, ".", "_" or "-"',
  })
  sandboxNamePrefix: string;

  @ApiPropertyOptional({
    description:
      'When quota or runner capacity cannot hold `count`, create as many as fit (possibly none) instead of failing',
    default: false,
  })
  @IsOptional()
  @IsBoolean()
  allowUnder?: boolean;

  @ApiPropertyOptional({
    ...stringRecordSchema(
      ENV_RULES,
      'Environment variables of every sandbox of the item (as in POST /sandbox). The env and labels of all items, ' +
        `each times its count, may take at most ${MAX_BULK_DATA_BYTES / 2 ** 20} MiB (400 bulk_data_too_large).`,
    ),
    example: { EVAL_RUN: '7' },
  })
  @IsOptional()
  @IsStringRecord(ENV_RULES)
  env?: Record<string, string>;

  @ApiPropertyOptional({
    ...stringRecordSchema(
      LABEL_RULES,
      `Labels of every sandbox of the item (as in POST /sandbox). Each sandbox also gets ${BULK_REQUEST_LABEL}: ` +
        `the request's id, the same for every sandbox of the request. ${RESERVED_LABELS_NOTE}`,
    ),
    example: { run: 'eval-7' },
  })
  @IsOptional()
  @IsStringRecord(LABEL_RULES)
  @NoPlatformLabels()
  labels?: Record<string, string>;

  @ApiPropertyOptional({
    description:
      'Of every sandbox of the item. true: the sandbox has only a loopback interface. false: egress through a network namespace of its own ' +
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

@ApiSchema({ name: 'BulkCreateSandbox' })
export class BulkCreateSandboxDto {
  @ApiProperty({ type: [BulkCreateItemDto], minItems: 1, maxItems: MAX_BULK_ITEMS })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_BULK_ITEMS)
  @ValidateNested({ each: true })
  @Type(() => BulkCreateItemDto)
  items: BulkCreateItemDto[];

  @ApiPropertyOptional({
    description:
      'Answer only once every sandbox is started, error or build_failed, or at the server timeout (300 s by ' +
      'default), with each sandbox\'s state at that moment. A timeout is not an error.',
    default: false,
  })
  @IsOptional()
  @IsBoolean()
  awaitStarted?: boolean;
}
