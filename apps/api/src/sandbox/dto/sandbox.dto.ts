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

  @ApiProperty({ description: 'In error only because the API gave up on it (its runner went silent, or its start was too slow): its runner may bring it back' })
  recoverable: boolean;

  @ApiProperty({ description: 'Base URL of the sandbox\'s toolbox: `{toolboxProxyUrl}/{id}/process/execute` and the rest', example: 'http://127.0.0.1:3000/api/toolbox' })
  toolboxProxyUrl: string;

  @ApiProperty({ description: 'The region it runs in (the same as region)', example: 'local' })
  target: string;

  @ApiProperty({ description: 'The OS user its commands run as', example: 'daytona' })
  user: string;

  @ApiProperty({ description: 'Public preview links: never on this server' })
  public: boolean;

  @ApiProperty({ type: 'integer', description: 'GPUs (always 0 here)' })
  gpu: number;

  @ApiProperty({ description: 'Nested virtualization (never on this server)' })
  kvm: boolean;

  @ApiProperty({ type: 'integer', description: 'Minutes without activity before it is stopped; 0 never' })
  autoStopInterval: number;

  @ApiProperty({ type: 'integer', description: 'Always 0: stopped sandboxes are not archived on this server' })
  autoArchiveInterval: number;

  @ApiProperty({ type: 'integer', description: 'Minutes after it stopped before it is destroyed; negative never, 0 at once' })
  autoDeleteInterval: number;

  @ApiProperty({ type: 'array', items: { type: 'object' }, description: 'Volumes (none on this server)' })
  volumes: unknown[];

  @ApiProperty({ type: String, format: 'date-time', description: 'Last toolbox call or start' })
  lastActivityAt: Date;

  @ApiProperty({ type: String, format: 'date-time' })
  createdAt: Date;

  @ApiProperty({ type: String, format: 'date-time' })
  updatedAt: Date;
}
