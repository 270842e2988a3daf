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

/** days since 1970-01-01 → `YYYY-MM-DD` (memoised, bounded). */
export function fromDay(day: number): string {
  let s = dateStrings.get(day);
  if (s === undefined) {
    s = new Date(day * DAY_MS).toISOString().slice(0, 10);
    if (dateStrings.size > 50_000) dateStrings.clear();
    dateStrings.set(day, s);
  }
  return s;
}

const dateStrings = new Map<number, string>();

/**
 * Civil date of an epoch day by integer arithmetic only (H. Hinnant's days→civil algorithm): no Date
 * objects in the hot paths.
 */
export function civilFromDays(day: number): { y: number; m: number; d: number } {
  const z = day + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return { y: yoe + era * 400 + (m <= 2 ? 1 : 0), m, d };
}

/** 0 = Sunday … 6 = Saturday. */
export function weekday(day: number): number {
  return (((day + 4) % 7) + 7) % 7;
}

// Day-of-month and month index of epoch days 0 … TABLE_DAYS − 1 (1970 – 2169), filled on first use: the
// detectors ask for the same few hundred days thousands of times per decision. 0 marks "not computed yet".
const TABLE_DAYS = 73_049;
const domTable = new Uint8Array(TABLE_DAYS);
const monthTable = new Int32Array(TABLE_DAYS); // month index + 1

function fillTables(day: number): void {
  const c = civilFromDays(day);
  domTable[day] = c.d;
  monthTable[day] = (c.y - 1970) * 12 + c.m;
}

/** Month index (months since 1970-01) of an epoch day. */
export function monthIndexOfDay(day: number): number {
  if (day >= 0 && day < TABLE_DAYS && Number.isInteger(day)) {
    if (monthTable[day] === 0) fillTables(day);
    return monthTable[day] - 1;
  }
  const c = civilFromDays(day);
  return (c.y - 1970) * 12 + c.m - 1;
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
  if (day >= 0 && day < TABLE_DAYS && Number.isInteger(day)) {
    if (domTable[day] === 0) fillTables(day);
    return domTable[day];
  }
  return civilFromDays(day).d;
}

/** The business date part of an ISO `asOf` (`2026-10-31` or `2026-10-31T00:00:00Z`). */
export function asOfDate(asOf: string): string {
  if (!/^\d{4}-\d{2}-\d{2}/.test(asOf)) throw new RangeError(`invalid asOf '${asOf}'`);
  return asOf.slice(0, 10);
}
