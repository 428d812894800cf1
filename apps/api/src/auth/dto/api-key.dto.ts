import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsArray, IsEnum, IsISO8601, IsOptional, Matches } from 'class-validator';
import { ALL_PERMISSIONS, OrganizationResourcePermission } from '../permissions.js';

/** Key names: unique within the organization, and what DELETE /api-keys/{name} takes. */
export const API_KEY_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

const PERMISSIONS_SCHEMA = { enum: OrganizationResourcePermission, enumName: 'ApiKeyPermission', isArray: true };

@ApiSchema({ name: 'CreateApiKey' })
export class CreateApiKeyDto {
  @ApiProperty({
    description: 'Unique among the organization\'s keys: 1-63 characters, a letter or digit, then letters, digits, ".", "_" or "-"',
    example: 'ci-eval-runner',
    pattern: API_KEY_NAME_PATTERN.source,
    minLength: 1,
    maxLength: 63,
  })
  @Matches(API_KEY_NAME_PATTERN, {
    message: 'name must be 1-63 characters: a letter or digit, then letters, digits, ".", "_" or "-"',
  })
  name: string;

  @ApiProperty({
    ...PERMISSIONS_SCHEMA,
    minItems: 1,
    maxItems: ALL_PERMISSIONS.length,
    uniqueItems: true,
    description: 'What the key may do; only permissions the calling key has itself (403 permission_not_grantable otherwise)',
    example: ['read:sandboxes', 'write:sandboxes'],
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(ALL_PERMISSIONS.length)
  @ArrayUnique()
  @IsEnum(OrganizationResourcePermission, { each: true })
  permissions: OrganizationResourcePermission[];

  @ApiPropertyOptional({
    type: String,
    format: 'date-time',
    description:
      'When the key stops working (RFC 3339, in the future). A key that expires itself may only create keys that ' +
      'expire no later than it does. Absent: never.',
    example: '2030-01-01T00:00:00Z',
  })
  @IsOptional()
  @IsISO8601({ strict: true, strictSeparator: true })
  expiresAt?: string;
}

@ApiSchema({ name: 'ApiKey', description: 'An API key as listed: never its secret, nor its hash' })
export class ApiKeyDto {
  @ApiProperty({ example: 'ci-eval-runner' })
  name: string;

  @ApiProperty({ description: 'The first characters of the key, to recognize it', example: 'dtn_Ab3x' })
  prefix: string;

  @ApiProperty({ ...PERMISSIONS_SCHEMA })
  permissions: OrganizationResourcePermission[];

  @ApiProperty({ type: String, format: 'date-time' })
  createdAt: Date;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  expiresAt: Date | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'Recorded a few seconds late at most' })
  lastUsedAt: Date | null;
}

@ApiSchema({ name: 'CreatedApiKey', description: 'A new API key, with its secret: shown this once, never again' })
export class CreatedApiKeyDto extends ApiKeyDto {
  @ApiProperty({ description: 'The key itself: send it as "Authorization: Bearer <key>"', example: 'dtn_Ab3x…' })
  key: string;
}
