import { Column, Entity, PrimaryColumn } from 'typeorm';
import { koboTransformer } from '../common/money.js';
import type { LimitStatus } from './limit-rules.js';

/** The borrower's current credit limit, managed by re-underwriting reviews (one row per borrower). */
@Entity({ name: 'credit_limits' })
export class CreditLimitEntity {
  @PrimaryColumn({ name: 'borrower_id', type: 'uuid' }) borrowerId!: string;
  @Column({ name: 'current_limit_minor', type: 'bigint', transformer: koboTransformer }) currentLimitMinor!: number;
  @Column({ type: 'char', length: 3, default: 'NGN' }) currency!: string;
  @Column({ type: 'varchar', length: 8, default: 'active' }) status!: LimitStatus;
  @Column({ name: 'outstanding_minor', type: 'bigint', default: 0, transformer: koboTransformer }) outstandingMinor!: number;
  @Column({ name: 'last_increase_at', type: 'timestamptz', nullable: true }) lastIncreaseAt!: Date | null;
  @Column({ name: 'weak_review_streak', type: 'integer', default: 0 }) weakReviewStreak!: number;
  @Column({ name: 'baseline_decision_id', type: 'uuid' }) baselineDecisionId!: string;
  @Column({ name: 'last_review_decision_id', type: 'uuid', nullable: true }) lastReviewDecisionId!: string | null;
  @Column({ name: 'last_reviewed_at', type: 'timestamptz', nullable: true }) lastReviewedAt!: Date | null;
  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' }) createdAt!: Date;
  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' }) updatedAt!: Date;
}
