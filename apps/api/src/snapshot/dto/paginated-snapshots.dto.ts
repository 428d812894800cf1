import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { SnapshotDto } from './snapshot.dto.js';

@ApiSchema({ name: 'PaginatedSnapshots' })
export class PaginatedSnapshotsDto {
  @ApiProperty({ type: [SnapshotDto] })
  items: SnapshotDto[];

  @ApiProperty({ type: 'integer' })
  total: number;

  @ApiProperty({ type: 'integer' })
  page: number;

  @ApiProperty({ type: 'integer' })
  totalPages: number;
}
