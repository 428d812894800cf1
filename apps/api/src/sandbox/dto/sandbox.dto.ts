import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { SandboxDesiredState, SandboxState } from '../entities/sandbox-state.js';

@ApiSchema({ name: 'Sandbox' })
export class SandboxDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ format: 'uuid' })
  organizationId: string;

  @ApiProperty({ example: 'batch-a-00001' })
  name: string;

  @ApiProperty({ description: 'Name of the snapshot the sandbox was created from', example: 'default' })
  snapshot: string;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  runnerId: string | null;

  @ApiProperty({ example: 'local' })
  region: string;

  @ApiProperty({ enum: SandboxState, enumName: 'SandboxState' })
  state: SandboxState;

  @ApiProperty({ enum: SandboxDesiredState, enumName: 'SandboxDesiredState' })
  desiredState: SandboxDesiredState;

  @ApiProperty({ type: 'integer', description: 'CPU cores' })
  cpu: number;

  @ApiProperty({ type: 'integer', description: 'Memory, GiB' })
  memory: number;

  @ApiProperty({ type: 'integer', description: 'Disk, GiB' })
  disk: number;

  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' } })
  env: Record<string, string>;

  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' } })
  labels: Record<string, string>;

  @ApiProperty({ description: 'true: only a loopback interface; false: egress (networkAllowList, if set, says where to)' })
  networkBlockAll: boolean;

  @ApiProperty({ type: String, nullable: true, description: 'Comma-separated IPv4 CIDRs the sandbox may reach; null: the public internet', example: '198.18.0.0/15' })
  networkAllowList: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, description: 'Why the sandbox is in error' })
  errorReason: string | null;

  @ApiProperty({ type: String, format: 'date-time' })
  createdAt: Date;

  @ApiProperty({ type: String, format: 'date-time' })
  updatedAt: Date;
}
