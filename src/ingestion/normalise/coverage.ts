/**
 * Coverage of one account's history (underwriting-research §4d), exactly as documented on `AccountCoverage`.
 * Dates are Lagos business dates; `asOf` may be an ISO instant or a bare `YYYY-MM-DD`.
 */
import type { AccountCoverage } from '../../common/domain/account.js';
import { diffDays, hoursBetween, lagosDate, nextMonth } from './lagos-date.js';

/** Anything with a business date or a posting instant. */
export type CoverageRow = { date: string } | { postedAt: string };

function rowDate(row: CoverageRow): string {
  return 'date' in row ? row.date : lagosDate(row.postedAt);
}

/** Months `YYYY-MM` whose first day is ≥ firstDate and whose last day is < asOfDate. */
export function completeMonthsBetween(firstDate: string, asOfDate: string): string[] {
  const months: string[] = [];
  let month = firstDate.endsWith('-01') ? firstDate.slice(0, 7) : nextMonth(firstDate.slice(0, 7));
  // The month is complete when the day after its last day (the 1st of the next month) is ≤ asOfDate.
  while (`${nextMonth(month)}-01` <= asOfDate) {
    months.push(month);
    month = nextMonth(month);
  }
  return months;
}

function freshness(asOf: string, lastSuccessfulSyncAt: string | null): number | null {
  if (lastSuccessfulSyncAt === null) return null;
  const asOfInstant = /^\d{4}-\d{2}-\d{2}$/.test(asOf) ? `${asOf}T00:00:00+01:00` : asOf;
  // Two decimals are plenty for "hours since sync" and keep reports stable.
  return Math.round(hoursBetween(asOfInstant, lastSuccessfulSyncAt) * 100) / 100;
}

export function computeCoverage(
  accountId: string,
  transactions: readonly CoverageRow[],
  asOf: string,
  lastSuccessfulSyncAt: string | null,
): AccountCoverage {
  const asOfDate = lagosDate(asOf);
  const dates = [...new Set(transactions.map(rowDate))].sort();
  const base = {
    accountId,
    transactionCount: transactions.length,
    lastSuccessfulSyncAt,
    freshnessHours: freshness(asOf, lastSuccessfulSyncAt),
  };
  if (dates.length === 0) {
    return {
      ...base,
      firstDate: null,
      lastDate: null,
      daysAvailable: 0,
      completeMonths: 0,
      completeMonthList: [],
      longestGapDays: 0,
      daysWithoutTransactions: 0,
    };
  }
  const firstDate = dates[0];
  const lastDate = dates[dates.length - 1];
  let longestGapDays = Math.max(0, diffDays(asOfDate, lastDate));
  for (let i = 1; i < dates.length; i++) longestGapDays = Math.max(longestGapDays, diffDays(dates[i], dates[i - 1]));
  const daysInRange = Math.max(0, diffDays(asOfDate, firstDate) + 1);
  const activeDays = dates.filter((d) => d <= asOfDate).length;
  const completeMonthList = completeMonthsBetween(firstDate, asOfDate);
  return {
    ...base,
    firstDate,
    lastDate,
    daysAvailable: Math.max(0, diffDays(asOfDate, firstDate)),
    completeMonths: completeMonthList.length,
    completeMonthList,
    longestGapDays,
    daysWithoutTransactions: Math.max(0, daysInRange - activeDays),
  };
}
