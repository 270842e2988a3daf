import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { JobsService } from '../jobs/jobs.service.js';
import { INCOME_CROSSCHECK_QUEUE, IncomeCrosscheckService } from './income-crosscheck.service.js';

const SWEEP_QUEUE = 'income-checks-sweep';

/**
 * The income cross-check's jobs, on worker instances with MONO_INCOME_CROSSCHECK on: `income-crosscheck` (one per
 * decided application, sent in the decision's transaction) and `income-checks-sweep` — every 10 minutes (pg-boss cron,
 * one instance per pass) and once at start, requests still waiting for Mono's report are settled from Mono's income
 * records (`recoverStale`), the recovery after a lost webhook or a crash (docs/mono.md, "Income cross-check").
 */
@Injectable()
export class IncomeCrosscheckJobs implements OnApplicationBootstrap {
  constructor(
    private readonly crosscheck: IncomeCrosscheckService,
    private readonly jobs: JobsService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.crosscheck.enabled || !this.jobs.working) return;
    await this.jobs.work(INCOME_CROSSCHECK_QUEUE, (request) => this.crosscheck.handle(request), { localConcurrency: 2 });
    await this.jobs.work(SWEEP_QUEUE, async () => {
      await this.crosscheck.recoverStale();
    });
    await this.jobs.schedule(SWEEP_QUEUE, '*/10 * * * *', {});
    await this.jobs.send(SWEEP_QUEUE, {});
  }
}
