import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { SandboxDto } from './sandbox.dto.js';

@ApiSchema({ name: 'PaginatedSandboxes' })
export class PaginatedSandboxesDto {
  @ApiProperty({ type: [SandboxDto] })
  items: SandboxDto[];

  @ApiProperty({ type: 'integer' })
  total: number;

  @ApiProperty({ type: 'integer' })
  page: number;

  @ApiProperty({ type: 'integer' })
  limit: number;

  @ApiProperty({ type: 'integer' })
  totalPages: number;

  @ApiProperty({ type: String, nullable: true, description: 'Pass as cursor for the next page; null on the last page' })
  nextCursor: string | null;
}
