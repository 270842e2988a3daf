import { monthKey } from './dates.js';
import { Dec, ZERO, constDec, toMinor, toRatio } from './decimal.js';
import type { Frame } from './frame.js';
import type { Policy } from './policy.js';
import { cvDec, medianDec, theilSenSlope } from './stats.js';
import type { CashFlowResult } from './types.js';

export interface BalanceSummary {
  source: CashFlowResult['balanceSource'];
  average: number | null;
  minimum: number | null;
  negativeDays: number;
  lowDays: number;
  /** The account whose own end-of-day balance was negative on the most window days (ties: smallest id); null if none was. */
  worstAccount: { accountId: string; negativeDays: number } | null;
}

/**
 * Daily end-of-day balance over the last `windowDays` days before asOf, summed over accounts.
 * Per account: running balances when the bank gives them all; otherwise back-calculated from the current
 * balance (or, lacking one, from the nearest known running balance). Days without transactions are
 * forward-filled; days before an account's first transaction take its opening balance.
 */
export function balanceSeries(frame: Frame, windowDays: number, lowThreshold: number): BalanceSummary {
  const { txs, days } = frame;
  const start = frame.asOfDay - windowDays;
  const total = new Array<number>(windowDays).fill(0);
  const perAccount = new Map<string, number[]>();
  for (let i = 0; i < txs.length; i += 1) {
    const list = perAccount.get(txs[i].accountId);
    if (list) list.push(i);
    else perAccount.set(txs[i].accountId, [i]);
  }
  const sources = new Set<'running' | 'back_calculated'>();
  let used = 0;
  let worstAccount: BalanceSummary['worstAccount'] = null;
  for (const [accountId, idx] of [...perAccount.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    const after = new Array<number>(idx.length);
    const signed = (k: number): number => (txs[idx[k]].direction === 'credit' ? txs[idx[k]].amountMinor : -txs[idx[k]].amountMinor);
    const account = frame.accounts.find((a) => a.accountId === accountId);
    const known = idx.map((i) => txs[i].balanceMinor);
    if (known.every((b) => b !== null)) {
      for (let k = 0; k < idx.length; k += 1) after[k] = known[k]!;
      sources.add('running');
    } else if (account?.balanceMinor !== null && account?.balanceMinor !== undefined) {
      let bal = account.balanceMinor;
      for (let k = idx.length - 1; k >= 0; k -= 1) {
        after[k] = bal;
        bal -= signed(k);
      }
      sources.add('back_calculated');
    } else {
      const anchor = known.findIndex((b) => b !== null);
      if (anchor < 0) continue;
      after[anchor] = known[anchor]!;
      for (let k = anchor - 1; k >= 0; k -= 1) after[k] = after[k + 1] - signed(k + 1);
      for (let k = anchor + 1; k < idx.length; k += 1) after[k] = known[k] ?? after[k - 1] + signed(k);
      sources.add('back_calculated');
    }
    used += 1;
    let bal = after[0] - signed(0); // opening balance
    let k = 0;
    while (k < idx.length && days[idx[k]] < start) bal = after[k++];
    let ownNegative = 0;
    for (let d = 0; d < windowDays; d += 1) {
      const day = start + d;
      while (k < idx.length && days[idx[k]] === day) bal = after[k++];
      total[d] += bal;
      if (bal < 0) ownNegative += 1;
    }
    if (ownNegative > 0 && (worstAccount === null || ownNegative > worstAccount.negativeDays))
      worstAccount = { accountId, negativeDays: ownNegative };
  }
  if (used === 0) return { source: 'none', average: null, minimum: null, negativeDays: 0, lowDays: 0, worstAccount: null };
  let sum = 0;
  let min = Number.POSITIVE_INFINITY;
  let negativeDays = 0;
  let lowDays = 0;
  for (const v of total) {
    sum += v;
    if (v < min) min = v;
    if (v < 0) negativeDays += 1;
    if (v < lowThreshold) lowDays += 1;
  }
  return {
    source: sources.size === 2 ? 'mixed' : sources.has('running') ? 'running' : 'back_calculated',
    average: toMinor(new Dec(sum).div(windowDays)),
    minimum: min,
    negativeDays,
    lowDays,
    worstAccount,
  };
}

/**
 * Per analysed month: inflow/outflow/net with self-transfers excluded and reversals netted against the
 * opposite side, the income-eligible ("qualifying") inflow and the essential outflow; then volatility, a
 * Theil–Sen trend and free cash flow FCF = median qualifying inflow − median essential outflow − EO.
 */
export function computeCashFlow(
  frame: Frame,
  policy: Policy,
  qualifyingByMonth: number[],
  existingObligationsMinor: number,
  /** Filled with the balance detail that is not part of the result (the worst single account). */
  detail?: { worstAccount: BalanceSummary['worstAccount'] },
): CashFlowResult {
  const { txs, months } = frame;
  const n = frame.analysedMonths.length;
  const inflow = new Array<number>(n).fill(0);
  const outflow = new Array<number>(n).fill(0);
  const revIn = new Array<number>(n).fill(0);
  const revOut = new Array<number>(n).fill(0);
  const weights = policy.affordability.essentialOutflowWeights;
  // Essential categories numbered in first-seen order; per month and category, the outflow in kobo.
  const essentialIndex = new Map<string, number>();
  const essentialNames: string[] = [];
  const byCategory: number[][] = Array.from({ length: n }, () => []);
  for (let i = 0; i < txs.length; i += 1) {
    const slot = frame.slotOfMonth(months[i]);
    if (slot < 0) continue;
    const t = txs[i];
    if (t.category === 'self_transfer' || t.category === 'failed_debit') continue;
    if (t.direction === 'credit') {
      if (t.category === 'reversal') revIn[slot] += t.amountMinor;
      else inflow[slot] += t.amountMinor;
    } else if (t.category === 'reversal') {
      revOut[slot] += t.amountMinor;
    } else {
      outflow[slot] += t.amountMinor;
      if (Object.prototype.hasOwnProperty.call(weights, t.category)) {
        let c = essentialIndex.get(t.category);
        if (c === undefined) {
          c = essentialNames.push(t.category) - 1;
          essentialIndex.set(t.category, c);
        }
        const m = byCategory[slot];
        m[c] = (m[c] ?? 0) + t.amountMinor;
      }
    }
  }
  const essential = byCategory.map((m) => {
    let e = ZERO;
    for (let c = 0; c < m.length; c += 1) if (m[c] !== undefined) e = e.plus(constDec(weights[essentialNames[c]]).times(m[c]));
    return toMinor(e);
  });
  const monthsOut = frame.analysedMonths.map((mi, s) => {
    const inMinor = Math.max(0, inflow[s] - revOut[s]);
    const outMinor = Math.max(0, outflow[s] - revIn[s]);
    return {
      month: monthKey(mi),
      inflowMinor: inMinor,
      outflowMinor: outMinor,
      netMinor: inMinor - outMinor,
      qualifyingInflowMinor: qualifyingByMonth[s],
      essentialOutflowMinor: essential[s],
    };
  });
  const bal = balanceSeries(frame, policy.cashFlow.balanceWindowDays, policy.cashFlow.lowBalanceThresholdMinor);
  if (detail) detail.worstAccount = bal.worstAccount;
  const slope = theilSenSlope(monthsOut.map((m) => m.netMinor));
  const medianInflow = medianDec(monthsOut.map((m) => m.inflowMinor));
  const threshold = medianInflow.times(constDec(policy.cashFlow.trendThreshold));
  const direction = n < 3 ? 'stable' : slope.gt(threshold) ? 'improving' : slope.lt(threshold.neg()) ? 'declining' : 'stable';
  const medianQualifying = toMinor(medianDec(qualifyingByMonth));
  const medianEssential = toMinor(medianDec(essential));
  return {
    months: monthsOut,
    balanceSource: bal.source,
    balanceWindowDays: policy.cashFlow.balanceWindowDays,
    averageDailyBalanceMinor: bal.average,
    minimumDailyBalanceMinor: bal.minimum,
    negativeBalanceDays: bal.negativeDays,
    lowBalanceDays: bal.lowDays,
    lowBalanceThresholdMinor: policy.cashFlow.lowBalanceThresholdMinor,
    inflowVolatility: toRatio(cvDec(monthsOut.map((m) => m.inflowMinor))),
    trend: { slopeMinorPerMonth: toMinor(slope), direction },
    medianMonthlyInflowMinor: medianQualifying,
    medianEssentialOutflowMinor: medianEssential,
    freeCashFlowMinor: medianQualifying - medianEssential - existingObligationsMinor,
  };
}
