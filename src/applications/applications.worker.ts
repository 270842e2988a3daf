import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { Clock } from '../common/clock.js';
import { AccountEventBus, type AccountEvent } from '../common/events/account-events.js';
import { JobsService } from '../jobs/jobs.service.js';
import { ApplicationFlowService } from './application-flow.service.js';
import { ApplicationsRepository } from './applications.repository.js';
import { errorSummary } from './error-summary.js';

export const APPLICATION_QUEUE = 'application-step';

/**
 * Moves open applications on with pg-boss jobs (queue `application-step`, policy `stately`, singleton key = the
 * application id: at most one step runs and one waits per application, across instances). A step advances the
 * application as far as it can go now (ApplicationFlowService) and, when it must wait (a sync, a deadline, a
 * re-authorisation), queues the next step at that time; account events (ingested, sync failed, re-authorised…) make
 * the waiting step due at once. A step that throws is retried by pg-boss with backoff. The job for a new application
 * commits with it (ApplicationsService); at start, open applications without a queued step get one, so a restart
 * resumes every unfinished application. With WORKERS_ENABLED=false (an API-only instance) nothing is worked here.
 */
@Injectable()
export class ApplicationsWorker implements OnModuleInit, OnApplicationBootstrap {
  private readonly logger = new Logger(ApplicationsWorker.name);

  constructor(
    private readonly repo: ApplicationsRepository,
    private readonly flow: ApplicationFlowService,
    private readonly bus: AccountEventBus,
    private readonly jobs: JobsService,
    private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    this.bus.subscribe('applications', (event) => this.onAccountEventSafely(event));
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.jobs.working) return;
    for (const id of await this.repo.openIds()) await this.enqueue(id, 0);
    await this.jobs.work(APPLICATION_QUEUE, (data) => this.step(data.applicationId), { batchSize: 10 });
  }

  /** Queues a step for an application in the caller's transaction (a new application commits with its first step). */
  async enqueue(applicationId: string, delaySeconds = 0, manager?: EntityManager): Promise<string | null> {
    return this.jobs.send(
      APPLICATION_QUEUE,
      { applicationId },
      { singletonKey: applicationId, ...(delaySeconds > 0 ? { startAfter: delaySeconds } : {}) },
      manager,
    );
  }

  /** One step (the job handler): advance, then queue the next step when the application has to wait. */
  async step(applicationId: string): Promise<void> {
    let result: Awaited<ReturnType<ApplicationFlowService['advance']>>;
    try {
      result = await this.flow.advance(applicationId);
    } catch (err) {
      const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
      this.logger.warn({ applicationId, err: errorSummary(err) }, 'application step failed; pg-boss retries it');
      await this.repo.recordStepError(applicationId, message.slice(0, 2000)).catch(() => undefined);
      throw err;
    }
    if (result.kind !== 'wait') return;
    // Waits are measured on the injected clock; pg-boss gets the delay.
    const delaySeconds = Math.max(0, Math.ceil((result.until.getTime() - this.clock.now().getTime()) / 1000));
    await this.enqueue(applicationId, delaySeconds);
  }

  /** Makes the next step of these applications due now: a new step, or the queued (waiting) one brought forward. */
  private async wake(ids: string[]): Promise<void> {
    for (const id of ids) {
      if ((await this.enqueue(id, 0)) === null) await this.jobs.promoteKey(APPLICATION_QUEUE, id);
    }
  }

  /**
   * Never fails the publisher: a failure here must not make the inbox retry ingestion. A lost wake-up costs only the
   * wait: the queued step runs at its time and re-reads the accounts (ApplicationFlowService.evaluate).
   */
  private async onAccountEventSafely(event: AccountEvent): Promise<void> {
    try {
      await this.onAccountEvent(event);
    } catch (err) {
      this.logger.warn({ err: errorSummary(err), event: event.type, accountId: event.accountId }, 'applications could not react to an account event');
    }
  }

  /** Idempotent: replays of an event move nothing the second time. */
  private async onAccountEvent(event: AccountEvent): Promise<void> {
    const now = this.clock.now();
    let touched: string[] = [];
    switch (event.type) {
      case 'account.ingested':
        touched = await this.repo.updateWaitsForAccount(event.accountId, ['awaiting_data', 'syncing'], 'fresh', now);
        break;
      case 'account.reauth_required':
        touched = await this.repo.updateWaitsForAccount(event.accountId, ['awaiting_data', 'syncing'], 'reauth_required', now);
        break;
      case 'account.reauthorized':
        touched = await this.repo.updateWaitsForAccount(event.accountId, ['reauth_required'], 'syncing', now);
        break;
      case 'account.sync_failed':
        touched = await this.repo.updateWaitsForAccount(event.accountId, ['syncing'], 'failed', now, event.syncRunId ? { syncRunId: event.syncRunId } : {});
        break;
      case 'account.unlinked':
        touched = await this.repo.updateWaitsForAccount(event.accountId, ['awaiting_data', 'syncing', 'reauth_required'], 'failed', now);
        break;
      case 'account.linked':
      case 'account.data_available':
        return;
    }
    await this.wake(touched);
  }
}
