import { Injectable } from '@nestjs/common';
import { Decimal } from 'decimal.js';
import { Clock } from '../common/clock.js';
import { riskGrade, RISK_GRADES, type Policy } from '../scoring/engine/index.js';
import { formatNaira } from '../common/money.js';
import { DomainError, NotFoundError } from '../common/errors/domain-error.js';
import { toCsv, nairaDecimal, type CsvColumn } from './csv.js';
import { renderBorrowerXlsx } from './xlsx.js';
import { buildBorrowerReport, type BorrowerReport } from './model/borrower-report.js';
import { dailyBalanceSeries, type DailyBalance } from './model/daily-balance.js';
import { creditPerformance } from './model/credit-performance.js';
import { bucketFreshness, bucketLimits, gradeMix, median, shadowComparison, type PortfolioReport } from './model/portfolio-report.js';
import {
  ReportsRepository,
  type BorrowerListRow,
  type DecisionRow,
  type TransactionFilter,
  type TransactionRow,
} from './reports.repository.js';
import { AppConfig } from '../config/app-config.js';

export interface DrillDownQuery {
  decisionId?: string;
  month?: string;
  date?: string;
  stream?: string;
  lender?: string;
  feature?: string;
  category?: string;
  ids?: string;
}

export interface DrillDown {
  borrowerId: string;
  fullName: string;
  decisionId: string | null;
  /** What the list is ("Income stream S1 — ACME LTD"). */
  title: string;
  /** How the figure was built from these rows. */
  note: string;
  /** The figure the rows are behind, when there is one (kobo when `figureUnit` is `kobo`, else a count). */
  figureMinor: number | null;
  /** What `figureMinor` counts: money (kobo) or a plain count; null without a figure. */
  figureUnit: 'kobo' | 'count' | null;
  transactions: Array<TransactionRow & { countedInCashFlow: boolean }>;
  totals: { creditsMinor: number; debitsMinor: number; count: number };
}

/** Categories the cash-flow months leave out (the engine excludes them from inflow/outflow). */
const NOT_CASH_FLOW = new Set(['self_transfer', 'failed_debit']);
/** Engine features whose number is a count, not an amount (everything else numeric is kobo; strings are ratios). */
const COUNT_FEATURES = new Set([
  'outlier_credits_excluded',
  'loan_disbursements_90d',
  'failed_debits_90d',
  'data_integrity_findings',
  'negative_balance_days',
  'low_balance_days',
]);

/** A feature's value for a sentence: kobo as naira, counts as numbers, ratios as percentages. */
export function featureValueText(name: string, value: string | number | boolean | null): string {
  if (value === null) return 'none';
  if (typeof value === 'number') return COUNT_FEATURES.has(name) ? String(value) : formatNaira(value);
  if (typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value)) return `${new Decimal(value).times(100).toDecimalPlaces(2).toString()}%`;
  return String(value);
}
const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const TRANSACTION_CSV_COLUMNS: CsvColumn<TransactionRow>[] = [
  { header: 'transaction_id', value: (t) => t.id },
  { header: 'account_id', value: (t) => t.accountId },
  { header: 'booking_date', value: (t) => t.bookingDate },
  { header: 'posted_at', value: (t) => t.postedAt.toISOString() },
  { header: 'direction', value: (t) => t.direction },
  { header: 'amount_kobo', value: (t) => t.amountMinor },
  { header: 'amount_naira', value: (t) => nairaDecimal(t.amountMinor) },
  { header: 'signed_amount_kobo', value: (t) => (t.direction === 'credit' ? t.amountMinor : -t.amountMinor) },
  { header: 'balance_kobo', value: (t) => t.balanceMinor },
  { header: 'currency', value: (t) => t.currency },
  { header: 'category', value: (t) => t.category, text: true },
  { header: 'category_rule', value: (t) => t.categoryRule, text: true },
  { header: 'category_source', value: (t) => t.categorySource },
  { header: 'counterparty', value: (t) => t.counterparty, text: true },
  { header: 'narration', value: (t) => t.narration, text: true },
  { header: 'status', value: (t) => t.status },
];

/** Builds the analyst reports from stored rows: a report's figures are the stored decision's figures. */
@Injectable()
export class ReportsService {
  constructor(
    private readonly repo: ReportsRepository,
    private readonly clock: Clock,
    private readonly config: AppConfig,
  ) {}

  async borrowerReport(borrowerId: string, opts: { decisionId?: string } = {}): Promise<BorrowerReport> {
    return (await this.loadBorrowerReport(borrowerId, opts)).report;
  }

  /**
   * The borrower report as an Excel workbook: the report's sheets plus every transaction the decision saw (the
   * borrower's active transactions when there is no decision yet).
   */
  async borrowerWorkbook(borrowerId: string, opts: { decisionId?: string } = {}): Promise<Buffer> {
    const { report, transactions } = await this.loadBorrowerReport(borrowerId, opts);
    return renderBorrowerXlsx(report, report.decision ? transactions : await this.repo.listTransactions(borrowerId));
  }

  private async loadBorrowerReport(
    borrowerId: string,
    opts: { decisionId?: string },
  ): Promise<{ report: BorrowerReport; transactions: TransactionRow[] }> {
    assertUuid(borrowerId, 'borrower id');
    if (opts.decisionId !== undefined) assertUuid(opts.decisionId, 'decisionId');
    const borrower = await this.repo.findBorrower(borrowerId);
    if (!borrower) throw new NotFoundError('Borrower', borrowerId);
    const accounts = await this.repo.findAccounts(borrowerId);
    const decision = await this.repo.findDecision(borrowerId, opts.decisionId);
    if (opts.decisionId && !decision) throw new NotFoundError('Decision', opts.decisionId);
    const history = await this.repo.listDecisions(borrowerId);
    const findings = await this.repo.findOpenFindings(accounts.map((a) => a.id));
    let transactionsById = new Map<string, TransactionRow>();
    let dailyBalances: DailyBalance[] = [];
    let policy: Policy | null = null;
    let seenRows: TransactionRow[] = [];
    if (decision) {
      policy = await this.repo.findDecisionPolicy(decision.result.inputsHash);
      const seen = await this.transactionsSeenBy(borrowerId, decision);
      seenRows = seen;
      transactionsById = new Map(seen.map((t) => [t.id, t]));
      const streamIds = decision.result.income.streams.flatMap((s) => s.transactionIds).filter((id) => !transactionsById.has(id));
      if (streamIds.length) {
        for (const t of await this.repo.listTransactions(borrowerId, { ids: streamIds, activeOnly: false })) transactionsById.set(t.id, t);
      }
      dailyBalances = dailyBalanceSeries(
        seen.map((t) => ({
          accountId: t.accountId,
          date: t.bookingDate,
          direction: t.direction,
          amountMinor: t.amountMinor,
          balanceMinor: t.balanceMinor,
        })),
        new Map(accounts.map((a) => [a.id, a.balanceMinor])),
        decision.result.asOf,
        decision.result.cashFlow.balanceWindowDays,
      );
    }
    const report = buildBorrowerReport({
      now: this.clock.now(),
      borrower,
      accounts,
      decision,
      history,
      findings,
      transactionsById,
      dailyBalances,
      policy,
      transactions: seenRows,
      notes: decision ? await this.repo.listNotes(decision.id) : [],
      incomeChecks: decision ? await this.repo.findIncomeChecks(decision.id) : [],
      incomeCrosscheckTolerancePct: this.config.mono.incomeCrosscheck.tolerancePct,
    });
    return { report, transactions: seenRows };
  }

  /** The borrower's active transactions as RFC 4180 CSV (kobo and naira columns). */
  async transactionsCsv(borrowerId: string): Promise<string> {
    assertUuid(borrowerId, 'borrower id');
    const borrower = await this.repo.findBorrower(borrowerId);
    if (!borrower) throw new NotFoundError('Borrower', borrowerId);
    return toCsv(TRANSACTION_CSV_COLUMNS, await this.repo.listTransactions(borrowerId));
  }

  /** The transactions behind a figure of a decision (exactly the ids the engine stored, where it stored them). */
  async drillDown(borrowerId: string, q: DrillDownQuery): Promise<DrillDown> {
    assertUuid(borrowerId, 'borrower id');
    if (q.decisionId) assertUuid(q.decisionId, 'decisionId');
    const borrower = await this.repo.findBorrower(borrowerId);
    if (!borrower) throw new NotFoundError('Borrower', borrowerId);
    const decision = await this.repo.findDecision(borrowerId, q.decisionId || undefined);
    if (q.decisionId && !decision) throw new NotFoundError('Decision', q.decisionId);
    const r = decision?.result;
    let title: string;
    let note: string;
    let figureMinor: number | null = null;
    let figureUnit: DrillDown['figureUnit'] = null;
    let filter: TransactionFilter;
    if (q.stream) {
      const s = r?.income.streams.find((x) => x.id === q.stream);
      if (!s) throw new NotFoundError('Income stream', q.stream);
      title = `Income stream ${s.id} — ${s.label}`;
      note = `The ${s.occurrences} payments the engine grouped into this ${s.frequency} stream (${s.status}); monthly amount ${formatNaira(s.monthlyAmountMinor)}, counted ${formatNaira(s.countedMonthlyMinor)}.`;
      figureMinor = s.monthlyAmountMinor;
      filter = { ids: s.transactionIds, activeOnly: false };
    } else if (q.lender) {
      const l = r?.obligations.lenders.find((x) => x.lender === q.lender);
      if (!l) throw new NotFoundError('Lender', q.lender);
      title = `Repayments to ${l.lender}`;
      note = `${l.payments90d} repayments in the last 90 days; monthly obligation ${formatNaira(l.monthlyMinor)}.`;
      figureMinor = l.monthlyMinor;
      filter = { ids: l.transactionIds, activeOnly: false };
    } else if (q.feature) {
      const f = r?.features.find((x) => x.name === q.feature);
      if (!f) throw new NotFoundError('Feature', q.feature);
      title = `Feature ${f.name}`;
      note = `Value ${featureValueText(f.name, f.value)}; built from the ${f.transactionIds.length} transactions below.`;
      figureMinor = typeof f.value === 'number' ? f.value : null;
      figureUnit = typeof f.value === 'number' ? (COUNT_FEATURES.has(f.name) ? 'count' : 'kobo') : null;
      filter = { ids: f.transactionIds, activeOnly: false };
    } else if (q.month) {
      if (!MONTH.test(q.month)) throw new DomainError('VALIDATION_FAILED', 'month must be YYYY-MM', { field: 'month' });
      const m = r?.cashFlow.months.find((x) => x.month === q.month);
      title = `Transactions in ${q.month}`;
      note = m
        ? `The engine counted inflow ${formatNaira(m.inflowMinor)} and outflow ${formatNaira(m.outflowMinor)} (net ${formatNaira(m.netMinor)}); self-transfers and failed debits are left out and reversals are netted against the other side.`
        : 'This month is not one of the decision’s analysed months.';
      figureMinor = m?.netMinor ?? null;
      filter = decision ? { month: q.month, seenBy: decision.createdAt, before: r!.asOf.slice(0, 10) } : { month: q.month };
    } else if (q.date) {
      if (!DATE.test(q.date)) throw new DomainError('VALIDATION_FAILED', 'date must be YYYY-MM-DD', { field: 'date' });
      title = `Transactions on ${q.date}`;
      note = 'Every transaction booked that day on any linked account.';
      filter = decision ? { date: q.date, seenBy: decision.createdAt } : { date: q.date };
    } else if (q.category) {
      if (!/^[a-z_]{1,32}$/.test(q.category)) throw new DomainError('VALIDATION_FAILED', 'unknown category', { field: 'category' });
      title = `Category ${q.category}`;
      note = 'Active transactions currently in this category (analyst overrides included).';
      filter = { category: q.category };
    } else if (q.ids) {
      const ids = q.ids
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
        .slice(0, 1000);
      for (const id of ids) assertUuid(id, 'ids');
      title = `${ids.length} selected transaction${ids.length === 1 ? '' : 's'}`;
      note = 'The transactions behind the selected figure.';
      filter = { ids, activeOnly: false };
    } else {
      throw new DomainError('VALIDATION_FAILED', 'Give one of month, date, stream, lender, feature, category or ids', { field: 'query' });
    }
    const rows = await this.repo.listTransactions(borrowerId, filter);
    const transactions = rows.map((t) => ({ ...t, countedInCashFlow: !NOT_CASH_FLOW.has(t.category) }));
    return {
      borrowerId,
      fullName: borrower.fullName,
      decisionId: decision?.id ?? null,
      title,
      note,
      figureMinor,
      figureUnit: figureMinor === null ? null : (figureUnit ?? 'kobo'),
      transactions,
      totals: {
        creditsMinor: rows.filter((t) => t.direction === 'credit').reduce((s, t) => s + t.amountMinor, 0),
        debitsMinor: rows.filter((t) => t.direction === 'debit').reduce((s, t) => s + t.amountMinor, 0),
        count: rows.length,
      },
    };
  }

  async listBorrowers(
    search: string,
    page: number,
    pageSize = 25,
  ): Promise<{ rows: Array<BorrowerListRow & { freshnessHours: number | null }>; total: number; page: number; pages: number }> {
    const p = Math.max(1, Math.floor(page) || 1);
    const { rows, total } = await this.repo.searchBorrowers(search.trim().slice(0, 100), (p - 1) * pageSize, pageSize);
    const now = this.clock.now().getTime();
    return {
      rows: rows.map((r) => ({
        ...r,
        freshnessHours: r.oldestSyncAt ? Math.max(0, Math.floor((now - r.oldestSyncAt.getTime()) / 3_600_000)) : null,
      })),
      total,
      page: p,
      pages: Math.max(1, Math.ceil(total / pageSize)),
    };
  }

  async portfolio(range: { from?: string; to?: string }): Promise<PortfolioReport> {
    const now = this.clock.now();
    const { from, to, fromDate, toDate } = parseRange(range, now);
    const unit = (toDate.getTime() - fromDate.getTime()) / 86_400_000 <= 92 ? 'week' : 'month';
    const byPeriod = await this.repo.decisionsByPeriod(fromDate, toDate, unit);
    const periods = new Map<string, { period: string; approve: number; decline: number; refer: number; total: number }>();
    for (const row of byPeriod) {
      const p = periods.get(row.period) ?? { period: row.period, approve: 0, decline: 0, refer: 0, total: 0 };
      if (row.decision === 'approve' || row.decision === 'decline' || row.decision === 'refer') p[row.decision] += row.count;
      p.total += row.count;
      periods.set(row.period, p);
    }
    const decisionsOverTime = [...periods.values()].sort((a, b) => (a.period < b.period ? -1 : 1));
    const latest = await this.repo.latestDecisionsInWindow(fromDate, toDate);
    const limits = latest.map((l) => l.limitMinor);
    const cycles = new Map<string, PortfolioReport['reunderwriting']['cycles'][number]>();
    const changes = await this.repo.limitChangesByCycle(fromDate, toDate);
    for (const c of changes) {
      const e = cycles.get(c.cycleId) ?? {
        cycleId: c.cycleId,
        startedAt: c.startedAt?.toISOString() ?? null,
        raised: 0,
        lowered: 0,
        frozen: 0,
        other: 0,
      };
      if (c.action === 'raised' || c.action === 'lowered' || c.action === 'frozen') e[c.action] += c.count;
      else e.other += c.count;
      cycles.set(c.cycleId, e);
    }
    const reunderwritingAvailable = await this.repo.limitChangesAvailable();
    const backlog = await this.repo.reauthBacklog();
    const freshness = await this.repo.accountFreshness(now);
    const outcomes = await this.repo.syncRunOutcomes(fromDate, toDate);
    const recentFailures = await this.repo.recentSyncFailures(fromDate, toDate, 50);
    // The book as of now (or the window's end when it is in the past): every loan disbursed by then.
    const bookAsOf = toDate.getTime() < now.getTime() ? new Date(toDate.getTime() - 1) : now;
    const credit = creditPerformance(await this.repo.creditBook(bookAsOf), await this.repo.applicationFunnel(fromDate, toDate), {
      fromMonth: from.slice(0, 7),
      toMonth: to.slice(0, 7),
      asOf: bookAsOf.toISOString(),
    });
    return {
      generatedAt: now.toISOString(),
      from,
      to,
      unit,
      decisionsOverTime,
      totals: {
        decisions: decisionsOverTime.reduce((s, p) => s + p.total, 0),
        approve: decisionsOverTime.reduce((s, p) => s + p.approve, 0),
        decline: decisionsOverTime.reduce((s, p) => s + p.decline, 0),
        refer: decisionsOverTime.reduce((s, p) => s + p.refer, 0),
        borrowersDecided: latest.length,
      },
      limits: {
        buckets: bucketLimits(limits),
        borrowersWithLimit: limits.filter((l) => l > 0).length,
        medianMinor: median(limits.filter((l) => l > 0)),
        totalMinor: limits.reduce((s, l) => s + l, 0),
      },
      reunderwriting: { available: reunderwritingAvailable, cycles: [...cycles.values()] },
      reauthBacklog: backlog.map((b) => ({
        ...b,
        since: b.since.toISOString(),
        days: Math.max(0, Math.floor((now.getTime() - b.since.getTime()) / 86_400_000)),
      })),
      freshness: { buckets: bucketFreshness(freshness), accounts: freshness.length },
      syncs: {
        outcomes,
        failures: outcomes.filter((o) => o.status === 'failed' || o.status === 'timed_out').reduce((s, o) => s + o.count, 0),
        recentFailures: recentFailures.map((f) => ({ ...f, at: f.at.toISOString() })),
      },
      topReasons: await this.repo.reasonCodeCounts(fromDate, toDate, 10),
      grades: gradeMix(
        latest.map((l) => ({
          grade: riskGrade({ decision: l.decision as 'approve' | 'refer' | 'decline', flags: l.flags, limit: { postLoanDsr: l.postLoanDsr, components: { dsrCap: l.dsrCap ?? '0' } } }).grade,
          limitMinor: l.limitMinor,
        })),
        RISK_GRADES,
      ),
      credit,
      shadow: shadowComparison(await this.repo.shadowPairs(fromDate, toDate)),
    };
  }

  /** The portfolio report flattened to one RFC 4180 table: section, key, label, value. */
  portfolioCsv(p: PortfolioReport): string {
    type Row = { section: string; key: string; label: string; value: number | string | null };
    const rows: Row[] = [];
    for (const d of p.decisionsOverTime) {
      for (const outcome of ['approve', 'decline', 'refer'] as const)
        rows.push({ section: 'decisions', key: d.period, label: outcome, value: d[outcome] });
    }
    for (const b of p.limits.buckets) rows.push({ section: 'limits', key: b.label, label: 'borrowers', value: b.count });
    for (const c of p.reunderwriting.cycles) {
      for (const action of ['raised', 'lowered', 'frozen'] as const)
        rows.push({ section: 'reunderwriting', key: c.cycleId, label: action, value: c[action] });
    }
    for (const b of p.reauthBacklog)
      rows.push({ section: 'reauth_backlog', key: b.accountId, label: `${b.externalId} since ${b.since}`, value: b.days });
    for (const b of p.freshness.buckets) rows.push({ section: 'freshness', key: b.label, label: 'accounts', value: b.count });
    for (const o of p.syncs.outcomes) rows.push({ section: 'sync_runs', key: o.status, label: 'runs', value: o.count });
    for (const r of p.topReasons) rows.push({ section: 'top_reasons', key: r.code, label: 'decisions', value: r.count });
    for (const g of p.grades) {
      rows.push({ section: 'risk_grades', key: g.grade, label: 'borrowers', value: g.borrowers });
      rows.push({ section: 'risk_grades', key: g.grade, label: 'total_limit_minor', value: g.totalLimitMinor });
    }
    const c = p.credit;
    rows.push({ section: 'credit_exposure', key: c.asOf, label: 'open_loans', value: c.exposure.openLoans });
    rows.push({ section: 'credit_exposure', key: c.asOf, label: 'outstanding_principal_minor', value: c.exposure.outstandingPrincipalMinor });
    rows.push({ section: 'credit_exposure', key: c.asOf, label: 'par30', value: c.par30 });
    rows.push({ section: 'credit_exposure', key: c.asOf, label: 'par90', value: c.par90 });
    for (const b of c.buckets) {
      rows.push({ section: 'credit_arrears', key: b.key, label: 'loans', value: b.loans });
      rows.push({ section: 'credit_arrears', key: b.key, label: 'outstanding_principal_minor', value: b.outstandingPrincipalMinor });
    }
    for (const m of c.months)
      for (const k of ['disbursedLoans', 'disbursedPrincipalMinor', 'collectedMinor', 'principalRepaidMinor', 'writtenOffPrincipalMinor', 'outstandingPrincipalMinor', 'par30'] as const)
        rows.push({ section: 'credit_months', key: m.month, label: k, value: m[k] });
    for (const r of c.rollRates)
      for (const [from, share] of Object.entries(r.rollForward)) rows.push({ section: 'credit_roll_forward', key: `${r.from}..${r.to}`, label: from, value: share });
    for (const v of c.vintages)
      for (const pt of v.points) rows.push({ section: 'credit_vintage_ever30', key: v.cohort, label: `mob ${pt.monthsOnBook}`, value: pt.ever30Share });
    for (const [section, list] of [
      ['credit_funnel_decision', c.funnel.byDecision],
      ['credit_funnel_policy', c.funnel.byPolicy],
    ] as const)
      for (const f of list)
        for (const k of ['applications', 'decided', 'loans', 'repaid', 'current', 'late', 'dpd30Plus', 'writtenOff', 'badRate'] as const)
          rows.push({ section, key: f.key, label: k, value: f[k] });
    return toCsv<Row>(
      [
        { header: 'section', value: (r) => r.section },
        { header: 'key', value: (r) => r.key, text: true },
        { header: 'label', value: (r) => r.label, text: true },
        { header: 'value', value: (r) => r.value },
      ],
      rows,
    );
  }

  private async transactionsSeenBy(borrowerId: string, decision: DecisionRow): Promise<TransactionRow[]> {
    return this.repo.listTransactions(borrowerId, { seenBy: decision.createdAt, before: decision.result.asOf.slice(0, 10) });
  }
}

function assertUuid(value: string, field: string): void {
  if (!UUID.test(value)) throw new DomainError('VALIDATION_FAILED', `${field} must be a uuid`, { field });
}

/** `from`/`to` are Lagos calendar dates, `to` inclusive; default the last 90 days. */
export function parseRange(range: { from?: string; to?: string }, now: Date): { from: string; to: string; fromDate: Date; toDate: Date } {
  const lagosToday = new Date(now.getTime() + 3_600_000).toISOString().slice(0, 10);
  const to = range.to ?? lagosToday;
  const from = range.from ?? new Date(Date.parse(`${to}T00:00:00Z`) - 89 * 86_400_000).toISOString().slice(0, 10);
  for (const [field, v] of [
    ['from', from],
    ['to', to],
  ] as const) {
    if (!DATE.test(v) || Number.isNaN(Date.parse(`${v}T00:00:00Z`)))
      throw new DomainError('VALIDATION_FAILED', `${field} must be YYYY-MM-DD`, { field });
  }
  if (from > to) throw new DomainError('VALIDATION_FAILED', 'from must not be after to', { field: 'from' });
  // Lagos is UTC+1 all year (no DST).
  const fromDate = new Date(Date.parse(`${from}T00:00:00+01:00`));
  const toDate = new Date(Date.parse(`${to}T00:00:00+01:00`) + 86_400_000);
  return { from, to, fromDate, toDate };
}
