import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { RunnerState } from './runner-state.js';

/**
 * One runner per machine. Capacity is in the same units as quotas (cpu count, GiB);
 * what is used is derived from the sandboxes placed on it, never stored twice.
 */
@Entity('runner')
export class Runner {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Index({ unique: true })
  @Column({ type: 'text' })
  name: string;

  @Column({ type: 'text' })
  url: string;

  /**
   * SHA-256 of the credential the runner presents to the API, answered once at enrollment; null
   * for a runner enrolled before credentials existed (its next registration enrolls it again).
   */
  @Index({ unique: true })
  @Column({ name: 'credential_hash', type: 'text', nullable: true })
  credentialHash: string | null;

  /** Whether its sandboxes are isolated; the API places none on a runner that is not, unless told to. */
  @Column({ type: 'boolean', default: false })
  isolated: boolean;

  @Column({ type: 'text' })
  region: string;

  @Column({ name: 'capacity_cpu', type: 'integer' })
  capacityCpu: number;

  @Column({ name: 'capacity_memory', type: 'integer' })
  capacityMemory: number;

  @Column({ name: 'capacity_disk', type: 'integer' })
  capacityDisk: number;

  @Column({ type: 'text' })
  state: RunnerState;

  @Column({ type: 'boolean', default: true })
  schedulable: boolean;

  @Column({ name: 'last_heartbeat_at', type: 'timestamptz', nullable: true })
  lastHeartbeatAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
