import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsOptional, IsUUID, Matches } from 'class-validator';
import { IsStringRecord, stringRecordSchema } from '../../common/validators/is-string-record.js';
import { SANDBOX_NAME_PATTERN } from '../services/sandbox-naming.js';
import { LABEL_RULES } from './create-sandbox.dto.js';

/** The most ids one bulk delete may name (a bulk create makes at most 10,000 by default). */
export const MAX_BULK_DELETE_IDS = 10_000;

@ApiSchema({
  name: 'BulkDeleteSandboxes',
  description: 'Which sandboxes to destroy: those matching every selector given. At least one is required.',
})
export class BulkDeleteSandboxesDto {
  @ApiPropertyOptional({
    ...stringRecordSchema(
      LABEL_RULES,
      'Labels a sandbox must all have, e.g. {"run":"eval-7"} or {"daytona.io/bulk-request":"<id>"} (platform labels may be matched).',
    ),
    example: { run: 'eval-7' },
  })
  @IsOptional()
  @IsStringRecord(LABEL_RULES)
  labels?: Record<string, string>;

  @ApiPropertyOptional({
    description: 'A prefix of the name, matched as plain text: "eval-7-" matches eval-7-00001 but not eval-70-00001.',
    example: 'eval-7-',
    pattern: SANDBOX_NAME_PATTERN.source,
    minLength: 1,
    maxLength: 63,
  })
  @IsOptional()
  @Matches(SANDBOX_NAME_PATTERN, {
    message: 'namePrefix must be 1-63 characters: a letter or digit, then letters, digits, ".", "_" or "-"',
  })
  namePrefix?: string;

  @ApiPropertyOptional({
    type: [String],
    format: 'uuid',
    maxItems: MAX_BULK_DELETE_IDS,
    description: 'Sandbox ids; ids of no live sandbox of the organization are not counted.',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_BULK_DELETE_IDS)
  @IsUUID('all', { each: true })
  ids?: string[];
}

@ApiSchema({ name: 'BulkDeleteSandboxesResult' })
export class BulkDeleteSandboxesResultDto {
  @ApiProperty({ type: 'integer', description: 'How many sandboxes were marked for destruction by this call', example: 100 })
  count: number;

  @ApiProperty({
    description:
      'More sandboxes match than one call marks (BULK_MAX_TOTAL_COUNT, 10,000 by default): call again until this is false',
  })
  hasMore: boolean;
}
