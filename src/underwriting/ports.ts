import type { EntityManager } from 'typeorm';
import type { EngineResultLike } from './review-diff.js';

/**
 * What re-underwriting needs from the rest of the engine, as small ports. UnderwritingModule binds them to
 * ScoringService, SyncService and OutboxService; tests bind fakes (e.g. a syncer that counts calls).
 */
export type SyncOutcome = 'requested' | 'coalesced' | 'skipped_rate_limit' | 'reauth_required' | 'succeeded' | 'failed' | 'unavailable';

export interface ScheduledScore {
  decisionId: string;
  decision: 'approve' | 'decline' | 'refer';
  recommendedLimitMinor: number;
  currency: string;
  createdAt: Date;
  result: EngineResultLike;
}

export abstract class ReviewScorer {
  /**
   * Scores the borrower now with trigger `scheduled` and stores one immutable decision whose actor is `actor`, in the
   * caller's transaction when `manager` is given (the review item's: decision and review commit together).
   */
  abstract scoreScheduled(
    borrowerId: string,
    opts: { actor: string; staleData: boolean; asOf: Date; manager?: EntityManager },
  ): Promise<ScheduledScore>;
}

/** Thrown by a port when the borrower's review must be skipped (not retried), e.g. no monitoring consent. */
export class ReviewSkipped extends Error {
  constructor(
    readonly reason: 'consent_required',
    message: string,
  ) {
    super(message);
    this.name = 'ReviewSkipped';
  }
}

export abstract class AccountSyncer {
  /**
   * Asks Mono for fresh data for one account (never within SYNC_MIN_INTERVAL_SECONDS of the last call). Throws
   * ReviewSkipped when the account has no valid monitoring consent (nothing asked of Mono).
   */
  abstract requestSync(accountId: string): Promise<{ syncRunId: string | null; outcome: SyncOutcome }>;
}

export abstract class LimitEventSink {
  /** Enqueues an outbound event in the caller's transaction. */
  abstract enqueue(manager: EntityManager, type: 'limit.changed', aggregateId: string, payload: Record<string, unknown>): Promise<void>;
}
