import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { fillRunningBalances, newestFirst, recomputeBalancesFrom, signed } from './bank-ledger.js';
import type { BankTransaction } from './types.js';

const row = (type: 'debit' | 'credit', amount: number, balance: number | null = null) => ({ type, amount, balance, date: '2026-10-01T00:00:00Z' });

describe(fillRunningBalances.name, () => {
  it('should continue from the balance before the new rows', () => {
    expect(fillRunningBalances([row('credit', 500), row('debit', 200)], 1000, null).map((r) => r.balance)).toEqual([1500, 1300]);
  });

  it('should derive the opening balance from the first row that has one', () => {
    expect(fillRunningBalances([row('credit', 500), row('debit', 200, 800), row('credit', 50)], null, null).map((r) => r.balance)).toEqual([1000, 800, 850]);
  });

  it('should end on the account balance when no row has a balance', () => {
    expect(fillRunningBalances([row('credit', 500), row('debit', 200)], null, 10_000).map((r) => r.balance)).toEqual([10_200, 10_000]);
  });

  it('should start from zero when nothing is known', () => {
    expect(fillRunningBalances([row('credit', 500), row('debit', 200)], null, null).map((r) => r.balance)).toEqual([500, 300]);
  });
});

describe(recomputeBalancesFrom.name, () => {
  const day = (d: number) => new Date(Date.UTC(2026, 0, 1 + d, 12)).toISOString();
  const row = fc.record({ day: fc.integer({ min: 0, max: 20 }), amount: fc.integer({ min: 1, max: 5_000_000 }), credit: fc.boolean() });

  it('should keep every running balance continuous when rows are back-dated between existing ones', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000_000 }), fc.array(row, { minLength: 1, maxLength: 15 }), fc.array(row, { minLength: 1, maxLength: 8 }), (opening, existing, appended) => {
        let seq = 0;
        const make = (r: { day: number; amount: number; credit: boolean }) =>
          ({ type: r.credit ? 'credit' : 'debit', amount: r.amount, balance: 0, date: day(r.day), seq: ++seq }) as BankTransaction;
        const ledger = existing.map(make).sort((a, b) => Date.parse(a.date) - Date.parse(b.date) || a.seq - b.seq);
        let running = opening;
        for (const t of ledger) t.balance = running += signed(t);
        const firstAdded = seq + 1;
        ledger.push(...appended.map(make));
        recomputeBalancesFrom(ledger, firstAdded, opening);
        const oldestFirst = newestFirst(ledger).reverse();
        let expected = opening;
        for (const t of oldestFirst) {
          expected += signed(t);
          expect(t.balance).toBe(expected);
        }
      }),
    );
  });

  it('should leave rows older than the first added row untouched', () => {
    const ledger = [
      { type: 'credit', amount: 100, balance: 1100, date: day(1), seq: 1 },
      { type: 'debit', amount: 50, balance: 1050, date: day(3), seq: 2 },
      { type: 'credit', amount: 7, balance: 0, date: day(2), seq: 3 },
    ] as BankTransaction[];
    recomputeBalancesFrom(ledger, 3, 0);
    expect(ledger.map((t) => t.balance)).toEqual([1100, 1057, 1107]);
  });
});
