import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditService } from '../common/audit/audit.service.js';
import { Clock } from '../common/clock.js';
import { DomainError, NotFoundError } from '../common/errors/domain-error.js';
import { AppConfig } from '../config/app-config.js';
import { withAdvisoryLock } from '../database/advisory-lock.js';
import { limitPolicyVersion, type LimitPolicy } from './limit-policy.js';
import { buildSignals, evaluateLimit, type LimitOutcome, type LimitState } from './limit-rules.js';
import { AccountSyncer, LimitEventSink, ReviewScorer, ReviewSkipped } from './ports.js';
import { ReunderwritingMetrics } from './reunderwriting.metrics.js';
import {
  ReunderwritingRepository,
  type ClaimedItem,
  type CycleCounters,
  type CycleRow,
  type StoredDecision,
} from './reunderwriting.repository.js';
import { diffReview, type EngineResultLike } from './review-diff.js';
import type { CycleTrigger } from './review-cycle.entity.js';
import { OPEN_ITEM_STATUSES } from './review-item.entity.js';

export const LIMIT_POLICY = Symbol('LIMIT_POLICY');
export const SCHEDULER_LOCK = 'reunderwrite-scheduler';

export interface DrainOptions {
  /** Identifies this worker in review_items.worker_id (default host:pid:random). */
  workerId?: string;
  /** Items reviewed at once by this process. */
  concurrency?: number;
  /** Items claimed per claim statement by each of the `concurrency` lanes, then reviewed one after the other (default 4). */
  claimBatch?: number;
  /** Lease on a claimed item; another worker may take it over once expired (its row lock is gone too). */
  leaseMs?: number;
  maxAttempts?: number;
  /** Bound on waiting for ingestion after a sync (default APPLICATION_SYNC_DEADLINE_SECONDS). */
  ingestionWaitMs?: number;
  /** Keep polling while other workers hold items, then complete the cycle (default true). */
  waitForOthers?: boolean;
  /** Every 25 items with status counts only (statusProgress), and once at the end with the full counters. */
  onProgress?: (p: CycleProgress) => void;
  /** Stop after this many items (tests simulate a crash mid-cycle). */
  maxItems?: number;
}

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
  skipped?: 'decision_already_stored';
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

export interface DrainReport {
  cycleId: string;
  workerId: string;
  processed: number;
  failed: number;
  completedCycle: boolean;
  durationMs: number;
}

export interface CycleRun {
  start: StartResult;
  report: DrainReport;
  progress: CycleProgress;
}

export interface StartResult {
  cycleId: string;
  resumed: boolean;
  items: number;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Scheduled re-underwriting (research §4f): picks the borrowers due for review, syncs their accounts within
 * Mono's rate limit and the cycle's budget, re-scores them (trigger `scheduled`), compares with the origination
 * decision and manages the credit limit. Work items are a table queue: any number of workers in any number of
 * processes drain a cycle; one Postgres advisory lock makes a single scheduler create (or resume) cycles.
 */
@Injectable()
export class ReunderwritingService implements OnApplicationShutdown {
  private readonly logger = new Logger(ReunderwritingService.name);
  private readonly policyVersion: string;
  private readonly background = new Set<Promise<unknown>>();
  /** Cycles this process is draining now (drainCycle calls in flight), so joinRunningCycle never drains one twice. */
  private readonly draining = new Map<string, number>();
  private stopping = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly repo: ReunderwritingRepository,
    private readonly scorer: ReviewScorer,
    private readonly syncer: AccountSyncer,
    private readonly events: LimitEventSink,
    private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly audit: AuditService,
    private readonly metrics: ReunderwritingMetrics,
    @Inject(LIMIT_POLICY) private readonly policy: LimitPolicy,
  ) {
    this.policyVersion = limitPolicyVersion(policy);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    await Promise.allSettled([...this.background]);
  }

  /**
   * Creates a cycle with every borrower due for review, or resumes the unfinished one (a crash mid-cycle resumes
   * where it stopped). Under the scheduler advisory lock: a concurrent caller gets REUNDERWRITE_ALREADY_RUNNING.
   */
  async startCycle(trigger: CycleTrigger, opts: { requestedBy?: string; budget?: number } = {}): Promise<StartResult> {
    const res = await withAdvisoryLock(this.dataSource, SCHEDULER_LOCK, () => this.createOrResume(trigger, opts));
    if (!res.acquired) throw await this.alreadyRunning();
    return res.result;
  }

  /**
   * The whole cycle in this process, holding the scheduler lock until it completes: create or resume, drain with
   * `concurrency` local workers (other processes may help via drainCycle), complete. `onStarted` gets the id early.
   */
  async runCycle(
    trigger: CycleTrigger,
    opts: DrainOptions & { requestedBy?: string; budget?: number; onStarted?: (s: StartResult) => void } = {},
  ): Promise<{ acquired: false } | { acquired: true; result: CycleRun }> {
    return withAdvisoryLock(this.dataSource, SCHEDULER_LOCK, async () => {
      const start = await this.createOrResume(trigger, opts);
      opts.onStarted?.(start);
      const report = await this.drainCycle(start.cycleId, opts);
      return { start, report, progress: await this.progress(start.cycleId) };
    });
  }

  /** For the admin route: starts runCycle in the background and answers with the cycle id as soon as it exists. */
  async launchCycle(trigger: CycleTrigger, requestedBy: string, budget?: number): Promise<StartResult> {
    return new Promise<StartResult>((resolve, reject) => {
      let settled = false;
      const run = this.runCycle(trigger, {
        requestedBy,
        budget,
        onStarted: (s) => {
          settled = true;
          resolve(s);
        },
      })
        .then(async (r) => {
          if (!r.acquired && !settled) {
            settled = true;
            reject(await this.alreadyRunning());
          }
        })
        .catch((err: unknown) => {
          this.logger.error({ err }, 're-underwriting cycle failed');
          if (!settled) {
            settled = true;
            reject(err instanceof Error ? err : new Error(String(err)));
          }
        })
        .finally(() => this.background.delete(run));
      this.background.add(run);
    });
  }

  /**
   * For engine instances that do not hold the scheduler lock: drains the running cycle's items alongside the instance
   * that runs it (until no item is left to claim; the scheduler's instance completes the cycle). Null when no cycle is
   * running or this process already drains it.
   */
  async joinRunningCycle(opts: DrainOptions = {}): Promise<DrainReport | null> {
    if (this.stopping) return null;
    const running = await this.repo.findRunningCycle();
    if (!running || this.draining.has(running.id)) return null;
    this.logger.log({ cycleId: running.id }, 'joining the running re-underwriting cycle');
    return this.drainCycle(running.id, { waitForOthers: false, ...opts });
  }

  /** Claims and reviews items of a cycle until none is left; safe to run in any number of processes at once. */
  async drainCycle(cycleId: string, opts: DrainOptions = {}): Promise<DrainReport> {
    this.draining.set(cycleId, (this.draining.get(cycleId) ?? 0) + 1);
    try {
      return await this.drain(cycleId, opts);
    } finally {
      const n = (this.draining.get(cycleId) ?? 1) - 1;
      if (n > 0) this.draining.set(cycleId, n);
      else this.draining.delete(cycleId);
    }
  }

  private async drain(cycleId: string, opts: DrainOptions): Promise<DrainReport> {
    const started = performance.now();
    const workerId = opts.workerId ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    const concurrency = Math.max(1, opts.concurrency ?? 4);
    const ingestionWaitMs = opts.ingestionWaitMs ?? this.config.applications.syncDeadlineSeconds * 1000;
    const leaseMs = opts.leaseMs ?? ingestionWaitMs + 60_000;
    const maxAttempts = opts.maxAttempts ?? 3;
    const report: DrainReport = { cycleId, workerId, processed: 0, failed: 0, completedCycle: false, durationMs: 0 };
    let cycle = await this.repo.findCycle(cycleId);
    if (!cycle) throw new NotFoundError('review cycle', cycleId);
    let budgetItems = opts.maxItems ?? Number.POSITIVE_INFINITY;
    const endTimer = this.metrics.cycleDuration.startTimer();

    const claimBatch = Math.max(1, opts.claimBatch ?? 4);
    const lane = async (c: CycleRow): Promise<void> => {
      while (!this.stopping && budgetItems > 0) {
        const n = Math.min(claimBatch, budgetItems);
        budgetItems -= n;
        const items = await this.repo.claimItems(cycleId, workerId, n, leaseMs);
        if (items.length === 0) return;
        for (const item of items) {
          if (this.stopping) break; // the rest of the batch is taken over once its lease expires
          const ok = await this.processItem(c, item, { workerId, ingestionWaitMs, maxAttempts, leaseMs });
          if (ok === 'done') report.processed++;
          else if (ok === 'failed') report.failed++;
        }
        if (opts.onProgress && (report.processed + report.failed) % 25 === 0) opts.onProgress(await this.statusProgress(cycleId));
      }
    };

    while (cycle?.status === 'running' && !this.stopping && budgetItems > 0) {
      const c = cycle;
      await Promise.all(Array.from({ length: concurrency }, () => lane(c)));
      if (budgetItems <= 0 || this.stopping) break;
      const open = await this.repo.openItemCount(cycleId);
      if (open === 0) {
        const completed = await this.repo.completeCycle(cycleId, await this.repo.counters(cycleId));
        report.completedCycle = completed;
        if (completed) {
          this.metrics.cycles.inc({ status: 'completed' });
          await this.audit.record({
            actor: `worker:${workerId}`.slice(0, 128),
            action: 'reunderwrite.cycle_completed',
            entityType: 'review_cycle',
            entityId: cycleId,
          });
        }
        break;
      }
      if (opts.waitForOthers === false) break;
      // Other workers hold the remaining items; poll until they finish or a lease expires (a dead worker).
      await sleep(Math.min(500, leaseMs));
      cycle = await this.repo.findCycle(cycleId);
    }
    opts.onProgress?.(await this.progress(cycleId));
    endTimer();
    report.durationMs = Math.round(performance.now() - started);
    return report;
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

  private async createOrResume(trigger: CycleTrigger, opts: { requestedBy?: string; budget?: number }): Promise<StartResult> {
    const running = await this.repo.findRunningCycle();
    if (running) {
      const counters = await this.repo.counters(running.id);
      this.logger.log(
        { cycleId: running.id, open: counters.pending + counters.inProgress },
        'resuming the unfinished re-underwriting cycle',
      );
      return { cycleId: running.id, resumed: true, items: counters.total };
    }
    const asOf = this.clock.now();
    const maxAge = this.config.jobs.reviewMaxAgeDays;
    return this.dataSource.transaction(async (m) => {
      const cycleId = await this.repo.createCycle(m, {
        trigger,
        asOf,
        reviewMaxAgeDays: maxAge,
        budget: opts.budget ?? this.config.jobs.syncBudget,
        requestedBy: opts.requestedBy ?? null,
      });
      const items = await this.repo.insertDueItems(m, cycleId, asOf, maxAge);
      await this.audit.record(
        {
          actor: opts.requestedBy ?? `scheduler:${trigger}`,
          action: 'reunderwrite.cycle_started',
          entityType: 'review_cycle',
          entityId: cycleId,
          after: { trigger, items },
        },
        m,
      );
      this.logger.log({ cycleId, items, trigger }, 're-underwriting cycle started');
      return { cycleId, resumed: false, items };
    });
  }

  private async alreadyRunning(): Promise<DomainError> {
    const running = await this.repo.findRunningCycle();
    return new DomainError('REUNDERWRITE_ALREADY_RUNNING', 'A re-underwriting cycle is already running', { cycleId: running?.id ?? null });
  }

  /** Reviews one claimed item while holding its row lock, so no other worker can review it at the same time. */
  private async processItem(
    cycle: CycleRow,
    claimed: ClaimedItem,
    o: { workerId: string; ingestionWaitMs: number; maxAttempts: number; leaseMs: number },
  ): Promise<'done' | 'failed' | 'skipped'> {
    const endTimer = this.metrics.reviewDuration.startTimer();
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction();
      const m = runner.manager;
      const item = await this.repo.lockItem(m, claimed.id, o.workerId, o.leaseMs);
      if (!item || !OPEN_ITEM_STATUSES.includes(item.status)) {
        await runner.rollbackTransaction();
        return 'skipped';
      }
      const actor = `reunderwrite:${cycle.id}`;
      // Exactly one decision per borrower per cycle: a retry reuses the decision a crashed attempt stored.
      // (On a first attempt nothing can be stored yet: skip the lookup.)
      let current: StoredDecision | null = item.decision_id
        ? await this.repo.findDecision(m, item.decision_id)
        : item.attempts > 1
          ? await this.repo.findCycleDecision(m, item.borrower_id, actor)
          : null;
      let sync: SyncSummary;
      if (current) {
        sync = { ...emptySync(), skipped: 'decision_already_stored' };
      } else {
        sync = await this.syncBorrower(cycle, item.borrower_id, o.ingestionWaitMs);
        // Stored in the item's transaction: the decision commits with the review (or not at all).
        const scored = await this.scorer.scoreScheduled(item.borrower_id, {
          actor,
          staleData: sync.stale,
          asOf: this.clock.now(),
          manager: m,
        });
        current = {
          id: scored.decisionId,
          decision: scored.decision,
          recommended_limit_minor: String(scored.recommendedLimitMinor),
          currency: scored.currency,
          created_at: scored.createdAt,
          result: scored.result,
        };
      }
      const sum = sync;
      await this.applyLimit(m, cycle, item.id, item.borrower_id, current, (outcome) => ({
        sync: sum,
        decision: { id: current.id, decision: current.decision, recommendedLimitMinor: Number(current.recommended_limit_minor) },
        review: outcome.review,
        limit: {
          action: outcome.limit.action,
          fromLimitMinor: outcome.limit.fromLimitMinor,
          toLimitMinor: outcome.limit.toLimitMinor,
          toStatus: outcome.limit.toStatus,
          reasons: outcome.limit.reasons.map((r) => r.code),
        },
      }));
      await runner.commitTransaction();
      this.metrics.reviewed.inc({ outcome: 'done' });
      return 'done';
    } catch (err) {
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      if (err instanceof ReviewSkipped) {
        await this.repo.skipItem(claimed.id, err.reason, err.message);
        return 'skipped';
      }
      const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
      const status = await this.repo.failAttempt(claimed.id, message, o.maxAttempts, 1000 * 2 ** Math.min(claimed.attempts, 6));
      this.logger.warn(
        { cycleId: cycle.id, itemId: claimed.id, attempts: claimed.attempts, status, err: message },
        'review attempt failed',
      );
      if (status === 'failed') this.metrics.reviewed.inc({ outcome: 'failed' });
      return status === 'failed' ? 'failed' : 'skipped';
    } finally {
      await runner.release();
      endTimer();
    }
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
    itemResult: (o: { limit: LimitOutcome; review: unknown }) => unknown,
  ): Promise<{ limit: LimitOutcome; review: unknown }> {
    let row = await this.repo.lockCreditLimitWithBaseline(m, borrowerId);
    if (!row) {
      const origination = await this.repo.findOriginationDecision(m, borrowerId);
      if (!origination) throw new Error('no origination decision for the borrower');
      const initial = origination.decision === 'approve' ? Number(origination.recommended_limit_minor) : 0;
      await this.repo.createCreditLimit(m, borrowerId, initial, origination.currency, origination.id);
      row = await this.repo.lockCreditLimitWithBaseline(m, borrowerId);
      if (!row) throw new Error('credit limit row vanished');
    }
    const baseline = row.baseline_decision_id === current.id ? null : row.baseline;
    const currentResult = (current.result ?? {}) as EngineResultLike;
    const diff = diffReview(baseline?.result ?? null, currentResult, this.policy);
    const state: LimitState = {
      limitMinor: Number(row.current_limit_minor),
      status: row.status,
      outstandingMinor: Number(row.outstanding_minor),
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
      await this.events.enqueue(m, 'limit.changed', borrowerId, {
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

  /** Syncs the borrower's linked accounts within the per-account rate limit and the cycle's budget; waits for ingestion. */
  private async syncBorrower(cycle: CycleRow, borrowerId: string, waitMs: number): Promise<SyncSummary> {
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
      const { outcome } = await this.syncer.requestSync(a.id);
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
    if (waiting.size > 0) {
      const deadline = performance.now() + waitMs;
      for (;;) {
        const marks = await this.repo.ingestionMarks([...waiting.keys()]);
        const fresh = [...waiting].filter(([id, before]) => {
          const now = marks.get(id) ?? null;
          return now !== null && (before === null || now > before);
        }).length;
        s.synced = fresh;
        if (fresh === waiting.size || performance.now() >= deadline || this.stopping) break;
        await sleep(Math.min(250, Math.max(10, deadline - performance.now())));
      }
      s.timedOut = waiting.size - s.synced;
    }
    s.stale = s.failed > 0 || s.timedOut > 0 || s.reauthNeeded > 0;
    return s;
  }
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
