import { createHash, timingSafeEqual } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { Clock } from '../common/clock.js';
import { DomainError } from '../common/errors/domain-error.js';
import { AppConfig } from '../config/app-config.js';
import { isObject } from '../ingestion/normalise/mono-transaction.js';
import { InboxSignal } from './inbox-signal.js';
import { WebhookEventsRepository } from './webhook-events.repository.js';
import { eventIdOf, monoAccountIdOf, payloadHash } from './webhook-payload.js';

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/** Constant-time comparison of the shared secret (both sides hashed first so lengths never leak or throw). */
export function secretMatches(provided: string | undefined, expected: string): boolean {
  if (!expected || typeof provided !== 'string' || provided.length === 0) return false;
  return timingSafeEqual(digest(provided), digest(expected));
}

/** Receiving Mono webhooks: authenticate, validate, store once in the inbox, wake the processor. */
@Injectable()
export class WebhooksService {
  private readonly logger = new Logger(WebhooksService.name);

  constructor(
    private readonly config: AppConfig,
    private readonly events: WebhookEventsRepository,
    private readonly signal: InboxSignal,
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
    const eventType = body.event.trim().slice(0, 128);
    const monoAccountId = monoAccountIdOf(body);
    const id = await this.events.insertIfNew({
      providerEventId: eventIdOf(body),
      payloadHash: payloadHash(body),
      eventType,
      monoAccountId: monoAccountId && monoAccountId.length <= 64 ? monoAccountId : null,
      payload: body,
      now: this.clock.now(),
    });
    if (id) this.signal.kick();
    return { received: true, duplicate: id === null };
  }
}
