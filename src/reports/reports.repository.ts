import type { PerfApplication, PerfLoan } from './model/credit-performance.js';
import { gunzipSync } from 'node:zlib';
import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { validatePolicy, type EngineResult, type Policy, type Reason } from '../scoring/engine/index.js';
import type { DecisionConsent } from '../scoring/entities/decision.entity.js';
import { maskNumbersInText } from '../common/mask-numbers.js';
import type { IncomeCheckRow } from './model/income-crosscheck.js';

/** Row shapes as read (bigint/numeric columns arrive as strings from pg and are converted here). */
export interface NoteRow {
  version: number;
  body: string;
  author: string;
  createdAt: Date;
}

export interface BorrowerRow {
  id: string;
  externalId: string;
  fullName: string;
  email: string;
  phone: string | null;
  bvn: string | null;
  createdAt: Date;
}

export interface AccountRow {
  id: string;
  monoAccountId: string;
  institutionName: string | null;
  accountName: string | null;
  accountNumber: string | null;
  accountType: string | null;
  currency: string;
  balanceMinor: number | null;
  dataStatus: string;
  reauthRequired: boolean;
  reauthRequiredAt: Date | null;
  lastSyncedAt: Date | null;
  lastTransactionDate: string | null;
  coverage: Record<string, unknown> | null;
  unlinkedAt: Date | null;
}

export interface DecisionRow {
  id: string;
  borrowerId: string;
  applicationId: string | null;
  trigger: string;
  decision: string;
  recommendedLimitMinor: number;
  instalmentMinor: number;
  requestedAmountMinor: number | null;
  requestedTenorMonths: number | null;
  currency: string;
  bindingConstraint: string;
  postLoanDsr: string | null;
  reasons: Reason[];
  flags: string[];
  result: EngineResult;
  policyVersion: string;
  engineVersion: string;
  dataAsOf: Date;
  actor: string | null;
  createdAt: Date;
  /** The consent each account's data was held under at decision time (null: decided before this was recorded). */
  consents: DecisionConsent[] | null;
}

export interface TransactionRow {
  id: string;
  accountId: string;
  providerTxnId: string;
  postedAt: Date;
  bookingDate: string;
  direction: 'credit' | 'debit';
  amountMinor: number;
  balanceMinor: number | null;
  currency: string;
  narration: string;
  category: string;
  categoryRule: string;
  categorySource: string;
  counterparty: string | null;
  status: string;
  firstSeenAt: Date;
  removedAt: Date | null;
}

export interface FindingRow {
  id: string;
  accountId: string;
  kind: string;
  transactionId: string | null;
  bookingDate: string | null;
  details: Record<string, unknown>;
  detectedAt: Date;
}

export interface TransactionFilter {
  ids?: string[];
  /** `YYYY-MM` (Lagos business month of booking_date). */
  month?: string;
  /** `YYYY-MM-DD`. */
  date?: string;
  category?: string;
  /** Rows first seen at or before this instant and not removed before it (the data a decision saw). */
  seenBy?: Date;
  /** booking_date strictly before this date (`YYYY-MM-DD`). */
  before?: string;
  /** Only active rows (default true unless `seenBy` is given). */
  activeOnly?: boolean;
  limit?: number;
}

export interface BorrowerListRow {
  id: string;
  externalId: string;
  fullName: string;
  accounts: number;
  reauthRequired: boolean;
  lastSyncedAt: Date | null;
  oldestSyncAt: Date | null;
  decisionId: string | null;
  decision: string | null;
  recommendedLimitMinor: number | null;
  currency: string | null;
  decidedAt: Date | null;
}

function num(v: unknown): number {
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw new RangeError(`bigint value ${String(v)} exceeds the safe integer range`);
  return n;
}

function numOrNull(v: unknown): number | null {
  return v === null || v === undefined ? null : num(v);
}

function day(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return v.toISOString().slice(0, 10);
  return typeof v === 'string' ? v.slice(0, 10) : null;
}

const DECISION_COLUMNS = `
  id, borrower_id, application_id, trigger, decision, recommended_limit_minor, instalment_minor, requested_amount_minor,
  requested_tenor_months, currency, binding_constraint, post_loan_dsr::text AS post_loan_dsr, reasons, flags, result,
  policy_version, engine_version, data_as_of, actor, created_at, consents`;

function toDecision(r: Record<string, unknown>): DecisionRow {
  return {
    id: r.id as string,
    borrowerId: r.borrower_id as string,
    applicationId: (r.application_id as string | null) ?? null,
    trigger: r.trigger as string,
    decision: r.decision as string,
    recommendedLimitMinor: num(r.recommended_limit_minor),
    instalmentMinor: num(r.instalment_minor),
    requestedAmountMinor: numOrNull(r.requested_amount_minor),
    requestedTenorMonths: (r.requested_tenor_months as number | null) ?? null,
    currency: r.currency as string,
    bindingConstraint: r.binding_constraint as string,
    postLoanDsr: (r.post_loan_dsr as string | null) ?? null,
    reasons: r.reasons as Reason[],
    flags: (r.flags as string[]) ?? [],
    result: r.result as EngineResult,
    policyVersion: r.policy_version as string,
    engineVersion: r.engine_version as string,
    dataAsOf: r.data_as_of as Date,
    actor: (r.actor as string | null) ?? null,
    createdAt: r.created_at as Date,
    consents: (r.consents as DecisionConsent[] | null) ?? null,
  };
}

function toTransaction(r: Record<string, unknown>): TransactionRow {
  return {
    id: r.id as string,
    accountId: r.account_id as string,
    providerTxnId: r.provider_txn_id as string,
    postedAt: r.posted_at as Date,
    bookingDate: day(r.booking_date) ?? '',
    direction: r.direction as 'credit' | 'debit',
    amountMinor: num(r.amount_minor),
    balanceMinor: numOrNull(r.balance_minor),
    currency: (r.currency as string).trim(),
    // Reports show narrations with personal numbers masked to their last 4 digits (docs/security.md).
    narration: maskNumbersInText(r.narration as string),
    category: r.category as string,
    categoryRule: r.category_rule as string,
    categorySource: r.category_source as string,
    counterparty: (r.counterparty as string | null) ?? null,
    status: r.status as string,
    firstSeenAt: r.first_seen_at as Date,
    removedAt: (r.removed_at as Date | null) ?? null,
  };
}

/**
 * Read-only queries for the reports (the only place in `reports/` that touches SQL). Reports read other
 * modules' tables directly but never write them; overrides go through the owning services.
 */
@Injectable()
export class ReportsRepository {
  constructor(private readonly db: DataSource) {}

  /** The Mono income cross-check rows of a decision (one per account), oldest account first. */
  async findIncomeChecks(decisionId: string): Promise<IncomeCheckRow[]> {
    const rows = await this.db.query<
      Array<{
        account_id: string;
        status: IncomeCheckRow['status'];
        reason: string | null;
        requested_at: Date;
        settled_at: Date | null;
        monthly_income_minor: string | null;
        annual_income_minor: string | null;
        streams: IncomeCheckRow['streams'];
      }>
    >(
      `SELECT c.account_id, c.status, c.reason, c.requested_at, c.settled_at, c.monthly_income_minor, c.annual_income_minor, c.streams
         FROM mono_income_checks c JOIN bank_accounts a ON a.id = c.account_id
        WHERE c.decision_id = $1 ORDER BY a.created_at, a.id, c.requested_at`,
      [decisionId],
    );
    return rows.map((r) => ({
      accountId: r.account_id,
      status: r.status,
      reason: r.reason,
      requestedAt: new Date(r.requested_at),
      settledAt: r.settled_at ? new Date(r.settled_at) : null,
      monthlyIncomeMinor: r.monthly_income_minor === null ? null : Number(r.monthly_income_minor),
      annualIncomeMinor: r.annual_income_minor === null ? null : Number(r.annual_income_minor),
      streams: r.streams,
    }));
  }

  /** Every version of the decision's analyst note, newest first. */
  async listNotes(decisionId: string): Promise<NoteRow[]> {
    const rows = await this.db.query<Array<{ version: number; body: string; author: string; created_at: Date }>>(
      `SELECT version, body, author, created_at FROM decision_notes WHERE decision_id = $1 ORDER BY version DESC`,
      [decisionId],
    );
    return rows.map((r) => ({ version: r.version, body: r.body, author: r.author, createdAt: new Date(r.created_at) }));
  }

  /**
   * Saves a new version of the decision's note in the caller's transaction (the decision row is locked, so two
   * analysts saving at once get versions n and n+1, never the same). Returns the version written.
   */
  async addNote(manager: EntityManager, note: { decisionId: string; borrowerId: string; body: string; author: string; now: Date }): Promise<number> {
    await manager.query(`SELECT 1 FROM decisions WHERE id = $1 FOR UPDATE`, [note.decisionId]);
    const [row] = await manager.query<Array<{ version: number }>>(
      `INSERT INTO decision_notes (decision_id, borrower_id, version, body, author, created_at)
       SELECT $1, $2, coalesce(max(version), 0) + 1, $3, $4, $5 FROM decision_notes WHERE decision_id = $1
       RETURNING version`,
      [note.decisionId, note.borrowerId, note.body, note.author, note.now],
    );
    return row.version;
  }

  async findBorrower(id: string): Promise<BorrowerRow | null> {
    const rows: Record<string, unknown>[] = await this.db.query(
      `SELECT id, external_id, full_name, email, phone, bvn, created_at FROM borrowers WHERE id = $1`,
      [id],
    );
    const r = rows[0];
    if (!r) return null;
    return {
      id: r.id as string,
      externalId: r.external_id as string,
      fullName: r.full_name as string,
      email: r.email as string,
      phone: (r.phone as string | null) ?? null,
      bvn: (r.bvn as string | null) ?? null,
      createdAt: r.created_at as Date,
    };
  }

  async findAccounts(borrowerId: string): Promise<AccountRow[]> {
    const rows: Record<string, unknown>[] = await this.db.query(
      `SELECT id, mono_account_id, institution_name, account_name, account_number, account_type, currency, balance_minor,
              data_status, reauth_required, reauth_required_at, last_synced_at, last_transaction_date::text AS last_transaction_date, coverage, unlinked_at
         FROM bank_accounts WHERE borrower_id = $1 ORDER BY created_at, id`,
      [borrowerId],
    );
    return rows.map((r) => ({
      id: r.id as string,
      monoAccountId: r.mono_account_id as string,
      institutionName: (r.institution_name as string | null) ?? null,
      accountName: (r.account_name as string | null) ?? null,
      accountNumber: (r.account_number as string | null) ?? null,
      accountType: (r.account_type as string | null) ?? null,
      currency: (r.currency as string).trim(),
      balanceMinor: numOrNull(r.balance_minor),
      dataStatus: r.data_status as string,
      reauthRequired: r.reauth_required as boolean,
      reauthRequiredAt: (r.reauth_required_at as Date | null) ?? null,
      lastSyncedAt: (r.last_synced_at as Date | null) ?? null,
      lastTransactionDate: day(r.last_transaction_date),
      coverage: (r.coverage as Record<string, unknown> | null) ?? null,
      unlinkedAt: (r.unlinked_at as Date | null) ?? null,
    }));
  }

  /** The given decision of the borrower, or the latest one. */
  async findDecision(borrowerId: string, decisionId?: string): Promise<DecisionRow | null> {
    const rows: Record<string, unknown>[] = decisionId
      ? await this.db.query(`SELECT ${DECISION_COLUMNS} FROM decisions WHERE borrower_id = $1 AND id = $2`, [borrowerId, decisionId])
      : await this.db.query(`SELECT ${DECISION_COLUMNS} FROM decisions WHERE borrower_id = $1 ORDER BY created_at DESC, id DESC LIMIT 1`, [
          borrowerId,
        ]);
    return rows[0] ? toDecision(rows[0]) : null;
  }

  /** Every decision of the borrower, oldest first (history with diffs). */
  async listDecisions(borrowerId: string, limit = 50): Promise<DecisionRow[]> {
    const rows: Record<string, unknown>[] = await this.db.query(
      `SELECT * FROM (SELECT ${DECISION_COLUMNS} FROM decisions WHERE borrower_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2) d
        ORDER BY created_at, id`,
      [borrowerId, limit],
    );
    return rows.map(toDecision);
  }

  /** The policy the decision was made with, from its stored engine input (null when absent or not a valid policy). */
  async findDecisionPolicy(inputsHash: string): Promise<Policy | null> {
    const rows: Array<{ policy: unknown; payload_gzip: Buffer | null }> = await this.db.query(
      `SELECT payload->'policy' AS policy, payload_gzip FROM decision_inputs WHERE inputs_hash = $1`,
      [inputsHash],
    );
    const r = rows[0];
    if (!r) return null;
    const raw = r.payload_gzip ? (JSON.parse(gunzipSync(r.payload_gzip).toString('utf8')) as { policy?: unknown }).policy : r.policy;
    if (raw === null || raw === undefined) return null;
    try {
      return validatePolicy(raw);
    } catch {
      return null;
    }
  }

  async findOpenFindings(accountIds: string[]): Promise<FindingRow[]> {
    if (accountIds.length === 0) return [];
    const rows: Record<string, unknown>[] = await this.db.query(
      `SELECT id, account_id, kind, transaction_id, booking_date::text AS booking_date, details, detected_at
         FROM data_quality_findings WHERE account_id = ANY($1::uuid[]) AND resolved_at IS NULL
        ORDER BY booking_date NULLS LAST, detected_at LIMIT 500`,
      [accountIds],
    );
    return rows.map((r) => ({
      id: r.id as string,
      accountId: r.account_id as string,
      kind: r.kind as string,
      transactionId: (r.transaction_id as string | null) ?? null,
      bookingDate: day(r.booking_date),
      details: (r.details as Record<string, unknown>) ?? {},
      detectedAt: r.detected_at as Date,
    }));
  }

  /** The borrower's transactions (all linked accounts), oldest first, narrowed by the filter. */
  async listTransactions(borrowerId: string, filter: TransactionFilter = {}): Promise<TransactionRow[]> {
    const where = ['a.borrower_id = $1'];
    const params: unknown[] = [borrowerId];
    const add = (sql: string, value: unknown): void => {
      params.push(value);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (filter.ids)
      add(
        't.id = ANY(?::uuid[])',
        filter.ids.filter((id) => /^[0-9a-f-]{36}$/i.test(id)),
      );
    if (filter.month) add(`to_char(t.booking_date, 'YYYY-MM') = ?`, filter.month);
    if (filter.date) add('t.booking_date = ?::date', filter.date);
    if (filter.category) add('t.category = ?', filter.category);
    if (filter.before) add('t.booking_date < ?::date', filter.before);
    if (filter.seenBy) {
      add('t.first_seen_at <= ?', filter.seenBy);
      add('(t.removed_at IS NULL OR t.removed_at > ?)', filter.seenBy);
    } else if (filter.activeOnly ?? true) {
      where.push(`t.status = 'active'`);
    }
    params.push(filter.limit ?? 20000);
    const rows: Record<string, unknown>[] = await this.db.query(
      `SELECT t.id, t.account_id, t.provider_txn_id, t.posted_at, t.booking_date::text AS booking_date, t.direction, t.amount_minor, t.balance_minor,
              t.currency, t.narration, t.category, t.category_rule, t.category_source, t.counterparty, t.status, t.first_seen_at,
              t.removed_at
         FROM bank_transactions t JOIN bank_accounts a ON a.id = t.account_id
        WHERE ${where.join(' AND ')}
        ORDER BY t.booking_date, t.posted_at, t.id
        LIMIT $${params.length}`,
      params,
    );
    return rows.map(toTransaction);
  }

  async findTransaction(transactionId: string): Promise<(TransactionRow & { borrowerId: string }) | null> {
    const rows: Record<string, unknown>[] = await this.db.query(
      `SELECT t.id, t.account_id, t.provider_txn_id, t.posted_at, t.booking_date::text AS booking_date, t.direction, t.amount_minor,
              t.balance_minor, t.currency, t.narration, t.category, t.category_rule, t.category_source, t.counterparty, t.status,
              t.first_seen_at, t.removed_at, a.borrower_id FROM bank_transactions t JOIN bank_accounts a ON a.id = t.account_id WHERE t.id = $1`,
      [transactionId],
    );
    const r = rows[0];
    return r ? { ...toTransaction(r), borrowerId: r.borrower_id as string } : null;
  }

  /** Borrowers matching a search on name or external id, newest first, with their latest decision and data state. */
  async searchBorrowers(search: string, offset: number, limit: number): Promise<{ rows: BorrowerListRow[]; total: number }> {
    const pattern = `%${search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const filter = search ? `WHERE b.full_name ILIKE $1 OR b.external_id ILIKE $1` : `WHERE $1::text IS NOT NULL`;
    const totalRows: Array<{ n: string }> = await this.db.query(`SELECT count(*) AS n FROM borrowers b ${filter}`, [pattern]);
    const rows: Record<string, unknown>[] = await this.db.query(
      `SELECT b.id, b.external_id, b.full_name,
              acc.accounts, acc.reauth_required, acc.last_synced_at, acc.oldest_sync_at,
              d.id AS decision_id, d.decision, d.recommended_limit_minor, d.currency, d.created_at AS decided_at
         FROM borrowers b
         LEFT JOIN LATERAL (
           SELECT count(*)::int AS accounts, coalesce(bool_or(reauth_required), false) AS reauth_required,
                  max(last_synced_at) AS last_synced_at, min(last_synced_at) AS oldest_sync_at
             FROM bank_accounts WHERE borrower_id = b.id AND unlinked_at IS NULL) acc ON true
         LEFT JOIN LATERAL (
           SELECT id, decision, recommended_limit_minor, currency, created_at FROM decisions
            WHERE borrower_id = b.id ORDER BY created_at DESC, id DESC LIMIT 1) d ON true
         ${filter}
        ORDER BY b.created_at DESC, b.id
        OFFSET $2 LIMIT $3`,
      [pattern, offset, limit],
    );
    return {
      total: Number(totalRows[0]?.n ?? 0),
      rows: rows.map((r) => ({
        id: r.id as string,
        externalId: r.external_id as string,
        fullName: r.full_name as string,
        accounts: (r.accounts as number) ?? 0,
        reauthRequired: (r.reauth_required as boolean) ?? false,
        lastSyncedAt: (r.last_synced_at as Date | null) ?? null,
        oldestSyncAt: (r.oldest_sync_at as Date | null) ?? null,
        decisionId: (r.decision_id as string | null) ?? null,
        decision: (r.decision as string | null) ?? null,
        recommendedLimitMinor: numOrNull(r.recommended_limit_minor),
        currency: r.currency ? (r.currency as string).trim() : null,
        decidedAt: (r.decided_at as Date | null) ?? null,
      })),
    };
  }

  // ---- portfolio ----------------------------------------------------------------------------------------------

  /**
   * The lender's loan book for credit performance: every loan disbursed before `to`, its schedule and the allocations
   * of its non-reversed repayments in recording order (dates in the loan book's calendar, UTC).
   */
  async creditBook(to: Date): Promise<PerfLoan[]> {
    const rows: Array<{
      id: string;
      principal_minor: string;
      disbursed_on: string;
      closed_on: string | null;
      written_off_on: string | null;
      instalments: Array<{ seq: number; due_date: string; principal_minor: string; interest_minor: string }>;
      payments: Array<{ paid_on: string; amount_minor: string; allocation: Array<{ seq: number; principalMinor: number; interestMinor: number }> }>;
    }> = await this.db.query(
      `SELECT l.id, l.principal_minor::text,
              to_char(l.disbursed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS disbursed_on,
              to_char(l.closed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS closed_on,
              to_char(l.written_off_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS written_off_on,
              coalesce((SELECT json_agg(json_build_object('seq', i.seq, 'due_date', i.due_date::text, 'principal_minor', i.principal_minor::text,
                                                          'interest_minor', i.interest_minor::text) ORDER BY i.seq)
                          FROM loan_instalments i WHERE i.loan_id = l.id), '[]'::json) AS instalments,
              coalesce((SELECT json_agg(json_build_object('paid_on', to_char(r.paid_at AT TIME ZONE 'UTC', 'YYYY-MM-DD'),
                                                          'amount_minor', r.amount_minor::text, 'allocation', r.allocation) ORDER BY r.seq)
                          FROM loan_repayments r WHERE r.loan_id = l.id AND r.reversed_at IS NULL), '[]'::json) AS payments
         FROM loans l WHERE l.disbursed_at < $1 ORDER BY l.disbursed_at, l.id`,
      [to],
    );
    return rows.map((r) => ({
      id: r.id,
      principalMinor: num(r.principal_minor),
      disbursedOn: r.disbursed_on,
      closedOn: r.closed_on,
      writtenOffOn: r.written_off_on,
      instalments: r.instalments.map((i) => ({ seq: i.seq, dueDate: i.due_date, principalMinor: num(i.principal_minor), interestMinor: num(i.interest_minor) })),
      payments: r.payments.map((p) => ({ paidOn: p.paid_on, amountMinor: num(p.amount_minor), allocation: p.allocation })),
    }));
  }

  /** Applications made in the window with their decision band, the policy that decided and the loan booked from it. */
  async applicationFunnel(from: Date, to: Date): Promise<PerfApplication[]> {
    const rows: Array<{ decision: PerfApplication['decision']; policy_version: string | null; loan_id: string | null }> = await this.db.query(
      `SELECT d.decision, d.policy_version, (SELECT l.id FROM loans l WHERE l.application_id = a.id ORDER BY l.created_at LIMIT 1) AS loan_id
         FROM loan_applications a LEFT JOIN decisions d ON d.id = a.decision_id
        WHERE a.created_at >= $1 AND a.created_at < $2`,
      [from, to],
    );
    return rows.map((r) => ({ decision: r.decision, policyVersion: r.policy_version, loanId: r.loan_id }));
  }

  async decisionsByPeriod(
    from: Date,
    to: Date,
    unit: 'week' | 'month',
  ): Promise<Array<{ period: string; decision: string; count: number }>> {
    const rows: Array<{ period: Date | string; decision: string; n: string }> = await this.db.query(
      `SELECT date_trunc($3, created_at AT TIME ZONE 'Africa/Lagos')::date::text AS period, decision, count(*) AS n
         FROM decisions WHERE created_at >= $1 AND created_at < $2
        GROUP BY 1, 2 ORDER BY 1, 2`,
      [from, to, unit],
    );
    return rows.map((r) => ({ period: day(r.period) ?? '', decision: r.decision, count: Number(r.n) }));
  }

  /** The latest decision per borrower made in the window (the book as it stands). */
  async latestDecisionsInWindow(
    from: Date,
    to: Date,
  ): Promise<
    Array<{ borrowerId: string; decision: string; limitMinor: number; reasons: Reason[]; flags: string[]; postLoanDsr: string | null; dsrCap: string | null }>
  > {
    const rows: Record<string, unknown>[] = await this.db.query(
      `SELECT DISTINCT ON (borrower_id) borrower_id, decision, recommended_limit_minor, reasons,
              result->'flags' AS flags, result->'limit'->>'postLoanDsr' AS post_loan_dsr, result->'limit'->'components'->>'dsrCap' AS dsr_cap
         FROM decisions WHERE created_at >= $1 AND created_at < $2
        ORDER BY borrower_id, created_at DESC, id DESC`,
      [from, to],
    );
    return rows.map((r) => ({
      borrowerId: r.borrower_id as string,
      decision: r.decision as string,
      limitMinor: num(r.recommended_limit_minor),
      reasons: r.reasons as Reason[],
      flags: Array.isArray(r.flags) ? (r.flags as string[]) : [],
      postLoanDsr: (r.post_loan_dsr as string | null) ?? null,
      dsrCap: (r.dsr_cap as string | null) ?? null,
    }));
  }

  async reasonCodeCounts(from: Date, to: Date, top: number): Promise<Array<{ code: string; count: number }>> {
    const rows: Array<{ code: string; n: string }> = await this.db.query(
      `SELECT r->>'code' AS code, count(*) AS n
         FROM decisions d CROSS JOIN LATERAL jsonb_array_elements(d.reasons) r
        WHERE d.created_at >= $1 AND d.created_at < $2
        GROUP BY 1 ORDER BY n DESC, code LIMIT $3`,
      [from, to, top],
    );
    return rows.map((r) => ({ code: r.code, count: Number(r.n) }));
  }

  async reauthBacklog(): Promise<
    Array<{ borrowerId: string; externalId: string; fullName: string; accountId: string; institution: string | null; since: Date }>
  > {
    const rows: Record<string, unknown>[] = await this.db.query(
      `SELECT b.id AS borrower_id, b.external_id, b.full_name, a.id AS account_id, a.institution_name, a.reauth_required_at
         FROM bank_accounts a JOIN borrowers b ON b.id = a.borrower_id
        WHERE a.reauth_required AND a.unlinked_at IS NULL
        ORDER BY a.reauth_required_at, a.id`,
    );
    return rows.map((r) => ({
      borrowerId: r.borrower_id as string,
      externalId: r.external_id as string,
      fullName: r.full_name as string,
      accountId: r.account_id as string,
      institution: (r.institution_name as string | null) ?? null,
      since: r.reauth_required_at as Date,
    }));
  }

  /** Hours since the last sync of every linked account (null: never synced). */
  async accountFreshness(now: Date): Promise<Array<number | null>> {
    const rows: Array<{ hours: string | null }> = await this.db.query(
      `SELECT CASE WHEN last_synced_at IS NULL THEN NULL ELSE extract(epoch FROM ($1::timestamptz - last_synced_at)) / 3600 END AS hours
         FROM bank_accounts WHERE unlinked_at IS NULL`,
      [now],
    );
    return rows.map((r) => (r.hours === null ? null : Number(r.hours)));
  }

  async syncRunOutcomes(from: Date, to: Date): Promise<Array<{ status: string; count: number; accounts: number }>> {
    const rows: Array<{ status: string; n: string; accounts: string }> = await this.db.query(
      `SELECT status, count(*) AS n, count(DISTINCT account_id) AS accounts
         FROM sync_runs WHERE created_at >= $1 AND created_at < $2 GROUP BY status ORDER BY status`,
      [from, to],
    );
    return rows.map((r) => ({ status: r.status, count: Number(r.n), accounts: Number(r.accounts) }));
  }

  async recentSyncFailures(
    from: Date,
    to: Date,
    limit: number,
  ): Promise<Array<{ accountId: string; borrowerId: string; status: string; monoCode: string | null; at: Date }>> {
    const rows: Record<string, unknown>[] = await this.db.query(
      `SELECT s.account_id, a.borrower_id, s.status, s.mono_code, coalesce(s.completed_at, s.created_at) AS at
         FROM sync_runs s JOIN bank_accounts a ON a.id = s.account_id
        WHERE s.created_at >= $1 AND s.created_at < $2 AND s.status IN ('failed', 'timed_out', 'reauth_required')
        ORDER BY s.created_at DESC LIMIT $3`,
      [from, to, limit],
    );
    return rows.map((r) => ({
      accountId: r.account_id as string,
      borrowerId: r.borrower_id as string,
      status: r.status as string,
      monoCode: (r.mono_code as string | null) ?? null,
      at: r.at as Date,
    }));
  }

  /** The active shadow policy (else the latest) and its live/shadow decision pairs in [from, to). */
  async shadowPairs(
    from: Date,
    to: Date,
  ): Promise<{ id: string; policyVersion: string; active: boolean; pairs: Array<{ live: string; shadow: string; liveLimitMinor: number; shadowLimitMinor: number; n: number }> } | null> {
    const [p] = await this.db.query<Array<{ id: string; policy_version: string; active: boolean }>>(
      `SELECT id, policy_version, active FROM shadow_policies ORDER BY active DESC, created_at DESC LIMIT 1`,
    );
    if (!p) return null;
    const rows = await this.db.query<Array<{ live: string; shadow: string; live_limit: string; shadow_limit: string; n: string }>>(
      `SELECT coalesce(d.overrides->'decision'->>'from', d.decision) AS live, s.decision AS shadow,
              sum(d.recommended_limit_minor)::text AS live_limit, sum(s.recommended_limit_minor)::text AS shadow_limit, count(*)::text AS n
         FROM shadow_decisions s JOIN decisions d ON d.id = s.decision_id
        WHERE s.shadow_policy_id = $1 AND d.created_at >= $2 AND d.created_at < $3
        GROUP BY 1, 2`,
      [p.id, from, to],
    );
    return {
      id: p.id,
      policyVersion: p.policy_version,
      active: p.active,
      pairs: rows.map((r) => ({ live: r.live, shadow: r.shadow, liveLimitMinor: Number(r.live_limit), shadowLimitMinor: Number(r.shadow_limit), n: Number(r.n) })),
    };
  }

  async limitChangesAvailable(): Promise<boolean> {
    const rows: Array<{ t: string | null }> = await this.db.query(`SELECT to_regclass('limit_changes')::text AS t`);
    return Boolean(rows[0]?.t);
  }

  /** Limit changes per re-underwriting cycle; empty when the re-underwriting tables do not exist (yet). */
  async limitChangesByCycle(
    from: Date,
    to: Date,
  ): Promise<Array<{ cycleId: string; startedAt: Date | null; action: string; count: number }>> {
    const exists: Array<{ t: string | null; c: string | null }> = await this.db.query(
      `SELECT to_regclass('limit_changes')::text AS t, to_regclass('review_cycles')::text AS c`,
    );
    if (!exists[0]?.t) return [];
    const rows: Record<string, unknown>[] = exists[0].c
      ? await this.db.query(
          `SELECT l.cycle_id, min(c.started_at) AS started_at, l.action, count(*) AS n
             FROM limit_changes l LEFT JOIN review_cycles c ON c.id = l.cycle_id
            WHERE l.created_at >= $1 AND l.created_at < $2
            GROUP BY l.cycle_id, l.action ORDER BY min(c.started_at) NULLS LAST, l.cycle_id, l.action`,
          [from, to],
        )
      : await this.db.query(
          `SELECT l.cycle_id, NULL AS started_at, l.action, count(*) AS n FROM limit_changes l
            WHERE l.created_at >= $1 AND l.created_at < $2 GROUP BY l.cycle_id, l.action ORDER BY l.cycle_id, l.action`,
          [from, to],
        );
    return rows.map((r) => ({
      cycleId:
        typeof r.cycle_id === 'string' ? r.cycle_id : r.cycle_id === null || r.cycle_id === undefined ? 'none' : JSON.stringify(r.cycle_id),
      startedAt: (r.started_at as Date | null) ?? null,
      action: r.action as string,
      count: Number(r.n),
    }));
  }
}
