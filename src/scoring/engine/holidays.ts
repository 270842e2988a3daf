import Holidays from 'date-holidays';
import { fromDay, weekday } from './dates.js';

/**
 * Nigerian public holidays from `date-holidays` (NG), loaded once per year and cached. The library computes
 * a year's holidays from rules only (no clock), so the result is deterministic for a given date.
 */
let ng: Holidays | undefined;
const byYear = new Map<number, Set<string>>();

function holidaysOf(year: number): Set<string> {
  let set = byYear.get(year);
  if (!set) {
    ng ??= new Holidays('NG');
    set = new Set<string>();
    for (const h of ng.getHolidays(year)) {
      if (h.type === 'public' || h.type === 'bank') set.add(h.date.slice(0, 10));
    }
    byYear.set(year, set);
  }
  return set;
}

export function isPublicHoliday(day: number): boolean {
  const date = fromDay(day);
  return holidaysOf(Number(date.slice(0, 4))).has(date);
}

const businessCache = new Map<number, boolean>();

/** Monday–Friday and not a Nigerian public holiday. */
export function isBusinessDay(day: number): boolean {
  let b = businessCache.get(day);
  if (b === undefined) {
    const wd = weekday(day);
    b = wd !== 0 && wd !== 6 && !isPublicHoliday(day);
    businessCache.set(day, b);
  }
  return b;
}

/** The day itself when it is a business day, else the closest earlier business day (how payrolls shift). */
export function previousBusinessDay(day: number): number {
  let d = day;
  while (!isBusinessDay(d)) d -= 1;
  return d;
}

export function nextBusinessDay(day: number): number {
  let d = day;
  while (!isBusinessDay(d)) d += 1;
  return d;
}

/**
 * The nominal days a payment made on `day` may stand for: itself plus the adjacent run of non-business
 * days after it (paid early because pay day fell on a weekend/holiday) and before it (paid late).
 */
export function nominalCandidates(day: number): number[] {
  if (isBusinessDay(day + 1) && isBusinessDay(day - 1)) return [day];
  const out = [day];
  for (let d = day + 1; d <= day + 5 && !isBusinessDay(d); d += 1) out.push(d);
  for (let d = day - 1; d >= day - 5 && !isBusinessDay(d); d -= 1) out.push(d);
  return out;
}
