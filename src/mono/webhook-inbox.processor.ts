import { Injectable, Logger, Optional, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { Registry, type Counter } from 'prom-client';
import { Clock } from '../common/clock.js';
import { AppConfig } from '../config/app-config.js';
import { getOrCreateCounter } from '../metrics/metrics.js';
import { InboxSignal } from './inbox-signal.js';
import { SyncService } from './sync.service.js';
import { WebhookHandlersService } from './webhook-handlers.service.js';
import { WebhookEventsRepository, type ClaimedWebhookEvent } from './webhook-events.repository.js';
import { MONO_EVENTS } from './webhook-payload.js';

// Long enough for subscribers (ingestion of a year of history) to finish; a crashed instance's rows wait this long.
const LEASE_MS = 5 * 60_000;
const MAX_RETRY_DELAY_MS = 10 * 60_000;
const STALE_RUN_SWEEP_MS = 30_000;
const KNOWN_EVENTS = new Set<string>(Object.values(MONO_EVENTS));

/**
 * Drains the webhook inbox: leases due rows (`FOR UPDATE SKIP LOCKED`, so instances share the work), runs the
 * handler, and settles each row as processed / ignored, or schedules a retry with exponential backoff (failed after
 * WEBHOOK_MAX_ATTEMPTS). Woken right after every stored webhook and, with JOBS_ENABLED, polled every WEBHOOK_POLL_MS
 * — which is also how rows left `processing` by a crashed instance are picked up once their lease expires.
 */
@Injectable()
export class WebhookInboxProcessor implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(WebhookInboxProcessor.name);
  private timer: NodeJS.Timeout | null = null;
  private draining: Promise<void> | null = null;
  private again = false;
  private stopped = false;
  private lastSweep = 0;
  private sweeping: Promise<unknown> | null = null;
  private readonly outcomes: Counter<'event' | 'outcome'>;

  constructor(
    private readonly config: AppConfig,
    private readonly events: WebhookEventsRepository,
    private readonly handlers: WebhookHandlersService,
    private readonly sync: SyncService,
    private readonly signal: InboxSignal,
    private readonly clock: Clock,
    @Optional() registry?: Registry,
  ) {
    this.outcomes = getOrCreateCounter(registry ?? new Registry(), 'mono_webhook_events_total', 'Mono webhook inbox outcomes per processing attempt', ['event', 'outcome']);
  }

  onModuleInit(): void {
    this.signal.listen(() => setImmediate(() => this.kick()));
    if (this.config.jobs.enabled) {
      this.timer = setInterval(() => this.tick(), this.config.webhooks.pollMs);
      this.timer.unref();
      this.kick();
    }
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.draining?.catch(() => undefined);
    await this.sweeping;
  }

  /** Processes at most `limit` due events now (tests call this directly). Returns how many were claimed. */
  async processDue(limit = 25): Promise<number> {
    const claimed = await this.events.claimDue(limit, this.clock.now(), LEASE_MS);
    for (const event of claimed) await this.processOne(event);
    return claimed.length;
  }

  /** Processes until nothing is due (what the kick does), for tests that want the inbox settled. */
  async drainNow(): Promise<void> {
    while ((await this.processDue()) > 0) {
      /* keep going */
    }
  }

  /** Starts a drain unless one is running (then it runs once more after it). Never throws. */
  kick(): void {
    if (this.stopped) return;
    if (this.draining) {
      this.again = true;
      return;
    }
    this.draining = (async () => {
      try {
        do {
          this.again = false;
          await this.drainNow();
        } while (this.again && !this.stopped);
      } catch (err) {
        this.logger.error({ err }, 'webhook inbox drain failed; the poller retries');
      } finally {
        this.draining = null;
      }
    })();
  }

  private tick(): void {
    const now = Date.now();
    if (now - this.lastSweep >= STALE_RUN_SWEEP_MS && !this.sweeping && !this.stopped) {
      this.lastSweep = now;
      this.sweeping = this.sync
        .timeOutStaleRuns()
        .catch((err: unknown) => this.logger.warn({ err }, 'timing out stale sync runs failed'))
        .finally(() => {
          this.sweeping = null;
        });
    }
    this.kick();
  }

  private async processOne(event: ClaimedWebhookEvent): Promise<void> {
    const label = KNOWN_EVENTS.has(event.eventType) ? event.eventType : 'other';
    const logCtx = { webhookEventId: event.id, event: label, attempt: event.attempts };
    const now = (): Date => this.clock.now();
    try {
      const outcome = await this.handlers.handle(event);
      if (outcome.kind === 'processed') {
        await this.events.settle(event.id, 'processed', now());
      } else if (outcome.kind === 'ignored') {
        await this.events.settle(event.id, 'ignored', now(), outcome.reason);
      } else {
        await this.retryOrFail(event, outcome.reason);
      }
      this.outcomes.inc({ event: label, outcome: outcome.kind });
      this.logger.debug({ ...logCtx, outcome: outcome.kind }, 'webhook event handled');
    } catch (err) {
      const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
      this.outcomes.inc({ event: label, outcome: 'error' });
      this.logger.warn({ ...logCtx, error: message.slice(0, 300) }, 'webhook event processing failed; will retry');
      await this.retryOrFail(event, message);
    }
  }

  private async retryOrFail(event: ClaimedWebhookEvent, reason: string): Promise<void> {
    const trimmed = reason.slice(0, 1000);
    if (event.attempts >= this.config.webhooks.maxAttempts) {
      await this.events.settle(event.id, 'failed', this.clock.now(), trimmed);
      this.logger.warn({ webhookEventId: event.id, attempts: event.attempts }, 'webhook event gave up');
      return;
    }
    const base = Math.min(MAX_RETRY_DELAY_MS, this.config.webhooks.retryBaseMs * 2 ** Math.max(0, event.attempts - 1));
    const delay = base / 2 + Math.random() * (base / 2);
    await this.events.scheduleRetry(event.id, new Date(this.clock.now().getTime() + delay), trimmed);
  }
}
