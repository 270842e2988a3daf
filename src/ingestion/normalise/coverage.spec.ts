import { describe, expect, it } from '@jest/globals';

import { completeMonthsBetween, computeCoverage } from './coverage.js';

const rows = (...dates: string[]): Array<{ date: string }> => dates.map((date) => ({ date }));

describe(computeCoverage.name, () => {
  it('should return zeros and nulls for an account without transactions', () => {
    expect(computeCoverage('a', [], '2026-10-31', null)).toEqual({
      accountId: 'a',
      transactionCount: 0,
      firstDate: null,
      lastDate: null,
      daysAvailable: 0,
      completeMonths: 0,
      completeMonthList: [],
      longestGapDays: 0,
      daysWithoutTransactions: 0,
      lastSuccessfulSyncAt: null,
      freshnessHours: null,
    });
  });

  it('should never count the current partial month and skip a partial first month', () => {
    const coverage = computeCoverage('a', rows('2026-06-15', '2026-07-01', '2026-10-30'), '2026-10-31', null);
    expect(coverage.completeMonthList).toEqual(['2026-07', '2026-08', '2026-09']);
    expect(coverage.completeMonths).toBe(3);
    expect(coverage.daysAvailable).toBe(138);
  });

  it('should count a first month that starts on the 1st and a month that ends the day before asOf', () => {
    expect(completeMonthsBetween('2026-09-01', '2026-10-01')).toEqual(['2026-09']);
    expect(completeMonthsBetween('2026-09-01', '2026-09-30')).toEqual([]);
  });

  it('should measure the longest gap including the run from the last transaction to asOf', () => {
    expect(computeCoverage('a', rows('2026-09-01', '2026-09-03', '2026-09-20'), '2026-09-25', null).longestGapDays).toBe(17);
    expect(computeCoverage('a', rows('2026-09-01', '2026-09-03'), '2026-09-25', null).longestGapDays).toBe(22);
  });

  it('should count days in [firstDate, asOf] without any transaction', () => {
    // 1..10 Sept is 10 days, 3 of them active
    const coverage = computeCoverage('a', rows('2026-09-01', '2026-09-01', '2026-09-05', '2026-09-09'), '2026-09-10', null);
    expect(coverage).toMatchObject({ transactionCount: 4, firstDate: '2026-09-01', lastDate: '2026-09-09', daysWithoutTransactions: 7 });
  });

  it('should derive business dates from postedAt in Africa/Lagos', () => {
    const coverage = computeCoverage('a', [{ postedAt: '2026-08-31T23:30:00.000Z' }], '2026-10-31', null);
    expect(coverage.firstDate).toBe('2026-09-01');
    expect(coverage.completeMonthList).toEqual(['2026-09']);
  });

  it('should compute freshness in hours between the last sync and asOf', () => {
    expect(computeCoverage('a', rows('2026-09-01'), '2026-10-31T12:00:00Z', '2026-10-29T12:00:00Z').freshnessHours).toBe(48);
    expect(computeCoverage('a', rows('2026-09-01'), '2026-10-31', '2026-10-30T11:00:00Z').freshnessHours).toBe(12);
  });
});
