import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

export const OUTBOX_EVENT_TYPES = ['application.decided', 'account.reauth_required', 'limit.changed', 'consent.revoked', 'consent.expiring', 'consent.expired', 'loan.overdue', 'loan.closed', 'borrower.erased'] as const;
export type OutboxEventType = (typeof OUTBOX_EVENT_TYPES)[number];
export const OUTBOX_STATUSES = ['pending', 'delivered', 'failed', 'skipped'] as const;
export type OutboxStatus = (typeof OUTBOX_STATUSES)[number];

/** One outbound event to the lender, written in the transaction of the state change it reports; pg-boss job `outbox-delivery` (same id) delivers it. */
@Entity({ name: 'outbox_events' })
export class OutboxEventEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ name: 'event_type', type: 'varchar', length: 64 }) eventType!: OutboxEventType;
  @Column({ name: 'aggregate_id', type: 'uuid', nullable: true }) aggregateId!: string | null;
  @Column({ type: 'jsonb' }) payload!: Record<string, unknown>;
  @Column({ type: 'varchar', length: 16, default: 'pending' }) status!: OutboxStatus;
  @Column({ type: 'integer', default: 0 }) attempts!: number;
  @Column({ name: 'last_error', type: 'text', nullable: true }) lastError!: string | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @Column({ name: 'delivered_at', type: 'timestamptz', nullable: true }) deliveredAt!: Date | null;
}
