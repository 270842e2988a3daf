import { Column, Entity, JoinColumn, ManyToOne, PrimaryGeneratedColumn, type Relation } from 'typeorm';
import { BankAccountEntity } from '../../accounts/bank-account.entity.js';
import type { Direction } from '../../common/domain/transaction.js';
import { koboTransformer } from '../../common/money.js';

export type TransactionStatus = 'active' | 'removed';
export type CategorySource = 'rule' | 'analyst';

/**
 * A normalised provider transaction. Written in bulk by IngestionService (COPY + set-based SQL); the entity serves
 * reads and the benchmark's naive baseline. `(accountId, providerTxnId)` is unique; `fingerprint` is the content hash.
 */
@Entity({ name: 'bank_transactions' })
export class BankTransactionEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ name: 'account_id', type: 'uuid' }) accountId!: string;
  @ManyToOne(() => BankAccountEntity, { onDelete: 'CASCADE' }) @JoinColumn({ name: 'account_id' }) account?: Relation<BankAccountEntity>;
  @Column({ name: 'provider_txn_id', type: 'varchar', length: 128 }) providerTxnId!: string;
  @Column({ type: 'char', length: 64 }) fingerprint!: string;
  @Column({ name: 'posted_at', type: 'timestamptz' }) postedAt!: Date;
  @Column({ name: 'booking_date', type: 'date' }) bookingDate!: string;
  @Column({ type: 'varchar', length: 6 }) direction!: Direction;
  @Column({ name: 'amount_minor', type: 'bigint', transformer: koboTransformer }) amountMinor!: number;
  @Column({ name: 'balance_minor', type: 'bigint', nullable: true, transformer: koboTransformer }) balanceMinor!: number | null;
  @Column({ type: 'char', length: 3 }) currency!: string;
  @Column({ type: 'text', default: '' }) narration!: string;
  @Column({ name: 'provider_category', type: 'varchar', length: 64, nullable: true }) providerCategory!: string | null;
  @Column({ type: 'varchar', length: 32, default: 'other' }) category!: string;
  @Column({ name: 'category_rule', type: 'varchar', length: 64, default: 'unclassified' }) categoryRule!: string;
  @Column({ name: 'category_source', type: 'varchar', length: 16, default: 'rule' }) categorySource!: CategorySource;
  @Column({ type: 'varchar', length: 16, default: 'OTHER' }) rail!: string;
  @Column({ type: 'varchar', length: 256, nullable: true }) counterparty!: string | null;
  @Column({ type: 'text', nullable: true }) memo!: string | null;
  @Column({ type: 'varchar', length: 8, default: 'active' }) status!: TransactionStatus;
  @Column({ type: 'integer', default: 1 }) version!: number;
  @Column({ type: 'jsonb' }) raw!: object;
  @Column({ name: 'first_seen_at', type: 'timestamptz' }) firstSeenAt!: Date;
  @Column({ name: 'last_seen_at', type: 'timestamptz' }) lastSeenAt!: Date;
  @Column({ name: 'modified_at', type: 'timestamptz', nullable: true }) modifiedAt!: Date | null;
  @Column({ name: 'removed_at', type: 'timestamptz', nullable: true }) removedAt!: Date | null;
}
