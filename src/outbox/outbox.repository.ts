import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { OutboxEventType } from './outbox-event.entity.js';

export interface PendingEvent {
  id: string;
  eventType: OutboxEventType;
  aggregateId: string | null;
  payload: Record<string, unknown>;
  attempts: number;
  createdAt: Date;
}

/** The one owner of outbox_events (typed rows at this boundary). */
@Injectable()
export class OutboxRepository {
  constructor(private readonly dataSource: DataSource) {}

  async insert(manager: EntityManager, type: OutboxEventType, aggregateId: string | null, payload: Record<string, unknown>): Promise<string> {
    const rows = await manager.query<Array<{ id: string }>>(
      `INSERT INTO outbox_events (event_type, aggregate_id, payload) VALUES ($1, $2, $3::jsonb) RETURNING id`,
      [type, aggregateId, JSON.stringify(payload)],
    );
    return rows[0].id;
  }

  async pendingIds(): Promise<string[]> {
    const rows = await this.dataSource.query<Array<{ id: string }>>(`SELECT id FROM outbox_events WHERE status = 'pending' ORDER BY created_at`);
    return rows.map((r) => r.id);
  }

  async findPending(id: string): Promise<PendingEvent | null> {
    const rows = await this.dataSource.query<
      Array<{ id: string; event_type: OutboxEventType; aggregate_id: string | null; payload: Record<string, unknown>; attempts: number; created_at: Date }>
    >(`SELECT id, event_type, aggregate_id, payload, attempts, created_at FROM outbox_events WHERE id = $1 AND status = 'pending'`, [id]);
    const r = rows[0];
    return r
      ? { id: r.id, eventType: r.event_type, aggregateId: r.aggregate_id, payload: r.payload, attempts: r.attempts, createdAt: new Date(r.created_at) }
      : null;
  }

  async markDelivered(id: string, attempts: number, at: Date): Promise<void> {
    await this.dataSource.query(
      `UPDATE outbox_events SET status = 'delivered', attempts = $2, delivered_at = $3, last_error = NULL WHERE id = $1 AND status = 'pending'`,
      [id, attempts, at],
    );
  }

  async markAttemptFailed(id: string, attempts: number, error: string): Promise<void> {
    await this.dataSource.query(`UPDATE outbox_events SET attempts = $2, last_error = $3 WHERE id = $1 AND status = 'pending'`, [id, attempts, error]);
  }

  async markFailed(id: string, attempts: number, error: string): Promise<void> {
    await this.dataSource.query(`UPDATE outbox_events SET status = 'failed', attempts = $2, last_error = $3 WHERE id = $1 AND status = 'pending'`, [
      id,
      attempts,
      error,
    ]);
  }

  async markSkipped(id: string, reason: string): Promise<void> {
    await this.dataSource.query(`UPDATE outbox_events SET status = 'skipped', last_error = $2 WHERE id = $1 AND status = 'pending'`, [id, reason]);
  }
}
