import { describe, expect, it } from '@jest/globals';
import { accountNeed, judgeWaits, waitForOutcome } from './application-waits.js';

const now = new Date('2026-03-20T09:00:00Z');
const ago = (s: number): Date => new Date(now.getTime() - s * 1000);

describe('sync-on-apply rules', () => {
  describe('accountNeed', () => {
    it('should sync an account whose data is older than the minimum interval', () => {
      expect(accountNeed({ reauthRequired: false, lastSyncedAt: ago(3600), lastIngestedAt: ago(3600) }, now, 120)).toBe('sync');
    });
    it('should not sync data younger than the minimum interval (first-time borrower just ingested)', () => {
      expect(accountNeed({ reauthRequired: false, lastSyncedAt: null, lastIngestedAt: ago(30) }, now, 120)).toBe('not_needed');
      expect(accountNeed({ reauthRequired: false, lastSyncedAt: ago(10), lastIngestedAt: ago(3600) }, now, 120)).toBe('not_needed');
    });
    it('should wait for the first ingestion of a just-linked account', () => {
      expect(accountNeed({ reauthRequired: false, lastSyncedAt: null, lastIngestedAt: null }, now, 120)).toBe('awaiting_data');
    });
    it('should report reauth before anything else', () => {
      expect(accountNeed({ reauthRequired: true, lastSyncedAt: ago(1), lastIngestedAt: ago(1) }, now, 120)).toBe('reauth_required');
    });
  });

  describe('waitForOutcome', () => {
    it.each([
      ['requested', 'syncing'],
      ['coalesced', 'syncing'],
      ['succeeded', 'syncing'],
      ['skipped_rate_limit', 'syncing'],
      ['reauth_required', 'reauth_required'],
      ['failed', 'failed'],
      ['unavailable', 'failed'],
    ] as const)('should map %s to %s', (outcome, wait) => {
      expect(waitForOutcome(outcome)).toBe(wait);
    });
  });

  describe('judgeWaits', () => {
    const deadline = new Date(now.getTime() + 60_000);
    it('should score fresh data once every account is fresh or needs nothing', () => {
      expect(judgeWaits(['fresh', 'not_needed'], deadline, now)).toEqual({
        kind: 'score',
        stale: false,
        reason: 'data_fresh',
        timeOutWaiting: false,
      });
      expect(judgeWaits(['not_needed'], null, now)).toEqual({
        kind: 'score',
        stale: false,
        reason: 'no_sync_needed',
        timeOutWaiting: false,
      });
    });
    it('should wait while an account syncs, polling no later than the deadline', () => {
      expect(judgeWaits(['fresh', 'syncing'], deadline, now, 1000)).toEqual({ kind: 'wait', until: new Date(now.getTime() + 1000) });
      const close = new Date(now.getTime() + 200);
      expect(judgeWaits(['syncing'], close, now, 1000)).toEqual({ kind: 'wait', until: close });
    });
    it('should score on stale data when the deadline passed', () => {
      expect(judgeWaits(['syncing', 'fresh'], deadline, new Date(deadline.getTime()))).toEqual({
        kind: 'score',
        stale: true,
        reason: 'deadline_passed',
        timeOutWaiting: true,
      });
    });
    it('should score on stale data when a sync failed and nothing else is pending', () => {
      expect(judgeWaits(['failed', 'fresh'], deadline, now)).toEqual({
        kind: 'score',
        stale: true,
        reason: 'sync_failed',
        timeOutWaiting: false,
      });
    });
    it('should keep waiting for other accounts even when one sync failed', () => {
      expect(judgeWaits(['failed', 'syncing'], deadline, now).kind).toBe('wait');
    });
    it('should stop for reauth whatever the deadline', () => {
      expect(judgeWaits(['reauth_required', 'syncing'], deadline, new Date(deadline.getTime() + 1))).toEqual({ kind: 'reauth_required' });
    });
  });
});
