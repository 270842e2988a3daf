import { fromDay } from './dates.js';
import { Dec, maxDec, toMinor } from './decimal.js';
import type { Frame } from './frame.js';
import type { DisbursementWindow, LenderObligation, ObligationsResult } from './types.js';

/**
 * Existing obligations (research §4b EO): repayments to other lenders in the last 90 days, per lender,
 * monthly-normalised as max(total 90 days / 3, total last 30 days) — the second catches weekly repayments
 * and loans that started recently. Every lender repaid in the window counts (loan-app borrowers re-borrow).
 * Lenders are keyed by their dictionary id (see counterpartyKey). Disbursements received in the last 30/90 days measure stacking.
 */
export function computeObligations(frame: Frame): ObligationsResult {
  const { txs, days, keys, asOfDay } = frame;
  const d90 = asOfDay - 90;
  const d30 = asOfDay - 30;
  const repay = new Map<string, { total90: number; total30: number; count: number; last: number; ids: string[] }>();
  const disb30: DisbursementWindow = { count: 0, totalMinor: 0, lenders: [] };
  const disb90: DisbursementWindow = { count: 0, totalMinor: 0, lenders: [] };
  const disbIds: string[] = [];
  const active30 = new Set<string>();
  const active90 = new Set<string>();
  for (let i = 0; i < txs.length; i += 1) {
    if (days[i] < d90) continue;
    const t = txs[i];
    const lender = keys[i];
    if (t.category === 'loan_repayment' && t.direction === 'debit') {
      let r = repay.get(lender);
      if (!r) repay.set(lender, (r = { total90: 0, total30: 0, count: 0, last: 0, ids: [] }));
      r.total90 += t.amountMinor;
      if (days[i] >= d30) r.total30 += t.amountMinor;
      r.count += 1;
      r.last = days[i];
      r.ids.push(t.id);
      active90.add(lender);
      if (days[i] >= d30) active30.add(lender);
    } else if (t.category === 'loan_disbursement' && t.direction === 'credit') {
      disbIds.push(t.id);
      disb90.count += 1;
      disb90.totalMinor += t.amountMinor;
      if (!disb90.lenders.includes(lender)) disb90.lenders.push(lender);
      active90.add(lender);
      if (days[i] >= d30) {
        disb30.count += 1;
        disb30.totalMinor += t.amountMinor;
        if (!disb30.lenders.includes(lender)) disb30.lenders.push(lender);
        active30.add(lender);
      }
    }
  }
  const lenders: LenderObligation[] = [];
  for (const [lender, r] of repay) {
    lenders.push({
      lender,
      monthlyMinor: toMinor(maxDec(new Dec(r.total90).div(3), new Dec(r.total30))),
      payments90d: r.count,
      total90dMinor: r.total90,
      lastDate: fromDay(r.last),
      transactionIds: r.ids,
    });
  }
  lenders.sort((a, b) => b.monthlyMinor - a.monthlyMinor || (a.lender < b.lender ? -1 : 1));
  disb30.lenders.sort();
  disb90.lenders.sort();
  return {
    monthlyTotalMinor: lenders.reduce((s, l) => s + l.monthlyMinor, 0),
    lenderCount: lenders.length,
    lenders,
    disbursements: { last30d: disb30, last90d: disb90, transactionIds: disbIds },
    activeLenders30d: active30.size,
    activeLenders90d: active90.size,
  };
}
