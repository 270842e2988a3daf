import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { Clock } from '../common/clock.js';
import { AppConfig } from '../config/app-config.js';
import { OutboxEventEntity, type OutboxEventType } from './outbox-event.entity.js';
import { signEvent } from './signature.js';

/** Delivery attempts before an event is marked failed (about a day with the backoff below). */
export const OUTBOX_MAX_ATTEMPTS = 12;
const BATCH_SIZE = 20;
const LEASE_MS = 60_000;
const REQUEST_TIMEOUT_MS = 10_000;
const POLL_MS = 1_000;
export const OUTBOX_JOB_NAME = 'outbox-delivery';

/** Exponential backoff with jitter: 2 s, 4 s, 8 s … capped at 1 h. */
export function outboxBackoffMs(attempts: number, random: () => number = Math.random): number {
  const base = Math.min(3_600_000, 1000 * 2 ** Math.max(1, attempts));
  return Math.round(base * (0.8 + 0.4 * random()));
}

export interface DeliveryReport {
  claimed: number;
  delivered: number;
  retried: number;
  failed: number;
  skipped: number;
}

interface ClaimedRow {
  id: string;
  event_type: OutboxEventType;
  aggregate_id: string | null;
  payload: Record<string, unknown>;
  attempts: number;
  created_at: Date;
}

/** The JSON body POSTed to the lender. */
export interface OutboundEnvelope {
  id: string;
  type: OutboxEventType;
  createdAt: string;
  aggregateId: string | null;
  data: Record<string, unknown>;
}

/**
 * Durable outbox: events are written in the transaction of the state change they report (enqueue), then a
 * worker POSTs them to EVENTS_WEBHOOK_URL signed with HMAC-SHA256, retrying with backoff. Rows are claimed with
 * FOR UPDATE SKIP LOCKED and a lease, so several engine instances share the work and a crash only delays it.
 */
@Injectable()
export class OutboxService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(OutboxService.name);
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<DeliveryReport> | null = null;
  private kicked = false;
  private destroyed = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    if (!this.config.jobs.enabled || !this.config.workers.enabled) return;
    this.timer = setInterval(() => this.kick(), POLL_MS);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    this.destroyed = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running?.catch(() => undefined);
  }

  /** Writes an event in the caller's transaction. Delivery happens after commit (poll or kick). */
  async enqueue(
    manager: EntityManager,
    type: OutboxEventType,
    aggregateId: string | null,
    payload: Record<string, unknown>,
  ): Promise<string> {
    const rows = await manager.query<Array<{ id: string }>>(
      `INSERT INTO outbox_events (event_type, aggregate_id, payload, next_attempt_at) VALUES ($1, $2, $3::jsonb, $4) RETURNING id`,
      [type, aggregateId, JSON.stringify(payload), this.clock.now()],
    );
    return rows[0].id;
  }

  /** Asks for a delivery round soon (after the caller's commit); no-op when jobs or workers are disabled. */
  kick(): void {
    if (!this.config.jobs.enabled || !this.config.workers.enabled || this.destroyed) return;
    if (this.running) {
      this.kicked = true;
      return;
    }
    this.running = this.processDue()
      .catch((err: unknown) => {
        this.logger.warn(
          { err: err instanceof Error ? { name: err.name, message: err.message } : String(err) },
          'outbox delivery round failed',
        );
        return { claimed: 0, delivered: 0, retried: 0, failed: 0, skipped: 0 };
      })
      .finally(() => {
        this.running = null;
        if (this.kicked) {
          this.kicked = false;
          setImmediate(() => this.kick());
        }
      });
  }

  /** One delivery round over the due events (exposed for tests and scripts). */
  async processDue(limit = BATCH_SIZE): Promise<DeliveryReport> {
    const report: DeliveryReport = { claimed: 0, delivered: 0, retried: 0, failed: 0, skipped: 0 };
    const now = this.clock.now();
    const claimed = await this.claim(now, limit);
    report.claimed = claimed.length;
    for (const event of claimed) {
      const outcome = await this.deliver(event);
      report[outcome] += 1;
    }
    return report;
  }

  private async claim(now: Date, limit: number): Promise<OutboxEventEntity[]> {
    // WITH … SELECT so the driver returns plain rows (a bare UPDATE … RETURNING comes back as [rows, count]).
    const list = await this.dataSource.query<ClaimedRow[]>(
      `WITH due AS (
         SELECT id FROM outbox_events
          WHERE status = 'pending' AND next_attempt_at <= $2 AND (locked_until IS NULL OR locked_until < $2)
          ORDER BY next_attempt_at, created_at
          LIMIT $1
          FOR UPDATE SKIP LOCKED),
       claimed AS (
         UPDATE outbox_events o SET locked_until = $2::timestamptz + interval '${LEASE_MS} milliseconds'
           FROM due WHERE o.id = due.id
         RETURNING o.id, o.event_type, o.aggregate_id, o.payload, o.attempts, o.created_at)
       SELECT * FROM claimed`,
      [limit, now],
    );
    return list
      .map((r) =>
        Object.assign(new OutboxEventEntity(), {
          id: r.id,
          eventType: r.event_type,
          aggregateId: r.aggregate_id,
          payload: r.payload,
          attempts: r.attempts,
          createdAt: new Date(r.created_at),
        }),
      )
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
  }

  private async deliver(event: OutboxEventEntity): Promise<'delivered' | 'retried' | 'failed' | 'skipped'> {
    const { url, secret } = this.config.events;
    const now = this.clock.now();
    if (!url) {
      await this.dataSource.query(`UPDATE outbox_events SET status = 'skipped', locked_until = NULL, last_error = $2 WHERE id = $1`, [
        event.id,
        'no EVENTS_WEBHOOK_URL configured',
      ]);
      return 'skipped';
    }
    const envelope: OutboundEnvelope = {
      id: event.id,
      type: event.eventType,
      createdAt: event.createdAt.toISOString(),
      aggregateId: event.aggregateId,
      data: event.payload,
    };
    const body = JSON.stringify(envelope);
    const timestamp = String(Math.floor(now.getTime() / 1000));
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': 'mono-underwriting-engine',
      'x-engine-event': event.eventType,
      'x-engine-delivery': event.id,
      'x-engine-timestamp': timestamp,
    };
    if (secret) headers['x-engine-signature'] = signEvent(secret, timestamp, body);
    let error: string;
    try {
      const res = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
      // Drain the body so the socket can be reused.
      await res.arrayBuffer().catch(() => undefined);
      if (res.ok) {
        await this.dataSource.query(
          `UPDATE outbox_events SET status = 'delivered', attempts = attempts + 1, delivered_at = $2, locked_until = NULL, last_error = NULL WHERE id = $1`,
          [event.id, now],
        );
        return 'delivered';
      }
      error = `HTTP ${res.status}`;
    } catch (err) {
      error = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    }
    const attempts = event.attempts + 1;
    if (attempts >= OUTBOX_MAX_ATTEMPTS) {
      await this.dataSource.query(
        `UPDATE outbox_events SET status = 'failed', attempts = $2, locked_until = NULL, last_error = $3 WHERE id = $1`,
        [event.id, attempts, error],
      );
      this.logger.warn({ eventId: event.id, type: event.eventType, attempts }, 'outbound event failed permanently');
      return 'failed';
    }
    await this.dataSource.query(
      `UPDATE outbox_events SET attempts = $2, next_attempt_at = $3, locked_until = NULL, last_error = $4 WHERE id = $1`,
      [event.id, attempts, new Date(now.getTime() + outboxBackoffMs(attempts)), error],
    );
    return 'retried';
  }
}
