import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { imageRef, parseContract } from '@daytona/runner-contract';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  registerDecorator,
} from 'class-validator';
import { OnlyValue } from '../../common/validators/only-value.js';
import { IsWellFormedText } from '../../common/validators/text.js';

export const SNAPSHOT_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:@-]{0,254}$/;
export const MAX_SNAPSHOT_CPU = 1_024;
export const MAX_SNAPSHOT_MEMORY = 65_536;
export const MAX_SNAPSHOT_DISK = 1_048_576;

/** An image reference runners can pull, by the runner contract's own rule. */
function IsImageReference() {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'isImageReference',
      target: target.constructor,
      propertyName,
      validator: {
        validate: (value: unknown) => parseContract(imageRef, value).ok,
        defaultMessage: () =>
          `${propertyName} must be an image reference such as python:3.12 or registry.example.com/team/image:tag (no transport, no spaces)`,
      },
    });
}

@ApiSchema({ name: 'CreateSnapshot' })
export class CreateSnapshotDto {
  @ApiProperty({
    description: 'Unique among the organization\'s snapshots: a letter or digit, then letters, digits, ".", "_", ":", "@" or "-"',
    example: 'python-3.12',
    pattern: SNAPSHOT_NAME_PATTERN.source,
    minLength: 1,
    maxLength: 255,
  })
  @Matches(SNAPSHOT_NAME_PATTERN, {
    message: 'name must be 1-255 characters: a letter or digit, then letters, digits, ".", "_", ":", "@" or "-"',
  })
  name: string;

  @ApiProperty({
    description: 'The OCI image, pulled by every runner of the region: e.g. python:3.12 or registry.example.com/team/image:tag',
    example: 'python:3.12-slim',
    maxLength: 1_024,
  })
  @IsString()
  @MaxLength(1_024)
  @IsImageReference()
  imageName: string;

  @ApiPropertyOptional({
    type: [String],
    description: "The sandbox's main process; by default the image's own entrypoint and command",
    minItems: 1,
    maxItems: 256,
    example: ['sleep', 'infinity'],
  })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(256)
  @IsString({ each: true })
  @MinLength(1, { each: true })
  @MaxLength(4_096, { each: true })
  @IsWellFormedText({ each: true })
  entrypoint?: string[];

  @ApiPropertyOptional({ type: 'integer', description: 'CPU cores per sandbox', default: 1, minimum: 1, maximum: MAX_SNAPSHOT_CPU })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_SNAPSHOT_CPU)
  cpu?: number;

  @ApiPropertyOptional({ type: 'integer', description: 'Memory per sandbox, GiB', default: 1, minimum: 1, maximum: MAX_SNAPSHOT_MEMORY })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_SNAPSHOT_MEMORY)
  memory?: number;

  @ApiPropertyOptional({ type: 'integer', description: 'Disk per sandbox, GiB', default: 3, minimum: 1, maximum: MAX_SNAPSHOT_DISK })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_SNAPSHOT_DISK)
  disk?: number;

  @ApiPropertyOptional({ description: 'Region to pull the image in; the organization\'s region by default', maxLength: 63 })
  @IsOptional()
  @IsString()
  @MaxLength(63)
  regionId?: string;

  @ApiPropertyOptional({ type: 'integer', description: 'GPUs per sandbox: only 0 (this server has none)', minimum: 0, maximum: 0 })
  @IsOptional()
  @OnlyValue((value) => value === 0, 'GPUs are not available on this server; send 0 or leave it out')
  gpu?: number;

  @ApiPropertyOptional({ type: [String], description: 'GPU types: none are available on this server', maxItems: 0 })
  @IsOptional()
  @OnlyValue((value) => Array.isArray(value) && value.length === 0, 'GPUs are not available on this server; leave gpuType out')
  gpuType?: string[];

  @ApiPropertyOptional({ description: 'Only `container`', enum: ['container'] })
  @IsOptional()
  @OnlyValue((value) => value === 'container', 'only the container sandbox class exists on this server')
  sandboxClass?: string;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: 'Image builds are not available on this server: name an image (imageName) instead',
  })
  @IsOptional()
  @OnlyValue(() => false, 'image builds are not available on this server; push the image to a registry and name it in imageName')
  buildInfo?: Record<string, unknown>;
}
