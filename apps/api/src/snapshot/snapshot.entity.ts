import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { SnapshotState } from './snapshot-state.js';

/**
 * A template sandboxes are created from. `organizationId` null means a general snapshot
 * available to every organization. Names are unique per organization, and among general ones.
 */
@Entity('snapshot')
export class Snapshot {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'organization_id', type: 'uuid', nullable: true })
  organizationId: string | null;

  @Column({ type: 'text' })
  name: string;

  @Column({ type: 'text' })
  state: SnapshotState;

  @Column({ type: 'integer' })
  cpu: number;

  @Column({ type: 'integer', comment: 'GiB' })
  memory: number;

  @Column({ type: 'integer', comment: 'GiB' })
  disk: number;

  @Column({ type: 'text', array: true })
  regions: string[];

  /** What the runner understands, e.g. `host` for the host's read-only base filesystem. */
  @Column({ type: 'text' })
  ref: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
