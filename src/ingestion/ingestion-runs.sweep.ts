import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { JobsService } from '../jobs/jobs.service.js';
import { IngestionService } from './ingestion.service.js';

const QUEUE = 'ingestion-runs-sweep';

/**
 * Closes ingestion runs a dead process left `running`: once at start and then every minute (pg-boss cron, one
 * instance runs each pass). A live run refreshes its heartbeat every 10 s, so only a run whose process is gone —
 * on this instance or another — is closed, within about two minutes of the kill (docs/reliability.md).
 */
@Injectable()
export class IngestionRunsSweep implements OnApplicationBootstrap {
  private readonly logger = new Logger(IngestionRunsSweep.name);

  constructor(
    private readonly ingestion: IngestionService,
    private readonly jobs: JobsService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.jobs.working) return;
    await this.jobs.work(QUEUE, async () => {
      await this.sweep();
    });
    await this.jobs.schedule(QUEUE, '* * * * *', {});
    await this.sweep();
  }

  async sweep(): Promise<number> {
    const closed = await this.ingestion.closeAbandonedRuns();
    if (closed > 0) this.logger.warn({ closed }, 'closed ingestion runs abandoned by a stopped process');
    return closed;
  }
}
