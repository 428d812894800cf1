import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { SandboxDto } from './sandbox.dto.js';

@ApiSchema({ name: 'PaginatedSandboxes' })
export class PaginatedSandboxesDto {
  @ApiProperty({ type: [SandboxDto] })
  items: SandboxDto[];

  @ApiProperty()
  total: number;

  @ApiProperty()
  page: number;

  @ApiProperty()
  limit: number;

  @ApiProperty()
  totalPages: number;
}
