import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { Clock } from '../common/clock.js';
import { AccountEventBus, type AccountEvent } from '../common/events/account-events.js';
import { AppConfig } from '../config/app-config.js';
import { ApplicationFlowService } from './application-flow.service.js';
import { ApplicationsRepository } from './applications.repository.js';
import { errorSummary } from './error-summary.js';

export const APPLICATIONS_JOB_NAME = 'applications-worker';
const POLL_MS = 1_000;
const BATCH = 10;
/** Longer than any step (Mono calls have their own timeouts); an expired lease lets another worker take over. */
const LEASE_MS = 120_000;

/**
 * Drains open applications from Postgres (FOR UPDATE SKIP LOCKED with a lease), so any number of engine instances
 * share the work and a restart resumes every unfinished application. Woken immediately after an application is
 * created and by account events; polled every second when JOBS_ENABLED. With WORKERS_ENABLED=false (an API-only
 * instance) it never runs a round: applications and account-event wake-ups are written to Postgres and a worker
 * instance's poll takes them.
 */
@Injectable()
export class ApplicationsWorker implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(ApplicationsWorker.name);
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<number> | null = null;
  private again = false;
  private destroyed = false;

  constructor(
    private readonly repo: ApplicationsRepository,
    private readonly flow: ApplicationFlowService,
    private readonly bus: AccountEventBus,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    this.bus.subscribe('applications', (event) => this.onAccountEventSafely(event));
    if (this.config.jobs.enabled && this.config.workers.enabled) {
      this.timer = setInterval(() => this.kick(), POLL_MS);
      this.timer.unref();
      this.logger.log({ job: APPLICATIONS_JOB_NAME, everyMs: POLL_MS }, 'applications worker polling');
    }
  }

  async onModuleDestroy(): Promise<void> {
    this.destroyed = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running?.catch(() => undefined);
  }

  /** Asks for a round soon; coalesces with a round in progress (which then runs once more). */
  kick(): void {
    if (this.destroyed || !this.config.workers.enabled) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.processDue()
      .catch((err: unknown) => {
        this.logger.warn({ err: errorSummary(err) }, 'applications round failed');
        return 0;
      })
      .finally(() => {
        this.running = null;
        if (this.again) {
          this.again = false;
          setImmediate(() => this.kick());
        }
      });
  }

  /** Processes every application due now (exposed for tests and scripts); returns how many were stepped. */
  async processDue(): Promise<number> {
    let total = 0;
    for (;;) {
      const ids = await this.repo.claimDue(this.clock.now(), BATCH, LEASE_MS);
      if (ids.length === 0) return total;
      total += ids.length;
      await Promise.all(ids.map((id) => this.processOne(id)));
      if (this.destroyed) return total;
    }
  }

  private async processOne(id: string): Promise<void> {
    try {
      const result = await this.flow.advance(id);
      // Terminal applications are never claimed again (status filter); the timestamp only matters for open ones.
      await this.repo.release(id, result.kind === 'wait' ? result.until : this.clock.now());
    } catch (err) {
      const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
      this.logger.warn({ applicationId: id, err: errorSummary(err) }, 'application step failed; retrying later');
      await this.repo.release(id, new Date(this.clock.now().getTime() + 5_000), message.slice(0, 2000)).catch(() => undefined);
    }
  }

  /**
   * Never fails the publisher: a failure here must not make the inbox retry ingestion. The poll reconciles from the
   * account rows anyway (see ApplicationFlowService.evaluate), so a lost wake-up only costs a poll interval.
   */
  private async onAccountEventSafely(event: AccountEvent): Promise<void> {
    try {
      await this.onAccountEvent(event);
    } catch (err) {
      this.logger.warn(
        { err, event: event.type, accountId: event.accountId },
        'applications could not react to an account event; the poll will',
      );
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
        touched = await this.repo.updateWaitsForAccount(
          event.accountId,
          ['syncing'],
          'failed',
          now,
          event.syncRunId ? { syncRunId: event.syncRunId } : {},
        );
        break;
      case 'account.unlinked':
        touched = await this.repo.updateWaitsForAccount(event.accountId, ['awaiting_data', 'syncing', 'reauth_required'], 'failed', now);
        break;
      case 'account.linked':
      case 'account.data_available':
        return;
    }
    if (touched.length === 0) return;
    await this.repo.makeDue(touched, now);
    this.kick();
  }
}
