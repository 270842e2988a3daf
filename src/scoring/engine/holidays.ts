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

// Epoch days 0 … 73,048 (1970 – 2169): 0 not computed yet, 1 business day, 2 not. Other days use the map.
const TABLE_DAYS = 73_049;
const businessTable = new Uint8Array(TABLE_DAYS);
const businessCache = new Map<number, boolean>();

function computeBusinessDay(day: number): boolean {
  const wd = weekday(day);
  return wd !== 0 && wd !== 6 && !isPublicHoliday(day);
}

/** Monday–Friday and not a Nigerian public holiday. */
export function isBusinessDay(day: number): boolean {
  if (day >= 0 && day < TABLE_DAYS && Number.isInteger(day)) {
    let v = businessTable[day];
    if (v === 0) businessTable[day] = v = computeBusinessDay(day) ? 1 : 2;
    return v === 1;
  }
  let b = businessCache.get(day);
  if (b === undefined) {
    b = computeBusinessDay(day);
    businessCache.set(day, b);
  }
  return b;
}

// Length (0–5) of the run of non-business days right after / right before each table day, filled on first
// use (stored + 1, so 0 means "not computed yet"): the cadence detector asks for them for every payment.
const runAfterTable = new Uint8Array(TABLE_DAYS);
const runBeforeTable = new Uint8Array(TABLE_DAYS);

function countRun(day: number, step: 1 | -1): number {
  let r = 0;
  while (r < 5 && !isBusinessDay(day + step * (r + 1))) r += 1;
  return r;
}

/** How many of the (up to 5) days right after `day` are non-business days in a row. */
export function nonBusinessRunAfter(day: number): number {
  if (day >= 0 && day < TABLE_DAYS && Number.isInteger(day)) {
    const v = runAfterTable[day];
    if (v !== 0) return v - 1;
    const r = countRun(day, 1);
    runAfterTable[day] = r + 1;
    return r;
  }
  return countRun(day, 1);
}

/** How many of the (up to 5) days right before `day` are non-business days in a row. */
export function nonBusinessRunBefore(day: number): number {
  if (day >= 0 && day < TABLE_DAYS && Number.isInteger(day)) {
    const v = runBeforeTable[day];
    if (v !== 0) return v - 1;
    const r = countRun(day, -1);
    runBeforeTable[day] = r + 1;
    return r;
  }
  return countRun(day, -1);
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
