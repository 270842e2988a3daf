import { describe, expect, it } from '@jest/globals';
import { DEFAULT_POLICY } from '../policy/index.js';
import { balanceSeries, computeCashFlow } from './cashflow.js';
import { buildTransactions, type TxSpec } from './testing/builders.js';
import { frameOf } from './testing/run.js';

const asOf = '2026-10-01';

const specs: TxSpec[] = [
  { date: '2026-07-01', direction: 'credit', amountMinor: 10_000_000, category: 'salary', counterparty: 'ACME' },
  { date: '2026-07-02', direction: 'debit', amountMinor: 2_000_000, category: 'rent', counterparty: 'LANDLORD' },
  { date: '2026-07-03', direction: 'debit', amountMinor: 1_000_000, category: 'transfer_out', counterparty: 'FRIEND' },
  { date: '2026-07-04', direction: 'debit', amountMinor: 3_000_000, category: 'self_transfer', counterparty: 'ME' },
  { date: '2026-07-05', direction: 'credit', amountMinor: 500_000, category: 'reversal', counterparty: 'BANK' },
  { date: '2026-08-01', direction: 'credit', amountMinor: 10_000_000, category: 'salary', counterparty: 'ACME' },
  { date: '2026-08-20', direction: 'debit', amountMinor: 16_000_000, category: 'card_pos', counterparty: 'SHOP' },
  { date: '2026-09-01', direction: 'credit', amountMinor: 10_000_000, category: 'salary', counterparty: 'ACME' },
  { date: '2026-09-02', direction: 'debit', amountMinor: 4_000_000, category: 'loan_repayment', counterparty: 'CARBON' },
];

describe(computeCashFlow.name, () => {
  it('should exclude self-transfers, net reversals and weight essential outflows', () => {
    const frame = frameOf(buildTransactions(specs, { openingBalanceMinor: 0 }), asOf);
    const qualifying = [10_000_000, 10_000_000, 10_000_000];
    const cf = computeCashFlow(frame, DEFAULT_POLICY, qualifying, 4_000_000);
    expect(cf.months.map((m) => m.month)).toEqual(['2026-07', '2026-08', '2026-09']);
    expect(cf.months[0]).toEqual({
      month: '2026-07',
      inflowMinor: 10_000_000,
      outflowMinor: 2_500_000,
      netMinor: 7_500_000,
      qualifyingInflowMinor: 10_000_000,
      essentialOutflowMinor: 2_300_000,
    }); // rent + 0.3 × transfer out
    expect(cf.months[2].outflowMinor).toBe(4_000_000); // the loan repayment is an outflow but not "essential" (it is EO)
    expect(cf.months[2].essentialOutflowMinor).toBe(0);
    expect(cf.medianEssentialOutflowMinor).toBe(2_300_000); // median of 2.3M, 8M (half of card spend), 0
    expect(cf.freeCashFlowMinor).toBe(10_000_000 - 2_300_000 - 4_000_000);
  });

  it('should compute a robust trend over monthly net', () => {
    const frame = frameOf(buildTransactions(specs, { openingBalanceMinor: 0 }), asOf);
    const cf = computeCashFlow(frame, DEFAULT_POLICY, [0, 0, 0], 0);
    expect(cf.trend.slopeMinorPerMonth).toBe(-750_000); // median of the pairwise slopes (−13.5M, −0.75M, +12M)
  });
});

describe(balanceSeries.name, () => {
  it('should forward-fill end-of-day running balances and count negative and low days', () => {
    const frame = frameOf(buildTransactions(specs, { openingBalanceMinor: 0 }), asOf);
    const b = balanceSeries(frame, 92, 500_000); // 1 July … 30 September
    expect(b.source).toBe('running');
    // Balance path: 10M, 8M, 7M, 4M, 4.5M (5 Jul) …, 14.5M (1 Aug), −1.5M (20–31 Aug), 8.5M, 4.5M.
    expect(b.minimum).toBe(-1_500_000);
    expect(b.negativeDays).toBe(12);
    expect(b.lowDays).toBe(12);
    expect(b.worstAccount).toEqual({ accountId: 'acc-1', negativeDays: 12 });
  });

  it('should back-calculate from the current balance when running balances are missing', () => {
    const txs = buildTransactions(specs, { openingBalanceMinor: 0, withBalances: false });
    const frame = frameOf(txs, asOf);
    frame.accounts[0].balanceMinor = 4_500_000;
    const b = balanceSeries(frame, 92, 500_000);
    expect(b.source).toBe('back_calculated');
    expect(b.minimum).toBe(-1_500_000);
    expect(b.negativeDays).toBe(12);
  });

  it('should report no balance metrics when there is nothing to derive them from', () => {
    const frame = frameOf(buildTransactions(specs, { withBalances: false }), asOf);
    frame.accounts[0].balanceMinor = null;
    expect(balanceSeries(frame, 90, 500_000)).toEqual({
      source: 'none',
      average: null,
      minimum: null,
      negativeDays: 0,
      lowDays: 0,
      worstAccount: null,
    });
  });
});
