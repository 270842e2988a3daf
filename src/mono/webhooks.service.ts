import { createHash, timingSafeEqual } from 'node:crypto';
import { DataSource } from 'typeorm';
import { Injectable, Logger } from '@nestjs/common';
import { Clock } from '../common/clock.js';
import { DomainError } from '../common/errors/domain-error.js';
import { AppConfig } from '../config/app-config.js';
import { isObject } from './wire/mono-transaction.js';
import { JobsService } from '../jobs/jobs.service.js';
import { WebhookEventsRepository, type NewWebhookEvent } from './webhook-events.repository.js';
import { eventIdOf, monoAccountIdOf, payloadHash } from './webhook-payload.js';

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/** The configured secret's digest, computed once (the secret does not change while the process runs). */
let expectedDigest: { secret: string; digest: Buffer } | null = null;

/** Constant-time comparison of the shared secret (both sides hashed first so lengths never leak or throw). */
export function secretMatches(provided: string | undefined, expected: string): boolean {
  if (!expected || typeof provided !== 'string' || provided.length === 0) return false;
  if (expectedDigest?.secret !== expected) expectedDigest = { secret: expected, digest: digest(expected) };
  return timingSafeEqual(digest(provided), expectedDigest.digest);
}

/**
 * A body Postgres refuses as data (SQLSTATE class 22, e.g. `\u0000` or a lone surrogate, which jsonb cannot hold) can
 * never be stored: 400, so the sender stops retrying, instead of a 500.
 */
function asBadRequestIfUnstorable(err: unknown): unknown {
  const code = (err as { driverError?: { code?: unknown }; code?: unknown } | null)?.driverError?.code ?? (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && code.startsWith('22')) {
    return new DomainError('BAD_REQUEST', 'The webhook body cannot be stored (Postgres rejects it as data, e.g. a \\u0000 character)');
  }
  return err;
}

/** Statements writing webhooks at once; requests arriving meanwhile wait and go together in the next one. */
const MAX_WRITES_IN_FLIGHT = 2;
/** Rows per INSERT at most. */
const MAX_BATCH = 256;

interface QueuedWebhook {
  event: NewWebhookEvent;
  resolve: (id: string | null) => void;
  reject: (err: unknown) => void;
}

/**
 * Receiving Mono webhooks: authenticate, validate, store once in the inbox, wake the processor.
 *
 * Group commit: a webhook is written at once when fewer than MAX_WRITES_IN_FLIGHT inserts are running; otherwise it
 * waits for the next statement, which writes every webhook that queued meanwhile as one multi-row INSERT. No timer, so
 * an idle engine adds no latency; under load one commit carries many webhooks. Each request is answered only after
 * the statement holding its row committed (200 = durable), and a failing batch is retried row by row so one bad
 * webhook never fails its neighbours.
 */
@Injectable()
export class WebhooksService {
  private readonly logger = new Logger(WebhooksService.name);
  private readonly queue: QueuedWebhook[] = [];
  private writesInFlight = 0;

  constructor(
    private readonly config: AppConfig,
    private readonly events: WebhookEventsRepository,
    private readonly jobs: JobsService,
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  async receive(secretHeader: string | string[] | undefined, body: unknown): Promise<{ received: true; duplicate: boolean }> {
    const provided = Array.isArray(secretHeader) ? secretHeader[0] : secretHeader;
    if (!secretMatches(provided, this.config.mono.webhookSecret)) {
      this.logger.warn({ headerPresent: provided !== undefined }, 'mono webhook rejected: bad or missing mono-webhook-secret');
      throw new DomainError('UNAUTHENTICATED', 'Invalid webhook secret');
    }
    if (!isObject(body) || typeof body.event !== 'string' || body.event.trim() === '') {
      throw new DomainError('BAD_REQUEST', 'A Mono webhook is a JSON object with a string "event"');
    }
    const payloadJson = JSON.stringify(body);
    const eventType = body.event.trim().slice(0, 128);
    const monoAccountId = monoAccountIdOf(body);
    const id = await this.store({
      providerEventId: eventIdOf(body),
      payloadHash: payloadHash(body),
      eventType,
      monoAccountId: monoAccountId && monoAccountId.length <= 64 ? monoAccountId : null,
      payloadJson,
      now: this.clock.now(),
    });
    return { received: true, duplicate: id === null };
  }

  /** Resolves with the new row id (null for a duplicate) once the row is committed. */
  private store(event: NewWebhookEvent): Promise<string | null> {
    return new Promise((resolve, reject) => {
      this.queue.push({ event, resolve, reject });
      this.flush();
    });
  }

  private flush(): void {
    while (this.writesInFlight < MAX_WRITES_IN_FLIGHT && this.queue.length > 0) {
      const batch = this.queue.splice(0, MAX_BATCH);
      this.writesInFlight++;
      void this.write(batch).finally(() => {
        this.writesInFlight--;
        this.flush();
      });
    }
  }

  private async write(batch: QueuedWebhook[]): Promise<void> {
    let ids: Array<string | null>;
    try {
      ids = await this.storeWithJobs(batch.map((q) => q.event));
    } catch (err) {
      if (batch.length === 1) {
        batch[0].reject(asBadRequestIfUnstorable(err));
        return;
      }
      // Nothing of the batch was stored: write each on its own, so only a webhook that fails by itself fails.
      const settled = await Promise.allSettled(batch.map((q) => this.storeWithJobs([q.event]).then(([id]) => id)));
      settled.forEach((r, i) => {
        if (r.status === 'fulfilled') batch[i].resolve(r.value);
        else batch[i].reject(asBadRequestIfUnstorable(r.reason));
      });
      return;
    }
    batch.forEach((q, i) => q.resolve(ids[i]));
  }

  /** Stores new webhooks and their inbox jobs (job id = row id) in one transaction: one statement each. */
  private storeWithJobs(events: NewWebhookEvent[]): Promise<Array<string | null>> {
    return this.dataSource.transaction(async (m) => {
      const ids = events.length === 1 ? [await this.events.insertIfNew(events[0], m)] : await this.events.insertManyIfNew(events, m);
      const fresh = ids.filter((id): id is string => id !== null);
      await this.jobs.sendMany('webhook-inbox', fresh.map((id) => ({ id, data: { eventId: id } })), m);
      return ids;
    });
  }
}
