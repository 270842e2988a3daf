import { Column, CreateDateColumn, Entity, PrimaryColumn, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { decimalStringTransformer, koboTransformer } from '../common/money.js';
import type { AllocationLine } from './loan-ledger.js';
import type { LoanStatus } from './loan-status.js';

/** A loan the lender disbursed (its own book); the status follows loan-status.ts. Amounts in kobo. */
@Entity({ name: 'loans' })
export class LoanEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ name: 'borrower_id', type: 'uuid' }) borrowerId!: string;
  @Column({ name: 'application_id', type: 'uuid', nullable: true }) applicationId!: string | null;
  @Column({ name: 'decision_id', type: 'uuid', nullable: true }) decisionId!: string | null;
  @Column({ name: 'principal_minor', type: 'bigint', transformer: koboTransformer }) principalMinor!: number;
  @Column({ type: 'char', length: 3, default: 'NGN' }) currency!: string;
  @Column({ name: 'disbursed_at', type: 'timestamptz' }) disbursedAt!: Date;
  @Column({ name: 'tenor_months', type: 'integer' }) tenorMonths!: number;
  @Column({ name: 'monthly_rate', type: 'numeric', precision: 12, scale: 8, nullable: true, transformer: decimalStringTransformer })
  monthlyRate!: string | null;
  @Column({ name: 'schedule_kind', type: 'varchar', length: 16 }) scheduleKind!: 'amortised' | 'explicit';
  @Column({ type: 'varchar', length: 16, default: 'current' }) status!: LoanStatus;
  @Column({ name: 'last_dpd', type: 'integer', default: 0 }) lastDpd!: number;
  @Column({ name: 'restructured_at', type: 'timestamptz', nullable: true }) restructuredAt!: Date | null;
  @Column({ name: 'restructure_repayment_seq', type: 'bigint', nullable: true }) restructureRepaymentSeq!: string | null;
  @Column({ name: 'closed_at', type: 'timestamptz', nullable: true }) closedAt!: Date | null;
  @Column({ name: 'written_off_at', type: 'timestamptz', nullable: true }) writtenOffAt!: Date | null;
  @Column({ name: 'api_key_id', type: 'uuid' }) apiKeyId!: string;
  @Column({ name: 'idempotency_key', type: 'varchar', length: 128 }) idempotencyKey!: string;
  @Column({ name: 'request_hash', type: 'char', length: 64 }) requestHash!: string;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}

/** One instalment of a loan's schedule with what has been paid on it. */
@Entity({ name: 'loan_instalments' })
export class LoanInstalmentEntity {
  @PrimaryColumn({ name: 'loan_id', type: 'uuid' }) loanId!: string;
  @PrimaryColumn({ type: 'integer' }) seq!: number;
  @Column({ name: 'due_date', type: 'date' }) dueDate!: string;
  @Column({ name: 'principal_minor', type: 'bigint', transformer: koboTransformer }) principalMinor!: number;
  @Column({ name: 'interest_minor', type: 'bigint', transformer: koboTransformer }) interestMinor!: number;
  @Column({ name: 'paid_principal_minor', type: 'bigint', transformer: koboTransformer }) paidPrincipalMinor!: number;
  @Column({ name: 'paid_interest_minor', type: 'bigint', transformer: koboTransformer }) paidInterestMinor!: number;
}

/** A repayment the lender reported, idempotent on (loan, reference); `allocation` says where it went. */
@Entity({ name: 'loan_repayments' })
export class LoanRepaymentEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ type: 'bigint', insert: false, update: false }) seq!: string;
  @Column({ name: 'loan_id', type: 'uuid' }) loanId!: string;
  @Column({ type: 'varchar', length: 128 }) reference!: string;
  @Column({ name: 'amount_minor', type: 'bigint', transformer: koboTransformer }) amountMinor!: number;
  @Column({ name: 'paid_at', type: 'timestamptz' }) paidAt!: Date;
  @Column({ type: 'jsonb' }) allocation!: AllocationLine[];
  @Column({ name: 'outstanding_principal_after_minor', type: 'bigint', transformer: koboTransformer })
  outstandingPrincipalAfterMinor!: number;
  @Column({ name: 'reversed_at', type: 'timestamptz', nullable: true }) reversedAt!: Date | null;
  @Column({ name: 'reversal_reason', type: 'text', nullable: true }) reversalReason!: string | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}

/** Append-only history of a loan (a trigger forbids UPDATE/DELETE). */
@Entity({ name: 'loan_events' })
export class LoanEventEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id!: string;
  @Column({ name: 'loan_id', type: 'uuid' }) loanId!: string;
  @Column({ type: 'varchar', length: 32 }) type!: string;
  @Column({ type: 'timestamptz' }) at!: Date;
  @Column({ type: 'jsonb' }) payload!: Record<string, unknown>;
  @Column({ type: 'varchar', length: 128 }) actor!: string;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}

export const LOAN_ENTITIES = [LoanEntity, LoanInstalmentEntity, LoanRepaymentEntity, LoanEventEntity];
