import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { Job } from 'pg-boss';
import { DataSource, type EntityManager } from 'typeorm';
import { Clock } from '../common/clock.js';
import { AppConfig } from '../config/app-config.js';
import { OUTBOX_MAX_ATTEMPTS } from '../jobs/job-queues.js';
import { JobsService } from '../jobs/jobs.service.js';
import type { OutboxEventType } from './outbox-event.entity.js';
import { OutboxRepository, type PendingEvent } from './outbox.repository.js';
import { signEvent } from './signature.js';

export { OUTBOX_MAX_ATTEMPTS };
export const OUTBOX_QUEUE = 'outbox-delivery';
const REQUEST_TIMEOUT_MS = 10_000;

export type DeliveryOutcome = 'delivered' | 'retry' | 'failed' | 'skipped' | 'settled';

/** The JSON body POSTed to the lender. */
export interface OutboundEnvelope {
  id: string;
  type: OutboxEventType;
  createdAt: string;
  aggregateId: string | null;
  data: Record<string, unknown>;
}

/** Thrown by the delivery handler so pg-boss retries the job with its backoff. */
export class DeliveryFailedError extends Error {
  override readonly name = 'DeliveryFailedError';
}

/**
 * Durable outbox: an event row (outbox_events, the record the lender's operators read) and its delivery job
 * (pg-boss queue `outbox-delivery`) are written in the transaction of the state change they report. A worker POSTs
 * the event to EVENTS_WEBHOOK_URL signed with HMAC-SHA256; a failed attempt throws and pg-boss retries it with its
 * backoff (queue policy in src/jobs/job-queues.ts) until the last attempt marks the event failed and the job goes
 * to the dead-letter queue. The event id is the delivery id (`x-engine-delivery`), stable across attempts: delivery
 * is at least once and receivers de-duplicate on it.
 */
@Injectable()
export class OutboxService implements OnApplicationBootstrap {
  private readonly logger = new Logger(OutboxService.name);

  constructor(
    private readonly repo: OutboxRepository,
    private readonly jobs: JobsService,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  static create(dataSource: DataSource, jobs: JobsService, config: AppConfig, clock: Clock): OutboxService {
    return new OutboxService(new OutboxRepository(dataSource), jobs, config, clock);
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.jobs.working) return;
    // Pending events with no delivery job (written before the job system, or by an older version) get one; the job
    // id is the event id, so an event that has its job already is left alone.
    for (const eventId of await this.repo.pendingIds()) await this.jobs.send(OUTBOX_QUEUE, { eventId }, { id: eventId });
    await this.jobs.work(OUTBOX_QUEUE, (data, job) => this.deliverJob(data.eventId, job).then(() => undefined), { batchSize: 10 });
  }

  /** Writes an event and its delivery job in the caller's transaction; nothing is sent before it commits. */
  async enqueue(manager: EntityManager, type: OutboxEventType, aggregateId: string | null, payload: Record<string, unknown>): Promise<string> {
    const id = await this.repo.insert(manager, type, aggregateId, payload);
    await this.jobs.send(OUTBOX_QUEUE, { eventId: id }, { id }, manager);
    return id;
  }

  /** The job handler: one delivery attempt. Throws DeliveryFailedError when pg-boss should retry. */
  async deliverJob(eventId: string, job: Pick<Job, 'retryCount'>): Promise<DeliveryOutcome> {
    const outcome = await this.attempt(eventId, job.retryCount + 1);
    if (outcome === 'retry') throw new DeliveryFailedError(`delivery of ${eventId} failed; pg-boss retries it`);
    return outcome;
  }

  /** One attempt (number `attempt`, from 1) at delivering an event; records the outcome on the event row. */
  async attempt(eventId: string, attempt: number): Promise<DeliveryOutcome> {
    const event = await this.repo.findPending(eventId);
    if (!event) return 'settled'; // delivered, failed or skipped already (a redelivered job)
    const { url } = this.config.events;
    if (!url) {
      await this.repo.markSkipped(event.id, 'no EVENTS_WEBHOOK_URL configured');
      return 'skipped';
    }
    const error = await this.post(url, event);
    if (error === null) {
      await this.repo.markDelivered(event.id, attempt, this.clock.now());
      return 'delivered';
    }
    if (attempt >= OUTBOX_MAX_ATTEMPTS) {
      await this.repo.markFailed(event.id, attempt, error);
      this.logger.warn({ eventId: event.id, type: event.eventType, attempts: attempt }, 'outbound event failed permanently');
      return 'failed';
    }
    await this.repo.markAttemptFailed(event.id, attempt, error);
    return 'retry';
  }

  /** POSTs the signed envelope; null on a 2xx, else the error. */
  private async post(url: string, event: PendingEvent): Promise<string | null> {
    const envelope: OutboundEnvelope = {
      id: event.id,
      type: event.eventType,
      createdAt: event.createdAt.toISOString(),
      aggregateId: event.aggregateId,
      data: event.payload,
    };
    const body = JSON.stringify(envelope);
    const timestamp = String(Math.floor(this.clock.now().getTime() / 1000));
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': 'mono-underwriting-engine',
      'x-engine-event': event.eventType,
      'x-engine-delivery': event.id,
      'x-engine-timestamp': timestamp,
    };
    const { secret } = this.config.events;
    if (secret) headers['x-engine-signature'] = signEvent(secret, timestamp, body);
    try {
      const res = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
      await res.arrayBuffer().catch(() => undefined); // drain so the socket can be reused
      return res.ok ? null : `HTTP ${res.status}`;
    } catch (err) {
      return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    }
  }
}
