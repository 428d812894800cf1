import { ApiPropertyOptional, getSchemaPath } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { ArrayMaxSize, IsEnum, IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min, registerDecorator } from 'class-validator';
import { isStringRecord } from '../../common/validators/is-string-record.js';
import { SandboxState } from '../entities/sandbox-state.js';
import { LABEL_RULES } from './create-sandbox.dto.js';

export const SANDBOX_SORTS = ['createdAt', 'updatedAt', 'lastActivityAt', 'name', 'state'] as const;
export type SandboxSort = (typeof SANDBOX_SORTS)[number];

/** Far beyond what 64 labels take as JSON, and within what Node reads of a request line (16 KiB). */
export const MAX_LABEL_FILTER_LENGTH = 8_192;
/** (page - 1) * limit stays far within Postgres' bigint OFFSET. */
export const MAX_PAGE = 1_000_000;
export const MAX_PAGE_LIMIT = 1_000;

const LABEL_FILTER_MESSAGE =
  'labels must be a JSON object of string values, e.g. {"team":"eval"}, with at most ' +
  `${LABEL_RULES.maxEntries} labels whose keys are ${LABEL_RULES.keyDescription} and values at most ` +
  `${LABEL_RULES.maxValueLength} characters`;

/** The labels filter: a JSON object that could be a sandbox's labels. Refused with 400 `invalid_labels`. */
function IsLabelFilter() {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'isLabelFilter',
      target: target.constructor,
      propertyName,
      options: { context: { code: 'invalid_labels' } },
      validator: {
        validate(value: unknown) {
          if (typeof value !== 'string' || value.length > MAX_LABEL_FILTER_LENGTH) return false;
          try {
            return isStringRecord(JSON.parse(value), LABEL_RULES);
          } catch {
            return false;
          }
        },
        defaultMessage: () => LABEL_FILTER_MESSAGE,
      },
    });
}

/** The older parameters come first: the generated clients' positional signatures keep their order. */
export class ListSandboxesQueryDto {
  @ApiPropertyOptional({
    type: 'array',
    items: { $ref: getSchemaPath('SandboxState') },
    maxItems: Object.values(SandboxState).length,
    description: 'Only sandboxes in these states (repeat the parameter for several). Destroyed ones are listed only when asked for.',
  })
  @IsOptional()
  @Transform(({ value }) => (Array.isArray(value) ? value : [value]))
  @IsEnum(SandboxState, { each: true })
  @ArrayMaxSize(Object.values(SandboxState).length)
  states?: SandboxState[];

  @ApiPropertyOptional({
    description:
      'JSON object of labels that must all match, e.g. {"team":"eval"}; it follows the rules of labels ' +
      '(400 invalid_labels otherwise)',
    maxLength: MAX_LABEL_FILTER_LENGTH,
  })
  @IsOptional()
  @IsLabelFilter()
  labels?: string;

  @ApiPropertyOptional({ type: 'integer', default: 1, minimum: 1, maximum: MAX_PAGE, description: 'Page by offset; or use cursor' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE)
  page?: number;

  @ApiPropertyOptional({ type: 'integer', default: 100, minimum: 1, maximum: MAX_PAGE_LIMIT })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_LIMIT)
  limit?: number;

  @ApiPropertyOptional({ description: "The previous page's nextCursor: the page after it (same sort and order)", maxLength: 1_024 })
  @IsOptional()
  @IsString()
  @MaxLength(1_024)
  cursor?: string;

  @ApiPropertyOptional({ description: 'Only sandboxes whose id starts with this', maxLength: 36 })
  @IsOptional()
  @IsString()
  @MaxLength(36)
  id?: string;

  @ApiPropertyOptional({ description: 'Only sandboxes whose name starts with this', maxLength: 255 })
  @IsOptional()
  @IsString()
  @MaxLength(255)
  name?: string;

  @ApiPropertyOptional({ type: [String], description: 'Only sandboxes of these snapshots (names; repeat the parameter for several)', maxItems: 100 })
  @IsOptional()
  @Transform(({ value }) => (Array.isArray(value) ? value : [value]))
  @IsString({ each: true })
  @MaxLength(255, { each: true })
  @ArrayMaxSize(100)
  snapshots?: string[];

  @ApiPropertyOptional({ enum: SANDBOX_SORTS, default: 'createdAt' })
  @IsOptional()
  @IsIn(SANDBOX_SORTS)
  sort?: SandboxSort;

  @ApiPropertyOptional({ enum: ['asc', 'desc'], default: 'desc' })
  @IsOptional()
  @IsIn(['asc', 'desc'])
  order?: 'asc' | 'desc';

}
