import { formatNaira, riskGrade, shortDate, type Policy, type Reason, type RiskGradeResult } from '../../scoring/engine/index.js';
import type { AccountRow, BorrowerRow, DecisionRow, FindingRow, NoteRow, TransactionRow } from '../reports.repository.js';
import type { DailyBalance } from './daily-balance.js';
import { buildIncomeCrosscheck, type IncomeCheckRow, type ReportIncomeCrosscheck } from './income-crosscheck.js';
import { buildLimitChain, type LimitChain } from './limit-chain.js';
import { maskEmail, maskIdentifier } from './mask.js';
import { buildStatementAnalysis, type StatementAnalysis } from './statement-analysis.js';

/** The borrower report as plain JSON (the HTML page, the PDF and the API all render this one model). */
export interface BorrowerReport {
  generatedAt: string;
  borrower: {
    id: string;
    externalId: string;
    fullName: string;
    email: string;
    phone: string | null;
    bvn: string | null;
    createdAt: string;
  };
  accounts: ReportAccount[];
  decision: ReportDecision | null;
  income: ReportIncome | null;
  cashFlow: ReportCashFlow | null;
  obligations: ReportObligations | null;
  /** Statement analyses over the transactions the decision saw (month table, categories, counterparties, recurring debits). */
  analysis: StatementAnalysis | null;
  flags: ReportFlags;
  history: ReportHistoryEntry[];
  /** The analyst's note on this decision: every version, newest first ([] without a decision or a note). */
  notes: ReportNote[];
}

export interface ReportNote {
  version: number;
  body: string;
  author: string;
  createdAt: string;
}

export interface ReportAccount {
  id: string;
  institution: string | null;
  accountNumber: string | null;
  accountType: string | null;
  currency: string;
  balanceMinor: number | null;
  dataStatus: string;
  lastSyncedAt: string | null;
  /** Whole hours between the last sync and the report time; null when never synced. */
  freshnessHours: number | null;
  reauthRequired: boolean;
  reauthRequiredSince: string | null;
  coverage: Record<string, unknown> | null;
}

export interface ReportDecision {
  id: string;
  createdAt: string;
  trigger: string;
  actor: string | null;
  decision: string;
  /** Risk grade A–E with every point that made it (docs/scoring.md "Risk grade"). */
  grade: RiskGradeResult;
  currency: string;
  recommendedLimitMinor: number;
  instalmentMinor: number;
  tenorMonths: number;
  maxInstalmentMinor: number;
  bindingConstraint: string;
  postLoanDsr: string | null;
  requested: { amountMinor: number; tenorMonths: number | null } | null;
  counterOffer: { amountMinor: number; tenorMonths: number; instalmentMinor: number } | null;
  reasons: Array<Reason & { rank: number }>;
  /** How the limit was set: the engine's chain rebuilt from the stored result (see `model/limit-chain.ts`). */
  limitChain: LimitChain;
  asOf: string;
  dataAsOf: string;
  policyVersion: string;
  engineVersion: string;
  inputsHash: string;
  coverageMonths: number;
  /** The consent each account's data was held under at decision time; null when the decision predates the record. */
  consents: Array<{ accountId: string; consentId: string | null; purpose: string | null }> | null;
}

export interface ReportPayment {
  transactionId: string;
  date: string | null;
  amountMinor: number | null;
}

export interface ReportStream {
  key: string;
  label: string;
  counterparty: string;
  frequency: string;
  status: string;
  isSalary: boolean;
  monthlyAmountMinor: number;
  countedMonthlyMinor: number;
  confidence: string;
  firstDate: string;
  lastDate: string;
  predictedNextDate: string | null;
  /**
   * A salary past its predicted date (engine 1.2.0 / policy 1.1.0+): the analyst sees `note`, e.g. "expected 26 Nov,
   * not received". null when on time or for decisions made before the rule.
   */
  missed: { expectedDate: string; businessDaysLate: number; note: string } | null;
  transactionIds: string[];
  payments: ReportPayment[];
}

export interface ReportIncome {
  verifiedMonthlyMinor: number;
  regularMonthlyMinor: number;
  irregularMonthlyMinor: number;
  irregularTransactionIds: string[];
  excludedTransactionIds: string[];
  /**
   * Credits from individuals not counted as income (policy 1.1.0+; null for decisions made before the rule or when
   * none were left out): `note` is "credits from individuals not counted: ₦X from N people".
   */
  personToPerson: { amountMinor: number; payers: number; transactionIds: string[]; note: string } | null;
  streams: ReportStream[];
  /**
   * Mono's income estimate beside the verified income (MONO_INCOME_CROSSCHECK, `model/income-crosscheck.ts`); null
   * when the cross-check did not run for this decision (off, or a decision made before it).
   */
  monoCrosscheck: ReportIncomeCrosscheck | null;
}

export interface ReportCashFlow {
  months: Array<{ month: string; inflowMinor: number; outflowMinor: number; netMinor: number }>;
  averageDailyBalanceMinor: number | null;
  minimumDailyBalanceMinor: number | null;
  negativeBalanceDays: number;
  lowBalanceDays: number;
  lowBalanceThresholdMinor: number;
  balanceWindowDays: number;
  freeCashFlowMinor: number;
  trend: string;
  /** Rebuilt from the transactions the decision saw (the engine stores the summary only). */
  dailyBalances: DailyBalance[];
}

export interface ReportObligations {
  monthlyTotalMinor: number;
  lenderCount: number;
  lenders: Array<{
    lender: string;
    monthlyMinor: number;
    payments90d: number;
    total90dMinor: number;
    lastDate: string;
    transactionIds: string[];
  }>;
  disbursements: { last30dCount: number; last90dCount: number; last90dTotalMinor: number; lenders: string[]; transactionIds: string[] };
}

export interface ReportFlags {
  codes: string[];
  gambling: { stakesMinor: number; payoutsMinor: number; share: string; transactionIds: string[] } | null;
  stacking: { disbursements30d: number; lenders30d: string[]; activeLenders90d: number; transactionIds: string[] } | null;
  passThrough: { detected: boolean; share: string; topCounterparties: string[] } | null;
  /** Policy 1.1.0+ (null before): negative balance on more than the policy share of the window's days. */
  chronicOverdraft: {
    detected: boolean;
    negativeDays: number;
    windowDays: number;
    accountId: string | null;
    shareThreshold: string;
  } | null;
  integrity: {
    balanceBreaks: number;
    byKind: Record<string, number>;
    transactionIds: string[];
    openFindings: Array<{
      kind: string;
      accountId: string;
      date: string | null;
      transactionId: string | null;
      details: Record<string, unknown>;
    }>;
  };
}

export interface FigureChange {
  field: string;
  from: string | number | null;
  to: string | number | null;
}

export interface ReportHistoryEntry {
  id: string;
  createdAt: string;
  trigger: string;
  actor: string | null;
  decision: string;
  recommendedLimitMinor: number;
  instalmentMinor: number;
  bindingConstraint: string;
  postLoanDsr: string | null;
  verifiedMonthlyIncomeMinor: number;
  /** What changed against the previous decision (empty for the first). */
  changes: FigureChange[];
  reasonsAdded: string[];
  reasonsRemoved: string[];
  flagsAdded: string[];
  flagsRemoved: string[];
}

export interface BorrowerReportInputs {
  now: Date;
  borrower: BorrowerRow;
  accounts: AccountRow[];
  decision: DecisionRow | null;
  history: DecisionRow[];
  findings: FindingRow[];
  /** Transactions referenced by the decision's streams (id → row). */
  transactionsById: ReadonlyMap<string, TransactionRow>;
  dailyBalances: DailyBalance[];
  /** The decision's stored policy (null when its input is not available). */
  policy?: Policy | null;
  /** The transactions the decision saw (first seen before it, booked before asOf), oldest first. */
  transactions?: TransactionRow[];
  /** Every version of the decision's analyst note, newest first. */
  notes?: NoteRow[];
  /** The decision's Mono income cross-check rows (`mono_income_checks`), and the tolerance in percent. */
  incomeChecks?: IncomeCheckRow[];
  incomeCrosscheckTolerancePct?: number;
}

function iso(d: Date | null): string | null {
  return d ? d.toISOString() : null;
}

/** Key figures compared between consecutive decisions. */
function keyFigures(d: DecisionRow): Record<string, string | number | null> {
  const r = d.result;
  return {
    decision: d.decision,
    recommendedLimitMinor: d.recommendedLimitMinor,
    instalmentMinor: d.instalmentMinor,
    bindingConstraint: d.bindingConstraint,
    postLoanDsr: d.postLoanDsr,
    verifiedMonthlyIncomeMinor: r.income?.verifiedMonthlyMinor ?? null,
    incomeStreams: r.income?.streams?.filter((s) => s.status === 'ACTIVE').length ?? null,
    obligationsMonthlyMinor: r.obligations?.monthlyTotalMinor ?? null,
    lenderCount: r.obligations?.lenderCount ?? null,
    disbursements30d: r.obligations?.disbursements?.last30d?.count ?? null,
    negativeBalanceDays: r.cashFlow?.negativeBalanceDays ?? null,
    lowBalanceDays: r.cashFlow?.lowBalanceDays ?? null,
    gamblingShare: r.risk?.gambling?.share ?? null,
    coverageMonths: r.coverage?.completeMonths ?? null,
  };
}

/** Differences in key figures, reason codes and flags between two decisions. */
export function diffDecisions(
  prev: DecisionRow,
  next: DecisionRow,
): Pick<ReportHistoryEntry, 'changes' | 'reasonsAdded' | 'reasonsRemoved' | 'flagsAdded' | 'flagsRemoved'> {
  const a = keyFigures(prev);
  const b = keyFigures(next);
  const changes: FigureChange[] = [];
  for (const field of Object.keys(b)) {
    if (a[field] !== b[field]) changes.push({ field, from: a[field] ?? null, to: b[field] ?? null });
  }
  const codes = (d: DecisionRow): Set<string> => new Set(d.reasons.map((r) => r.code));
  const pc = codes(prev);
  const nc = codes(next);
  const pf = new Set(prev.flags);
  const nf = new Set(next.flags);
  return {
    changes,
    reasonsAdded: [...nc].filter((c) => !pc.has(c)).sort(),
    reasonsRemoved: [...pc].filter((c) => !nc.has(c)).sort(),
    flagsAdded: [...nf].filter((f) => !pf.has(f)).sort(),
    flagsRemoved: [...pf].filter((f) => !nf.has(f)).sort(),
  };
}

type PersonToPerson = NonNullable<DecisionRow['result']['income']['excluded']['personToPerson']>;

function personToPersonOf(p: PersonToPerson | undefined): ReportIncome['personToPerson'] {
  if (!p || p.amountMinor <= 0) return null;
  return {
    amountMinor: p.amountMinor,
    payers: p.payers,
    transactionIds: p.transactionIds,
    note: `credits from individuals not counted: ${formatNaira(p.amountMinor)} from ${p.payers} ${p.payers === 1 ? 'person' : 'people'}`,
  };
}

/** Pure: assembles the report from rows. Headline numbers come from the decision row's columns, detail from its `result`. */
export function buildBorrowerReport(i: BorrowerReportInputs): BorrowerReport {
  const { decision: d } = i;
  const r = d?.result ?? null;
  const now = i.now.getTime();
  const accounts: ReportAccount[] = i.accounts.map((a) => ({
    id: a.id,
    institution: a.institutionName,
    accountNumber: maskIdentifier(a.accountNumber),
    accountType: a.accountType,
    currency: a.currency,
    balanceMinor: a.balanceMinor,
    dataStatus: a.dataStatus,
    lastSyncedAt: iso(a.lastSyncedAt),
    freshnessHours: a.lastSyncedAt ? Math.max(0, Math.floor((now - a.lastSyncedAt.getTime()) / 3_600_000)) : null,
    reauthRequired: a.reauthRequired,
    reauthRequiredSince: iso(a.reauthRequiredAt),
    coverage: a.coverage,
  }));

  const decision: ReportDecision | null =
    d && r
      ? {
          id: d.id,
          createdAt: d.createdAt.toISOString(),
          trigger: d.trigger,
          actor: d.actor,
          decision: d.decision,
          grade: riskGrade({ decision: r.decision, flags: r.flags, limit: r.limit }),
          currency: d.currency.trim(),
          recommendedLimitMinor: d.recommendedLimitMinor,
          instalmentMinor: d.instalmentMinor,
          tenorMonths: r.limit.tenorMonths,
          maxInstalmentMinor: r.limit.maxInstalmentMinor,
          bindingConstraint: d.bindingConstraint,
          postLoanDsr: d.postLoanDsr,
          requested: d.requestedAmountMinor !== null ? { amountMinor: d.requestedAmountMinor, tenorMonths: d.requestedTenorMonths } : null,
          counterOffer: r.limit.counterOffer,
          reasons: d.reasons.map((reason, k) => ({ ...reason, rank: k + 1 })),
          limitChain: buildLimitChain(r, i.policy ?? null, d.recommendedLimitMinor),
          asOf: r.asOf,
          dataAsOf: d.dataAsOf.toISOString(),
          policyVersion: d.policyVersion,
          engineVersion: d.engineVersion,
          inputsHash: r.inputsHash,
          coverageMonths: r.coverage.completeMonths,
          consents: d.consents,
        }
      : null;

  const income: ReportIncome | null = r
    ? {
        verifiedMonthlyMinor: r.income.verifiedMonthlyMinor,
        regularMonthlyMinor: r.income.regularMonthlyMinor,
        irregularMonthlyMinor: r.income.irregularMonthlyMinor,
        irregularTransactionIds: r.income.irregular.transactionIds,
        excludedTransactionIds: [
          ...r.income.excluded.neverIncomeTransactionIds,
          ...r.income.excluded.outlierTransactionIds,
          ...(r.income.excluded.personToPerson?.transactionIds ?? []),
        ],
        personToPerson: personToPersonOf(r.income.excluded.personToPerson),
        monoCrosscheck: buildIncomeCrosscheck(i.incomeChecks ?? [], r.income, i.incomeCrosscheckTolerancePct ?? 15, i.now),
        streams: r.income.streams.map((s) => ({
          key: s.id,
          label: s.label,
          counterparty: s.counterparty,
          frequency: s.frequency,
          status: s.status,
          isSalary: s.isSalary,
          monthlyAmountMinor: s.monthlyAmountMinor,
          countedMonthlyMinor: s.countedMonthlyMinor,
          confidence: s.confidence,
          firstDate: s.firstDate,
          lastDate: s.lastDate,
          predictedNextDate: s.predictedNextDate,
          missed: s.missed ? { ...s.missed, note: `expected ${shortDate(s.missed.expectedDate)}, not received` } : null,
          transactionIds: s.transactionIds,
          payments: s.transactionIds
            .map((id) => {
              const t = i.transactionsById.get(id);
              return { transactionId: id, date: t?.bookingDate ?? null, amountMinor: t?.amountMinor ?? null };
            })
            .sort((x, y) => ((x.date ?? '') < (y.date ?? '') ? -1 : (x.date ?? '') > (y.date ?? '') ? 1 : 0)),
        })),
      }
    : null;

  const cashFlow: ReportCashFlow | null = r
    ? {
        months: r.cashFlow.months.map((m) => ({
          month: m.month,
          inflowMinor: m.inflowMinor,
          outflowMinor: m.outflowMinor,
          netMinor: m.netMinor,
        })),
        averageDailyBalanceMinor: r.cashFlow.averageDailyBalanceMinor,
        minimumDailyBalanceMinor: r.cashFlow.minimumDailyBalanceMinor,
        negativeBalanceDays: r.cashFlow.negativeBalanceDays,
        lowBalanceDays: r.cashFlow.lowBalanceDays,
        lowBalanceThresholdMinor: r.cashFlow.lowBalanceThresholdMinor,
        balanceWindowDays: r.cashFlow.balanceWindowDays,
        freeCashFlowMinor: r.cashFlow.freeCashFlowMinor,
        trend: r.cashFlow.trend.direction,
        dailyBalances: i.dailyBalances,
      }
    : null;

  const obligations: ReportObligations | null = r
    ? {
        monthlyTotalMinor: r.obligations.monthlyTotalMinor,
        lenderCount: r.obligations.lenderCount,
        lenders: r.obligations.lenders.map((l) => ({ ...l })),
        disbursements: {
          last30dCount: r.obligations.disbursements.last30d.count,
          last90dCount: r.obligations.disbursements.last90d.count,
          last90dTotalMinor: r.obligations.disbursements.last90d.totalMinor,
          lenders: r.obligations.disbursements.last90d.lenders,
          transactionIds: r.obligations.disbursements.transactionIds,
        },
      }
    : null;

  const flags: ReportFlags = {
    codes: d?.flags ?? [],
    gambling: r ? { ...r.risk.gambling } : null,
    stacking: r
      ? {
          disbursements30d: r.obligations.disbursements.last30d.count,
          lenders30d: r.obligations.disbursements.last30d.lenders,
          activeLenders90d: r.obligations.activeLenders90d,
          transactionIds: r.obligations.disbursements.transactionIds,
        }
      : null,
    passThrough: r
      ? { detected: r.risk.passThrough.detected, share: r.risk.passThrough.share, topCounterparties: r.risk.passThrough.topCounterparties }
      : null,
    chronicOverdraft: r?.risk.chronicOverdraft
      ? {
          detected: r.risk.chronicOverdraft.detected,
          negativeDays: r.risk.chronicOverdraft.negativeDays,
          windowDays: r.risk.chronicOverdraft.windowDays,
          accountId: r.risk.chronicOverdraft.accountId,
          shareThreshold: r.risk.chronicOverdraft.shareThreshold,
        }
      : null,
    integrity: {
      balanceBreaks: r?.risk.dataIntegrity.balanceBreaks ?? 0,
      byKind: r?.risk.dataIntegrity.byKind ?? {},
      transactionIds: r?.risk.dataIntegrity.transactionIds ?? [],
      openFindings: i.findings.map((f) => ({
        kind: f.kind,
        accountId: f.accountId,
        date: f.bookingDate,
        transactionId: f.transactionId,
        details: f.details,
      })),
    },
  };

  const history: ReportHistoryEntry[] = i.history.map((h, k) => {
    const diff =
      k > 0
        ? diffDecisions(i.history[k - 1], h)
        : { changes: [], reasonsAdded: h.reasons.map((x) => x.code), reasonsRemoved: [], flagsAdded: [...h.flags], flagsRemoved: [] };
    return {
      id: h.id,
      createdAt: h.createdAt.toISOString(),
      trigger: h.trigger,
      actor: h.actor,
      decision: h.decision,
      recommendedLimitMinor: h.recommendedLimitMinor,
      instalmentMinor: h.instalmentMinor,
      bindingConstraint: h.bindingConstraint,
      postLoanDsr: h.postLoanDsr,
      verifiedMonthlyIncomeMinor: h.result.income?.verifiedMonthlyMinor ?? 0,
      ...diff,
    };
  });

  return {
    generatedAt: i.now.toISOString(),
    borrower: {
      id: i.borrower.id,
      externalId: i.borrower.externalId,
      fullName: i.borrower.fullName,
      email: maskEmail(i.borrower.email),
      phone: maskIdentifier(i.borrower.phone),
      bvn: maskIdentifier(i.borrower.bvn),
      createdAt: i.borrower.createdAt.toISOString(),
    },
    accounts,
    decision,
    income,
    cashFlow,
    obligations,
    analysis: r
      ? buildStatementAnalysis(
          i.transactions ?? [],
          new Map(i.accounts.map((a) => [a.id, a.balanceMinor])),
          r.asOf,
          r.cashFlow.months,
        )
      : null,
    flags,
    history: history.reverse(),
    notes: (i.notes ?? []).map((n) => ({ version: n.version, body: n.body, author: n.author, createdAt: n.createdAt.toISOString() })),
  };
}
