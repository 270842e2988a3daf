import { describe, expect, it } from '@jest/globals';
import { computeObligations } from './obligations.js';
import { buildTransactions, type TxSpec } from './testing/builders.js';
import { frameOf } from './testing/run.js';

const asOf = '2026-10-31';
const repay = (date: string, lender: string, amountMinor: number): TxSpec => ({
  date,
  direction: 'debit',
  amountMinor,
  category: 'loan_repayment',
  counterparty: lender,
});
const disburse = (date: string, lender: string, amountMinor: number): TxSpec => ({
  date,
  direction: 'credit',
  amountMinor,
  category: 'loan_disbursement',
  counterparty: lender,
});

describe(computeObligations.name, () => {
  it('should monthly-normalise repayments per lender within the last 90 days', () => {
    const specs = [
      repay('2026-08-28', 'CARBON', 3_000_000),
      repay('2026-09-28', 'CARBON', 3_000_000),
      repay('2026-10-28', 'CARBON', 3_000_000),
      ...['2026-10-06', '2026-10-13', '2026-10-20', '2026-10-27'].map((d) => repay(d, 'FAIRMONEY', 500_000)),
      repay('2026-08-01', 'PALMCREDIT', 2_000_000), // 91 days before asOf: outside the window
    ];
    const o = computeObligations(frameOf(buildTransactions(specs), asOf));
    expect(o.lenders.map((l) => [l.lender, l.monthlyMinor])).toEqual([
      ['CARBON', 3_000_000],
      ['FAIRMONEY', 2_000_000], // weekly: max(total/3, last 30 days)
    ]);
    expect(o.monthlyTotalMinor).toBe(5_000_000);
    expect(o.lenderCount).toBe(2);
  });

  it('should count disbursements in the last 30 and 90 days for stacking', () => {
    const specs = [
      disburse('2026-10-02', 'CARBON', 5_000_000),
      disburse('2026-10-10', 'FAIRMONEY', 3_000_000),
      disburse('2026-10-20', 'BRANCH', 2_000_000),
      disburse('2026-08-15', 'CARBON', 5_000_000),
      disburse('2026-05-15', 'OKASH', 5_000_000),
    ];
    const o = computeObligations(frameOf(buildTransactions(specs), asOf));
    expect(o.disbursements.last30d).toEqual({ count: 3, totalMinor: 10_000_000, lenders: ['BRANCH', 'CARBON', 'FAIRMONEY'] });
    expect(o.disbursements.last90d.count).toBe(4);
    expect(o.activeLenders90d).toBe(3);
    expect(o.monthlyTotalMinor).toBe(0);
  });
});
