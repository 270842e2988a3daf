import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { koboTransformer } from '../../common/money.js';

/** A balance as fetched from the provider. */
@Entity({ name: 'balance_snapshots' })
export class BalanceSnapshotEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ name: 'account_id', type: 'uuid' }) accountId!: string;
  @Column({ name: 'balance_minor', type: 'bigint', transformer: koboTransformer }) balanceMinor!: number;
  @Column({ type: 'char', length: 3 }) currency!: string;
  @Column({ type: 'varchar', length: 16 }) source!: 'account' | 'balance' | 'webhook';
  @Column({ name: 'ingestion_run_id', type: 'uuid', nullable: true }) ingestionRunId!: string | null;
  @Column({ name: 'captured_at', type: 'timestamptz' }) capturedAt!: Date;
}
