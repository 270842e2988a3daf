import type { CounterOffer, EngineResult, IncomeStream, Reason } from './types.js';

/**
 * The stable, public shape of an underwriting result (the offline CLI's `--json` output and the service's
 * response body). All amounts are integer kobo; ratios are decimal strings. Fields are only ever added.
 */
export interface UnderwritingOutput {
  decision: EngineResult['decision'];
  recommendedLimit: number;
  tenorMonths: number;
  monthlyRate: string;
  instalment: number;
  maxInstalment: number;
  bindingConstraint: EngineResult['limit']['bindingConstraint'];
  postLoanDsr: string | null;
  requested: { amount: number; tenorMonths: number; instalment: number; postLoanDsr: string | null; affordable: boolean } | null;
  counterOffer: { amount: number; tenorMonths: number; instalment: number } | null;
  income: {
    monthlyEstimate: number;
    verifiedMonthly: number;
    regularMonthly: number;
    irregularMonthly: number;
    streams: OutputStream[];
    /** Credits from individuals not counted as income (policy 1.1.0+); null under a policy without the rule. */
    personToPersonExcluded: { amount: number; payers: number; credits: number; businessPattern: boolean } | null;
  };
  obligations: {
    monthlyTotal: number;
    lenderCount: number;
    lenders: { lender: string; monthly: number; payments90d: number; lastDate: string }[];
    disbursements30d: { count: number; total: number };
    disbursements90d: { count: number; total: number; lenders: string[] };
  };
  cashFlow: {
    months: { month: string; inflow: number; outflow: number; net: number }[];
    averageDailyBalance: number | null;
    minimumDailyBalance: number | null;
    negativeBalanceDays: number;
    lowBalanceDays: number;
    balanceWindowDays: number;
    volatility: string;
    trend: 'improving' | 'stable' | 'declining';
    trendSlopePerMonth: number;
    medianMonthlyInflow: number;
    medianEssentialOutflow: number;
    freeCashFlow: number;
  };
  risk: {
    gamblingShare: string;
    gamblingShareOfTotalCredits: string;
    passThrough: boolean;
    failedDebits90d: number;
    dataIntegrityFindings: number;
    stale: boolean;
    nameMatch: boolean | null;
    /** Balance negative on more than the policy share of the window's days (policy 1.1.0+); null without the rule. */
    chronicOverdraft: { detected: boolean; negativeDays: number; windowDays: number; accountId: string | null } | null;
  };
  flags: string[];
  reasons: Reason[];
  coverage: {
    months: number;
    completeMonthList: string[];
    firstDate: string | null;
    lastDate: string | null;
    daysAvailable: number;
    transactionCount: number;
  };
  asOf: string;
  policyVersion: string;
  engineVersion: string;
  inputsHash: string;
}

export interface OutputStream {
  id: string;
  label: string;
  frequency: IncomeStream['frequency'];
  status: IncomeStream['status'];
  maturity: IncomeStream['maturity'];
  isSalary: boolean;
  monthlyAmount: number;
  typicalAmount: number;
  weight: string;
  confidence: string;
  confidenceComponents: IncomeStream['confidenceComponents'];
  occurrences: number;
  firstDate: string;
  lastDate: string;
  predictedNextDate: string | null;
  amountChanged: IncomeStream['amountChanged'];
  /** A salary past its predicted date (policy 1.1.0+): `{ expectedDate, businessDaysLate }`, else null. */
  missed: { expectedDate: string; businessDaysLate: number } | null;
  transactionIds: string[];
}

function offer(c: CounterOffer | null): UnderwritingOutput['counterOffer'] {
  return c === null ? null : { amount: c.amountMinor, tenorMonths: c.tenorMonths, instalment: c.instalmentMinor };
}

/** Pure mapping from the engine's full result to the stable output shape. */
export function toUnderwritingOutput(r: EngineResult): UnderwritingOutput {
  const l = r.limit;
  const p2p = r.income.excluded.personToPerson;
  const co = r.risk.chronicOverdraft;
  return {
    decision: r.decision,
    recommendedLimit: l.recommendedMinor,
    tenorMonths: l.tenorMonths,
    monthlyRate: l.monthlyRate,
    instalment: l.instalmentMinor,
    maxInstalment: l.maxInstalmentMinor,
    bindingConstraint: l.bindingConstraint,
    postLoanDsr: l.postLoanDsr,
    requested:
      l.requested === null
        ? null
        : {
            amount: l.requested.amountMinor,
            tenorMonths: l.requested.tenorMonths,
            instalment: l.requested.instalmentMinor,
            postLoanDsr: l.requested.postLoanDsr,
            affordable: l.requested.affordable,
          },
    counterOffer: offer(l.counterOffer),
    income: {
      monthlyEstimate: r.income.estimatedMonthlyMinor,
      verifiedMonthly: r.income.verifiedMonthlyMinor,
      regularMonthly: r.income.regularMonthlyMinor,
      irregularMonthly: r.income.irregularMonthlyMinor,
      streams: r.income.streams.map((s) => ({
        id: s.id,
        label: s.label,
        frequency: s.frequency,
        status: s.status,
        maturity: s.maturity,
        isSalary: s.isSalary,
        monthlyAmount: s.monthlyAmountMinor,
        typicalAmount: s.typicalAmountMinor,
        weight: s.weight,
        confidence: s.confidence,
        confidenceComponents: s.confidenceComponents,
        occurrences: s.occurrences,
        firstDate: s.firstDate,
        lastDate: s.lastDate,
        predictedNextDate: s.predictedNextDate,
        amountChanged: s.amountChanged,
        missed: s.missed ?? null,
        transactionIds: s.transactionIds,
      })),
      personToPersonExcluded: p2p
        ? { amount: p2p.amountMinor, payers: p2p.payers, credits: p2p.transactionIds.length, businessPattern: p2p.businessPattern }
        : null,
    },
    obligations: {
      monthlyTotal: r.obligations.monthlyTotalMinor,
      lenderCount: r.obligations.lenderCount,
      lenders: r.obligations.lenders.map((x) => ({
        lender: x.lender,
        monthly: x.monthlyMinor,
        payments90d: x.payments90d,
        lastDate: x.lastDate,
      })),
      disbursements30d: { count: r.obligations.disbursements.last30d.count, total: r.obligations.disbursements.last30d.totalMinor },
      disbursements90d: {
        count: r.obligations.disbursements.last90d.count,
        total: r.obligations.disbursements.last90d.totalMinor,
        lenders: r.obligations.disbursements.last90d.lenders,
      },
    },
    cashFlow: {
      months: r.cashFlow.months.map((m) => ({ month: m.month, inflow: m.inflowMinor, outflow: m.outflowMinor, net: m.netMinor })),
      averageDailyBalance: r.cashFlow.averageDailyBalanceMinor,
      minimumDailyBalance: r.cashFlow.minimumDailyBalanceMinor,
      negativeBalanceDays: r.cashFlow.negativeBalanceDays,
      lowBalanceDays: r.cashFlow.lowBalanceDays,
      balanceWindowDays: r.cashFlow.balanceWindowDays,
      volatility: r.cashFlow.inflowVolatility,
      trend: r.cashFlow.trend.direction,
      trendSlopePerMonth: r.cashFlow.trend.slopeMinorPerMonth,
      medianMonthlyInflow: r.cashFlow.medianMonthlyInflowMinor,
      medianEssentialOutflow: r.cashFlow.medianEssentialOutflowMinor,
      freeCashFlow: r.cashFlow.freeCashFlowMinor,
    },
    risk: {
      gamblingShare: r.risk.gambling.share,
      gamblingShareOfTotalCredits: r.risk.gambling.shareOfTotalCredits,
      passThrough: r.risk.passThrough.detected,
      failedDebits90d: r.risk.failedDebits.count90d,
      dataIntegrityFindings: r.risk.dataIntegrity.balanceBreaks,
      stale: r.risk.staleData.stale,
      nameMatch: r.risk.nameMatch.checked ? r.risk.nameMatch.matched : null,
      chronicOverdraft: co
        ? { detected: co.detected, negativeDays: co.negativeDays, windowDays: co.windowDays, accountId: co.accountId }
        : null,
    },
    flags: r.flags,
    reasons: r.reasons,
    coverage: {
      months: r.coverage.completeMonths,
      completeMonthList: r.coverage.completeMonthList,
      firstDate: r.coverage.firstDate,
      lastDate: r.coverage.lastDate,
      daysAvailable: r.coverage.daysAvailable,
      transactionCount: r.coverage.transactionCount,
    },
    asOf: r.asOf,
    policyVersion: r.policyVersion,
    engineVersion: r.engineVersion,
    inputsHash: r.inputsHash,
  };
}
