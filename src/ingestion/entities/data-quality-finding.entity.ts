import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** A data-quality finding on an account (balance break, missing balances, EMTL mismatch, modified/removed rows). */
@Entity({ name: 'data_quality_findings' })
export class DataQualityFindingEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ name: 'account_id', type: 'uuid' }) accountId!: string;
  @Column({ type: 'varchar', length: 32 }) kind!: string;
  @Column({ name: 'transaction_id', type: 'uuid', nullable: true }) transactionId!: string | null;
  @Column({ name: 'booking_date', type: 'date', nullable: true }) bookingDate!: string | null;
  @Column({ type: 'jsonb' }) details!: Record<string, unknown>;
  @Column({ name: 'ingestion_run_id', type: 'uuid', nullable: true }) ingestionRunId!: string | null;
  @Column({ name: 'detected_at', type: 'timestamptz' }) detectedAt!: Date;
  @Column({ name: 'resolved_at', type: 'timestamptz', nullable: true }) resolvedAt!: Date | null;
}
