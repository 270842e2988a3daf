import { Dec } from './decimal.js';
import { daysInMonth, dayOfMonth, monthIndexOfDay, firstDayOfMonth, weekday } from './dates.js';
import { nonBusinessRunAfter, nonBusinessRunBefore, previousBusinessDay } from './holidays.js';
import { medianNum, stdevNum } from './stats.js';
import type { StreamFrequency } from './types.js';

export interface Cadence {
  frequency: StreamFrequency;
  medianGapDays: number;
  /** Share of gaps within ±20% of the median gap (Algoan's "accuracy"). */
  regularity: number;
  /** Pay days with weekend/holiday shifts undone. */
  nominalDays: number[];
  payDayStdevDays: number | null;
}

/** Circular distance between two days of month (1..31), so the 30th and the 1st are 1–2 days apart. */
function domDistance(a: number, b: number): number {
  const d = Math.abs(a - b);
  return Math.min(d, 31 - d);
}

/**
 * Undo weekend and Nigerian public-holiday shifts: a payment may stand for any day of the run of non-business
 * days right after it (paid early) or right before it (paid late); pick the candidate closest to the stream's
 * typical day of month (monthly-ish) or weekday (weekly-ish).
 */
export function nominalDays(days: readonly number[]): number[] {
  if (days.length < 2) return [...days];
  const n = days.length;
  // Candidates of payment i (as nominalCandidates lists them): the day, the next `after[i]` days, the previous
  // `before[i]` days — the runs of non-business days (≤ 5) right after and right before it. Shared scratch
  // arrays (this runs for every stream candidate; nothing here is re-entrant).
  if (n > runScratch.after.length) runScratch = { after: new Int8Array(2 * n), before: new Int8Array(2 * n) };
  const { after, before } = runScratch;
  let shifted = false;
  for (let i = 0; i < n; i += 1) {
    const a = nonBusinessRunAfter(days[i]);
    const b = nonBusinessRunBefore(days[i]);
    after[i] = a;
    before[i] = b;
    if (a + b > 0) shifted = true;
  }
  // Every payment stands only for itself: nothing to undo.
  if (!shifted) return [...days];
  const gaps: number[] = [];
  for (let i = 1; i < n; i += 1) gaps.push(days[i] - days[i - 1]);
  const monthly = medianNum(gaps) >= 20;
  const keyOf = monthly ? dayOfMonth : weekday;
  // The nominal pay day is the day of month (or weekday) that the most payments could stand for; ties go
  // to the one nearest the median raw day. Counting per payment (a payment counts once per key).
  counts.fill(0);
  seenBy.fill(0);
  for (let i = 0; i < n; i += 1) {
    const day = days[i];
    for (let c = day - before[i]; c <= day + after[i]; c += 1) {
      const k = keyOf(c);
      if (seenBy[k] !== i + 1) {
        seenBy[k] = i + 1;
        counts[k] += 1;
      }
    }
  }
  const rawMedian = medianNum(days.map(keyOf));
  let target = keyOf(days[0]);
  let bestCount = -1;
  for (let k = 0; k < counts.length; k += 1) {
    const c = counts[k];
    if (c === 0) continue;
    if (c > bestCount || (c === bestCount && Math.abs(k - rawMedian) < Math.abs(target - rawMedian))) {
      target = k;
      bestCount = c;
    }
  }
  const out = new Array<number>(n);
  for (let i = 0; i < n; i += 1) {
    const d = days[i];
    out[i] = d;
    if (after[i] + before[i] === 0) continue;
    // Same order as nominalCandidates: the day, the days after (ascending), the days before (descending);
    // the first candidate at the smallest distance wins.
    let best = d;
    let bestDist = nominalDistance(d, monthly, target);
    for (let c = d + 1; c <= d + after[i]; c += 1) {
      const dist = nominalDistance(c, monthly, target);
      if (dist < bestDist) {
        best = c;
        bestDist = dist;
      }
    }
    for (let c = d - 1; c >= d - before[i]; c -= 1) {
      const dist = nominalDistance(c, monthly, target);
      if (dist < bestDist) {
        best = c;
        bestDist = dist;
      }
    }
    out[i] = best;
  }
  return out;
}

let runScratch = { after: new Int8Array(64), before: new Int8Array(64) };
const counts = new Int32Array(32);
const seenBy = new Int32Array(32);

/** How far a candidate day is from the target day of month (monthly) or weekday (0 or 7). */
function nominalDistance(c: number, monthly: boolean, target: number): number {
  return monthly ? domDistance(dayOfMonth(c), target) : weekday(c) === target ? 0 : 7;
}

function classify(m: number, semiMonthly: boolean): StreamFrequency {
  if (m >= 5 && m <= 9) return 'weekly';
  if (m >= 12 && m <= 17) return semiMonthly ? 'semi_monthly' : m <= 16 ? 'biweekly' : 'irregular';
  if (m >= 26 && m <= 35) return 'monthly';
  if (m >= 85 && m <= 95) return 'quarterly';
  return 'irregular';
}

/** Two tight day-of-month clusters about half a month apart (e.g. the 15th and the last day). */
function isSemiMonthly(nominal: readonly number[]): boolean {
  if (nominal.length < 4) return false;
  const early: number[] = [];
  const late: number[] = [];
  for (const d of nominal) {
    const dom = dayOfMonth(d);
    // Month-end pay days map to 30/31 regardless of month length.
    const adj = dom === daysInMonth(monthIndexOfDay(d)) ? 31 : dom;
    (adj <= 15 ? early : late).push(adj);
  }
  return early.length >= 2 && late.length >= 2 && stdevNum(early) <= 3 && stdevNum(late) <= 3;
}

export function detectCadence(days: readonly number[]): Cadence {
  const rawGaps: number[] = [];
  for (let i = 1; i < days.length; i += 1) rawGaps.push(days[i] - days[i - 1]);
  const rough = medianNum(rawGaps);
  // Semi-monthly pay keeps its two days of month (weekend shifts stay within the ±3-day tolerance), so it
  // is tested on the raw days; everything else is tested after undoing the shifts.
  const semi = rough >= 12 && rough <= 17 && isSemiMonthly(days);
  const nominal = semi ? [...days] : nominalDays(days);
  const gaps: number[] = [];
  for (let i = 1; i < nominal.length; i += 1) gaps.push(nominal[i] - nominal[i - 1]);
  const m = medianNum(gaps);
  let within = 0;
  for (const g of gaps) if (Math.abs(g - m) <= 0.2 * m) within += 1;
  const regularity = gaps.length ? within / gaps.length : 0;
  let frequency: StreamFrequency = gaps.length === 0 ? 'irregular' : semi ? 'semi_monthly' : classify(m, false);
  // A median that lands in a bucket by chance is not a cadence.
  if (gaps.length >= 3 && regularity < 0.5) frequency = 'irregular';
  let payDayStdevDays: number | null = null;
  if (frequency === 'monthly' || frequency === 'quarterly') {
    const doms = nominal.map(dayOfMonth);
    const centre = medianNum(doms);
    // Circular: express each pay day as its signed distance from the median day of month.
    payDayStdevDays =
      Math.round(stdevNum(doms.map((x) => (Math.abs(x - centre) > 15 ? x - centre - 31 * Math.sign(x - centre) : x - centre))) * 100) / 100;
  }
  return { frequency, medianGapDays: m, regularity, nominalDays: nominal, payDayStdevDays };
}

/** Typical period in days for a frequency (irregular: the measured median gap). */
export function periodDays(c: Cadence): number {
  switch (c.frequency) {
    case 'weekly':
      return 7;
    case 'biweekly':
      return 14;
    case 'semi_monthly':
      return 15;
    case 'monthly':
      return 30;
    case 'quarterly':
      return 91;
    case 'irregular':
      return c.medianGapDays;
  }
}

/** Next expected pay day after the last nominal day, snapped back to a business day (payrolls pay early). */
export function predictNextDay(c: Cadence): number | null {
  const last = c.nominalDays[c.nominalDays.length - 1];
  if (last === undefined || c.frequency === 'irregular') return null;
  if (c.frequency === 'monthly' || c.frequency === 'quarterly') {
    const step = c.frequency === 'monthly' ? 1 : 3;
    const target = Math.round(medianNum(c.nominalDays.map(dayOfMonth)));
    const m = monthIndexOfDay(last) + step;
    const dom = Math.min(target, daysInMonth(m));
    return previousBusinessDay(firstDayOfMonth(m) + dom - 1);
  }
  if (c.frequency === 'semi_monthly') {
    const dom = dayOfMonth(last);
    const m = monthIndexOfDay(last);
    const next = dom <= 15 ? firstDayOfMonth(m + 1) - 1 : firstDayOfMonth(m + 1) + 14;
    return previousBusinessDay(next);
  }
  return previousBusinessDay(last + periodDays(c));
}

/** Monthly normalisation factor (research §4a step 8): weekly × 52/12, biweekly × 26/12, semi-monthly × 2, quarterly ÷ 3. */
export function monthlyFactor(frequency: StreamFrequency): Dec {
  switch (frequency) {
    case 'weekly':
      return WEEKLY_FACTOR;
    case 'biweekly':
      return BIWEEKLY_FACTOR;
    case 'semi_monthly':
      return SEMI_MONTHLY_FACTOR;
    case 'monthly':
      return MONTHLY_FACTOR;
    case 'quarterly':
      return QUARTERLY_FACTOR;
    case 'irregular':
      return IRREGULAR_FACTOR;
  }
}

// Decimals are immutable, so the factors are computed once.
const WEEKLY_FACTOR = new Dec(52).div(12);
const BIWEEKLY_FACTOR = new Dec(26).div(12);
const SEMI_MONTHLY_FACTOR = new Dec(2);
const MONTHLY_FACTOR = new Dec(1);
const QUARTERLY_FACTOR = new Dec(1).div(3);
const IRREGULAR_FACTOR = new Dec(0);
