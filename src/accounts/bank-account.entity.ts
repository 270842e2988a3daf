import { Column, CreateDateColumn, Entity, JoinColumn, ManyToOne, PrimaryGeneratedColumn, UpdateDateColumn, type Relation } from 'typeorm';
import type { AccountCoverage } from '../common/domain/account.js';
import { koboTransformer } from '../common/money.js';
import { BorrowerEntity } from '../borrowers/borrower.entity.js';
import { piiTransformer } from '../security/pii-cipher.js';

export const DATA_STATUSES = ['PROCESSING', 'AVAILABLE', 'PARTIAL', 'UNAVAILABLE', 'FAILED'] as const;
export type DataStatus = (typeof DATA_STATUSES)[number];

/** A bank account linked through Mono. `monoAccountId` is Mono's permanent account id. */
@Entity({ name: 'bank_accounts' })
export class BankAccountEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ name: 'borrower_id', type: 'uuid' }) borrowerId!: string;
  @ManyToOne(() => BorrowerEntity, (b) => b.accounts) @JoinColumn({ name: 'borrower_id' }) borrower?: Relation<BorrowerEntity>;
  @Column({ name: 'mono_account_id', type: 'varchar', length: 64 }) monoAccountId!: string;
  @Column({ name: 'mono_customer_id', type: 'varchar', length: 64, nullable: true }) monoCustomerId!: string | null;
  @Column({ name: 'institution_name', type: 'varchar', length: 200, nullable: true }) institutionName!: string | null;
  @Column({ name: 'institution_bank_code', type: 'varchar', length: 32, nullable: true }) institutionBankCode!: string | null;
  @Column({ name: 'institution_type', type: 'varchar', length: 32, nullable: true }) institutionType!: string | null;
  @Column({ name: 'account_name', type: 'varchar', length: 256, nullable: true }) accountName!: string | null;
  /** Encrypted at rest (AES-256-GCM). */
  @Column({ name: 'account_number', type: 'varchar', length: 512, nullable: true, transformer: piiTransformer }) accountNumber!: string | null;
  @Column({ name: 'account_type', type: 'varchar', length: 100, nullable: true }) accountType!: string | null;
  @Column({ type: 'char', length: 3, default: 'NGN' }) currency!: string;
  @Column({ name: 'balance_minor', type: 'bigint', nullable: true, transformer: koboTransformer }) balanceMinor!: number | null;
  @Column({ name: 'auth_method', type: 'varchar', length: 32, nullable: true }) authMethod!: string | null;
  @Column({ name: 'data_status', type: 'varchar', length: 16, default: 'PROCESSING' }) dataStatus!: DataStatus;
  @Column({ name: 'retrieved_data', type: 'text', array: true, default: () => "'{}'" }) retrievedData!: string[];
  @Column({ name: 'reauth_required', type: 'boolean', default: false }) reauthRequired!: boolean;
  @Column({ name: 'reauth_required_at', type: 'timestamptz', nullable: true }) reauthRequiredAt!: Date | null;
  @Column({ name: 'last_synced_at', type: 'timestamptz', nullable: true }) lastSyncedAt!: Date | null;
  @Column({ name: 'last_sync_requested_at', type: 'timestamptz', nullable: true }) lastSyncRequestedAt!: Date | null;
  @Column({ name: 'last_ingested_at', type: 'timestamptz', nullable: true }) lastIngestedAt!: Date | null;
  @Column({ name: 'last_transaction_date', type: 'date', nullable: true }) lastTransactionDate!: string | null;
  @Column({ type: 'jsonb', nullable: true }) coverage!: AccountCoverage | null;
  @Column({ name: 'unlinked_at', type: 'timestamptz', nullable: true }) unlinkedAt!: Date | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}
