import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { SnapshotState } from '../snapshot-state.js';
import type { Snapshot } from '../snapshot.entity.js';

@ApiSchema({ name: 'Snapshot' })
export class SnapshotDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ example: 'default' })
  name: string;

  @ApiProperty({ description: 'True for snapshots available to every organization' })
  general: boolean;

  @ApiProperty({ enum: SnapshotState, enumName: 'SnapshotState' })
  state: SnapshotState;

  @ApiProperty({ type: 'integer', description: 'CPU cores per sandbox' })
  cpu: number;

  @ApiProperty({ type: 'integer', description: 'Memory per sandbox, GiB' })
  memory: number;

  @ApiProperty({ type: 'integer', description: 'Disk per sandbox, GiB' })
  disk: number;

  @ApiProperty({ type: [String] })
  regions: string[];

  @ApiProperty({ type: String, format: 'date-time' })
  createdAt: Date;

  static fromEntity(snapshot: Snapshot): SnapshotDto {
    return {
      id: snapshot.id,
      name: snapshot.name,
      general: snapshot.organizationId === null,
      state: snapshot.state,
      cpu: snapshot.cpu,
      memory: snapshot.memory,
      disk: snapshot.disk,
      regions: snapshot.regions,
      createdAt: snapshot.createdAt,
    };
  }
}
