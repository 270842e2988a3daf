import { canonicalJson, hashInput, prepareTransactions } from './canonical.js';
import { computeCashFlow } from './cashflow.js';
import { asOfDate, fromDay, monthKey, toDay } from './dates.js';
import { Dec, ONE, minDec, toMinor, toRatio } from './decimal.js';
import { buildFrame } from './frame.js';
import { detectIncome } from './income.js';
import { computeLimit, type LimitInputs } from './limit.js';
import { computeObligations } from './obligations.js';
import { policyVersion } from './policy.js';
import { buildReasons, type RiskFactorHit } from './reasons.js';
import { assessRepayment } from './repayment.js';
import { computeRisk } from './risk.js';
import type { CoverageResult, Decision, EngineInput, EngineResult, Feature, Reason } from './types.js';
import { medianDec } from './stats.js';
import { ENGINE_VERSION } from './version.js';

// Per policy object (policies are treated as immutable once validated): its version and canonical JSON.
const policyVersionCache = new WeakMap<object, string>();
const canonicalMemo = new WeakMap<object, string>();

function versionOf(input: EngineInput): string {
  let v = policyVersionCache.get(input.policy);
  if (v === undefined) {
    v = policyVersion(input.policy);
    policyVersionCache.set(input.policy, v);
    canonicalMemo.set(input.policy, canonicalJson(input.policy));
  }
  return v;
}

/** Options for what-if runs that never become decisions (backtests, shadow comparisons in bulk). */
export interface UnderwriteOptions {
  /**
   * false: skip hashing the input (about a fifth of the work on a typical borrower); `inputsHash` is then ''. Every
   * other member of the result is the same. A decision that is stored always hashes (the default).
   */
  inputsHash?: boolean;
}

/**
 * Underwrites one borrower from normalised transactions. Pure: the same input always gives the same
 * (byte-identical when serialised) result; no clock, no I/O. Transaction order and exact duplicate rows
 * (same accountId + providerId) do not matter.
 */
export function underwrite(input: EngineInput, options: UnderwriteOptions = {}): EngineResult {
  const { policy } = input;
  const asOf = asOfDate(input.asOf);
  const asOfDay = toDay(asOf);
  const prepared = prepareTransactions(input.transactions);
  const version = versionOf(input);
  const inputsHash = options.inputsHash === false ? '' : hashInput(input, prepared.transactions, canonicalMemo);
  const frame = buildFrame(prepared.transactions, input.accounts, asOfDay, policy.coverage.lookbackMonths);
  const completeMonths = frame.completeMonths.length;

  const coverage: CoverageResult = {
    completeMonths,
    completeMonthList: frame.completeMonths.map(monthKey),
    analysedMonths: frame.analysedMonths.map(monthKey),
    firstDate: frame.firstDay === null ? null : fromDay(frame.firstDay),
    lastDate: frame.lastDay === null ? null : fromDay(frame.lastDay),
    daysAvailable: frame.firstDay === null ? 0 : asOfDay - frame.firstDay,
    transactionCount: frame.txs.length,
    accounts: input.accounts.length,
  };

  const risk = computeRisk({
    frame,
    policy,
    completeMonths,
    staleFromContext: input.context?.staleData === true,
    applicantName: input.context?.applicantName,
  });
  const obligations = computeObligations(frame);
  const incomeD = detectIncome(frame, policy, risk.passThrough.detected);
  const income = incomeD.result;
  const balanceDetail: { worstAccount: { accountId: string; negativeDays: number } | null } = { worstAccount: null };
  const cashFlow = computeCashFlow(frame, policy, incomeD.qualifyingByMonth, obligations.monthlyTotalMinor, balanceDetail);
  const vmi = income.verifiedMonthlyMinor;
  if (policy.risk.chronicOverdraft)
    risk.chronicOverdraft = chronicOverdraft(cashFlow, balanceDetail.worstAccount, policy.risk.chronicOverdraft);
  // Free cash flow had the excluded person-to-person credits counted: the median qualifying month with them.
  const p2pByMonth = incomeD.personToPersonByMonth;
  const fcfWithP2p = p2pByMonth.some((v) => v > 0)
    ? cashFlow.freeCashFlowMinor -
      cashFlow.medianMonthlyInflowMinor +
      toMinor(medianDec(incomeD.qualifyingByMonth.map((v, k) => v + p2pByMonth[k])))
    : cashFlow.freeCashFlowMinor;

  // Coverage factor: the first band (most months first) the borrower reaches.
  const bands = [...policy.coverage.factors].sort((a, b) => b.minMonths - a.minMonths);
  const coverageFactor = new Dec(bands.find((f) => completeMonths >= f.minMonths)?.factor ?? '0');

  // Risk factors multiply; each is kept so its counterfactual can divide it back out.
  const rp = policy.risk;
  const riskHits: RiskFactorHit[] = [];
  const gShare = new Dec(risk.gambling.share);
  if (gShare.gte(rp.gambling.referShare)) riskHits.push({ code: 'GAMBLING_SHARE_HIGH', factor: new Dec(rp.gambling.factor) });
  if (isStacking(obligations, policy)) riskHits.push({ code: 'RECENT_LOAN_DISBURSEMENTS', factor: new Dec(rp.stacking.factor) });
  if (obligations.activeLenders90d > rp.lenders.maxActive)
    riskHits.push({ code: 'MULTIPLE_ACTIVE_LENDERS', factor: new Dec(rp.lenders.factor) });
  if (risk.failedDebits.count90d >= rp.failedDebits.count90dThreshold)
    riskHits.push({ code: 'FAILED_DEBITS_OR_RETURNS', factor: new Dec(rp.failedDebits.factor) });
  if (cashFlow.negativeBalanceDays >= rp.negativeBalance.daysThreshold)
    riskHits.push({ code: 'NEGATIVE_BALANCE_DAYS', factor: new Dec(rp.negativeBalance.factor) });
  if (
    cashFlow.averageDailyBalanceMinor !== null &&
    new Dec(cashFlow.lowBalanceDays).div(cashFlow.balanceWindowDays).gte(rp.lowBalance.shareThreshold)
  ) {
    riskHits.push({ code: 'LOW_BALANCE_DAYS', factor: new Dec(rp.lowBalance.factor) });
  }
  const riskFactor = riskHits.reduce((f, h) => f.times(h.factor), ONE);

  // The lender's own loans (policy 1.2.0+): repayment record and graduation ladder, only when the caller gave them.
  const repayment =
    policy.repayment && input.ownLoans
      ? assessRepayment(input.ownLoans, asOf, policy.repayment, policy.product.stepMinor, { txs: frame.txs, firstDay: frame.firstDay, lastDay: frame.lastDay })
      : undefined;

  const thin = completeMonths < policy.coverage.minCompleteMonthsForApproval;
  const limitInputs: LimitInputs = {
    verifiedMonthlyIncomeMinor: vmi,
    existingObligationsMinor: obligations.monthlyTotalMinor,
    freeCashFlowMinor: cashFlow.freeCashFlowMinor,
    coverageFactor,
    riskFactor,
    staleCapMinor: risk.staleData.stale ? policy.staleData.limitCapMinor : null,
    thinFileCapMinor: thin
      ? toMinor(minDec(new Dec(policy.coverage.thinFileStarterCapMinor), new Dec(policy.coverage.thinFileStarterIncomeShare).times(vmi)))
      : null,
    ...(repayment ? { graduationCapMinor: repayment.graduation.capMinor } : {}),
  };
  const limit = computeLimit(limitInputs, policy, input.requestedLoan, input.exposure);

  const reasons = buildReasons({
    asOf,
    policy,
    income,
    incomeUncapped: incomeD.uncappedVerifiedMonthlyMinor,
    incomeMedianBased: incomeD.medianBasedVerifiedMonthlyMinor,
    incomeWithPersonToPerson: incomeD.withPersonToPersonVerifiedMonthlyMinor,
    freeCashFlowWithPersonToPerson: fcfWithP2p,
    cashFlow,
    obligations,
    risk,
    coverage,
    limit,
    limitInputs,
    riskHits,
    repayment,
  });
  const decision = decide(reasons, limit.recommendedMinor, limit.requested?.affordable ?? true, limit.counterOffer !== null);

  return {
    engineVersion: ENGINE_VERSION,
    policyVersion: version,
    inputsHash,
    asOf,
    borrowerId: input.borrowerId ?? null,
    decision,
    reasons,
    flags: withRepaymentFlags(buildFlags(risk, obligations, cashFlow, income, coverage, riskHits, rp.gambling.referShare), repayment),
    limit,
    income,
    cashFlow,
    obligations,
    risk,
    coverage,
    features: withRepaymentFeatures(buildFeatures(income, cashFlow, obligations, risk, incomeD.result.streams), repayment),
    ...(repayment ? { repayment } : {}),
  };
}

/** Negative on more than the policy share of the balance window's days, summed over accounts or in one account. */
function chronicOverdraft(
  cashFlow: EngineResult['cashFlow'],
  worst: { accountId: string; negativeDays: number } | null,
  rule: { shareThreshold: string },
): NonNullable<EngineResult['risk']['chronicOverdraft']> {
  const byAccount = worst !== null && worst.negativeDays > cashFlow.negativeBalanceDays;
  const negativeDays = byAccount ? worst.negativeDays : cashFlow.negativeBalanceDays;
  const share = new Dec(negativeDays).div(cashFlow.balanceWindowDays);
  return {
    detected: cashFlow.averageDailyBalanceMinor !== null && share.gt(rule.shareThreshold),
    accountId: byAccount ? worst.accountId : null,
    negativeDays,
    windowDays: cashFlow.balanceWindowDays,
    share: toRatio(share),
    shareThreshold: rule.shareThreshold,
  };
}

export function isStacking(obligations: EngineResult['obligations'], policy: EngineInput['policy']): boolean {
  return (
    obligations.disbursements.last30d.count >= policy.risk.stacking.disbursements30dRefer ||
    obligations.disbursements.last90d.lenders.length >= policy.risk.stacking.lenders90dRefer
  );
}

/**
 * blocking reason → decline; review reason → refer; otherwise approve when a limit (and, for a requested
 * loan, either the amount or a counter-offer) exists, else decline. Thin history never reaches approve
 * because INSUFFICIENT_HISTORY is at least a review reason.
 */
export function decide(reasons: readonly Reason[], limitMinor: number, requestedAffordable: boolean, hasCounterOffer: boolean): Decision {
  if (reasons.some((r) => r.severity === 'blocking')) return 'decline';
  if (reasons.some((r) => r.severity === 'review')) return 'refer';
  if (limitMinor <= 0) return 'decline';
  if (!requestedAffordable && !hasCounterOffer) return 'decline';
  return 'approve';
}

function buildFlags(
  risk: EngineResult['risk'],
  obligations: EngineResult['obligations'],
  cashFlow: EngineResult['cashFlow'],
  income: EngineResult['income'],
  coverage: CoverageResult,
  hits: RiskFactorHit[],
  gamblingReferShare: string,
): string[] {
  const flags = new Set<string>();
  if (risk.gambling.stakesMinor > 0 && new Dec(risk.gambling.share).gte(gamblingReferShare)) flags.add('gambling');
  if (hits.some((h) => h.code === 'RECENT_LOAN_DISBURSEMENTS')) flags.add('loan_stacking');
  if (hits.some((h) => h.code === 'MULTIPLE_ACTIVE_LENDERS')) flags.add('multiple_lenders');
  if (obligations.lenderCount > 0) flags.add('existing_loans');
  if (risk.passThrough.detected) flags.add('pass_through');
  if (risk.failedDebits.count90d > 0) flags.add('failed_debits');
  if (cashFlow.negativeBalanceDays > 0) flags.add('negative_balance');
  if (hits.some((h) => h.code === 'LOW_BALANCE_DAYS')) flags.add('low_balance');
  if (risk.dataIntegrity.balanceBreaks > 0) flags.add('data_integrity');
  if (risk.thinFile) flags.add('thin_file');
  if (risk.staleData.stale) flags.add('stale_data');
  if (risk.staleData.reauthRequired) flags.add('reauth_required');
  if (risk.nameMatch.checked && !risk.nameMatch.matched) flags.add('name_mismatch');
  if (income.verifiedMonthlyMinor === 0) flags.add('income_not_detected');
  if (income.streams.some((s) => s.status === 'ACTIVE' && s.amountChanged !== null)) flags.add('income_changed');
  if (income.streams.some((s) => s.status !== 'ACTIVE' && s.maturity === 'MATURE')) flags.add('income_inactive');
  if (income.excluded.outlierTransactionIds.length > 0) flags.add('outliers_excluded');
  if (risk.futureDatedIgnored > 0) flags.add('future_dated_ignored');
  if (risk.chronicOverdraft?.detected) flags.add('chronic_overdraft');
  if (income.streams.some((s) => s.missed)) flags.add('salary_missed');
  if ((income.excluded.personToPerson?.amountMinor ?? 0) > 0) flags.add('person_to_person_excluded');
  return [...flags].sort();
}

/** Flags from the lender's own loans (only with `ownLoans`, so other results are unchanged). */
function withRepaymentFlags(flags: string[], repayment: EngineResult['repayment']): string[] {
  if (!repayment) return flags;
  const more = new Set(flags);
  if (repayment.currentDpd > 0) more.add('own_loan_late');
  if (repayment.defaulted || repayment.writtenOff) more.add('own_loan_defaulted');
  const m = repayment.bankMatch;
  if (m && (m.reportedNotSeen.length > 0 || m.seenNotReported.length > 0)) more.add('repayment_mismatch');
  return [...more].sort();
}

function withRepaymentFeatures(features: Feature[], repayment: EngineResult['repayment']): Feature[] {
  const m = repayment?.bankMatch;
  if (!m) return features;
  return [
    ...features,
    { name: 'own_collections_seen', value: m.collectionsSeen, transactionIds: [] },
    { name: 'own_collections_not_recorded', value: m.seenNotReported.length, transactionIds: m.seenNotReported.map((s) => s.transactionId) },
    { name: 'own_repayments_not_seen', value: m.reportedNotSeen.length, transactionIds: [] },
  ];
}

function buildFeatures(
  income: EngineResult['income'],
  cashFlow: EngineResult['cashFlow'],
  obligations: EngineResult['obligations'],
  risk: EngineResult['risk'],
  streams: EngineResult['income']['streams'],
): Feature[] {
  const counted = streams.filter((s) => s.countedMonthlyMinor > 0);
  const features: Feature[] = [
    {
      name: 'verified_monthly_income',
      value: income.verifiedMonthlyMinor,
      transactionIds: [
        ...counted.flatMap((s) => s.transactionIds),
        ...(income.irregularMonthlyMinor > 0 ? income.irregular.transactionIds : []),
      ],
    },
    { name: 'irregular_monthly_income', value: income.irregularMonthlyMinor, transactionIds: income.irregular.transactionIds },
    ...streams.map((s) => ({ name: `income_stream.${s.id}.monthly`, value: s.monthlyAmountMinor, transactionIds: s.transactionIds })),
    { name: 'never_income_credits', value: income.excluded.neverIncomeMinor, transactionIds: income.excluded.neverIncomeTransactionIds },
    {
      name: 'outlier_credits_excluded',
      value: income.excluded.outlierTransactionIds.length,
      transactionIds: income.excluded.outlierTransactionIds,
    },
    {
      name: 'existing_obligations_monthly',
      value: obligations.monthlyTotalMinor,
      transactionIds: obligations.lenders.flatMap((l) => l.transactionIds),
    },
    {
      name: 'loan_disbursements_90d',
      value: obligations.disbursements.last90d.count,
      transactionIds: obligations.disbursements.transactionIds,
    },
    { name: 'gambling_share', value: risk.gambling.share, transactionIds: risk.gambling.transactionIds },
    { name: 'failed_debits_90d', value: risk.failedDebits.count90d, transactionIds: risk.failedDebits.transactionIds },
    { name: 'data_integrity_findings', value: risk.dataIntegrity.balanceBreaks, transactionIds: risk.dataIntegrity.transactionIds },
    { name: 'average_daily_balance', value: cashFlow.averageDailyBalanceMinor, transactionIds: [] },
    { name: 'negative_balance_days', value: cashFlow.negativeBalanceDays, transactionIds: [] },
    { name: 'low_balance_days', value: cashFlow.lowBalanceDays, transactionIds: [] },
    { name: 'free_cash_flow', value: cashFlow.freeCashFlowMinor, transactionIds: [] },
    { name: 'inflow_volatility', value: cashFlow.inflowVolatility, transactionIds: [] },
    { name: 'pass_through_share', value: risk.passThrough.share, transactionIds: [] },
  ];
  const p2p = income.excluded.personToPerson;
  if (p2p) features.push({ name: 'person_to_person_credits_excluded', value: p2p.amountMinor, transactionIds: p2p.transactionIds });
  return features;
}
