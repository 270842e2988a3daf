import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

export const WEBHOOK_EVENT_STATUSES = ['pending', 'processing', 'processed', 'ignored', 'failed'] as const;
export type WebhookEventStatus = (typeof WEBHOOK_EVENT_STATUSES)[number];

/** The durable inbox of Mono webhooks: stored on receipt, processed by its pg-boss job `webhook-inbox` (same id) with retries. */
@Entity({ name: 'webhook_events' })
export class WebhookEventEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ name: 'provider_event_id', type: 'varchar', length: 128, nullable: true }) providerEventId!: string | null;
  @Column({ name: 'payload_hash', type: 'char', length: 64 }) payloadHash!: string;
  @Column({ name: 'event_type', type: 'varchar', length: 128 }) eventType!: string;
  @Column({ name: 'mono_account_id', type: 'varchar', length: 64, nullable: true }) monoAccountId!: string | null;
  @Column({ type: 'jsonb' }) payload!: Record<string, unknown>;
  @Column({ type: 'varchar', length: 16, default: 'pending' }) status!: WebhookEventStatus;
  @Column({ type: 'integer', default: 0 }) attempts!: number;
  @Column({ name: 'last_error', type: 'text', nullable: true }) lastError!: string | null;
  @Column({ name: 'received_at', type: 'timestamptz' }) receivedAt!: Date;
  @Column({ name: 'processed_at', type: 'timestamptz', nullable: true }) processedAt!: Date | null;
}
