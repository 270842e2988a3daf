import { Column, Entity, JoinColumn, ManyToOne, PrimaryGeneratedColumn, type Relation } from 'typeorm';
import { ReviewCycleEntity } from './review-cycle.entity.js';

export type ReviewItemStatus = 'pending' | 'syncing' | 'scoring' | 'done' | 'failed' | 'skipped';
export const OPEN_ITEM_STATUSES: readonly ReviewItemStatus[] = ['pending', 'syncing', 'scoring'];

/** One borrower to review in one cycle: a work item claimed with FOR UPDATE SKIP LOCKED and a lease. */
@Entity({ name: 'review_items' })
export class ReviewItemEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id!: string;
  @Column({ name: 'cycle_id', type: 'uuid' }) cycleId!: string;
  @ManyToOne(() => ReviewCycleEntity, (c) => c.items) @JoinColumn({ name: 'cycle_id' }) cycle?: Relation<ReviewCycleEntity>;
  @Column({ name: 'borrower_id', type: 'uuid' }) borrowerId!: string;
  @Column({ type: 'varchar', length: 16 }) reason!: 'age' | 'new_data';
  @Column({ type: 'varchar', length: 16, default: 'pending' }) status!: ReviewItemStatus;
  @Column({ type: 'integer', default: 0 }) attempts!: number;
  @Column({ name: 'locked_until', type: 'timestamptz', nullable: true }) lockedUntil!: Date | null;
  @Column({ name: 'worker_id', type: 'varchar', length: 128, nullable: true }) workerId!: string | null;
  @Column({ name: 'decision_id', type: 'uuid', nullable: true }) decisionId!: string | null;
  @Column({ type: 'jsonb', nullable: true }) result!: unknown;
  @Column({ type: 'text', nullable: true }) error!: string | null;
  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' }) createdAt!: Date;
  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' }) updatedAt!: Date;
  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true }) finishedAt!: Date | null;
}
