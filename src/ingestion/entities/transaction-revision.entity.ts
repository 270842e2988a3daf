import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

export type RevisionChange = 'modified' | 'removed' | 'restored' | 'recategorised';

/** History of a transaction: what it was (`previous`) and became (`current`), by which run or actor. */
@Entity({ name: 'transaction_revisions' })
export class TransactionRevisionEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id!: string;
  @Column({ name: 'transaction_id', type: 'uuid' }) transactionId!: string;
  @Column({ name: 'account_id', type: 'uuid' }) accountId!: string;
  @Column({ type: 'varchar', length: 16 }) change!: RevisionChange;
  @Column({ type: 'jsonb' }) previous!: Record<string, unknown>;
  @Column({ type: 'jsonb', nullable: true }) current!: Record<string, unknown> | null;
  @Column({ name: 'ingestion_run_id', type: 'uuid', nullable: true }) ingestionRunId!: string | null;
  @Column({ type: 'varchar', length: 128, nullable: true }) actor!: string | null;
  @Column({ type: 'text', nullable: true }) reason!: string | null;
  @Column({ name: 'detected_at', type: 'timestamptz' }) detectedAt!: Date;
}
