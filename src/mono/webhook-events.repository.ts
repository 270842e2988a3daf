import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { decryptPii, encryptPii, isEncrypted } from '../security/pii-cipher.js';
import { WebhookEventEntity } from './webhook-event.entity.js';

/** Keys of a webhook body whose string values are personal data (docs/security.md): encrypted at rest in the inbox. */
const PII_KEY = /(account_?number|accountnumber|name|bvn|phone|email|address|narration)/i;

function mapStrings(value: unknown, underPii: boolean, fn: (s: string) => string): unknown {
  if (typeof value === 'string') return underPii ? fn(value) : value;
  if (Array.isArray(value)) return value.map((v) => mapStrings(v, underPii, fn));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    // defineProperty, not assignment: a body may carry a "__proto__" key, which assignment would swallow.
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      Object.defineProperty(out, k, { value: mapStrings(v, underPii || PII_KEY.test(k), fn), enumerable: true, writable: true, configurable: true });
    }
    return out;
  }
  return value;
}

/** The body as stored: string values under PII keys encrypted with the PII keyring (enc:v1:…). */
export function protectPayloadJson(payloadJson: string): string {
  return JSON.stringify(mapStrings(JSON.parse(payloadJson), false, (s) => encryptPii(s)));
}

/** The body as received: values under PII keys decrypted (rows stored before encryption pass through unchanged). */
export function revealPayload(payload: Record<string, unknown>): Record<string, unknown> {
  return mapStrings(payload, false, (s) => decryptPii(s)) as Record<string, unknown>;
}

/**
 * A stored body brought in line with the newest key (`npm run pii:rotate`): values under PII keys that are still in
 * plaintext (rows stored before inbox encryption) or encrypted with an older key are encrypted with the newest one;
 * values already under the newest key are left as they are. `changed` is false when there was nothing to do.
 */
export function reprotectPayload(payload: unknown, newestKeyId: string): { payload: unknown; changed: boolean } {
  const current = `enc:v1:${newestKeyId}:`;
  let changed = false;
  const out = mapStrings(payload, false, (s) => {
    if (s.startsWith(current)) return s;
    changed = true;
    return encryptPii(isEncrypted(s) ? decryptPii(s) : s);
  });
  return { payload: out, changed };
}

interface WebhookRow {
  id: string;
  provider_event_id: string | null;
  payload_hash: string;
  event_type: string;
  mono_account_id: string | null;
  payload: Record<string, unknown>;
  status: WebhookEventEntity['status'];
  attempts: number;
  received_at: Date;
}

export interface NewWebhookEvent {
  providerEventId: string | null;
  payloadHash: string;
  eventType: string;
  monoAccountId: string | null;
  /** The body as JSON text (what is stored as jsonb). */
  payloadJson: string;
  now: Date;
}

export interface ClaimedWebhookEvent {
  id: string;
  providerEventId: string | null;
  eventType: string;
  monoAccountId: string | null;
  payload: Record<string, unknown>;
  /** Including this claim. */
  attempts: number;
  receivedAt: Date;
}

/** The webhook inbox (the one owner of webhook_events): insert-once, claim one event for its job, settle. */
@Injectable()
export class WebhookEventsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** INSERT … ON CONFLICT DO NOTHING (event id or payload hash). Returns the new row id, or null for a duplicate. */
  async insertIfNew(event: NewWebhookEvent, manager: EntityManager = this.dataSource.manager): Promise<string | null> {
    const rows = await manager.query<Array<{ id: string }>>(
      `INSERT INTO webhook_events (provider_event_id, payload_hash, event_type, mono_account_id, payload, status, received_at)
       VALUES ($1, $2, $3, $4, $5::jsonb, 'pending', $6)
       ON CONFLICT DO NOTHING RETURNING id`,
      [event.providerEventId, event.payloadHash, event.eventType, event.monoAccountId, protectPayloadJson(event.payloadJson), event.now],
    );
    return rows[0]?.id ?? null;
  }

  /**
   * Several webhooks in one statement (group commit of the intake): one multi-row INSERT … ON CONFLICT DO NOTHING,
   * committed before it returns. Returns, per input in order, the new row id or null for a duplicate (of a stored
   * event, or of an earlier input of the same batch). All or nothing: on an error no row of the batch is stored.
   */
  async insertManyIfNew(events: readonly NewWebhookEvent[], manager: EntityManager = this.dataSource.manager): Promise<Array<string | null>> {
    if (events.length === 0) return [];
    const rows = await manager.query<Array<{ id: string; payload_hash: string }>>(
      `INSERT INTO webhook_events (provider_event_id, payload_hash, event_type, mono_account_id, payload, status, received_at)
       SELECT u.provider_event_id, u.payload_hash, u.event_type, u.mono_account_id, u.payload::jsonb, 'pending', u.received_at
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[])
              AS u(provider_event_id, payload_hash, event_type, mono_account_id, payload, received_at)
       ON CONFLICT DO NOTHING RETURNING id, payload_hash`,
      [
        events.map((e) => e.providerEventId),
        events.map((e) => e.payloadHash),
        events.map((e) => e.eventType),
        events.map((e) => e.monoAccountId),
        events.map((e) => protectPayloadJson(e.payloadJson)),
        events.map((e) => e.now),
      ],
    );
    // payload_hash is unique in the table, so it names the input a stored row came from; the first input claims it.
    const byHash = new Map(rows.map((r) => [r.payload_hash, r.id]));
    return events.map((e) => {
      const id = byHash.get(e.payloadHash) ?? null;
      if (id) byHash.delete(e.payloadHash);
      return id;
    });
  }

  /**
   * Claims one event for an attempt of its job: unsettled (pending, or processing — an attempt whose worker died; pg-boss
   * retries only a job it no longer sees worked). Null when the event is settled already (a redelivered job).
   */
  async claim(id: string, attempt: number): Promise<ClaimedWebhookEvent | null> {
    const rows = await this.dataSource.query<[WebhookRow[], number]>(
      `UPDATE webhook_events SET status = 'processing', attempts = $2
        WHERE id = $1 AND status IN ('pending', 'processing')
       RETURNING id, provider_event_id, payload_hash, event_type, mono_account_id, payload, status, attempts, received_at`,
      [id, attempt],
    );
    const r = Array.isArray(rows[0]) ? rows[0][0] : undefined;
    return r
      ? {
          id: r.id,
          providerEventId: r.provider_event_id,
          eventType: r.event_type,
          monoAccountId: r.mono_account_id,
          payload: revealPayload(r.payload),
          attempts: r.attempts,
          receivedAt: r.received_at,
        }
      : null;
  }

  /** Ids of unsettled events, oldest first (given their jobs at start). */
  async unsettledIds(): Promise<string[]> {
    const rows = await this.dataSource.query<Array<{ id: string }>>(
      `SELECT id FROM webhook_events WHERE status IN ('pending', 'processing') ORDER BY received_at, id`,
    );
    return rows.map((r) => r.id);
  }

  async settle(id: string, status: 'processed' | 'ignored' | 'failed', now: Date, lastError: string | null = null): Promise<void> {
    await this.dataSource.query(`UPDATE webhook_events SET status = $2, processed_at = $3, last_error = $4 WHERE id = $1`, [id, status, now, lastError]);
  }

  /** Back to pending after a failed attempt (its job is retried by pg-boss). */
  async markRetry(id: string, lastError: string): Promise<void> {
    await this.dataSource.query(`UPDATE webhook_events SET status = 'pending', last_error = $2 WHERE id = $1`, [id, lastError]);
  }

  /** Ids of the pending (deferred) events of an account, e.g. one that has just been linked. */
  async pendingIdsOfAccount(monoAccountId: string): Promise<string[]> {
    const rows = await this.dataSource.query<Array<{ id: string }>>(
      `SELECT id FROM webhook_events WHERE mono_account_id = $1 AND status = 'pending' ORDER BY received_at, id`,
      [monoAccountId],
    );
    return rows.map((r) => r.id);
  }

  findById(id: string): Promise<WebhookEventEntity | null> {
    return this.dataSource.getRepository(WebhookEventEntity).findOne({ where: { id } });
  }
}
