export const SYNC_TRIGGERS = ['application', 'webhook', 'scheduled', 'manual', 'connect', 'reauth'] as const;
export type SyncTrigger = (typeof SYNC_TRIGGERS)[number];
export const SYNC_STRATEGIES = ['legacy', 'realtime'] as const;
export type SyncStrategy = (typeof SYNC_STRATEGIES)[number];
export const SYNC_RUN_STATUSES = ['pending', 'requested', 'succeeded', 'failed', 'reauth_required', 'skipped_rate_limit', 'timed_out'] as const;
export type SyncRunStatus = (typeof SYNC_RUN_STATUSES)[number];

/** In flight: the partial unique index `sync_runs_one_in_flight` allows one such run per account. */
export const IN_FLIGHT_SYNC_STATUSES: readonly SyncRunStatus[] = ['pending', 'requested'];

/**
 * Allowed sync run transitions. `pending` = row created, Mono not answered yet; `requested` = Mono accepted a
 * real-time job that completes by webhook. A late webhook may still refine a finished run: `failed` →
 * `reauth_required` (jobs.update said failed, account_updated says why) and `timed_out` → `succeeded|failed|
 * reauth_required` (the answer came after we stopped waiting).
 */
export const SYNC_RUN_TRANSITIONS: Readonly<Record<SyncRunStatus, readonly SyncRunStatus[]>> = {
  pending: ['requested', 'succeeded', 'failed', 'reauth_required', 'timed_out'],
  requested: ['succeeded', 'failed', 'reauth_required', 'timed_out'],
  failed: ['reauth_required'],
  timed_out: ['succeeded', 'failed', 'reauth_required'],
  succeeded: [],
  reauth_required: [],
  skipped_rate_limit: [],
};

export function canTransitionSyncRun(from: SyncRunStatus, to: SyncRunStatus): boolean {
  return SYNC_RUN_TRANSITIONS[from].includes(to);
}

/** Statuses a run may be in for a move to `to` (for guarded `UPDATE … WHERE status IN (…)`). */
export function syncRunSourcesFor(to: SyncRunStatus): SyncRunStatus[] {
  return SYNC_RUN_STATUSES.filter((from) => canTransitionSyncRun(from, to));
}
