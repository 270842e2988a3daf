import { Injectable, Logger, Optional, type OnApplicationBootstrap } from '@nestjs/common';
import type { Job } from 'pg-boss';
import { Registry, type Counter } from 'prom-client';
import { Clock } from '../common/clock.js';
import { AppConfig } from '../config/app-config.js';
import { JobsService } from '../jobs/jobs.service.js';
import { getOrCreateCounter } from '../metrics/metrics.js';
import { SyncService } from './sync.service.js';
import { WebhookHandlersService } from './webhook-handlers.service.js';
import { WebhookEventsRepository, type ClaimedWebhookEvent } from './webhook-events.repository.js';
import { MONO_EVENTS } from './webhook-payload.js';

export const INBOX_QUEUE = 'webhook-inbox';
const SWEEP_QUEUE = 'sync-runs-sweep';
const KNOWN_EVENTS = new Set<string>(Object.values(MONO_EVENTS));

export type InboxAttemptOutcome = 'processed' | 'ignored' | 'retry' | 'failed' | 'settled';

/** Thrown by the inbox job so pg-boss retries it with the queue's backoff. */
export class InboxRetryError extends Error {
  override readonly name = 'InboxRetryError';
}

/**
 * Works the webhook inbox: every stored webhook has a pg-boss job (queue `webhook-inbox`, job id = row id) committed
 * with its row. An attempt claims the row, runs the handler and settles it processed / ignored; a failure or a
 * deferral (account not linked yet) puts the row back to pending and throws, so pg-boss retries the job with its
 * backoff (WEBHOOK_RETRY_BASE_MS, WEBHOOK_MAX_ATTEMPTS); the last attempt settles it failed. Linking an account makes
 * its deferred events due at once (LinkService). A killed worker stops heartbeating and pg-boss gives the job to
 * another (WEBHOOK_LEASE_SECONDS). Up to WEBHOOK_INBOX_CONCURRENCY events are processed at once per instance; with
 * WORKERS_ENABLED=false nothing is processed here. Scheduling instances also time out stale sync runs every minute.
 */
@Injectable()
export class WebhookInboxProcessor implements OnApplicationBootstrap {
  private readonly logger = new Logger(WebhookInboxProcessor.name);
  private readonly outcomes: Counter<'event' | 'outcome'>;

  constructor(
    private readonly config: AppConfig,
    private readonly events: WebhookEventsRepository,
    private readonly handlers: WebhookHandlersService,
    private readonly sync: SyncService,
    private readonly jobs: JobsService,
    private readonly clock: Clock,
    @Optional() registry?: Registry,
  ) {
    this.outcomes = getOrCreateCounter(
      registry ?? new Registry(),
      'mono_webhook_events_total',
      'Mono webhook inbox outcomes per processing attempt',
      ['event', 'outcome'],
    );
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.jobs.working) return;
    // Rows stored without a job (before the job system, or by an older version) get one; existing ids are skipped.
    const unsettled = await this.events.unsettledIds();
    for (let i = 0; i < unsettled.length; i += 500) {
      await this.jobs.sendMany(INBOX_QUEUE, unsettled.slice(i, i + 500).map((id) => ({ id, data: { eventId: id } })));
    }
    await this.jobs.work(INBOX_QUEUE, (data, job) => this.processJob(data.eventId, job).then(() => undefined), {
      batchSize: this.config.webhooks.concurrency,
    });
    await this.jobs.work(SWEEP_QUEUE, async () => {
      await this.sync.timeOutStaleRuns();
    });
    await this.jobs.schedule(SWEEP_QUEUE, '* * * * *', {});
  }

  /** One attempt of an event's job (pg-boss's retryCount counts the attempts before). Throws to be retried. */
  async processJob(eventId: string, job: Pick<Job, 'retryCount'>): Promise<InboxAttemptOutcome> {
    const event = await this.events.claim(eventId, job.retryCount + 1);
    if (!event) return 'settled';
    const outcome = await this.processOne(event);
    if (outcome === 'retry') throw new InboxRetryError(`webhook event ${eventId} will be retried`);
    return outcome;
  }

  private async processOne(event: ClaimedWebhookEvent): Promise<InboxAttemptOutcome> {
    const label = KNOWN_EVENTS.has(event.eventType) ? event.eventType : 'other';
    const logCtx = { webhookEventId: event.id, event: label, attempt: event.attempts };
    const now = (): Date => this.clock.now();
    try {
      const outcome = await this.handlers.handle(event);
      this.outcomes.inc({ event: label, outcome: outcome.kind });
      this.logger.debug({ ...logCtx, outcome: outcome.kind }, 'webhook event handled');
      if (outcome.kind === 'processed') {
        await this.events.settle(event.id, 'processed', now());
        return 'processed';
      }
      if (outcome.kind === 'ignored') {
        await this.events.settle(event.id, 'ignored', now(), outcome.reason);
        return 'ignored';
      }
      return this.retryOrFail(event, outcome.reason);
    } catch (err) {
      const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
      this.outcomes.inc({ event: label, outcome: 'error' });
      this.logger.warn({ ...logCtx, error: message.slice(0, 300) }, 'webhook event processing failed; will retry');
      return this.retryOrFail(event, message);
    }
  }

  private async retryOrFail(event: ClaimedWebhookEvent, reason: string): Promise<'retry' | 'failed'> {
    const trimmed = reason.slice(0, 1000);
    if (event.attempts >= this.config.webhooks.maxAttempts) {
      await this.events.settle(event.id, 'failed', this.clock.now(), trimmed);
      this.logger.warn({ webhookEventId: event.id, attempts: event.attempts }, 'webhook event gave up');
      return 'failed';
    }
    await this.events.markRetry(event.id, trimmed);
    return 'retry';
  }
}
