import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

/** A tenant. Quotas are totals over the sandboxes that consume quota (see sandbox-state.ts). */
@Entity('organization')
export class Organization {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'text' })
  name: string;

  @Column({ name: 'default_region', type: 'text' })
  defaultRegion: string;

  @Column({ name: 'total_cpu_quota', type: 'integer' })
  totalCpuQuota: number;

  @Column({ name: 'total_memory_quota', type: 'integer', comment: 'GiB' })
  totalMemoryQuota: number;

  @Column({ name: 'total_disk_quota', type: 'integer', comment: 'GiB' })
  totalDiskQuota: number;

  @Column({ name: 'max_cpu_per_sandbox', type: 'integer' })
  maxCpuPerSandbox: number;

  @Column({ name: 'max_memory_per_sandbox', type: 'integer' })
  maxMemoryPerSandbox: number;

  @Column({ name: 'max_disk_per_sandbox', type: 'integer' })
  maxDiskPerSandbox: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
