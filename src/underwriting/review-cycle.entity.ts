import { Column, Entity, OneToMany, PrimaryGeneratedColumn, type Relation } from 'typeorm';
import { ReviewItemEntity } from './review-item.entity.js';

export type CycleTrigger = 'scheduled' | 'manual';
export type CycleStatus = 'running' | 'completed' | 'failed';

/** One re-underwriting cycle: the borrowers due at its start become its work items. */
@Entity({ name: 'review_cycles' })
export class ReviewCycleEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ type: 'varchar', length: 16 }) trigger!: CycleTrigger;
  @Column({ type: 'varchar', length: 16, default: 'running' }) status!: CycleStatus;
  @Column({ name: 'as_of', type: 'timestamptz' }) asOf!: Date;
  @Column({ name: 'review_max_age_days', type: 'integer' }) reviewMaxAgeDays!: number;
  @Column({ type: 'integer' }) budget!: number;
  @Column({ name: 'mono_calls_spent', type: 'integer', default: 0 }) monoCallsSpent!: number;
  @Column({ type: 'jsonb', default: () => "'{}'" }) counters!: Record<string, number>;
  @Column({ name: 'requested_by', type: 'varchar', length: 128, nullable: true }) requestedBy!: string | null;
  @Column({ type: 'text', nullable: true }) error!: string | null;
  @Column({ name: 'started_at', type: 'timestamptz', default: () => 'now()' }) startedAt!: Date;
  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true }) finishedAt!: Date | null;
  @OneToMany(() => ReviewItemEntity, (i) => i.cycle) items?: Relation<ReviewItemEntity[]>;
}
