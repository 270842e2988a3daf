import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** One row per scheduled job execution (started, finished, outcome). */
@Entity({ name: 'job_runs' })
export class JobRunEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ name: 'job_name', type: 'varchar', length: 64 }) jobName!: string;
  @Column({ type: 'varchar', length: 16, default: 'running' }) status!: 'running' | 'succeeded' | 'failed' | 'skipped';
  @Column({ type: 'jsonb', nullable: true }) details!: unknown;
  @Column({ name: 'started_at', type: 'timestamptz', default: () => 'now()' }) startedAt!: Date;
  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true }) finishedAt!: Date | null;
}
