import { Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** What one runner holds of one image, as its last sync said. */
@Entity('runner_image')
export class RunnerImage {
  @PrimaryColumn({ name: 'runner_id', type: 'uuid' })
  runnerId: string;

  @PrimaryColumn({ type: 'text' })
  ref: string;

  @Column({ type: 'text' })
  state: 'pulling' | 'ready' | 'error';

  @Column({ type: 'text', nullable: true })
  digest: string | null;

  @Column({ name: 'error_reason', type: 'text', nullable: true })
  errorReason: string | null;

  @Column({ name: 'size_bytes', type: 'bigint', nullable: true })
  sizeBytes: string | null;

  @Column({ name: 'image_user', type: 'text', nullable: true })
  imageUser: string | null;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
