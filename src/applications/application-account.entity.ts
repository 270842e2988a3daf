import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/**
 * What one application waits for on one linked account:
 * not_needed (data fresh enough), awaiting_data (just linked, first ingestion pending), syncing (a sync was
 * requested; waiting for ingestion), fresh (ingested after the request), reauth_required, failed, timed_out.
 */
export const ACCOUNT_SYNC_STATUSES = ['not_needed', 'awaiting_data', 'syncing', 'fresh', 'reauth_required', 'failed', 'timed_out'] as const;
export type AccountSyncStatus = (typeof ACCOUNT_SYNC_STATUSES)[number];
export const WAITING_SYNC_STATUSES: readonly AccountSyncStatus[] = ['awaiting_data', 'syncing'];

@Entity({ name: 'application_accounts' })
export class ApplicationAccountEntity {
  @PrimaryColumn({ name: 'application_id', type: 'uuid' }) applicationId!: string;
  @PrimaryColumn({ name: 'account_id', type: 'uuid' }) accountId!: string;
  @Column({ name: 'sync_status', type: 'varchar', length: 16 }) syncStatus!: AccountSyncStatus;
  @Column({ name: 'sync_run_id', type: 'uuid', nullable: true }) syncRunId!: string | null;
  @Column({ name: 'sync_outcome', type: 'varchar', length: 32, nullable: true }) syncOutcome!: string | null;
  @Column({ name: 'requested_at', type: 'timestamptz', nullable: true }) requestedAt!: Date | null;
  @Column({ name: 'fresh_at', type: 'timestamptz', nullable: true }) freshAt!: Date | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}
