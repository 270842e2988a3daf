import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { JobsService } from '../jobs/jobs.service.js';
import { IncomeCrosscheckService } from './income-crosscheck.service.js';

const QUEUE = 'income-checks-sweep';

/**
 * With MONO_INCOME_CROSSCHECK on: every 10 minutes (pg-boss cron, one instance per pass) and once at start, income
 * cross-checks still waiting for Mono's report are settled from Mono's income records (`recoverStale`) — the recovery
 * after a lost webhook or a crash (docs/mono.md, "Income cross-check").
 */
@Injectable()
export class IncomeCrosscheckSweep implements OnApplicationBootstrap {
  constructor(
    private readonly crosscheck: IncomeCrosscheckService,
    private readonly jobs: JobsService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.crosscheck.enabled || !this.jobs.working) return;
    await this.jobs.work(QUEUE, async () => {
      await this.crosscheck.recoverStale();
    });
    await this.jobs.schedule(QUEUE, '*/10 * * * *', {});
    await this.jobs.send(QUEUE, {});
  }
}
