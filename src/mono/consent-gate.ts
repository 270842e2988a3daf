import type { EntityManager } from 'typeorm';
import { DomainError } from '../common/errors/domain-error.js';
import type { SyncTrigger } from './sync-run-status.js';

/**
 * The consent port: Mono is only called for a borrower's account under a consent valid for the purpose at that
 * moment (docs/privacy.md). Defined here, in the lowest module, and implemented by the consents module (bound to
 * CONSENT_GATE by a global provider), so mono never imports consents.
 */
/**
 * `income_verification` (optional) lets the engine ask Mono's billed income product for a second opinion on the
 * borrower's income during underwriting (MONO_INCOME_CROSSCHECK, docs/mono.md "Income cross-check"). It never
 * allows a data sync by itself: syncs need `underwriting` or `monitoring` (ANY_PURPOSE below).
 */
export const CONSENT_PURPOSES = ['underwriting', 'monitoring', 'income_verification'] as const;
export type ConsentPurpose = (typeof CONSENT_PURPOSES)[number];

/** Why no consent applies: none was ever given for the purpose, or the latest one was revoked or has expired. */
export type ConsentRefusalReason = 'none' | 'revoked' | 'expired';

export type ConsentCheck =
  | { ok: true; consentId: string; purpose: ConsentPurpose }
  | { ok: false; reason: ConsentRefusalReason; latestConsentId: string | null };

export interface ConsentGate {
  /**
   * Is there a consent covering `accountId` for one of `purposes`, granted at or before `at`, neither revoked nor
   * expired (`expires_at <= at` counts as expired)? Reads in the caller's transaction when `manager` is given.
   */
  check(accountId: string, purposes: readonly ConsentPurpose[], at: Date, manager?: EntityManager): Promise<ConsentCheck>;
}

export const CONSENT_GATE = Symbol('ConsentGate');

/** Any consent that allows retrieving the account's data: one-off underwriting or continuous monitoring. */
export const ANY_PURPOSE: readonly ConsentPurpose[] = ['underwriting', 'monitoring'];

/**
 * What a sync needs: sync-on-apply works under `underwriting` or `monitoring`; scheduled re-underwriting (continuous
 * retrieval) only under `monitoring`; every other door (webhook-driven ingestion, manual, connect, reauth) under
 * any consent.
 */
export function purposesForTrigger(trigger: SyncTrigger): readonly ConsentPurpose[] {
  switch (trigger) {
    case 'scheduled':
      return ['monitoring'];
    case 'application':
    case 'webhook':
    case 'manual':
    case 'connect':
    case 'reauth':
      return ANY_PURPOSE;
  }
}

/** The refusal as the engine's error (409 CONSENT_REQUIRED): nothing was asked of Mono. */
export class ConsentRequiredError extends DomainError {
  constructor(accountId: string, purposes: readonly ConsentPurpose[], refusal: { reason: ConsentRefusalReason; latestConsentId: string | null }) {
    const what = purposes.join(' or ');
    const why = refusal.reason === 'none' ? `no ${what} consent was given` : `the ${what} consent was ${refusal.reason}`;
    super('CONSENT_REQUIRED', `No valid consent for this purpose: ${why} for account ${accountId}; Mono was not called`, {
      accountId,
      purposes: [...purposes],
      reason: refusal.reason,
      latestConsentId: refusal.latestConsentId,
      next: 'POST /v1/borrowers/{id}/consents',
    });
  }
}

export function isConsentRequired(err: unknown): err is DomainError {
  return err instanceof DomainError && err.code === 'CONSENT_REQUIRED';
}
