/**
 * The loan application lifecycle as a transition table (Fineract-style vocabulary: an application is
 * received, waits for fresh bank data, is scored and ends decided or failed). The table is the single source
 * of truth: services ask `canTransition` / `assertTransition` and update rows conditionally on the expected
 * current status, so two workers can never both move one application.
 *
 *   received ──► syncing ──► scoring ──► decided
 *      │           │  ▲         │
 *      │           ▼  │         ▼
 *      │     reauth_required   failed
 *      └──────────► scoring (no account needs a sync)
 */
export const APPLICATION_STATUSES = ['received', 'syncing', 'reauth_required', 'scoring', 'decided', 'failed'] as const;
export type ApplicationStatus = (typeof APPLICATION_STATUSES)[number];

/** Why a transition happens; recorded in the audit log and as the application's status_reason. */
export type TransitionReason =
  | 'sync_requested'
  | 'data_fresh'
  | 'no_sync_needed'
  | 'reauth_required'
  | 'reauthorized'
  | 'sync_failed'
  | 'deadline_passed'
  | 'scored'
  | 'scoring_error'
  | 'no_linked_account'
  | 'consent_required';

export const TRANSITIONS: Readonly<Record<ApplicationStatus, readonly ApplicationStatus[]>> = {
  received: ['syncing', 'reauth_required', 'scoring', 'failed'],
  syncing: ['scoring', 'reauth_required', 'failed'],
  reauth_required: ['syncing', 'scoring', 'failed'],
  scoring: ['decided', 'failed'],
  decided: [],
  failed: [],
};

export const TERMINAL_STATUSES: readonly ApplicationStatus[] = APPLICATION_STATUSES.filter((s) => TRANSITIONS[s].length === 0);
export const OPEN_STATUSES: readonly ApplicationStatus[] = APPLICATION_STATUSES.filter((s) => TRANSITIONS[s].length > 0);

export function isApplicationStatus(value: string): value is ApplicationStatus {
  return (APPLICATION_STATUSES as readonly string[]).includes(value);
}

export function canTransition(from: ApplicationStatus, to: ApplicationStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

export class IllegalTransitionError extends Error {
  constructor(
    readonly from: ApplicationStatus,
    readonly to: ApplicationStatus,
  ) {
    super(`illegal application transition ${from} → ${to}`);
    this.name = 'IllegalTransitionError';
  }
}

/** Throws (a programming error, not an expected outcome) when the table does not allow the move. */
export function assertTransition(from: ApplicationStatus, to: ApplicationStatus): void {
  if (!canTransition(from, to)) throw new IllegalTransitionError(from, to);
}
