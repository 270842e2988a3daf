import { describe, expect, it } from '@jest/globals';
import { canTransitionSyncRun, SYNC_RUN_STATUSES, SYNC_RUN_TRANSITIONS, syncRunSourcesFor } from './sync-run-status.js';

describe('SYNC_RUN_TRANSITIONS', () => {
  it('should only allow in-flight runs to complete', () => {
    expect(canTransitionSyncRun('pending', 'succeeded')).toBe(true);
    expect(canTransitionSyncRun('requested', 'reauth_required')).toBe(true);
    expect(canTransitionSyncRun('succeeded', 'failed')).toBe(false);
    expect(canTransitionSyncRun('skipped_rate_limit', 'succeeded')).toBe(false);
  });

  it('should let a late webhook refine a failed or timed-out run', () => {
    expect(canTransitionSyncRun('failed', 'reauth_required')).toBe(true);
    expect(canTransitionSyncRun('timed_out', 'succeeded')).toBe(true);
  });

  it('should cover every status and list the sources of each target', () => {
    expect(Object.keys(SYNC_RUN_TRANSITIONS).sort()).toEqual([...SYNC_RUN_STATUSES].sort());
    expect(syncRunSourcesFor('succeeded')).toEqual(['pending', 'requested', 'timed_out']);
    expect(syncRunSourcesFor('pending')).toEqual([]);
  });
});
