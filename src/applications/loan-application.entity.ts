import { Column, CreateDateColumn, Entity, JoinColumn, ManyToOne, PrimaryGeneratedColumn, UpdateDateColumn, type Relation } from 'typeorm';
import { BorrowerEntity } from '../borrowers/borrower.entity.js';
import { koboTransformer } from '../common/money.js';
import type { ApplicationStatus } from './application-status.js';

/** A loan application; its status follows the transition table in application-status.ts. */
@Entity({ name: 'loan_applications' })
export class LoanApplicationEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ name: 'borrower_id', type: 'uuid' }) borrowerId!: string;
  @ManyToOne(() => BorrowerEntity) @JoinColumn({ name: 'borrower_id' }) borrower?: Relation<BorrowerEntity>;
  @Column({ name: 'api_key_id', type: 'uuid' }) apiKeyId!: string;
  @Column({ name: 'idempotency_key', type: 'varchar', length: 128 }) idempotencyKey!: string;
  @Column({ name: 'request_hash', type: 'char', length: 64 }) requestHash!: string;
  @Column({ name: 'amount_minor', type: 'bigint', transformer: koboTransformer }) amountMinor!: number;
  @Column({ type: 'char', length: 3, default: 'NGN' }) currency!: string;
  @Column({ name: 'tenor_months', type: 'integer' }) tenorMonths!: number;
  @Column({ type: 'varchar', length: 500, nullable: true }) purpose!: string | null;
  @Column({ type: 'varchar', length: 16, default: 'received' }) status!: ApplicationStatus;
  @Column({ name: 'status_reason', type: 'varchar', length: 64, nullable: true }) statusReason!: string | null;
  @Column({ name: 'sync_deadline_at', type: 'timestamptz', nullable: true }) syncDeadlineAt!: Date | null;
  @Column({ name: 'decision_id', type: 'uuid', nullable: true }) decisionId!: string | null;
  @Column({ name: 'stale_data', type: 'boolean', default: false }) staleData!: boolean;
  @Column({ type: 'integer', default: 0 }) attempts!: number;
  @Column({ name: 'last_error', type: 'text', nullable: true }) lastError!: string | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}
