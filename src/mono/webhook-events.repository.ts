import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { affected } from './mono-accounts.repository.js';
import { decryptPii, encryptPii } from '../security/pii-cipher.js';
import { WebhookEventEntity } from './webhook-event.entity.js';

/** Keys of a webhook body whose string values are personal data (docs/security.md): encrypted at rest in the inbox. */
const PII_KEY = /(account_?number|accountnumber|name|bvn|phone|email|address|narration)/i;

function mapStrings(value: unknown, underPii: boolean, fn: (s: string) => string): unknown {
  if (typeof value === 'string') return underPii ? fn(value) : value;
  if (Array.isArray(value)) return value.map((v) => mapStrings(v, underPii, fn));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = mapStrings(v, underPii || PII_KEY.test(k), fn);
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

/** The webhook inbox: insert-once, claim with SKIP LOCKED under a lease, then settle. */
@Injectable()
export class WebhookEventsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** INSERT … ON CONFLICT DO NOTHING (event id or payload hash). Returns the new row id, or null for a duplicate. */
  async insertIfNew(event: NewWebhookEvent): Promise<string | null> {
    const rows = await this.dataSource.query<Array<{ id: string }>>(
      `INSERT INTO webhook_events (provider_event_id, payload_hash, event_type, mono_account_id, payload, status, next_attempt_at, received_at)
       VALUES ($1, $2, $3, $4, $5::jsonb, 'pending', $6, $6)
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
  async insertManyIfNew(events: readonly NewWebhookEvent[]): Promise<Array<string | null>> {
    if (events.length === 0) return [];
    const rows = await this.dataSource.query<Array<{ id: string; payload_hash: string }>>(
      `INSERT INTO webhook_events (provider_event_id, payload_hash, event_type, mono_account_id, payload, status, next_attempt_at, received_at)
       SELECT u.provider_event_id, u.payload_hash, u.event_type, u.mono_account_id, u.payload::jsonb, 'pending', u.received_at, u.received_at
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
   * Leases up to `limit` due events (pending, or processing whose lease expired — a crashed worker), oldest first.
   * SKIP LOCKED lets several instances drain the inbox without blocking each other.
   */
  async claimDue(limit: number, now: Date, leaseMs: number): Promise<ClaimedWebhookEvent[]> {
    const result = await this.dataSource.query<[WebhookRow[], number]>(
      `UPDATE webhook_events w SET status = 'processing', attempts = w.attempts + 1, locked_until = $2::timestamptz + ($3 || ' milliseconds')::interval
       WHERE w.id IN (
         SELECT id FROM webhook_events
         WHERE next_attempt_at <= $2 AND (status = 'pending' OR (status = 'processing' AND (locked_until IS NULL OR locked_until < $2)))
         ORDER BY received_at, id
         LIMIT $1
         FOR UPDATE SKIP LOCKED)
       RETURNING w.id, w.provider_event_id, w.payload_hash, w.event_type, w.mono_account_id, w.payload, w.status, w.attempts, w.received_at`,
      [limit, now, String(leaseMs)],
    );
    const rows = Array.isArray(result[0]) ? result[0] : [];
    return rows
      .map((r) => ({
        id: r.id,
        providerEventId: r.provider_event_id,
        eventType: r.event_type,
        monoAccountId: r.mono_account_id,
        payload: revealPayload(r.payload),
        attempts: r.attempts,
        receivedAt: r.received_at,
      }))
      .sort((a, b) => a.receivedAt.getTime() - b.receivedAt.getTime());
  }

  /** Extends the leases of events still being processed (by this instance). */
  async renewLeases(ids: string[], now: Date, leaseMs: number): Promise<void> {
    if (ids.length === 0) return;
    await this.dataSource.query(
      `UPDATE webhook_events SET locked_until = $2::timestamptz + ($3 || ' milliseconds')::interval WHERE id = ANY($1::uuid[]) AND status = 'processing'`,
      [ids, now, String(leaseMs)],
    );
  }

  async settle(id: string, status: 'processed' | 'ignored' | 'failed', now: Date, lastError: string | null = null): Promise<void> {
    await this.dataSource.query(
      `UPDATE webhook_events SET status = $2, processed_at = $3, locked_until = NULL, last_error = $4 WHERE id = $1`,
      [id, status, now, lastError],
    );
  }

  async scheduleRetry(id: string, nextAttemptAt: Date, lastError: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE webhook_events SET status = 'pending', next_attempt_at = $2, locked_until = NULL, last_error = $3 WHERE id = $1`,
      [id, nextAttemptAt, lastError],
    );
  }

  /** Makes the deferred events of a just-linked account due now. Returns how many. */
  async makeAccountEventsDue(monoAccountId: string, now: Date): Promise<number> {
    return affected(
      await this.dataSource.query(
        `UPDATE webhook_events SET next_attempt_at = $2 WHERE mono_account_id = $1 AND status = 'pending' AND next_attempt_at > $2 RETURNING id`,
        [monoAccountId, now],
      ),
    );
  }

  findById(id: string): Promise<WebhookEventEntity | null> {
    return this.dataSource.getRepository(WebhookEventEntity).findOne({ where: { id } });
  }
}
