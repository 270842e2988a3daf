import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '../common/clock.js';
import { DomainError } from '../common/errors/domain-error.js';
import { AccountEventBus } from '../common/events/account-events.js';
import { AppConfig } from '../config/app-config.js';
import { JobRunEntity } from '../jobs/job-run.entity.js';
import { JobsService } from '../jobs/jobs.service.js';
import { ReunderwritingService } from './reunderwriting.service.js';

export const REUNDERWRITE_JOB_NAME = 'reunderwrite';
export const JOB_TIME_ZONE = 'Africa/Lagos';

/**
 * Re-underwriting on the job system. Where jobs and workers are on: registers the pg-boss cron schedule
 * (REUNDERWRITE_CRON in Africa/Lagos; pg-boss sends one `reunderwrite-cycle` job per occurrence across instances)
 * and the handlers of the cycle, review-step and dead-letter queues. On every instance: `account.ingested` resumes the
 * reviews waiting for that account (enqueues their scoring step; the bus runs it after ingestion committed).
 */
@Injectable()
export class ReunderwriteJob implements OnModuleInit, OnApplicationBootstrap {
  private readonly logger = new Logger(ReunderwriteJob.name);

  constructor(
    private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly service: ReunderwritingService,
    private readonly jobs: JobsService,
    private readonly bus: AccountEventBus,
    private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    this.bus.subscribe('reunderwriting', async (event) => {
      if (event.type !== 'account.ingested') return;
      // Never fails ingestion: the delayed scoring step resumes the review anyway.
      await this.service.onAccountIngested(event.accountId).catch((err: unknown) => this.logger.warn({ err }, 'resuming reviews after ingestion failed'));
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.jobs.working) return;
    await this.jobs.work(
      'reunderwrite-cycle',
      async () => {
        await this.run();
      },
      { batchSize: 1 },
    );
    await this.jobs.work(
      'reunderwrite-sync',
      (d) => this.service.requestSync(d.itemId).catch((err: unknown) => this.rethrow(d.itemId, err)),
      { batchSize: this.config.jobs.reviewConcurrency },
    );
    await this.jobs.work(
      'reunderwrite-score',
      async (d, job) => {
        await this.service.scoreItem(d.itemId, d.final, job.retryCount + 1).catch((err: unknown) => this.rethrow(d.itemId, err));
      },
      { batchSize: this.config.jobs.reviewConcurrency },
    );
    await this.jobs.work('reunderwrite-review-dead', (d) => this.service.failItem(d.itemId), { batchSize: 4 });
    if (!this.jobs.scheduling) return;
    await this.jobs.schedule('reunderwrite-cycle', this.config.jobs.reunderwriteCron, { trigger: 'scheduled' }, { tz: JOB_TIME_ZONE });
    this.logger.log({ cron: this.config.jobs.reunderwriteCron, timeZone: JOB_TIME_ZONE }, 're-underwriting scheduled');
  }

  private async rethrow(itemId: string, err: unknown): Promise<never> {
    await this.service.noteAttemptError(itemId, err);
    throw err;
  }

  /** One scheduled run (the cron job's handler): creates or resumes the cycle; never throws (the outcome is in job_runs). */
  async run(): Promise<'succeeded' | 'skipped' | 'failed' | 'disabled'> {
    if (!this.jobs.scheduling) return 'disabled';
    const runs = this.dataSource.getRepository(JobRunEntity);
    const row = await runs.save(runs.create({ jobName: REUNDERWRITE_JOB_NAME, status: 'running', details: null }));
    let status: 'succeeded' | 'skipped' | 'failed';
    let details: Record<string, unknown>;
    try {
      const start = await this.service.startCycle('scheduled', { requestedBy: `job:${REUNDERWRITE_JOB_NAME}` });
      status = 'succeeded';
      details = { cycleId: start.cycleId, resumed: start.resumed, items: start.items };
    } catch (err) {
      if (err instanceof DomainError && err.code === 'REUNDERWRITE_ALREADY_RUNNING') {
        status = 'skipped';
        details = { reason: 'another instance started the cycle at the same moment', cycleId: err.details?.cycleId ?? null };
      } else {
        status = 'failed';
        details = { error: err instanceof Error ? err.message : String(err) };
        this.logger.error({ err }, 'scheduled re-underwriting failed');
      }
    }
    await runs.update({ id: row.id }, { status, details, finishedAt: this.clock.now() });
    return status;
  }
}
