import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { SnapshotState } from '../snapshot-state.js';
import type { Snapshot } from '../snapshot.entity.js';

const GIB = 1024 ** 3;

@ApiSchema({ name: 'Snapshot' })
export class SnapshotDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'Null for general snapshots' })
  organizationId: string | null;

  @ApiProperty({ example: 'default' })
  name: string;

  @ApiProperty({ example: 'python:3.12-slim', description: 'The OCI image' })
  imageName: string;

  @ApiProperty({ description: 'True for snapshots available to every organization' })
  general: boolean;

  @ApiProperty({ enum: SnapshotState, enumName: 'SnapshotState' })
  state: SnapshotState;

  @ApiProperty({ type: String, nullable: true, description: 'Why the image could not be pulled, in the registry\'s words' })
  errorReason: string | null;

  @ApiProperty({ type: Number, nullable: true, description: 'Compressed image size, GB, once a runner has seen it' })
  size: number | null;

  @ApiProperty({ type: [String], nullable: true })
  entrypoint: string[] | null;

  @ApiProperty({ type: 'integer', description: 'CPU cores per sandbox' })
  cpu: number;

  @ApiProperty({ type: 'integer', description: 'GPUs per sandbox (always 0 here)' })
  gpu: number;

  @ApiProperty({ type: 'integer', description: 'Memory per sandbox, GiB' })
  memory: number;

  @ApiProperty({ type: 'integer', description: 'Memory per sandbox, GiB (the name Daytona\'s SDKs read)' })
  mem: number;

  @ApiProperty({ type: 'integer', description: 'Disk per sandbox, GiB' })
  disk: number;

  @ApiProperty({ type: [String] })
  regions: string[];

  @ApiProperty({ type: [String], description: 'Same as regions (the name Daytona\'s SDKs read)' })
  regionIds: string[];

  @ApiProperty({ type: String, format: 'date-time' })
  createdAt: Date;

  @ApiProperty({ type: String, format: 'date-time' })
  updatedAt: Date;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'When sandboxes were last created from it' })
  lastUsedAt: Date | null;

  static fromEntity(snapshot: Snapshot): SnapshotDto {
    return {
      id: snapshot.id,
      organizationId: snapshot.organizationId,
      name: snapshot.name,
      imageName: snapshot.imageName,
      general: snapshot.organizationId === null,
      state: snapshot.state,
      errorReason: snapshot.errorReason,
      size: snapshot.sizeBytes === null ? null : Math.round((snapshot.sizeBytes / GIB) * 1000) / 1000,
      entrypoint: snapshot.entrypoint,
      cpu: snapshot.cpu,
      gpu: 0,
      memory: snapshot.memory,
      mem: snapshot.memory,
      disk: snapshot.disk,
      regions: snapshot.regions,
      regionIds: snapshot.regions,
      createdAt: snapshot.createdAt,
      updatedAt: snapshot.updatedAt,
      lastUsedAt: snapshot.lastUsedAt,
    };
  }
}
