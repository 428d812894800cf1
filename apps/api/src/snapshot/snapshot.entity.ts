import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { SnapshotState } from './snapshot-state.js';

/**
 * A template sandboxes are created from: an OCI image. `organizationId` null means a general
 * snapshot available to every organization. Names are unique per organization, and among
 * general ones, among snapshots not deleted.
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

  /** The image as the user named it. */
  @Column({ name: 'image_name', type: 'text' })
  imageName: string;

  /** The image reference runners pull (today the image name as given). */
  @Column({ type: 'text' })
  ref: string;

  /** The sandbox's main process; null runs the image's own entrypoint and command. */
  @Column({ type: 'text', array: true, nullable: true })
  entrypoint: string[] | null;

  /** Why the image could not be had, in the registry's words. */
  @Column({ name: 'error_reason', type: 'text', nullable: true })
  errorReason: string | null;

  /** Compressed size of the image's layers, once a runner has seen it. */
  @Column({ name: 'size_bytes', type: 'bigint', nullable: true, transformer: { to: (v) => v, from: (v) => (v === null ? null : Number(v)) } })
  sizeBytes: number | null;

  /** The image's User, once a runner has it: what its sandboxes' commands run as. */
  @Column({ name: 'image_user', type: 'text', nullable: true })
  imageUser: string | null;

  /** When sandboxes were last created from it. */
  @Column({ name: 'last_used_at', type: 'timestamptz', nullable: true })
  lastUsedAt: Date | null;

  /** Deleted snapshots stay as rows (their sandboxes point at them) but are found by nothing. */
  @Column({ name: 'deleted_at', type: 'timestamptz', nullable: true })
  deletedAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
