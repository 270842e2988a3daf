import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

export type IngestionTrigger = 'webhook' | 'sync' | 'manual' | 'connect' | 'scheduled';
export type IngestionRunStatus = 'running' | 'succeeded' | 'failed';

/** One ingestion of one account: its window, counts and outcome. */
@Entity({ name: 'ingestion_runs' })
export class IngestionRunEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ name: 'account_id', type: 'uuid' }) accountId!: string;
  @Column({ name: 'sync_run_id', type: 'uuid', nullable: true }) syncRunId!: string | null;
  @Column({ type: 'varchar', length: 16 }) trigger!: IngestionTrigger;
  @Column({ type: 'varchar', length: 16, default: 'running' }) status!: IngestionRunStatus;
  @Column({ name: 'window_start', type: 'date', nullable: true }) windowStart!: string | null;
  @Column({ name: 'window_end', type: 'date', nullable: true }) windowEnd!: string | null;
  @Column({ type: 'integer', default: 0 }) fetched!: number;
  @Column({ type: 'integer', default: 0 }) inserted!: number;
  @Column({ type: 'integer', default: 0 }) modified!: number;
  @Column({ type: 'integer', default: 0 }) removed!: number;
  @Column({ type: 'integer', default: 0 }) unchanged!: number;
  @Column({ type: 'jsonb', nullable: true }) error!: object | null;
  @Column({ name: 'started_at', type: 'timestamptz' }) startedAt!: Date;
  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true }) finishedAt!: Date | null;
}
