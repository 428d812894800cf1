import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { MAX_PATH_LENGTH } from '@daytona/runner-contract';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsString, MaxLength, MinLength } from 'class-validator';
import { IsWellFormedText } from '../../common/validators/text.js';

/** Most paths one bulk download may name. */
export const MAX_BULK_DOWNLOAD_PATHS = 1_000;

@ApiSchema({ name: 'FileInfo' })
export class FileInfoDto {
  @ApiProperty({ example: 'todo.txt' })
  name: string;

  @ApiProperty({ example: '/home/daytona/notes/todo.txt', description: 'Absolute, inside the sandbox' })
  path: string;

  @ApiProperty()
  isDir: boolean;

  @ApiProperty({ type: 'integer', format: 'int64', example: 12, description: 'Bytes' })
  size: number;

  @ApiProperty({ example: '-rw-r--r--', description: 'Type and permissions as `ls -l` shows them' })
  mode: string;

  @ApiProperty({ example: '0644', description: 'Permission bits in octal' })
  permissions: string;

  @ApiProperty({ example: 'daytona', description: "From the sandbox's own /etc/passwd; the uid when it has none" })
  owner: string;

  @ApiProperty({ example: 'daytona', description: "From the sandbox's own /etc/group; the gid when it has none" })
  group: string;

  @ApiProperty({ example: '2025-01-31T12:00:00Z', description: 'Last modification, RFC 3339' })
  modTime: string;

  @ApiProperty({ example: '2025-01-31T12:00:00Z', description: 'The same as modTime' })
  modifiedAt: string;
}

@ApiSchema({ name: 'UploadedFile' })
export class UploadedFileDto {
  @ApiProperty({ example: 'notes/todo.txt', description: 'As given' })
  path: string;

  @ApiProperty({ type: 'integer', format: 'int64', example: 12, description: 'Bytes written' })
  size: number;
}

@ApiSchema({ name: 'UploadedFiles' })
export class UploadedFilesDto {
  @ApiProperty({ type: [UploadedFileDto], description: 'In the order of the request' })
  files: UploadedFileDto[];
}

@ApiSchema({ name: 'FilesDownloadRequest' })
export class FilesDownloadDto {
  @ApiProperty({ type: [String], minItems: 1, maxItems: MAX_BULK_DOWNLOAD_PATHS, description: 'Paths inside the sandbox, as for a single download' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_BULK_DOWNLOAD_PATHS)
  @IsString({ each: true })
  @MinLength(1, { each: true })
  @MaxLength(MAX_PATH_LENGTH, { each: true })
  @IsWellFormedText({ each: true })
  paths: string[];
}

@ApiSchema({ name: 'DirectoryResponse' })
export class DirectoryDto {
  @ApiProperty({ example: '/home/daytona' })
  dir: string;
}
