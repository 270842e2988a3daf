/**
 * Calendar arithmetic on business dates (`YYYY-MM-DD`, Africa/Lagos days as produced by normalisation),
 * represented internally as integer "epoch days". No clock, no time zones: a date string is a calendar day.
 */

const DAY_MS = 86_400_000;
const dayCache = new Map<string, number>();

/** `YYYY-MM-DD` → days since 1970-01-01. */
export function toDay(date: string): number {
  let d = dayCache.get(date);
  if (d === undefined) {
    const y = Number(date.slice(0, 4));
    const m = Number(date.slice(5, 7));
    const dd = Number(date.slice(8, 10));
    if (!Number.isInteger(y) || !Number.isInteger(m) || !Number.isInteger(dd) || date.length < 10) {
      throw new RangeError(`invalid date '${date}'`);
    }
    d = Date.UTC(y, m - 1, dd) / DAY_MS;
    if (dayCache.size > 50_000) dayCache.clear();
    dayCache.set(date, d);
  }
  return d;
}

/** days since 1970-01-01 → `YYYY-MM-DD`. */
export function fromDay(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** 0 = Sunday … 6 = Saturday. */
export function weekday(day: number): number {
  return (((day + 4) % 7) + 7) % 7;
}

/** Month index (months since 1970-01) of an epoch day. */
export function monthIndexOfDay(day: number): number {
  const dt = new Date(day * DAY_MS);
  return (dt.getUTCFullYear() - 1970) * 12 + dt.getUTCMonth();
}

export function monthIndexOfDate(date: string): number {
  return (Number(date.slice(0, 4)) - 1970) * 12 + Number(date.slice(5, 7)) - 1;
}

/** `YYYY-MM` of a month index. */
export function monthKey(monthIndex: number): string {
  const y = 1970 + Math.floor(monthIndex / 12);
  const m = (monthIndex % 12) + 1;
  return `${y}-${m < 10 ? '0' : ''}${m}`;
}

/** First epoch day of a month index. */
export function firstDayOfMonth(monthIndex: number): number {
  return Date.UTC(1970 + Math.floor(monthIndex / 12), monthIndex % 12, 1) / DAY_MS;
}

export function daysInMonth(monthIndex: number): number {
  return firstDayOfMonth(monthIndex + 1) - firstDayOfMonth(monthIndex);
}

export function dayOfMonth(day: number): number {
  return new Date(day * DAY_MS).getUTCDate();
}

/** The business date part of an ISO `asOf` (`2026-10-31` or `2026-10-31T00:00:00Z`). */
export function asOfDate(asOf: string): string {
  if (!/^\d{4}-\d{2}-\d{2}/.test(asOf)) throw new RangeError(`invalid asOf '${asOf}'`);
  return asOf.slice(0, 10);
}
