import { toDay } from './dates.js';
import { Dec } from './decimal.js';
import { limitAt, type LimitInputs } from './limit.js';
import { formatNaira } from './money.js';
import type { Policy } from './policy.js';
import type {
  CashFlowResult,
  CoverageResult,
  IncomeResult,
  LimitResult,
  ObligationsResult,
  Reason,
  ReasonSeverity,
  RepaymentResult,
  RiskResult,
} from './types.js';
import { graduationStep } from './repayment.js';

/** Stable reason codes (research §4e plus our own: COVERAGE_HAIRCUT, INCOME_MULTIPLE_CAP, REQUESTED_AMOUNT_ABOVE_LIMIT). */
export const REASON_CODES = [
  'INCOME_NOT_DETECTED',
  'INCOME_BELOW_MIN',
  'INCOME_UNSTABLE',
  'INCOME_STREAM_INACTIVE',
  'INCOME_RECENTLY_CHANGED',
  'DSR_ABOVE_CAP',
  'FREE_CASH_FLOW_LOW',
  'EXISTING_LOAN_OBLIGATIONS_HIGH',
  'MULTIPLE_ACTIVE_LENDERS',
  'RECENT_LOAN_DISBURSEMENTS',
  'GAMBLING_SHARE_HIGH',
  'LOW_BALANCE_DAYS',
  'NEGATIVE_BALANCE_DAYS',
  'FAILED_DEBITS_OR_RETURNS',
  'PASS_THROUGH_ACCOUNT',
  'INSUFFICIENT_HISTORY',
  'COVERAGE_HAIRCUT',
  'STALE_DATA',
  'DATA_INTEGRITY_FAILURE',
  'ACCOUNT_NAME_MISMATCH',
  'POLICY_PRODUCT_MAX',
  'INCOME_MULTIPLE_CAP',
  'REQUESTED_AMOUNT_ABOVE_LIMIT',
  'P2P_CREDITS_EXCLUDED',
  'SALARY_MISSED',
  'CHRONIC_OVERDRAFT',
  'EXPOSURE_AT_LIMIT',
  'EXPOSURE_LIMITS_OFFER',
  'OWN_LOAN_DEFAULTED',
  'OWN_LOAN_IN_ARREARS',
  'GRADUATION_CAP',
  'OWN_REPAYMENT_MISMATCH',
] as const;
export type ReasonCode = (typeof REASON_CODES)[number];

export const SEVERITY_RANK: Record<ReasonSeverity, number> = { blocking: 0, review: 1, limit: 2, info: 3 };

export interface RiskFactorHit {
  code: ReasonCode;
  factor: Dec;
}

export interface ReasonContext {
  asOf: string;
  policy: Policy;
  income: IncomeResult;
  incomeUncapped: number;
  incomeMedianBased: number;
  /** VMI and free cash flow had person-to-person credits counted (P2P_CREDITS_EXCLUDED's counterfactual). */
  incomeWithPersonToPerson: number;
  freeCashFlowWithPersonToPerson: number;
  cashFlow: CashFlowResult;
  obligations: ObligationsResult;
  risk: RiskResult;
  coverage: CoverageResult;
  limit: LimitResult;
  limitInputs: LimitInputs;
  riskHits: RiskFactorHit[];
  /** The repayment record with this lender (input `ownLoans`, policy `repayment`). */
  repayment?: RepaymentResult;
}

interface Candidate extends Reason {
  code: ReasonCode;
  /** Limit lost to this reason, kobo (for ranking). */
  lost: number;
}

/** Orders reasons: severity, then limit lost (desc), then code; keeps the first `max`. */
export function rankReasons(candidates: readonly (Reason & { lost: number })[], max: number): Reason[] {
  return [...candidates]
    .sort(
      (a, b) =>
        SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] || b.lost - a.lost || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0),
    )
    .slice(0, max)
    .map(({ lost: _lost, ...r }) => r);
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `2026-11-26` → `26 Nov` (the year is clear from asOf). */
export function shortDate(date: string): string {
  return `${Number(date.slice(8, 10))} ${MONTHS[Number(date.slice(5, 7)) - 1]}`;
}

export function buildReasons(ctx: ReasonContext): Reason[] {
  const { policy, income, cashFlow, obligations, risk, coverage, limit, limitInputs } = ctx;
  const rate = new Dec(limit.monthlyRate);
  const base = limit.recommendedMinor;
  const vmi = income.verifiedMonthlyMinor;
  const out: Candidate[] = [];
  const limitWith = (o: Partial<LimitInputs>): number => limitAt({ ...limitInputs, ...o }, policy, limit.tenorMonths, rate).limitMinor;
  const add = (
    code: ReasonCode,
    severity: ReasonSeverity,
    message: string,
    values: Reason['values'],
    counterfactual?: { altLimit: number; message: (delta: string) => string } | { decision: string },
  ): void => {
    const lost = counterfactual && 'altLimit' in counterfactual ? Math.max(0, counterfactual.altLimit - base) : 0;
    const r: Candidate = { code, message, severity, values, lost };
    if (counterfactual && 'decision' in counterfactual) r.counterfactual = { message: counterfactual.decision, limitDeltaMinor: 0 };
    else if (counterfactual && lost > 0) r.counterfactual = { message: counterfactual.message(formatNaira(lost)), limitDeltaMinor: lost };
    out.push(r);
  };

  // History.
  if (coverage.completeMonths < policy.coverage.minCompleteMonthsForApproval) {
    const blocking = coverage.completeMonths < policy.coverage.minCompleteMonthsToDecide;
    add(
      'INSUFFICIENT_HISTORY',
      blocking ? 'blocking' : 'review',
      `Only ${coverage.completeMonths} complete month(s) of bank history; at least ${policy.coverage.minCompleteMonthsForApproval} are needed for an automatic decision.`,
      { completeMonths: coverage.completeMonths, required: policy.coverage.minCompleteMonthsForApproval },
    );
  } else if (limitInputs.coverageFactor.lt(1)) {
    add(
      'COVERAGE_HAIRCUT',
      'limit',
      `Limit reduced to ${limitInputs.coverageFactor.times(100).toString()}% because only ${coverage.completeMonths} complete months of history are available.`,
      { completeMonths: coverage.completeMonths, coverageFactor: limitInputs.coverageFactor.toString() },
      {
        altLimit: limitWith({ coverageFactor: new Dec(1) }),
        message: (d) => `Limit would be ${d} higher with 6 or more months of history.`,
      },
    );
  }

  // Income.
  if (vmi <= 0) {
    add('INCOME_NOT_DETECTED', 'blocking', 'No verifiable income was found in the linked accounts.', {
      streams: income.streams.length,
      irregularMonthlyMinor: income.irregular.baseMonthlyMinor,
    });
  } else if (vmi < policy.income.minVerifiedMonthlyIncomeMinor) {
    add(
      'INCOME_BELOW_MIN',
      'blocking',
      `Verified monthly income ${formatNaira(vmi)} is below the minimum of ${formatNaira(policy.income.minVerifiedMonthlyIncomeMinor)}.`,
      {
        verifiedMonthlyIncomeMinor: vmi,
        minimumMinor: policy.income.minVerifiedMonthlyIncomeMinor,
      },
    );
  }
  const active = income.streams.filter((s) => s.status === 'ACTIVE' && s.frequency !== 'irregular');
  const inactiveMature = income.streams.filter((s) => s.status !== 'ACTIVE' && s.maturity === 'MATURE' && s.frequency !== 'irregular');
  if (inactiveMature.length > 0) {
    const s = inactiveMature[0];
    // A salary that stopped with nothing regular in its place is the principal reason, not a footnote.
    add(
      'INCOME_STREAM_INACTIVE',
      active.length === 0 && s.isSalary ? 'blocking' : 'info',
      `Income from ${s.label} (${formatNaira(s.monthlyAmountMinor)}/month) stopped after ${s.lastDate}.`,
      { streamId: s.id, lastDate: s.lastDate, monthlyAmountMinor: s.monthlyAmountMinor },
      {
        altLimit: limitWith({
          verifiedMonthlyIncomeMinor: vmi + s.monthlyAmountMinor,
          freeCashFlowMinor: limitInputs.freeCashFlowMinor + s.monthlyAmountMinor,
        }),
        message: (d) => `Limit would be ${d} higher if income from ${s.label} resumed.`,
      },
    );
  }
  // A salary past its predicted pay day (policy income.missedSalaryBusinessDays): possible job loss, refer.
  const missed = income.streams.find((s) => s.missed);
  if (missed?.missed) {
    const expected = shortDate(missed.missed.expectedDate);
    add(
      'SALARY_MISSED',
      'review',
      `Salary from ${missed.label} (${formatNaira(missed.monthlyAmountMinor)}/month) was expected ${expected}, not received (${missed.missed.businessDaysLate} business days late).`,
      {
        streamId: missed.id,
        expectedDate: missed.missed.expectedDate,
        businessDaysLate: missed.missed.businessDaysLate,
        maxBusinessDays: policy.income.missedSalaryBusinessDays ?? null,
        lastDate: missed.lastDate,
        monthlyAmountMinor: missed.monthlyAmountMinor,
      },
      { decision: `Would not be referred for this once the salary from ${missed.label} expected ${expected} is received.` },
    );
  }
  // Person-to-person credits left out of income (policy income.personToPerson).
  const p2p = income.excluded.personToPerson;
  if (p2p && p2p.amountMinor > 0) {
    add(
      'P2P_CREDITS_EXCLUDED',
      'info',
      `Credits from individuals not counted: ${formatNaira(p2p.amountMinor)} from ${p2p.payers} ${p2p.payers === 1 ? 'person' : 'people'} (${p2p.transactionIds.length} credits) over the analysed months; regular income is counted instead.`,
      { amountMinor: p2p.amountMinor, payers: p2p.payers, credits: p2p.transactionIds.length },
      {
        altLimit: limitWith({
          verifiedMonthlyIncomeMinor: ctx.incomeWithPersonToPerson,
          freeCashFlowMinor: ctx.freeCashFlowWithPersonToPerson,
        }),
        message: (d) => `Limit would be ${d} higher if credits from individuals counted as income.`,
      },
    );
  }
  const asOfDay = toDay(ctx.asOf);
  const changed = income.streams.find(
    (s) =>
      s.status === 'ACTIVE' &&
      (s.maturity === 'EARLY' || (s.amountChanged !== null && asOfDay - toDay(s.amountChanged.date) <= policy.income.recentChangeDays)),
  );
  if (changed) {
    const early = changed.maturity === 'EARLY';
    add(
      'INCOME_RECENTLY_CHANGED',
      early ? 'limit' : 'info',
      early
        ? `Income from ${changed.label} is new (${changed.occurrences} payments since ${changed.firstDate}) and counts at ${changed.weight} weight.`
        : `Income from ${changed.label} changed from ${formatNaira(changed.amountChanged!.fromMinor)} to ${formatNaira(changed.amountChanged!.toMinor)} on ${changed.amountChanged!.date}.`,
      {
        streamId: changed.id,
        maturity: changed.maturity,
        since: changed.amountChanged?.date ?? changed.firstDate,
        fromMinor: changed.amountChanged?.fromMinor ?? null,
        toMinor: changed.amountChanged?.toMinor ?? changed.typicalAmountMinor,
      },
      early
        ? {
            altLimit: limitWith({ verifiedMonthlyIncomeMinor: vmi - changed.countedMonthlyMinor + changed.monthlyAmountMinor }),
            message: (d) => `Limit would be ${d} higher once ${changed.label} has paid ${policy.income.minOccurrencesMature} times.`,
          }
        : undefined,
    );
  }
  const reducedStream = active.find((s) => s.maturity === 'MATURE' && new Dec(s.weight).lt(1));
  const irregularMaterial = vmi > 0 && new Dec(income.irregularMonthlyMinor).gte(new Dec(policy.income.irregularMaterialShare).times(vmi));
  if (vmi > 0 && active.length === 0) {
    add(
      'INCOME_UNSTABLE',
      'review',
      `No regular income stream was found; income of ${formatNaira(vmi)}/month rests on irregular credits (monthly CV ${income.irregular.cv}).`,
      { irregularCv: income.irregular.cv, irregularMonthlyMinor: income.irregularMonthlyMinor, regularStreams: 0 },
    );
  } else if ((income.irregular.method === 'p25' && irregularMaterial) || reducedStream) {
    const alt = Math.max(
      income.irregular.method === 'p25' ? ctx.incomeMedianBased : vmi,
      reducedStream ? vmi - reducedStream.countedMonthlyMinor + reducedStream.monthlyAmountMinor : vmi,
    );
    add(
      'INCOME_UNSTABLE',
      'limit',
      income.irregular.method === 'p25'
        ? `Irregular income varies widely month to month (CV ${income.irregular.cv}); a low month (25th percentile) is used.`
        : `Income from ${reducedStream!.label} is not regular enough (confidence ${reducedStream!.confidence}) to count in full.`,
      { irregularCv: income.irregular.cv, streamConfidence: reducedStream?.confidence ?? null },
      { altLimit: limitWith({ verifiedMonthlyIncomeMinor: alt }), message: (d) => `Limit would be ${d} higher with steadier income.` },
    );
  }

  // Affordability.
  const eo = obligations.monthlyTotalMinor;
  const cap = new Dec(policy.affordability.dsrCap);
  if (vmi > 0 && cap.times(vmi).lte(eo)) {
    add(
      'DSR_ABOVE_CAP',
      'blocking',
      `Existing loan repayments of ${formatNaira(eo)}/month already use ${new Dec(eo).div(vmi).times(100).toFixed(0)}% of verified income; the cap is ${cap.times(100).toFixed(2)}%.`,
      {
        existingObligationsMinor: eo,
        verifiedMonthlyIncomeMinor: vmi,
        dsr: new Dec(eo).div(vmi).toFixed(4),
        dsrCap: policy.affordability.dsrCap,
      },
    );
  } else if (vmi > 0 && new Dec(eo).div(vmi).gt(policy.affordability.obligationsHighDsr)) {
    add(
      'EXISTING_LOAN_OBLIGATIONS_HIGH',
      'limit',
      `Existing loan repayments of ${formatNaira(eo)}/month to ${obligations.lenderCount} lender(s) take ${new Dec(eo).div(vmi).times(100).toFixed(0)}% of verified income.`,
      {
        existingObligationsMinor: eo,
        lenderCount: obligations.lenderCount,
        dsr: new Dec(eo).div(vmi).toFixed(4),
        threshold: policy.affordability.obligationsHighDsr,
      },
      {
        altLimit: limitWith({ existingObligationsMinor: 0 }),
        message: (d) => `Limit would be ${d} higher if existing loan repayments (${formatNaira(eo)}/month) were cleared.`,
      },
    );
  }
  if (limit.bindingConstraint === 'free_cash_flow' && vmi > 0) {
    const fcf = cashFlow.freeCashFlowMinor;
    add(
      'FREE_CASH_FLOW_LOW',
      base === 0 ? 'blocking' : 'limit',
      base === 0
        ? `Free cash flow after essential spending and loan repayments is ${formatNaira(fcf)}/month, too little for an instalment.`
        : `The instalment is set by free cash flow: ${formatNaira(fcf)}/month after essential spending and loan repayments, of which ${new Dec(policy.affordability.fcfShare).times(100).toString()}% is available for a new loan.`,
      {
        freeCashFlowMinor: fcf,
        medianInflowMinor: cashFlow.medianMonthlyInflowMinor,
        medianEssentialOutflowMinor: cashFlow.medianEssentialOutflowMinor,
      },
      {
        altLimit: limitWith({ freeCashFlowMinor: Number.MAX_SAFE_INTEGER }),
        message: (d) => `Limit would be up to ${d} higher if monthly spending left more free cash flow.`,
      },
    );
  }
  // The lender's own open loans (input `exposure`): what they leave available for this request.
  const ex = limit.exposure;
  const exposureOnly = ex?.bound === true && ex.withoutExposure?.affordable === true;
  if (ex?.bound && limit.requested) {
    const would = ex.withoutExposure?.affordable ? limit.requested.amountMinor : (ex.withoutExposure?.counterOffer?.amountMinor ?? 0);
    const offered = limit.requested.affordable ? limit.requested.amountMinor : (limit.counterOffer?.amountMinor ?? 0);
    const delta = Math.max(0, would - offered);
    const atLimit = !limit.requested.affordable && limit.counterOffer === null;
    const values = {
      outstandingPrincipalMinor: ex.outstandingPrincipalMinor,
      openLoans: ex.openLoans,
      availableMinor: ex.availableMinor,
      requestedMinor: limit.requested.amountMinor,
      counterOfferMinor: limit.counterOffer?.amountMinor ?? null,
    };
    const owed = formatNaira(ex.outstandingPrincipalMinor);
    out.push({
      code: atLimit ? 'EXPOSURE_AT_LIMIT' : 'EXPOSURE_LIMITS_OFFER',
      severity: atLimit ? 'blocking' : 'limit',
      message: atLimit
        ? `${owed} of principal is outstanding on ${ex.openLoans} open loan(s) with us, which uses the whole limit: nothing more is available now.`
        : `${owed} of principal is outstanding on ${ex.openLoans} open loan(s) with us: ${formatNaira(offered)} of the limit is available.`,
      values,
      lost: delta,
      counterfactual: {
        message: `${formatNaira(would)} would be available once the ${owed} outstanding is repaid.`,
        limitDeltaMinor: delta,
      },
    });
  }
  if (limit.requested && !limit.requested.affordable && !exposureOnly) {
    const pl = limit.requested.postLoanDsr;
    const overCap = pl !== null && new Dec(pl).gt(cap);
    add(
      overCap ? 'DSR_ABOVE_CAP' : 'REQUESTED_AMOUNT_ABOVE_LIMIT',
      'info',
      `The requested ${formatNaira(limit.requested.amountMinor)} over ${limit.requested.tenorMonths} month(s) exceeds what is affordable${overCap ? ` (post-loan DSR ${pl} above the ${policy.affordability.dsrCap} cap)` : ''}${limit.counterOffer ? `; we can offer ${formatNaira(limit.counterOffer.amountMinor)} over ${limit.counterOffer.tenorMonths} month(s)` : ''}.`,
      {
        requestedMinor: limit.requested.amountMinor,
        requestedTenorMonths: limit.requested.tenorMonths,
        postLoanDsr: pl,
        counterOfferMinor: limit.counterOffer?.amountMinor ?? null,
        counterOfferTenorMonths: limit.counterOffer?.tenorMonths ?? null,
      },
    );
  }

  // Risk factors.
  const factorReason = (code: ReasonCode, severity: ReasonSeverity, message: string, values: Reason['values'], cf: string): void => {
    const hit = ctx.riskHits.find((h) => h.code === code);
    const alt = hit && !hit.factor.isZero() ? limitWith({ riskFactor: limitInputs.riskFactor.div(hit.factor) }) : base;
    add(
      code,
      severity,
      message,
      { ...values, factor: hit ? hit.factor.toString() : null },
      { altLimit: alt, message: (d) => `Limit would be ${d} higher ${cf}.` },
    );
  };
  const rp = policy.risk;
  const gShare = new Dec(risk.gambling.share);
  if (gShare.gte(rp.gambling.referShare)) {
    const decline = gShare.gte(rp.gambling.declineShare);
    factorReason(
      'GAMBLING_SHARE_HIGH',
      decline ? 'blocking' : 'review',
      `Betting stakes of ${formatNaira(risk.gambling.stakesMinor)} are ${gShare.times(100).toFixed(1)}% of income credits.`,
      {
        share: risk.gambling.share,
        stakesMinor: risk.gambling.stakesMinor,
        referShare: rp.gambling.referShare,
        declineShare: rp.gambling.declineShare,
      },
      `with betting below ${new Dec(rp.gambling.referShare).times(100).toString()}% of income`,
    );
  }
  if (ctx.riskHits.some((h) => h.code === 'RECENT_LOAN_DISBURSEMENTS')) {
    const d30 = obligations.disbursements.last30d;
    const d90 = obligations.disbursements.last90d;
    factorReason(
      'RECENT_LOAN_DISBURSEMENTS',
      'review',
      `${d90.count} loan disbursements from ${d90.lenders.length} lender(s) in the last 90 days (${d30.count} in the last 30 days, ${formatNaira(d30.totalMinor)}).`,
      { count30d: d30.count, total30dMinor: d30.totalMinor, count90d: d90.count, lenders90d: d90.lenders.length },
      'without recent loans from other lenders',
    );
  }
  if (obligations.activeLenders90d > rp.lenders.maxActive) {
    factorReason(
      'MULTIPLE_ACTIVE_LENDERS',
      'limit',
      `${obligations.activeLenders90d} lenders active in the last 90 days (${obligations.activeLenders30d} in the last 30).`,
      { lenders90d: obligations.activeLenders90d, lenders30d: obligations.activeLenders30d, maxActive: rp.lenders.maxActive },
      `with at most ${rp.lenders.maxActive} active lenders`,
    );
  }
  if (risk.failedDebits.count90d >= rp.failedDebits.count90dThreshold) {
    factorReason(
      'FAILED_DEBITS_OR_RETURNS',
      'limit',
      `${risk.failedDebits.count90d} failed or returned debits in the last 90 days.`,
      { count90d: risk.failedDebits.count90d, threshold: rp.failedDebits.count90dThreshold },
      'without failed debits',
    );
  }
  if (cashFlow.negativeBalanceDays >= rp.negativeBalance.daysThreshold) {
    factorReason(
      'NEGATIVE_BALANCE_DAYS',
      'limit',
      `The balance was negative on ${cashFlow.negativeBalanceDays} of the last ${cashFlow.balanceWindowDays} days.`,
      { days: cashFlow.negativeBalanceDays, windowDays: cashFlow.balanceWindowDays, threshold: rp.negativeBalance.daysThreshold },
      'without negative-balance days',
    );
  }
  const co = risk.chronicOverdraft;
  if (co?.detected) {
    // Days to turn non-negative for the share to fall to the threshold: negative days − ⌊threshold × window⌋.
    const allowed = new Dec(co.shareThreshold).times(co.windowDays).floor().toNumber();
    const more = co.negativeDays - allowed;
    add(
      'CHRONIC_OVERDRAFT',
      'review',
      `The ${co.accountId === null ? 'balance' : `balance of account ${co.accountId}`} was negative on ${co.negativeDays} of the last ${co.windowDays} days (more than ${new Dec(co.shareThreshold).times(100).toString()}%).`,
      {
        negativeDays: co.negativeDays,
        windowDays: co.windowDays,
        share: co.share,
        shareThreshold: co.shareThreshold,
        accountId: co.accountId,
      },
      { decision: `Would not be referred for this with a balance at or above ₦0 on at least ${more} more of the ${co.windowDays} days.` },
    );
  }
  if (
    cashFlow.averageDailyBalanceMinor !== null &&
    new Dec(cashFlow.lowBalanceDays).div(cashFlow.balanceWindowDays).gte(rp.lowBalance.shareThreshold)
  ) {
    factorReason(
      'LOW_BALANCE_DAYS',
      'limit',
      `The balance was below ${formatNaira(cashFlow.lowBalanceThresholdMinor)} on ${cashFlow.lowBalanceDays} of the last ${cashFlow.balanceWindowDays} days.`,
      { days: cashFlow.lowBalanceDays, windowDays: cashFlow.balanceWindowDays, thresholdMinor: cashFlow.lowBalanceThresholdMinor },
      `if the balance stayed above ${formatNaira(cashFlow.lowBalanceThresholdMinor)}`,
    );
  }
  if (risk.passThrough.detected) {
    add(
      'PASS_THROUGH_ACCOUNT',
      'review',
      `${new Dec(risk.passThrough.share).times(100).toFixed(0)}% of inflows leave within ${rp.passThrough.windowDays} days to ${risk.passThrough.topCounterparties.length} counterparties; only salary counts as income.`,
      { share: risk.passThrough.share, topShare: risk.passThrough.topShare, counterparties: risk.passThrough.topCounterparties.join(', ') },
      {
        altLimit: limitWith({ verifiedMonthlyIncomeMinor: ctx.incomeUncapped }),
        message: (d) => `Limit would be ${d} higher if inflows stayed in the account.`,
      },
    );
  }
  if (risk.dataIntegrity.balanceBreaks >= rp.dataIntegrity.breaksRefer) {
    add(
      'DATA_INTEGRITY_FAILURE',
      'review',
      `${risk.dataIntegrity.balanceBreaks} integrity problem(s) in the bank data (balance breaks or changed/removed transactions).`,
      { findings: risk.dataIntegrity.balanceBreaks, ...risk.dataIntegrity.byKind },
    );
  }
  if (risk.nameMatch.checked && !risk.nameMatch.matched) {
    add(
      'ACCOUNT_NAME_MISMATCH',
      'review',
      `The bank account name (${risk.nameMatch.holderNames.join(' / ')}) does not match the applicant's name.`,
      {
        bestOverlap: risk.nameMatch.bestOverlap,
        minOverlap: rp.nameMatch.minOverlap,
      },
    );
  }
  if (risk.staleData.stale) {
    add(
      'STALE_DATA',
      'limit',
      `The bank data is not fresh${risk.staleData.freshnessHours !== null ? ` (${risk.staleData.freshnessHours} hours old)` : ''}${risk.staleData.reauthRequired ? ' and the bank needs re-authorisation' : ''}; the limit is capped at ${formatNaira(policy.staleData.limitCapMinor)}.`,
      {
        freshnessHours: risk.staleData.freshnessHours,
        maxAgeHours: policy.staleData.maxAgeHours,
        reauthRequired: risk.staleData.reauthRequired,
        capMinor: policy.staleData.limitCapMinor,
      },
      { altLimit: limitWith({ staleCapMinor: null }), message: (d) => `Limit would be ${d} higher after the bank account is re-synced.` },
    );
  }

  // The lender's own loans: defaults and arrears stop new credit; the graduation ladder caps the limit.
  const rep = ctx.repayment;
  const rpol = policy.repayment;
  if (rep && rpol) {
    if (rep.defaulted || rep.writtenOff) {
      add(
        'OWN_LOAN_DEFAULTED',
        'blocking',
        `A loan with us ${rep.writtenOff ? 'was written off' : 'is in default'} (worst ${rep.maxDpd} days past due): no new credit.`,
        { defaulted: rep.defaulted, writtenOff: rep.writtenOff, maxDpd: rep.maxDpd },
        { decision: rep.writtenOff ? 'A written-off loan stays on the record: decline.' : 'Would not be declined for this once the defaulted loan is repaid in full.' },
      );
    } else if (rep.currentDpd >= rpol.referDpd) {
      const freeze = rep.currentDpd >= rpol.freezeDpd;
      add(
        'OWN_LOAN_IN_ARREARS',
        freeze ? 'blocking' : 'review',
        `A loan with us is ${rep.currentDpd} days past due${freeze ? `; from ${rpol.freezeDpd} days new credit is frozen` : ''}.`,
        { currentDpd: rep.currentDpd, referDpd: rpol.referDpd, freezeDpd: rpol.freezeDpd },
        { decision: `Would not be ${freeze ? 'declined' : 'referred'} for this once the overdue instalments are paid.` },
      );
    }
    const m = rep.bankMatch;
    if (m && (m.reportedNotSeen.length > 0 || m.seenNotReported.length > 0)) {
      const notSeen = m.reportedNotSeen.reduce((t, r) => t + r.amountMinor, 0);
      const notRecorded = m.seenNotReported.reduce((t, r) => t + r.amountMinor, 0);
      const parts = [
        ...(m.reportedNotSeen.length > 0 ? [`${m.reportedNotSeen.length} recorded repayment(s) of ${formatNaira(notSeen)} did not leave the linked accounts`] : []),
        ...(m.seenNotReported.length > 0 ? [`${m.seenNotReported.length} collection(s) of ${formatNaira(notRecorded)} left them without a recorded repayment`] : []),
      ];
      add('OWN_REPAYMENT_MISMATCH', 'info', `Our loan book and the bank data disagree: ${parts.join('; ')}.`, {
        collectionsSeen: m.collectionsSeen,
        reportedInCoverage: m.reportedInCoverage,
        matched: m.matched,
        reportedNotSeen: m.reportedNotSeen.length,
        reportedNotSeenMinor: notSeen,
        seenNotReported: m.seenNotReported.length,
        seenNotReportedMinor: notRecorded,
      });
    }
    const g = rep.graduation;
    if (limit.bindingConstraint === 'graduation' && g.capMinor !== null) {
      const cap = formatNaira(g.capMinor);
      const stepPct = new Dec(rpol.graduation.stepShare).times(100).toString();
      const heldAt =
        g.capMinor === g.largestLentMinor ? `${cap}, the largest loan with us` : `the starter amount of ${cap}`;
      const message =
        rep.loans === 0
          ? `A first loan with us is capped at the starter amount of ${cap}.`
          : g.stepBlocked === null && g.capMinor > Math.max(g.largestLentMinor, g.starterCapMinor ?? 0)
            ? `The limit is capped at ${cap} by the graduation ladder: ${formatNaira(g.basisMinor)} repaid on time plus ${stepPct}%.`
            : g.stepBlocked === 'recent_arrears'
              ? `The limit is held at ${heldAt}, after arrears in the last ${rpol.graduation.stepCleanMonths} months.`
              : `The limit is held at ${heldAt}, until a loan is repaid on time.`;
      // The next rung: the open loan repaid on time, else the cap itself borrowed and repaid on time.
      const next = g.nextCapMinor ?? graduationStep(Math.max(g.capMinor, g.basisMinor), rpol.graduation.stepShare, policy.product.stepMinor);
      add(
        'GRADUATION_CAP',
        'limit',
        message,
        {
          capMinor: g.capMinor,
          basisMinor: g.basisMinor,
          largestLentMinor: g.largestLentMinor,
          starterCapMinor: g.starterCapMinor,
          stepShare: rpol.graduation.stepShare,
          loansRepaidOnTime: rep.loansRepaidOnTime,
          stepBlocked: g.stepBlocked,
        },
        {
          altLimit: limitWith({ graduationCapMinor: next }),
          message: (d) =>
            g.nextCapMinor !== null
              ? `Limit would rise by up to ${d} once the open loan with us is repaid on time.`
              : `Limit would rise by up to ${d} after a loan of ${cap} is repaid on time.`,
        },
      );
    }
  }

  // Binding caps (informational).
  if (limit.bindingConstraint === 'product_max') {
    add('POLICY_PRODUCT_MAX', 'info', `The limit is the product maximum of ${formatNaira(policy.product.maxAmountMinor)}.`, {
      productMaxMinor: policy.product.maxAmountMinor,
    });
  } else if (limit.bindingConstraint === 'income_multiple') {
    add('INCOME_MULTIPLE_CAP', 'info', `The limit is capped at ${policy.product.incomeMultipleCap}× verified monthly income.`, {
      multiple: policy.product.incomeMultipleCap,
      capMinor: limit.components.incomeMultipleCapMinor,
    });
  }
  // A code appears once: keep its most severe instance.
  const byCode = new Map<string, Candidate>();
  for (const r of out) {
    const prev = byCode.get(r.code);
    if (!prev || SEVERITY_RANK[r.severity] < SEVERITY_RANK[prev.severity]) byCode.set(r.code, r);
  }
  return rankReasons([...byCode.values()], policy.decision.maxReasons);
}
