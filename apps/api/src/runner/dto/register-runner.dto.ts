import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsString, IsUrl, Matches, Max, MaxLength, Min, MinLength, ValidateNested } from 'class-validator';

export class RunnerCapacityDto {
  @ApiProperty() @IsInt() @Min(0) @Max(1_000_000)
  cpu: number;

  @ApiProperty({ description: 'GiB' }) @IsInt() @Min(0) @Max(1_000_000)
  memory: number;

  @ApiProperty({ description: 'GiB' }) @IsInt() @Min(0) @Max(10_000_000)
  disk: number;
}

export class RegisterRunnerDto {
  @ApiProperty({ example: 'runner-1' })
  @Matches(/^[a-zA-Z0-9][a-zA-Z0-9._-]{0,62}$/, { message: 'name must be 1-63 letters, digits, ".", "_" or "-"' })
  name: string;

  @ApiProperty({ example: 'http://127.0.0.1:3003' })
  @IsUrl({ require_tld: false, protocols: ['http', 'https'], require_protocol: true })
  url: string;

  @ApiProperty({ example: 'local' })
  @IsString()
  @MaxLength(63)
  region: string;

  @ApiProperty({ description: 'Secret shared by the runner and the API, at least 32 characters' })
  @IsString()
  @MinLength(32)
  @MaxLength(256)
  token: string;

  @ApiProperty({ type: RunnerCapacityDto })
  @ValidateNested()
  @Type(() => RunnerCapacityDto)
  capacity: RunnerCapacityDto;
}

export class RunnerRegisteredDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty()
  name: string;

  @ApiProperty()
  region: string;

  @ApiProperty()
  state: string;
}
