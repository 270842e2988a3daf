import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { ConsentPurpose } from '../mono/consent-gate.js';

/**
 * One consent a borrower gave for one purpose (docs/privacy.md): the notice version they saw, the channel, when, until
 * when, and which linked accounts it covers (`accountIds` null = every account of the borrower, now and later).
 * Never deleted or edited but for its revocation (`revoked_at`, `revoked_reason`).
 */
@Entity({ name: 'consents' })
export class ConsentEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ name: 'borrower_id', type: 'uuid' }) borrowerId!: string;
  @Column({ type: 'varchar', length: 32 }) purpose!: ConsentPurpose;
  @Column({ name: 'notice_version', type: 'text' }) noticeVersion!: string;
  @Column({ type: 'text' }) channel!: string;
  @Column({ name: 'granted_at', type: 'timestamptz' }) grantedAt!: Date;
  @Column({ name: 'expires_at', type: 'timestamptz', nullable: true }) expiresAt!: Date | null;
  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true }) revokedAt!: Date | null;
  @Column({ name: 'revoked_reason', type: 'text', nullable: true }) revokedReason!: string | null;
  @Column({ name: 'account_ids', type: 'uuid', array: true, nullable: true }) accountIds!: string[] | null;
  @Column({ name: 'application_id', type: 'uuid', nullable: true }) applicationId!: string | null;
  /** When `consent.expiring` was sent (the lifecycle job, CONSENT_EXPIRING_NOTICE_DAYS before `expires_at`). */
  @Column({ name: 'expiring_notified_at', type: 'timestamptz', nullable: true }) expiringNotifiedAt!: Date | null;
  /** When the lifecycle job handled the expiry (audited `consent.expired`, event sent, uncovered accounts unlinked). */
  @Column({ name: 'expiry_handled_at', type: 'timestamptz', nullable: true }) expiryHandledAt!: Date | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}

export type ConsentStatus = 'active' | 'revoked' | 'expired' | 'scheduled';

/** Revoked wins over expired; `expires_at <= at` is expired; a consent granted after `at` does not apply yet. */
export function consentStatusAt(c: Pick<ConsentEntity, 'grantedAt' | 'expiresAt' | 'revokedAt'>, at: Date): ConsentStatus {
  if (c.revokedAt && c.revokedAt.getTime() <= at.getTime()) return 'revoked';
  if (c.expiresAt && c.expiresAt.getTime() <= at.getTime()) return 'expired';
  if (c.grantedAt.getTime() > at.getTime()) return 'scheduled';
  return 'active';
}
