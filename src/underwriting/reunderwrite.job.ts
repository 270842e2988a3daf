import { Injectable, Logger, Optional, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { CronJob } from 'cron';
import { DataSource } from 'typeorm';
import { Clock } from '../common/clock.js';
import { AppConfig } from '../config/app-config.js';
import { JobRunEntity } from '../jobs/job-run.entity.js';
import { ReunderwritingService } from './reunderwriting.service.js';

export const REUNDERWRITE_JOB_NAME = 'reunderwrite';
export const JOB_TIME_ZONE = 'Africa/Lagos';
/** How often an instance with jobs enabled looks for a running cycle to help drain. */
export const JOIN_POLL_MS = 15_000;

/**
 * The scheduled entry point. The cron expression comes from config (REUNDERWRITE_CRON), so the job is registered
 * dynamically with SchedulerRegistry (a decorator cannot read config). The tick only checks JOBS_ENABLED and that the
 * instance is not API-only (WORKERS_ENABLED), records a job_runs row and calls the service, which takes the scheduler
 * advisory lock (one cycle across instances). Instances that do not get the lock (a skipped tick, or every
 * JOIN_POLL_MS) drain the running cycle's items alongside.
 */
@Injectable()
export class ReunderwriteJob implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ReunderwriteJob.name);
  private job: CronJob | null = null;
  private joinTimer: NodeJS.Timeout | null = null;
  private joining: Promise<void> | null = null;

  constructor(
    private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly service: ReunderwritingService,
    private readonly clock: Clock,
    @Optional() private readonly registry?: SchedulerRegistry,
  ) {}

  /** Scheduled work runs where jobs are on and the instance is not API-only (WORKERS_ENABLED=false). */
  private get scheduled(): boolean {
    return this.config.jobs.enabled && this.config.workers.enabled;
  }

  onApplicationBootstrap(): void {
    if (!this.scheduled) return;
    this.job = CronJob.from({
      cronTime: this.config.jobs.reunderwriteCron,
      timeZone: JOB_TIME_ZONE,
      name: REUNDERWRITE_JOB_NAME,
      waitForCompletion: true,
      onTick: async () => {
        await this.run();
      },
    });
    if (this.registry) {
      if (this.registry.doesExist('cron', REUNDERWRITE_JOB_NAME)) this.registry.deleteCronJob(REUNDERWRITE_JOB_NAME);
      this.registry.addCronJob(REUNDERWRITE_JOB_NAME, this.job);
    }
    this.job.start();
    // Any instance with jobs enabled helps drain a running cycle (started by another instance's cron tick or admin
    // call): one cheap query per poll (the partial unique index on running cycles).
    this.joinTimer = setInterval(() => void this.joinRunningCycle(), JOIN_POLL_MS);
    this.joinTimer.unref();
    this.logger.log({ cron: this.config.jobs.reunderwriteCron, timeZone: JOB_TIME_ZONE }, 're-underwriting scheduled');
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.joinTimer) clearInterval(this.joinTimer);
    await this.job?.stop();
    await this.joining;
  }

  /** Drains the running cycle's items in this instance (no-op if none is running or this process already drains it). */
  joinRunningCycle(): Promise<void> {
    this.joining ??= this.service
      .joinRunningCycle()
      .then(() => undefined)
      .catch((err: unknown) => this.logger.error({ err }, 'draining the running re-underwriting cycle failed'))
      .finally(() => (this.joining = null));
    return this.joining;
  }

  /** One scheduled run; never throws (the outcome is in job_runs). */
  async run(): Promise<'succeeded' | 'skipped' | 'failed' | 'disabled'> {
    if (!this.scheduled) return 'disabled';
    const runs = this.dataSource.getRepository(JobRunEntity);
    const row = await runs.save(runs.create({ jobName: REUNDERWRITE_JOB_NAME, status: 'running', details: null }));
    let status: 'succeeded' | 'skipped' | 'failed';
    let details: Record<string, unknown>;
    try {
      const r = await this.service.runCycle('scheduled', { requestedBy: `job:${REUNDERWRITE_JOB_NAME}` });
      if (r.acquired) {
        status = 'succeeded';
        details = {
          cycleId: r.result.start.cycleId,
          resumed: r.result.start.resumed,
          cycleStatus: r.result.progress.status,
          counters: r.result.progress.counters,
        };
      } else {
        // Another instance runs the cycle: help drain it.
        await this.joinRunningCycle();
        status = 'skipped';
        details = { reason: 'another instance holds the re-underwriting scheduler lock; joined its running cycle' };
      }
    } catch (err) {
      status = 'failed';
      details = { error: err instanceof Error ? err.message : String(err) };
      this.logger.error({ err }, 'scheduled re-underwriting failed');
    }
    await runs.update({ id: row.id }, { status, details, finishedAt: this.clock.now() });
    return status;
  }
}
