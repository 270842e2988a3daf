import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { SyncRunStatus, SyncStrategy, SyncTrigger } from './sync-run-status.js';

/** Every sync request for an account and its outcome (one in flight per account: `sync_runs_one_in_flight`). */
@Entity({ name: 'sync_runs' })
export class SyncRunEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ name: 'account_id', type: 'uuid' }) accountId!: string;
  @Column({ type: 'varchar', length: 16 }) trigger!: SyncTrigger;
  @Column({ type: 'varchar', length: 16 }) strategy!: SyncStrategy;
  @Column({ type: 'varchar', length: 24, default: 'pending' }) status!: SyncRunStatus;
  @Column({ name: 'mono_code', type: 'varchar', length: 64, nullable: true }) monoCode!: string | null;
  @Column({ name: 'job_id', type: 'varchar', length: 128, nullable: true }) jobId!: string | null;
  @Column({ name: 'has_new_data', type: 'boolean', nullable: true }) hasNewData!: boolean | null;
  @Column({ type: 'jsonb', nullable: true }) error!: Record<string, unknown> | null;
  /** The consent this run relied on (docs/privacy.md); null for runs before consents existed. */
  @Column({ name: 'consent_id', type: 'uuid', nullable: true }) consentId!: string | null;
  @Column({ name: 'requested_at', type: 'timestamptz', nullable: true }) requestedAt!: Date | null;
  @Column({ name: 'completed_at', type: 'timestamptz', nullable: true }) completedAt!: Date | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}
