import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { CycleStatus, CycleTrigger } from './review-cycle.entity.js';
import type { ReviewItemStatus } from './review-item.entity.js';

export interface CycleRow {
  id: string;
  trigger: CycleTrigger;
  status: CycleStatus;
  as_of: Date;
  review_max_age_days: number;
  budget: number;
  mono_calls_spent: number;
  counters: Record<string, number>;
  started_at: Date;
  finished_at: Date | null;
  error: string | null;
}

export interface ItemRow {
  id: string;
  cycle_id: string;
  borrower_id: string;
  status: ReviewItemStatus;
  attempts: number;
  decision_id: string | null;
  result: unknown;
}

export interface AccountRow {
  id: string;
  reauth_required: boolean;
  last_synced_at: Date | null;
  last_sync_requested_at: Date | null;
  last_ingested_at: Date | null;
}

export interface CreditLimitRow {
  borrower_id: string;
  current_limit_minor: string;
  currency: string;
  status: 'active' | 'frozen';
  outstanding_minor: string;
  last_increase_at: Date | null;
  weak_review_streak: number;
  baseline_decision_id: string;
}

export interface StoredDecision {
  id: string;
  decision: 'approve' | 'decline' | 'refer';
  recommended_limit_minor: string;
  currency: string;
  created_at: Date;
  result: unknown;
}

/** Counters derived from the items' results (never kept on the hot cycle row while workers run). */
export interface CycleCounters {
  total: number;
  pending: number;
  inProgress: number;
  done: number;
  failed: number;
  skipped: number;
  synced: number;
  reauthNeeded: number;
  overBudget: number;
  raised: number;
  lowered: number;
  frozen: number;
  unfrozen: number;
  unchanged: number;
}

const OPEN = `('pending', 'syncing', 'scoring')`;

/** TypeORM's postgres driver answers UPDATE … RETURNING with [rows, affected]; SELECT and INSERT with rows. */
function updatedRows<T>(res: unknown): T[] {
  if (Array.isArray(res) && res.length === 2 && Array.isArray(res[0]) && typeof res[1] === 'number') return res[0] as T[];
  return res as T[];
}

/** Every SQL statement of re-underwriting: cycles, review items (their work is in pg-boss), limits. */
@Injectable()
export class ReunderwritingRepository {
  constructor(private readonly dataSource: DataSource) {}

  async findRunningCycle(manager: EntityManager = this.dataSource.manager): Promise<CycleRow | null> {
    const rows = await manager.query<CycleRow[]>(`SELECT * FROM review_cycles WHERE status = 'running' ORDER BY started_at LIMIT 1`);
    return rows[0] ?? null;
  }

  async findCycle(id: string, manager: EntityManager = this.dataSource.manager): Promise<CycleRow | null> {
    const rows = await manager.query<CycleRow[]>(`SELECT * FROM review_cycles WHERE id = $1`, [id]);
    return rows[0] ?? null;
  }

  async listCycles(limit: number): Promise<CycleRow[]> {
    return this.dataSource.query<CycleRow[]>(`SELECT * FROM review_cycles ORDER BY started_at DESC LIMIT $1`, [limit]);
  }

  async createCycle(
    manager: EntityManager,
    c: { trigger: CycleTrigger; asOf: Date; reviewMaxAgeDays: number; budget: number; requestedBy: string | null },
  ): Promise<string> {
    const rows = await manager.query<Array<{ id: string }>>(
      `INSERT INTO review_cycles (trigger, as_of, review_max_age_days, budget, requested_by) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
      [c.trigger, c.asOf, c.reviewMaxAgeDays, c.budget, c.requestedBy],
    );
    return rows[0].id;
  }

  /**
   * Borrowers due for review become the cycle's items in one INSERT … SELECT: last decision older than the maximum
   * age, or data ingested after it. Only borrowers with a credit limit, or an approved application decision (their
   * limit is created from it on the first review).
   */
  async insertDueItems(manager: EntityManager, cycleId: string, asOf: Date, maxAgeDays: number): Promise<string[]> {
    const rows = await manager.query<Array<{ id: string }>>(
      `WITH last AS (
         SELECT d.borrower_id, max(d.created_at) AS last_at
         FROM decisions d
         WHERE d.borrower_id IN (
           SELECT borrower_id FROM credit_limits
           UNION SELECT borrower_id FROM decisions WHERE trigger = 'application' AND decision = 'approve')
         GROUP BY d.borrower_id
       ), due AS (
         SELECT l.borrower_id,
                CASE WHEN l.last_at < $2::timestamptz - make_interval(days => $3::int) THEN 'age' ELSE 'new_data' END AS reason
         FROM last l
         WHERE l.last_at < $2::timestamptz - make_interval(days => $3::int)
            OR EXISTS (SELECT 1 FROM bank_accounts a
                       WHERE a.borrower_id = l.borrower_id AND a.unlinked_at IS NULL AND a.last_ingested_at > l.last_at)
       ), ins AS (
         INSERT INTO review_items (cycle_id, borrower_id, reason)
         SELECT $1, borrower_id, reason FROM due ORDER BY borrower_id
         ON CONFLICT (cycle_id, borrower_id) DO NOTHING
         RETURNING id
       )
       SELECT id::text AS id FROM ins ORDER BY id`,
      [cycleId, asOf, maxAgeDays],
    );
    return rows.map((r) => r.id);
  }

  /** The items of a cycle not yet past their sync step (their review jobs are re-sent when a cycle is resumed). */
  async pendingItemIds(manager: EntityManager, cycleId: string): Promise<string[]> {
    const rows = await manager.query<Array<{ id: string }>>(
      `SELECT id::text AS id FROM review_items WHERE cycle_id = $1 AND status = 'pending' ORDER BY id`,
      [cycleId],
    );
    return rows.map((r) => r.id);
  }

  /** Open items of a cycle waiting for ingestion after their sync step (re-sent to scoring when a cycle is resumed). */
  async waitingItemIds(manager: EntityManager, cycleId: string): Promise<string[]> {
    const rows = await manager.query<Array<{ id: string }>>(
      `SELECT id::text AS id FROM review_items WHERE cycle_id = $1 AND status IN ('syncing', 'scoring') ORDER BY id`,
      [cycleId],
    );
    return rows.map((r) => r.id);
  }

  async findItem(itemId: string, manager: EntityManager = this.dataSource.manager): Promise<ItemRow | null> {
    const rows = await manager.query<ItemRow[]>(
      `SELECT id::text AS id, cycle_id, borrower_id, status, attempts, decision_id, result FROM review_items WHERE id = $1`,
      [itemId],
    );
    return rows[0] ?? null;
  }

  /** The item, row-locked for the scoring step's short transaction (two steps of one item never score it twice). */
  async findItemForUpdate(manager: EntityManager, itemId: string): Promise<ItemRow | null> {
    const rows = await manager.query<ItemRow[]>(
      `SELECT id::text AS id, cycle_id, borrower_id, status, attempts, decision_id, result FROM review_items WHERE id = $1 FOR UPDATE`,
      [itemId],
    );
    return rows[0] ?? null;
  }

  /** End of the sync step: pending → syncing with what the scoring step needs (sync summary, accounts awaited). */
  async markSyncing(manager: EntityManager, itemId: string, state: unknown): Promise<boolean> {
    const res = await manager.query<unknown>(
      `UPDATE review_items SET status = 'syncing', result = $2::jsonb, updated_at = now()
       WHERE id = $1 AND status = 'pending' RETURNING id`,
      [itemId, JSON.stringify(state)],
    );
    return updatedRows<{ id: string }>(res).length > 0;
  }

  /** Open items, in running cycles, of the borrower owning `accountId` that wait for its ingestion. */
  async itemsAwaitingAccount(accountId: string): Promise<string[]> {
    const rows = await this.dataSource.query<Array<{ id: string }>>(
      `SELECT i.id::text AS id
       FROM bank_accounts a
       JOIN review_items i ON i.borrower_id = a.borrower_id AND i.status = 'syncing'
       JOIN review_cycles c ON c.id = i.cycle_id AND c.status = 'running'
       WHERE a.id = $1`,
      [accountId],
    );
    return rows.map((r) => r.id);
  }

  async noteItemError(itemId: string, error: string): Promise<void> {
    await this.dataSource.query(`UPDATE review_items SET error = $2, updated_at = now() WHERE id = $1`, [itemId, error.slice(0, 500)]);
  }

  /** An item whose review step exhausted its retries: failed (returns its cycle id, null if it was not open). */
  async failItem(itemId: string): Promise<string | null> {
    const res = await this.dataSource.query<unknown>(
      `UPDATE review_items SET status = 'failed', error = coalesce(error, 'retries exhausted'), finished_at = now(), updated_at = now()
       WHERE id = $1 AND status IN ${OPEN} RETURNING cycle_id`,
      [itemId],
    );
    return updatedRows<{ cycle_id: string }>(res)[0]?.cycle_id ?? null;
  }

  async openItemCount(cycleId: string): Promise<number> {
    const rows = await this.dataSource.query<Array<{ n: string }>>(
      `SELECT count(*)::text AS n FROM review_items WHERE cycle_id = $1 AND status IN ${OPEN}`,
      [cycleId],
    );
    return Number(rows[0]?.n ?? 0);
  }

  /** Atomic budget: one Mono call is spent only while the cycle is under budget. */
  async spendMonoCall(cycleId: string): Promise<boolean> {
    const res = await this.dataSource.query<unknown>(
      `UPDATE review_cycles SET mono_calls_spent = mono_calls_spent + 1 WHERE id = $1 AND mono_calls_spent < budget RETURNING mono_calls_spent`,
      [cycleId],
    );
    return updatedRows<{ mono_calls_spent: number }>(res).length > 0;
  }

  /** Gives back a call that never reached Mono (coalesced onto an in-flight sync, or rate-limited by SyncService). */
  async refundMonoCall(cycleId: string): Promise<void> {
    await this.dataSource.query(`UPDATE review_cycles SET mono_calls_spent = mono_calls_spent - 1 WHERE id = $1 AND mono_calls_spent > 0`, [
      cycleId,
    ]);
  }

  /**
   * The borrower's linked accounts, each with `budget_left`: whether the cycle had Mono calls left when read (a hint
   * that spares the spend statement once the budget is gone; spending itself stays atomic in spendMonoCall).
   */
  async accountsOf(borrowerId: string, cycleId: string): Promise<Array<AccountRow & { budget_left: boolean }>> {
    return this.dataSource.query<Array<AccountRow & { budget_left: boolean }>>(
      `SELECT a.id, a.reauth_required, a.last_synced_at, a.last_sync_requested_at, a.last_ingested_at,
              coalesce((SELECT c.mono_calls_spent < c.budget FROM review_cycles c WHERE c.id = $2), false) AS budget_left
       FROM bank_accounts a WHERE a.borrower_id = $1 AND a.unlinked_at IS NULL ORDER BY a.created_at`,
      [borrowerId, cycleId],
    );
  }

  /** last_ingested_at (epoch ms) of each account, to see which ones a sync refreshed. */
  async ingestionMarks(accountIds: string[], manager: EntityManager = this.dataSource.manager): Promise<Map<string, number | null>> {
    const rows = await manager.query<Array<{ id: string; last_ingested_at: Date | null }>>(
      `SELECT id, last_ingested_at FROM bank_accounts WHERE id = ANY($1::uuid[])`,
      [accountIds],
    );
    return new Map(rows.map((r) => [r.id, r.last_ingested_at ? new Date(r.last_ingested_at).getTime() : null]));
  }

  async findDecision(manager: EntityManager, id: string): Promise<StoredDecision | null> {
    const rows = await manager.query<StoredDecision[]>(
      `SELECT id, decision, recommended_limit_minor, currency, created_at, result FROM decisions WHERE id = $1`,
      [id],
    );
    return rows[0] ?? null;
  }

  /** The origination decision: the first application decision (approved first), else the first decision. */
  async findOriginationDecision(manager: EntityManager, borrowerId: string): Promise<StoredDecision | null> {
    const rows = await manager.query<StoredDecision[]>(
      `SELECT id, decision, recommended_limit_minor, currency, created_at, result FROM decisions
       WHERE borrower_id = $1
       ORDER BY (trigger = 'application' AND decision = 'approve') DESC, (trigger = 'application') DESC, created_at
       LIMIT 1`,
      [borrowerId],
    );
    return rows[0] ?? null;
  }

  /** The credit limit row (locked) with its baseline decision's result, in one round trip. */
  async lockCreditLimitWithBaseline(
    manager: EntityManager,
    borrowerId: string,
  ): Promise<(CreditLimitRow & { baseline: StoredDecision | null }) | null> {
    const rows = await manager.query<
      Array<
        CreditLimitRow & {
          b_id: string | null;
          b_decision: StoredDecision['decision'] | null;
          b_limit: string | null;
          b_currency: string | null;
          b_created_at: Date | null;
          b_result: unknown;
        }
      >
    >(
      `SELECT cl.*, d.id AS b_id, d.decision AS b_decision, d.recommended_limit_minor AS b_limit, d.currency AS b_currency,
              d.created_at AS b_created_at, d.result AS b_result
       FROM credit_limits cl LEFT JOIN decisions d ON d.id = cl.baseline_decision_id
       WHERE cl.borrower_id = $1
       FOR UPDATE OF cl`,
      [borrowerId],
    );
    const r = rows[0];
    if (!r) return null;
    const { b_id, b_decision, b_limit, b_currency, b_created_at, b_result, ...limit } = r;
    return {
      ...limit,
      baseline:
        b_id && b_decision && b_limit !== null && b_currency && b_created_at
          ? {
              id: b_id,
              decision: b_decision,
              recommended_limit_minor: b_limit,
              currency: b_currency,
              created_at: b_created_at,
              result: b_result,
            }
          : null,
    };
  }

  async itemsDoneBy(cycleId: string, workerId: string): Promise<number> {
    const [row] = await this.dataSource.query<Array<{ n: number }>>(
      `SELECT count(*)::int AS n FROM review_items WHERE cycle_id = $1 AND status = 'done' AND worker_id = $2`,
      [cycleId, workerId],
    );
    return row?.n ?? 0;
  }

  async createCreditLimit(
    manager: EntityManager,
    borrowerId: string,
    limitMinor: number,
    currency: string,
    baselineDecisionId: string,
  ): Promise<void> {
    await manager.query(
      `INSERT INTO credit_limits (borrower_id, current_limit_minor, currency, baseline_decision_id) VALUES ($1, $2, $3, $4)
       ON CONFLICT (borrower_id) DO NOTHING`,
      [borrowerId, limitMinor, currency, baselineDecisionId],
    );
  }

  /**
   * The end of a review in one statement: the credit limit's new state, its `limit_changes` row and the item marked
   * done. Returns the limit change id (for `limit.changed`).
   */
  async recordReview(
    manager: EntityManager,
    r: {
      itemId: string;
      itemResult: unknown;
      attempts: number;
      workerId: string;
      borrowerId: string;
      decisionId: string;
      reviewedAt: Date;
      limitMinor: number;
      status: 'active' | 'frozen';
      weakReviewStreak: number;
      lastIncreaseAt: string | null;
      change: {
        fromLimitMinor: number;
        toLimitMinor: number;
        fromStatus: string;
        toStatus: string;
        currency: string;
        action: string;
        reasons: unknown;
        review: unknown;
        limitPolicyVersion: string;
        cycleId: string | null;
      };
    },
  ): Promise<string> {
    const rows = await manager.query<Array<{ id: string }>>(
      `WITH lim AS (
         UPDATE credit_limits SET current_limit_minor = $3, status = $4, weak_review_streak = $5, last_increase_at = $6,
           last_review_decision_id = $2, last_reviewed_at = $7, updated_at = now()
         WHERE borrower_id = $1
         RETURNING borrower_id
       ), item AS (
         UPDATE review_items SET status = 'done', decision_id = $2, result = $19::jsonb, error = NULL, attempts = $20, worker_id = $21,
           finished_at = now(), updated_at = now()
         WHERE id = $18
         RETURNING id
       )
       INSERT INTO limit_changes (borrower_id, from_limit_minor, to_limit_minor, from_status, to_status, currency, action, reasons, review,
         limit_policy_version, decision_id, cycle_id)
       SELECT $1, $8, $9, $10, $11, $12, $13, $14::jsonb, $15::jsonb, $16, $2, $17
       FROM lim, item
       RETURNING id::text AS id`,
      [
        r.borrowerId,
        r.decisionId,
        r.limitMinor,
        r.status,
        r.weakReviewStreak,
        r.lastIncreaseAt,
        r.reviewedAt,
        r.change.fromLimitMinor,
        r.change.toLimitMinor,
        r.change.fromStatus,
        r.change.toStatus,
        r.change.currency,
        r.change.action,
        JSON.stringify(r.change.reasons),
        JSON.stringify(r.change.review),
        r.change.limitPolicyVersion,
        r.change.cycleId,
        r.itemId,
        JSON.stringify(r.itemResult),
        r.attempts,
        r.workerId.slice(0, 128),
      ],
    );
    if (!rows[0]) throw new Error('review not recorded: credit limit or review item missing');
    return rows[0].id;
  }

  /** Skipped for good (no retry), the reason in `error` and `result.skipped`; counted in the cycle's `skipped`. */
  async skipItem(itemId: string, reason: string, message: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE review_items SET status = 'skipped', finished_at = now(), locked_until = NULL, error = $2,
         result = jsonb_build_object('skipped', $3::text), updated_at = now()
       WHERE id = $1 AND status IN ${OPEN}`,
      [itemId, `${reason}: ${message}`.slice(0, 500), reason],
    );
  }

  /**
   * Item counts by status only (for progress bars polled while workers run): no detoasting of the items' results,
   * unlike `counters`, whose cost grows with the cycle's size.
   */
  async statusCounts(cycleId: string): Promise<Pick<CycleCounters, 'total' | 'pending' | 'inProgress' | 'done' | 'failed' | 'skipped'>> {
    const rows = await this.dataSource.query<Array<{ status: string; n: string }>>(
      `SELECT status, count(*)::text AS n FROM review_items WHERE cycle_id = $1 GROUP BY status`,
      [cycleId],
    );
    const out = { total: 0, pending: 0, inProgress: 0, done: 0, failed: 0, skipped: 0 };
    for (const r of rows) {
      const n = Number(r.n);
      out.total += n;
      if (r.status === 'pending') out.pending += n;
      else if (r.status === 'syncing' || r.status === 'scoring') out.inProgress += n;
      else if (r.status === 'done' || r.status === 'failed' || r.status === 'skipped') out[r.status] += n;
    }
    return out;
  }

  async counters(cycleId: string): Promise<CycleCounters> {
    const rows = await this.dataSource.query<Array<Record<keyof CycleCounters, string>>>(
      `SELECT count(*) AS total,
         count(*) FILTER (WHERE status = 'pending') AS pending,
         count(*) FILTER (WHERE status IN ('syncing', 'scoring')) AS "inProgress",
         count(*) FILTER (WHERE status = 'done') AS done,
         count(*) FILTER (WHERE status = 'failed') AS failed,
         count(*) FILTER (WHERE status = 'skipped') AS skipped,
         coalesce(sum((result->'sync'->>'synced')::int), 0) AS synced,
         coalesce(sum((result->'sync'->>'reauthNeeded')::int), 0) AS "reauthNeeded",
         count(*) FILTER (WHERE (result->'sync'->>'overBudget')::boolean) AS "overBudget",
         count(*) FILTER (WHERE result->'limit'->>'action' = 'raised') AS raised,
         count(*) FILTER (WHERE result->'limit'->>'action' = 'lowered') AS lowered,
         count(*) FILTER (WHERE result->'limit'->>'action' = 'frozen') AS frozen,
         count(*) FILTER (WHERE result->'limit'->>'action' = 'unfrozen') AS unfrozen,
         count(*) FILTER (WHERE result->'limit'->>'action' = 'unchanged') AS unchanged
       FROM review_items WHERE cycle_id = $1`,
      [cycleId],
    );
    const r = rows[0];
    const out = {} as CycleCounters;
    for (const k of Object.keys(r) as Array<keyof CycleCounters>) out[k] = Number(r[k] ?? 0);
    return out;
  }

  /** Marks the cycle completed once no item is open; returns true for the one caller that completed it. */
  async completeCycle(cycleId: string, counters: CycleCounters): Promise<boolean> {
    const res = await this.dataSource.query<unknown>(
      `UPDATE review_cycles SET status = 'completed', finished_at = now(), counters = $2::jsonb
       WHERE id = $1 AND status = 'running'
         AND NOT EXISTS (SELECT 1 FROM review_items WHERE cycle_id = $1 AND status IN ${OPEN})
       RETURNING id`,
      [cycleId, JSON.stringify(counters)],
    );
    return updatedRows<{ id: string }>(res).length > 0;
  }

  async failCycle(cycleId: string, error: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE review_cycles SET status = 'failed', finished_at = now(), error = $2 WHERE id = $1 AND status = 'running'`,
      [cycleId, error.slice(0, 500)],
    );
  }
}
