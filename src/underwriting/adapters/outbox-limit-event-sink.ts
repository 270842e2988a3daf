import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { OutboxService } from '../../outbox/outbox.service.js';
import { LimitEventSink } from '../ports.js';

/** `limit.changed` through the durable outbox, in the transaction that changed the limit. */
@Injectable()
export class OutboxLimitEventSink extends LimitEventSink {
  constructor(private readonly outbox: OutboxService) {
    super();
  }

  async enqueue(manager: EntityManager, type: 'limit.changed', aggregateId: string, payload: Record<string, unknown>): Promise<void> {
    await this.outbox.enqueue(manager, type, aggregateId, payload);
  }
}
