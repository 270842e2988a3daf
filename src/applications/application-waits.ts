import type { AccountSyncStatus } from './application-account.entity.js';
import type { TransitionReason } from './application-status.js';
import type { SyncOutcome } from '../mono/sync.service.js';

/**
 * Pure rules of sync-on-apply: what one account needs at application time, how a sync outcome maps onto the
 * wait, and what the application should do given every account's wait. No I/O, no clock: `now` is passed in.
 */

export interface AccountFreshness {
  reauthRequired: boolean;
  lastSyncedAt: Date | null;
  lastIngestedAt: Date | null;
}

export type AccountNeed = 'reauth_required' | 'awaiting_data' | 'not_needed' | 'sync';

/** Data younger than SYNC_MIN_INTERVAL_SECONDS needs no sync; a just-linked account waits for its first ingestion. */
export function accountNeed(account: AccountFreshness, now: Date, minIntervalSeconds: number): AccountNeed {
  if (account.reauthRequired) return 'reauth_required';
  if (!account.lastIngestedAt) return 'awaiting_data';
  const freshest = Math.max(account.lastIngestedAt.getTime(), account.lastSyncedAt?.getTime() ?? 0);
  return now.getTime() - freshest < minIntervalSeconds * 1000 ? 'not_needed' : 'sync';
}

/** How the wait starts after SyncService.requestSync answered. */
export function waitForOutcome(outcome: SyncOutcome): AccountSyncStatus {
  switch (outcome) {
    case 'requested':
    case 'coalesced':
    case 'succeeded':
    case 'skipped_rate_limit': // inside Mono's rate-limit window a sync was asked for moments ago: wait for its data
      return 'syncing';
    case 'reauth_required':
      return 'reauth_required';
    case 'failed':
    case 'unavailable':
      return 'failed';
  }
}

export type WaitVerdict =
  | { kind: 'reauth_required' }
  | { kind: 'wait'; until: Date }
  | {
      kind: 'score';
      stale: boolean;
      reason: Extract<TransitionReason, 'data_fresh' | 'no_sync_needed' | 'sync_failed' | 'deadline_passed'>;
      timeOutWaiting: boolean;
    };

const WAITING: readonly AccountSyncStatus[] = ['awaiting_data', 'syncing'];

/**
 * Reauth beats everything (the borrower must act; no deadline runs meanwhile). Otherwise wait for every account
 * until the deadline; then score, on stale data when a sync failed or the deadline passed.
 */
export function judgeWaits(statuses: readonly AccountSyncStatus[], deadline: Date | null, now: Date, pollMs = 1000): WaitVerdict {
  if (statuses.includes('reauth_required')) return { kind: 'reauth_required' };
  if (statuses.some((s) => WAITING.includes(s))) {
    if (deadline && now.getTime() >= deadline.getTime())
      return { kind: 'score', stale: true, reason: 'deadline_passed', timeOutWaiting: true };
    const next = now.getTime() + pollMs;
    return { kind: 'wait', until: new Date(deadline ? Math.min(next, deadline.getTime()) : next) };
  }
  if (statuses.includes('timed_out')) return { kind: 'score', stale: true, reason: 'deadline_passed', timeOutWaiting: false };
  if (statuses.includes('failed')) return { kind: 'score', stale: true, reason: 'sync_failed', timeOutWaiting: false };
  const allNotNeeded = statuses.every((s) => s === 'not_needed');
  return { kind: 'score', stale: false, reason: allNotNeeded ? 'no_sync_needed' : 'data_fresh', timeOutWaiting: false };
}
