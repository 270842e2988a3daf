import { EventEmitter } from 'node:events';
import { readKobo } from '../common/money.js';
import { hostname } from 'node:os';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource, QueryFailedError, type EntityManager } from 'typeorm';
import { AuditService } from '../common/audit/audit.service.js';
import { Clock } from '../common/clock.js';
import { DomainError, NotFoundError } from '../common/errors/domain-error.js';
import { AppConfig } from '../config/app-config.js';
import { JobsService } from '../jobs/jobs.service.js';
import { limitPolicyVersion, type LimitPolicy } from './limit-policy.js';
import { buildSignals, evaluateLimit, type LimitOutcome, type LimitState } from './limit-rules.js';
import { AccountSyncer, LimitEventSink, ReviewScorer, ReviewSkipped } from './ports.js';
import { ReunderwritingMetrics } from './reunderwriting.metrics.js';
import { ReunderwritingRepository, type CycleCounters, type CycleRow, type StoredDecision } from './reunderwriting.repository.js';
import { diffReview, type EngineResultLike } from './review-diff.js';
import type { CycleTrigger } from './review-cycle.entity.js';
import { OPEN_ITEM_STATUSES } from './review-item.entity.js';

export const LIMIT_POLICY = Symbol('LIMIT_POLICY');
/** Stored on each item this process reviews (review_items.worker_id: which instance did the work). */
const WORKER_ID = `${hostname()}:${process.pid}`;

export interface SyncSummary {
  accounts: number;
  requested: number;
  synced: number;
  coalesced: number;
  rateLimited: number;
  reauthNeeded: number;
  failed: number;
  timedOut: number;
  overBudget: boolean;
  stale: boolean;
}

export interface CycleProgress {
  cycleId: string;
  status: CycleRow['status'];
  trigger: CycleTrigger;
  asOf: string;
  startedAt: string;
  finishedAt: string | null;
  budget: number;
  monoCallsSpent: number;
  counters: CycleCounters;
}

export interface StartResult {
  cycleId: string;
  resumed: boolean;
  items: number;
}

/** What the sync step leaves on a `syncing` item for the scoring step: its summary and the accounts it awaits. */
interface AwaitingState {
  sync: SyncSummary;
  /** Account id → last_ingested_at (epoch ms) before the sync was requested. */
  waiting: Record<string, number | null>;
}

export type ItemOutcome = 'done' | 'waiting' | 'noop';

/**
 * Scheduled re-underwriting (research §4f): picks the borrowers due for review, syncs their accounts within
 * Mono's rate limit and the cycle's budget, re-scores them (trigger `scheduled`), compares with the origination
 * decision and manages the credit limit. review_cycles / review_items are the records; the work is pg-boss jobs
 * (src/jobs/job-queues.ts): starting a cycle enqueues one `reunderwrite-sync` job per item in the cycle's
 * transaction; the sync step requests the syncs and ends; `reunderwrite-score` (sent at once when nothing is awaited,
 * on `account.ingested`, and as a delayed fallback after APPLICATION_SYNC_DEADLINE_SECONDS) scores and applies the
 * limit in one short transaction, then completes the cycle when no item is open.
 */
@Injectable()
export class ReunderwritingService {
  private readonly logger = new Logger(ReunderwritingService.name);
  private readonly policyVersion: string;
  private readonly events = new EventEmitter<{ completed: [string]; item: [string, 'done' | 'failed'] }>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly repo: ReunderwritingRepository,
    private readonly scorer: ReviewScorer,
    private readonly syncer: AccountSyncer,
    private readonly sink: LimitEventSink,
    private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly audit: AuditService,
    private readonly metrics: ReunderwritingMetrics,
    private readonly jobs: JobsService,
    @Inject(LIMIT_POLICY) private readonly policy: LimitPolicy,
  ) {
    this.policyVersion = limitPolicyVersion(policy);
    this.events.setMaxListeners(0);
  }

  /** How long the scoring step waits for ingestion before scoring on the data it has. */
  get ingestionWaitSeconds(): number {
    return this.config.applications.syncDeadlineSeconds;
  }

  /**
   * Creates a cycle with every borrower due for review and, in the same transaction, one review job per item; or
   * resumes the running cycle (its open items' jobs re-sent: an item is never queued twice, singletonKey = item id).
   * Two callers racing to create one: the partial unique index on running cycles lets one win, the other gets
   * REUNDERWRITE_ALREADY_RUNNING.
   */
  async startCycle(trigger: CycleTrigger, opts: { requestedBy?: string; budget?: number } = {}): Promise<StartResult> {
    const running = await this.repo.findRunningCycle();
    if (running) return this.resume(running.id);
    const asOf = this.clock.now();
    const maxAge = this.config.jobs.reviewMaxAgeDays;
    try {
      return await this.dataSource.transaction(async (m) => {
        const cycleId = await this.repo.createCycle(m, {
          trigger,
          asOf,
          reviewMaxAgeDays: maxAge,
          budget: opts.budget ?? this.config.jobs.syncBudget,
          requestedBy: opts.requestedBy ?? null,
        });
        const itemIds = await this.repo.insertDueItems(m, cycleId, asOf, maxAge);
        await this.jobs.sendMany('reunderwrite-sync', itemIds.map((itemId) => ({ data: { itemId }, singletonKey: itemId })), m);
        await this.audit.record(
          {
            actor: opts.requestedBy ?? `scheduler:${trigger}`,
            action: 'reunderwrite.cycle_started',
            entityType: 'review_cycle',
            entityId: cycleId,
            after: { trigger, items: itemIds.length },
          },
          m,
        );
        this.logger.log({ cycleId, items: itemIds.length, trigger }, 're-underwriting cycle started');
        return { cycleId, resumed: false, items: itemIds.length, empty: itemIds.length === 0 };
      }).then(async ({ empty, ...r }) => {
        if (empty) await this.completeIfDone(r.cycleId);
        return r;
      });
    } catch (err) {
      if (isOneRunningViolation(err)) throw await this.alreadyRunning();
      throw err;
    }
  }

  private async resume(cycleId: string): Promise<StartResult> {
    const counters = await this.repo.counters(cycleId);
    await this.dataSource.transaction(async (m) => {
      const pending = await this.repo.pendingItemIds(m, cycleId);
      await this.jobs.sendMany('reunderwrite-sync', pending.map((itemId) => ({ data: { itemId }, singletonKey: itemId })), m);
      const waiting = await this.repo.waitingItemIds(m, cycleId);
      await this.jobs.sendMany('reunderwrite-score', waiting.map((itemId) => ({ data: { itemId, final: false } })), m);
    });
    this.logger.log({ cycleId, open: counters.pending + counters.inProgress }, 'resuming the unfinished re-underwriting cycle');
    await this.completeIfDone(cycleId);
    return { cycleId, resumed: true, items: counters.total };
  }

  /**
   * Review step 1 (`reunderwrite-sync`), no transaction and no row lock held: spends the cycle's budget, requests the
   * borrower's syncs, records what to await on the item (pending → syncing) and enqueues the scoring step: at once
   * when nothing is awaited, else as the delayed fallback (the `account.ingested` event resumes it sooner).
   */
  async requestSync(itemId: string): Promise<void> {
    const item = await this.repo.findItem(itemId);
    if (!item || item.status !== 'pending') return;
    const cycle = await this.repo.findCycle(item.cycle_id);
    if (!cycle || cycle.status !== 'running') return;
    let synced: Awaited<ReturnType<ReunderwritingService['syncBorrower']>>;
    try {
      synced = await this.syncBorrower(cycle, item.borrower_id);
    } catch (err) {
      // No valid monitoring consent (docs/privacy.md): skipped for good, nothing asked of Mono, counted as skipped.
      if (!(err instanceof ReviewSkipped)) throw err;
      await this.repo.skipItem(itemId, err.reason, err.message);
      this.metrics.reviewed.inc({ outcome: 'skipped' });
      await this.completeIfDone(cycle.id);
      return;
    }
    const { sync, waiting } = synced;
    const state: AwaitingState = { sync, waiting: Object.fromEntries(waiting) };
    const awaited = waiting.size > 0 && (await this.freshCount(state, this.dataSource.manager)) < waiting.size;
    const marked = await this.dataSource.transaction(async (m) => {
      if (!(await this.repo.markSyncing(m, itemId, state))) return false;
      // The fallback: scores on whatever was ingested once the wait is over (at once when nothing is awaited).
      await this.jobs.send('reunderwrite-score', { itemId, final: true }, awaited ? { startAfter: this.ingestionWaitSeconds } : {}, m);
      return true;
    });
    // An ingestion that finished before the item was marked syncing found nothing to resume: check once more.
    if (marked && awaited && (await this.freshCount(state, this.dataSource.manager)) === waiting.size) {
      await this.jobs.send('reunderwrite-score', { itemId, final: false });
    }
  }

  /** Keeps the last error of a failed review step on its item (the job itself is retried by pg-boss). */
  async noteAttemptError(itemId: string, err: unknown): Promise<void> {
    const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    this.logger.warn({ itemId, err: message }, 'review attempt failed');
    await this.repo.noteItemError(itemId, message).catch(() => undefined);
  }

  /** `account.ingested`: the reviews waiting for this account's data are resumed now (the scoring step re-checks). */
  async onAccountIngested(accountId: string): Promise<void> {
    const items = await this.repo.itemsAwaitingAccount(accountId);
    await this.jobs.sendMany('reunderwrite-score', items.map((itemId) => ({ data: { itemId, final: false } })));
  }

  /**
   * Review step 2 (`reunderwrite-score`) in one short transaction: idempotent (an item no longer open is left alone);
   * unless `final`, waits (does nothing) while an awaited account has not been ingested yet. Scores, applies the limit,
   * marks the item done; then completes the cycle when no item is open. `attempt` is stored on the item.
   */
  async scoreItem(itemId: string, final: boolean, attempt = 1): Promise<ItemOutcome> {
    const endTimer = this.metrics.reviewDuration.startTimer();
    const outcome = await this.dataSource.transaction(async (m): Promise<{ outcome: ItemOutcome; cycleId?: string }> => {
      const item = await this.repo.findItemForUpdate(m, itemId);
      if (!item || !OPEN_ITEM_STATUSES.includes(item.status) || item.status === 'pending') return { outcome: 'noop' };
      const cycle = await this.repo.findCycle(item.cycle_id, m);
      if (!cycle || cycle.status !== 'running') return { outcome: 'noop' };
      const state = item.result as AwaitingState;
      const awaited = Object.keys(state.waiting).length;
      const fresh = awaited > 0 ? await this.freshCount(state, m) : 0;
      if (!final && fresh < awaited) return { outcome: 'waiting' };
      const sync: SyncSummary = { ...state.sync, synced: fresh, timedOut: awaited - fresh };
      sync.stale = sync.failed > 0 || sync.timedOut > 0 || sync.reauthNeeded > 0;
      const actor = `reunderwrite:${cycle.id}`;
      // Stored in the item's transaction: the decision commits with the review (or not at all).
      const scored = await this.scorer.scoreScheduled(item.borrower_id, { actor, staleData: sync.stale, asOf: this.clock.now(), manager: m });
      const current: StoredDecision = {
        id: scored.decisionId,
        decision: scored.decision,
        recommended_limit_minor: String(scored.recommendedLimitMinor),
        currency: scored.currency,
        created_at: scored.createdAt,
        result: scored.result,
      };
      await this.applyLimit(m, cycle, item.id, item.borrower_id, current, attempt, (o) => ({
        sync,
        decision: { id: current.id, decision: current.decision, recommendedLimitMinor: readKobo(current.recommended_limit_minor, 'recommended_limit_minor') },
        review: o.review,
        limit: {
          action: o.limit.action,
          fromLimitMinor: o.limit.fromLimitMinor,
          toLimitMinor: o.limit.toLimitMinor,
          toStatus: o.limit.toStatus,
          reasons: o.limit.reasons.map((r) => r.code),
        },
      }));
      return { outcome: 'done', cycleId: cycle.id };
    });
    if (outcome.outcome === 'done') {
      endTimer();
      this.metrics.reviewed.inc({ outcome: 'done' });
      this.events.emit('item', itemId, 'done');
      await this.completeIfDone(outcome.cycleId!);
    }
    return outcome.outcome;
  }

  /** A review step whose retries are exhausted (its dead letter): the item is failed, the cycle completes without it. */
  async failItem(itemId: string): Promise<void> {
    const cycleId = await this.repo.failItem(itemId);
    if (!cycleId) return;
    this.metrics.reviewed.inc({ outcome: 'failed' });
    this.logger.warn({ cycleId, itemId }, 'review failed after its retries');
    this.events.emit('item', itemId, 'failed');
    await this.completeIfDone(cycleId);
  }

  /** Completes the cycle once no item is open (one caller wins: the UPDATE re-checks). */
  private async completeIfDone(cycleId: string): Promise<void> {
    if ((await this.repo.openItemCount(cycleId)) > 0) return;
    if (!(await this.repo.completeCycle(cycleId, await this.repo.counters(cycleId)))) return;
    this.metrics.cycles.inc({ status: 'completed' });
    const cycle = await this.repo.findCycle(cycleId);
    if (cycle?.finished_at) this.metrics.cycleDuration.observe((new Date(cycle.finished_at).getTime() - new Date(cycle.started_at).getTime()) / 1000);
    await this.audit.record({ actor: `reunderwrite:${cycleId}`, action: 'reunderwrite.cycle_completed', entityType: 'review_cycle', entityId: cycleId });
    this.logger.log({ cycleId }, 're-underwriting cycle completed');
    this.events.emit('completed', cycleId);
  }

  /**
   * Resolves with the cycle's progress once it is no longer running, as completed by this instance (tests and the
   * CLI; another instance's completion is seen when this one next settles a review item of the cycle, or `recheck`).
   */
  async waitForCycle(cycleId: string): Promise<CycleProgress> {
    const done = new Promise<void>((resolve) => {
      const onCompleted = (id: string): void => {
        if (id !== cycleId) return;
        this.events.off('completed', onCompleted);
        resolve();
      };
      this.events.on('completed', onCompleted);
      void this.repo.findCycle(cycleId).then((c) => {
        if (c && c.status !== 'running') onCompleted(cycleId);
      });
    });
    await done;
    return this.progress(cycleId);
  }

  /** Emits (on this instance) each item this instance finished: for CLI worker counts. */
  /** Items of the cycle this process reviewed to the end (review_items.worker_id), read from the database. */
  itemsDoneHere(cycleId: string): Promise<number> {
    return this.repo.itemsDoneBy(cycleId, WORKER_ID);
  }

  onItemFinished(listener: (itemId: string, status: 'done' | 'failed') => void): () => void {
    this.events.on('item', listener);
    return () => this.events.off('item', listener);
  }

  async progress(cycleId: string): Promise<CycleProgress> {
    return { ...(await this.cycleHeader(cycleId)), counters: await this.repo.counters(cycleId) };
  }

  /** The cycle's own fields (404 when it does not exist), shared by the full and the cheap progress. */
  private async cycleHeader(cycleId: string): Promise<Omit<CycleProgress, 'counters'>> {
    const cycle = await this.repo.findCycle(cycleId);
    if (!cycle) throw new NotFoundError('review cycle', cycleId);
    return {
      cycleId,
      status: cycle.status,
      trigger: cycle.trigger,
      asOf: new Date(cycle.as_of).toISOString(),
      startedAt: new Date(cycle.started_at).toISOString(),
      finishedAt: cycle.finished_at ? new Date(cycle.finished_at).toISOString() : null,
      budget: cycle.budget,
      monoCallsSpent: cycle.mono_calls_spent,
    };
  }

  /**
   * Cheap progress for a bar polled while workers run: item counts by status (the counters derived from the items'
   * results — synced, raised, … — are 0 here; `progress` computes them).
   */
  async statusProgress(cycleId: string): Promise<CycleProgress> {
    const header = await this.cycleHeader(cycleId);
    const counts = await this.repo.statusCounts(cycleId);
    return {
      ...header,
      counters: {
        ...counts,
        synced: 0,
        reauthNeeded: 0,
        overBudget: 0,
        raised: 0,
        lowered: 0,
        frozen: 0,
        unfrozen: 0,
        unchanged: 0,
      },
    };
  }

  async listCycles(limit = 20): Promise<CycleProgress[]> {
    const rows = await this.repo.listCycles(limit);
    return Promise.all(rows.map((r) => this.progress(r.id)));
  }

  private async alreadyRunning(): Promise<DomainError> {
    const running = await this.repo.findRunningCycle();
    return new DomainError('REUNDERWRITE_ALREADY_RUNNING', 'A re-underwriting cycle is already running', { cycleId: running?.id ?? null });
  }

  /** How many awaited accounts were ingested since their sync was requested. */
  private async freshCount(state: AwaitingState, m: EntityManager): Promise<number> {
    const ids = Object.keys(state.waiting);
    const marks = await this.repo.ingestionMarks(ids, m);
    return ids.filter((id) => {
      const now = marks.get(id) ?? null;
      const before = state.waiting[id];
      return now !== null && (before === null || now > before);
    }).length;
  }

  /**
   * Baseline vs current, limit rules, then limit row + change log + item done (one statement) + `limit.changed`, in
   * the item's transaction. `itemResult` builds the item's stored result from the outcome.
   */
  private async applyLimit(
    m: EntityManager,
    cycle: CycleRow,
    itemId: string,
    borrowerId: string,
    current: StoredDecision,
    attempts: number,
    itemResult: (o: { limit: LimitOutcome; review: unknown }) => unknown,
  ): Promise<{ limit: LimitOutcome; review: unknown }> {
    let row = await this.repo.lockCreditLimitWithBaseline(m, borrowerId);
    if (!row) {
      const origination = await this.repo.findOriginationDecision(m, borrowerId);
      if (!origination) throw new Error('no origination decision for the borrower');
      const initial = origination.decision === 'approve' ? readKobo(origination.recommended_limit_minor, 'recommended_limit_minor') : 0;
      await this.repo.createCreditLimit(m, borrowerId, initial, origination.currency, origination.id);
      row = await this.repo.lockCreditLimitWithBaseline(m, borrowerId);
      if (!row) throw new Error('credit limit row vanished');
    }
    const baseline = row.baseline_decision_id === current.id ? null : row.baseline;
    const currentResult = (current.result ?? {}) as EngineResultLike;
    const diff = diffReview(baseline?.result ?? null, currentResult, this.policy);
    const state: LimitState = {
      limitMinor: readKobo(row.current_limit_minor, 'current_limit_minor'),
      status: row.status,
      outstandingMinor: readKobo(row.outstanding_minor, 'outstanding_minor'),
      lastIncreaseAt: row.last_increase_at ? new Date(row.last_increase_at).toISOString() : null,
      weakReviewStreak: row.weak_review_streak,
    };
    const signals = buildSignals(currentResult, diff, state);
    const asOf = this.clock.now();
    const limit = evaluateLimit(state, signals, this.policy, asOf.toISOString());
    const review = {
      baselineDecisionId: row.baseline_decision_id,
      decisionId: current.id,
      changes: diff.changes,
      baseline: diff.baseline,
      current: diff.current,
      signals,
    };
    const changeId = await this.repo.recordReview(m, {
      itemId,
      itemResult: itemResult({ limit, review }),
      attempts,
      workerId: WORKER_ID,
      borrowerId,
      decisionId: current.id,
      reviewedAt: asOf,
      limitMinor: limit.toLimitMinor,
      status: limit.toStatus,
      weakReviewStreak: limit.weakReviewStreak,
      lastIncreaseAt: limit.lastIncreaseAt,
      change: {
        fromLimitMinor: limit.fromLimitMinor,
        toLimitMinor: limit.toLimitMinor,
        fromStatus: limit.fromStatus,
        toStatus: limit.toStatus,
        currency: row.currency,
        action: limit.action,
        reasons: limit.reasons,
        review,
        limitPolicyVersion: this.policyVersion,
        cycleId: cycle.id,
      },
    });
    this.metrics.limitActions.inc({ action: limit.action });
    if (limit.action !== 'unchanged') {
      await this.sink.enqueue(m, 'limit.changed', borrowerId, {
        borrowerId,
        limitChangeId: changeId,
        action: limit.action,
        fromLimitMinor: limit.fromLimitMinor,
        toLimitMinor: limit.toLimitMinor,
        currency: row.currency,
        fromStatus: limit.fromStatus,
        status: limit.toStatus,
        reasons: limit.reasons,
        changes: diff.changes.map((c) => c.code),
        decisionId: current.id,
        cycleId: cycle.id,
        limitPolicyVersion: this.policyVersion,
        occurredAt: asOf.toISOString(),
      });
    }
    return { limit, review };
  }

  /**
   * Requests syncs of the borrower's linked accounts within the per-account rate limit and the cycle's budget; returns
   * the summary and the accounts to await (with their last ingestion before the request). Never waits.
   */
  private async syncBorrower(cycle: CycleRow, borrowerId: string): Promise<{ sync: SyncSummary; waiting: Map<string, number | null> }> {
    const s = emptySync();
    const accounts = await this.repo.accountsOf(borrowerId, cycle.id);
    s.accounts = accounts.length;
    const now = this.clock.now().getTime();
    const minIntervalMs = this.config.mono.syncMinIntervalSeconds * 1000;
    const waiting = new Map<string, number | null>();
    for (const a of accounts) {
      if (a.reauth_required) {
        s.reauthNeeded++;
        this.metrics.reauthNeeded.inc();
        continue;
      }
      const last = Math.max(
        a.last_synced_at ? new Date(a.last_synced_at).getTime() : 0,
        a.last_sync_requested_at ? new Date(a.last_sync_requested_at).getTime() : 0,
      );
      if (last > 0 && now - last < minIntervalMs) {
        s.rateLimited++;
        this.metrics.synced.inc({ outcome: 'skipped_rate_limit' });
        continue;
      }
      if (s.overBudget || !a.budget_left || !(await this.repo.spendMonoCall(cycle.id))) {
        s.overBudget = true;
        this.metrics.synced.inc({ outcome: 'over_budget' });
        continue;
      }
      let outcome: Awaited<ReturnType<AccountSyncer['requestSync']>>['outcome'];
      try {
        ({ outcome } = await this.syncer.requestSync(a.id));
      } catch (err) {
        // Refused before Mono was asked (no valid monitoring consent) or failed: the budget unit was not spent.
        await this.repo.refundMonoCall(cycle.id);
        throw err;
      }
      this.metrics.synced.inc({ outcome });
      switch (outcome) {
        case 'requested':
        case 'succeeded':
          this.metrics.monoCalls.inc();
          s.requested++;
          waiting.set(a.id, a.last_ingested_at ? new Date(a.last_ingested_at).getTime() : null);
          break;
        case 'coalesced':
          await this.repo.refundMonoCall(cycle.id);
          s.coalesced++;
          waiting.set(a.id, a.last_ingested_at ? new Date(a.last_ingested_at).getTime() : null);
          break;
        case 'skipped_rate_limit':
          await this.repo.refundMonoCall(cycle.id);
          s.rateLimited++;
          break;
        case 'reauth_required':
          this.metrics.monoCalls.inc();
          this.metrics.reauthNeeded.inc();
          s.reauthNeeded++;
          break;
        case 'failed':
          this.metrics.monoCalls.inc();
          s.failed++;
          break;
        case 'unavailable':
          // Mono unreachable (circuit open) or no Mono at all: no call was made.
          await this.repo.refundMonoCall(cycle.id);
          s.failed++;
          break;
      }
    }
    s.stale = s.failed > 0 || s.reauthNeeded > 0;
    return { sync: s, waiting };
  }
}

/** The partial unique index that allows one running cycle (a concurrent start lost the race). */
function isOneRunningViolation(err: unknown): boolean {
  const e = err as QueryFailedError & { driverError?: { code?: string; constraint?: string } };
  return err instanceof QueryFailedError && e.driverError?.code === '23505' && e.driverError.constraint === 'review_cycles_one_running';
}

function emptySync(): SyncSummary {
  return {
    accounts: 0,
    requested: 0,
    synced: 0,
    coalesced: 0,
    rateLimited: 0,
    reauthNeeded: 0,
    failed: 0,
    timedOut: 0,
    overBudget: false,
    stale: false,
  };
}
