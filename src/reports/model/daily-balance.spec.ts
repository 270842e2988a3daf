import { describe, expect, it } from '@jest/globals';
import { dailyBalanceSeries } from './daily-balance.js';

describe(dailyBalanceSeries.name, () => {
  it('should carry running balances forward day by day over the window before asOf', () => {
    const series = dailyBalanceSeries(
      [
        { accountId: 'a', date: '2026-09-01', direction: 'credit', amountMinor: 1000, balanceMinor: 1000 },
        { accountId: 'a', date: '2026-09-03', direction: 'debit', amountMinor: 1500, balanceMinor: -500 },
        { accountId: 'a', date: '2026-09-05', direction: 'credit', amountMinor: 700, balanceMinor: 200 },
        { accountId: 'a', date: '2026-09-06', direction: 'credit', amountMinor: 9999, balanceMinor: 10199 },
      ],
      new Map(),
      '2026-09-06',
      5,
    );
    expect(series).toEqual([
      { date: '2026-09-01', balanceMinor: 1000 },
      { date: '2026-09-02', balanceMinor: 1000 },
      { date: '2026-09-03', balanceMinor: -500 },
      { date: '2026-09-04', balanceMinor: -500 },
      { date: '2026-09-05', balanceMinor: 200 },
    ]);
  });

  it('should back-calculate from the account balance when the bank gives no running balance, and sum accounts', () => {
    const series = dailyBalanceSeries(
      [
        { accountId: 'a', date: '2026-09-02', direction: 'debit', amountMinor: 300, balanceMinor: null },
        { accountId: 'b', date: '2026-09-02', direction: 'credit', amountMinor: 50, balanceMinor: 50 },
      ],
      new Map([['a', 700]]),
      '2026-09-04',
      3,
    );
    expect(series).toEqual([
      { date: '2026-09-01', balanceMinor: 1000 },
      { date: '2026-09-02', balanceMinor: 750 },
      { date: '2026-09-03', balanceMinor: 750 },
    ]);
  });

  it('should give no series without any balance information', () => {
    expect(
      dailyBalanceSeries(
        [{ accountId: 'a', date: '2026-09-02', direction: 'debit', amountMinor: 1, balanceMinor: null }],
        new Map(),
        '2026-09-04',
        3,
      ),
    ).toEqual([]);
  });
});
