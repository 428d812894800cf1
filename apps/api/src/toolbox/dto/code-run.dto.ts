import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { codeLanguage, MAX_CODE_ARGS, MAX_CODE_BYTES, MAX_EXEC_TIMEOUT_SECONDS, MAX_PATH_LENGTH, type CodeLanguage } from '@daytona/runner-contract';
import { ArrayMaxSize, IsArray, IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min, MinLength } from 'class-validator';
import { IsStringRecord, stringRecordSchema } from '../../common/validators/is-string-record.js';
import { IsWellFormedText, MaxUtf8Bytes } from '../../common/validators/text.js';
import { ENV_RULES } from '../../sandbox/dto/create-sandbox.dto.js';
import { TIMEOUT_DESCRIPTION } from './execute-command.dto.js';

/** The sandbox label that names the language of code runs that do not name one. */
export const CODE_LANGUAGE_LABEL = 'code-toolbox-language';

@ApiSchema({ name: 'CodeRunRequest' })
export class CodeRunDto {
  @ApiProperty({ example: 'print("hello")', description: `At most ${MAX_CODE_BYTES} bytes in UTF-8`, minLength: 1, maxLength: MAX_CODE_BYTES })
  @IsString()
  @MinLength(1)
  @MaxUtf8Bytes(MAX_CODE_BYTES)
  @IsWellFormedText()
  code: string;

  @ApiPropertyOptional({
    enum: codeLanguage.options,
    description: `Default: the sandbox's \`${CODE_LANGUAGE_LABEL}\` label, else python. Runs with python3 (or python), node, or tsx (or ts-node), the first found on the sandbox's PATH`,
  })
  @IsOptional()
  @IsIn(codeLanguage.options)
  language?: CodeLanguage;

  @ApiPropertyOptional({ type: [String], description: `Arguments of the program (sys.argv[1:], process.argv), at most ${MAX_CODE_ARGS}`, maxItems: MAX_CODE_ARGS })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_CODE_ARGS)
  @IsString({ each: true })
  @MaxLength(MAX_PATH_LENGTH, { each: true })
  @IsWellFormedText({ each: true })
  argv?: string[];

  @ApiPropertyOptional(stringRecordSchema(ENV_RULES, "Environment variables of this run, over the sandbox's."))
  @IsOptional()
  @IsStringRecord(ENV_RULES)
  envs?: Record<string, string>;

  @ApiPropertyOptional({ type: 'integer', description: TIMEOUT_DESCRIPTION, minimum: 0, maximum: MAX_EXEC_TIMEOUT_SECONDS })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_EXEC_TIMEOUT_SECONDS)
  timeout?: number;
}

@ApiSchema({ name: 'CodeRunResponse' })
export class CodeRunResponseDto {
  @ApiProperty({ type: 'integer', example: 0 })
  exitCode: number;

  @ApiProperty({ example: 'hello\n', description: 'stdout and stderr interleaved, at most 1 MiB' })
  result: string;
}
