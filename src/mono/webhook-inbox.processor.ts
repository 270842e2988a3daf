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

const MAX_RETRY_DELAY_MS = 10 * 60_000;
const STALE_RUN_SWEEP_MS = 30_000;
const KNOWN_EVENTS = new Set<string>(Object.values(MONO_EVENTS));

/**
 * Drains the webhook inbox: leases due rows (`FOR UPDATE SKIP LOCKED`, so instances share the work), runs the
 * handler, and settles each row as processed / ignored, or schedules a retry with exponential backoff (failed after
 * WEBHOOK_MAX_ATTEMPTS). Woken right after every stored webhook and, with JOBS_ENABLED, polled every WEBHOOK_POLL_MS
 * — which is also how rows left `processing` by a crashed instance are picked up once their lease expires.
 *
 * Up to WEBHOOK_INBOX_CONCURRENCY events are processed at once, and the processor only claims as many events as it
 * has free lanes: nothing waits behind a slow ingestion in a batch, and other instances take what this one cannot
 * start. Each claim has a short lease (WEBHOOK_LEASE_SECONDS) that is renewed while the event is processed, so a
 * killed instance's events come back within one lease instead of minutes. With WORKERS_ENABLED=false (an API-only
 * instance) nothing is processed here.
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
  /** Events this process is processing now (id → its settlement), for the lane limit and lease renewal. */
  private readonly inFlight = new Map<string, Promise<void>>();
  private renewTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly config: AppConfig,
    private readonly events: WebhookEventsRepository,
    private readonly handlers: WebhookHandlersService,
    private readonly sync: SyncService,
    private readonly signal: InboxSignal,
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

  onModuleInit(): void {
    if (!this.config.workers.enabled) return;
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
    await Promise.allSettled(this.inFlight.values());
    this.stopRenewing();
    await this.sweeping;
  }

  /** Processes at most `limit` due events now, one after the other (tests call this directly). Returns how many were claimed. */
  async processDue(limit = this.config.webhooks.concurrency): Promise<number> {
    const claimed = await this.events.claimDue(limit, this.clock.now(), this.config.webhooks.leaseMs);
    for (const event of claimed) await this.track(event);
    return claimed.length;
  }

  /**
   * Processes until nothing is due (what the kick does), up to WEBHOOK_INBOX_CONCURRENCY events at once; claims only
   * as many events as there are free lanes. Tests call it to settle the inbox.
   */
  async drainNow(): Promise<void> {
    const lanes = this.config.webhooks.concurrency;
    for (;;) {
      const free = lanes - this.inFlight.size;
      const claimed = free > 0 && !this.stopped ? await this.events.claimDue(free, this.clock.now(), this.config.webhooks.leaseMs) : [];
      for (const event of claimed) void this.track(event);
      if (this.inFlight.size === 0) return;
      // Lanes are full, or nothing more is due right now: wait for one event to settle, then look again.
      if (claimed.length < free || free <= 0) await Promise.race(this.inFlight.values());
    }
  }

  /** Processes one claimed event, keeping its lease renewed until it is settled. Never rejects. */
  private track(event: ClaimedWebhookEvent): Promise<void> {
    const done = this.processOne(event)
      .catch((err: unknown) =>
        this.logger.error({ err, webhookEventId: event.id }, 'webhook event could not be settled; its lease will expire'),
      )
      .finally(() => {
        this.inFlight.delete(event.id);
        if (this.inFlight.size === 0) this.stopRenewing();
      });
    this.inFlight.set(event.id, done);
    this.startRenewing();
    return done;
  }

  /** While events are in flight, extends their leases every third of the lease (a live worker never loses one). */
  private startRenewing(): void {
    if (this.renewTimer) return;
    const leaseMs = this.config.webhooks.leaseMs;
    this.renewTimer = setInterval(
      () => {
        const ids = [...this.inFlight.keys()];
        if (ids.length === 0) return;
        this.events
          .renewLeases(ids, this.clock.now(), leaseMs)
          .catch((err: unknown) => this.logger.warn({ err, events: ids.length }, 'renewing webhook leases failed'));
      },
      Math.max(1_000, Math.floor(leaseMs / 3)),
    );
    this.renewTimer.unref();
  }

  private stopRenewing(): void {
    if (this.renewTimer) clearInterval(this.renewTimer);
    this.renewTimer = null;
  }

  /** Starts a drain unless one is running (then it runs once more after it). Never throws. */
  kick(): void {
    if (this.stopped || !this.config.workers.enabled) return;
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
