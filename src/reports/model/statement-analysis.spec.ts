import { describe, expect, it } from '@jest/globals';
import { buildStatementAnalysis, type AnalysisTx } from './statement-analysis.js';

/** A small ledger with running balances: opening ₦10,000, three months (the last one partial), asOf 2026-03-20. */
function ledger(): AnalysisTx[] {
  const rows: Array<Omit<AnalysisTx, 'id' | 'accountId' | 'balanceMinor'>> = [
    { bookingDate: '2026-01-02', direction: 'debit', amountMinor: 500_000, category: 'rent', counterparty: 'HOME LETS' },
    { bookingDate: '2026-01-10', direction: 'debit', amountMinor: 5_000, category: 'bank_charges', counterparty: null },
    { bookingDate: '2026-01-25', direction: 'credit', amountMinor: 2_000_000, category: 'salary', counterparty: 'ACME LTD' },
    { bookingDate: '2026-01-27', direction: 'debit', amountMinor: 300_000, category: 'card_pos', counterparty: 'SHOP A' },
    { bookingDate: '2026-02-02', direction: 'debit', amountMinor: 500_000, category: 'rent', counterparty: 'HOME LETS' },
    { bookingDate: '2026-02-14', direction: 'debit', amountMinor: 900_000, category: 'card_pos', counterparty: 'SHOP A' },
    { bookingDate: '2026-02-25', direction: 'credit', amountMinor: 2_000_000, category: 'salary', counterparty: 'ACME LTD' },
    { bookingDate: '2026-02-26', direction: 'credit', amountMinor: 100_000, category: 'transfer_in', counterparty: 'FRIEND B' },
    { bookingDate: '2026-03-02', direction: 'debit', amountMinor: 520_000, category: 'rent', counterparty: 'HOME LETS' },
    { bookingDate: '2026-03-03', direction: 'debit', amountMinor: 50_000, category: 'card_pos', counterparty: 'SHOP A' },
    { bookingDate: '2026-03-10', direction: 'debit', amountMinor: 5_000, category: 'bank_charges', counterparty: null },
    // Booked on asOf: the decision did not see it.
    { bookingDate: '2026-03-20', direction: 'credit', amountMinor: 9_999_999, category: 'salary', counterparty: 'ACME LTD' },
  ];
  let bal = 1_000_000;
  return rows.map((r, k) => {
    bal += r.direction === 'credit' ? r.amountMinor : -r.amountMinor;
    return { ...r, id: `t${k}`, accountId: 'A', balanceMinor: bal };
  });
}

describe('buildStatementAnalysis', () => {
  const a = buildStatementAnalysis(ledger(), new Map([['A', null]]), '2026-03-20', [
    { month: '2026-01', inflowMinor: 2_000_000, outflowMinor: 805_000 },
    { month: '2026-02', inflowMinor: 2_100_000, outflowMinor: 1_400_000 },
  ]);

  it('should sum each month from the rows before asOf, with opening, closing, minimum and average balances', () => {
    expect(a.transactionCount).toBe(11);
    expect(a.months.map((m) => m.month)).toEqual(['2026-01', '2026-02', '2026-03']);
    const [jan, feb, mar] = a.months;
    expect(jan).toMatchObject({ creditsMinor: 2_000_000, creditCount: 1, debitsMinor: 805_000, debitCount: 3, netMinor: 1_195_000 });
    expect(jan).toMatchObject({ openingBalanceMinor: 1_000_000, closingBalanceMinor: 2_195_000, minBalanceMinor: 495_000 });
    expect(jan).toMatchObject({ salaryMinor: 2_000_000, salaryCount: 1, chargesMinor: 5_000, chargesCount: 1, partial: true });
    expect(feb.partial).toBe(false);
    expect(jan).toMatchObject({ engineInflowMinor: 2_000_000, engineOutflowMinor: 805_000 });
    // The data start on 2 Jan (the first month counts as partial); each month opens at the previous close.
    expect(feb.openingBalanceMinor).toBe(jan.closingBalanceMinor);
    expect(mar.openingBalanceMinor).toBe(feb.closingBalanceMinor);
    expect(mar).toMatchObject({ partial: true, engineInflowMinor: null, salaryMinor: 0 });
    // January's end-of-day balance: 1,000,000 on the 1st, 500,000 on 2–9, 495,000 on 10–24, 2,495,000 on 25–26 and
    // 2,195,000 on 27–31 → the average over 31 days, rounded down to kobo.
    const expected = Math.floor((1_000_000 + 500_000 * 8 + 495_000 * 15 + 2_495_000 * 2 + 2_195_000 * 5) / 31);
    expect(jan.averageBalanceMinor).toBe(expected);
  });

  it('should split spend by category per month and rank counterparties', () => {
    const pos = a.categories.find((c) => c.category === 'card_pos' && c.direction === 'debit')!;
    expect(pos.byMonth).toEqual([300_000, 900_000, 50_000]);
    expect(pos.totalMinor).toBe(1_250_000);
    expect(a.categories[0].direction).toBe('debit');
    expect(a.topCounterparties.credits.map((c) => c.name)).toEqual(['ACME LTD', 'FRIEND B']);
    expect(a.topCounterparties.credits[0]).toMatchObject({
      totalMinor: 4_000_000,
      count: 2,
      share: '0.9756',
      transactionIds: ['t2', 't6'],
    });
    expect(a.topCounterparties.debits.map((c) => c.name)).toEqual(['HOME LETS', 'SHOP A', '(no counterparty)']);
  });

  it('should find a recurring debit in three months within the amount band and not an irregular one', () => {
    expect(a.recurringDebits).toEqual([
      {
        counterparty: 'HOME LETS',
        category: 'rent',
        kind: 'rent',
        months: 3,
        count: 3,
        typicalAmountMinor: 500_000,
        totalMinor: 1_520_000,
        lastDate: '2026-03-02',
        transactionIds: ['t0', 't4', 't8'],
      },
    ]);
  });

  it('should be empty without transactions', () => {
    expect(buildStatementAnalysis([], new Map(), '2026-03-20', [])).toMatchObject({ months: [], from: null, transactionCount: 0 });
  });
});
