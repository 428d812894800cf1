import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { FILE_MODE, MAX_PATH_LENGTH } from '@daytona/runner-contract';
import { Transform } from 'class-transformer';
import { IsBoolean, IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { IsWellFormedText } from '../../common/validators/text.js';

const PATH_DESCRIPTION = "Inside the sandbox: absolute, or relative to its user's home directory";

export class FilePathQueryDto {
  @ApiProperty({ description: PATH_DESCRIPTION, example: 'notes/todo.txt', minLength: 1, maxLength: MAX_PATH_LENGTH })
  @IsString()
  @MinLength(1)
  @MaxLength(MAX_PATH_LENGTH)
  @IsWellFormedText()
  path: string;
}

export class DeleteFileQueryDto extends FilePathQueryDto {
  @ApiPropertyOptional({ type: Boolean, description: 'Delete a directory with everything in it; without it only an empty one' })
  @IsOptional()
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  recursive?: boolean;
}

export class CreateFolderQueryDto extends FilePathQueryDto {
  @ApiPropertyOptional({ description: 'Octal permission bits; default 0755. Missing parents are created too', example: '0755', pattern: FILE_MODE.source })
  @IsOptional()
  @IsString()
  @Matches(FILE_MODE)
  mode?: string;
}

export class MoveFileQueryDto {
  @ApiProperty({ description: PATH_DESCRIPTION, minLength: 1, maxLength: MAX_PATH_LENGTH })
  @IsString()
  @MinLength(1)
  @MaxLength(MAX_PATH_LENGTH)
  @IsWellFormedText()
  source: string;

  @ApiProperty({ description: `${PATH_DESCRIPTION}; a file there is replaced`, minLength: 1, maxLength: MAX_PATH_LENGTH })
  @IsString()
  @MinLength(1)
  @MaxLength(MAX_PATH_LENGTH)
  @IsWellFormedText()
  destination: string;
}
