import { describe, expect, it } from '@jest/globals';
import { fillRunningBalances } from './bank-ledger.js';

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
