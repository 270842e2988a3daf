import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { koboTransformer } from '../common/money.js';
import type { LimitAction, LimitReason, LimitStatus } from './limit-rules.js';

/** Append-only log of every limit review outcome (including "unchanged"), with its reasons. */
@Entity({ name: 'limit_changes' })
export class LimitChangeEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id!: string;
  @Column({ name: 'borrower_id', type: 'uuid' }) borrowerId!: string;
  @Column({ name: 'from_limit_minor', type: 'bigint', transformer: koboTransformer }) fromLimitMinor!: number;
  @Column({ name: 'to_limit_minor', type: 'bigint', transformer: koboTransformer }) toLimitMinor!: number;
  @Column({ name: 'from_status', type: 'varchar', length: 8 }) fromStatus!: LimitStatus;
  @Column({ name: 'to_status', type: 'varchar', length: 8 }) toStatus!: LimitStatus;
  @Column({ type: 'char', length: 3, default: 'NGN' }) currency!: string;
  @Column({ type: 'varchar', length: 16 }) action!: LimitAction;
  @Column({ type: 'jsonb' }) reasons!: LimitReason[];
  @Column({ type: 'jsonb', nullable: true }) review!: unknown;
  @Column({ name: 'limit_policy_version', type: 'varchar', length: 128 }) limitPolicyVersion!: string;
  @Column({ name: 'decision_id', type: 'uuid', nullable: true }) decisionId!: string | null;
  @Column({ name: 'cycle_id', type: 'uuid', nullable: true }) cycleId!: string | null;
  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' }) createdAt!: Date;
}
