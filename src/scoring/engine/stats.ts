import { Decimal } from 'decimal.js';
import { Dec, ZERO } from './decimal.js';

/** Square roots only feed published ratios (4 dp), so 20 significant digits are ample and much faster. */
const Dec20 = Decimal.clone({ precision: 20, rounding: Decimal.ROUND_HALF_EVEN });

/** Statistics on integer kobo series, exact via Decimal (small arrays: months, stream occurrences). */

/**
 * Ascending numeric copy, exact for safe integers: insertion sort for the short series the detectors use
 * (months, occurrences, gaps), a native typed-array sort otherwise; no comparator calls.
 */
function sortedCopy(values: readonly number[]): Float64Array {
  const n = values.length;
  const s = new Float64Array(n);
  if (n > 32) {
    for (let i = 0; i < n; i += 1) s[i] = values[i];
    return s.sort();
  }
  for (let i = 0; i < n; i += 1) {
    const v = values[i];
    let j = i - 1;
    while (j >= 0 && s[j] > v) {
      s[j + 1] = s[j];
      j -= 1;
    }
    s[j + 1] = v;
  }
  return s;
}

export function sumInt(values: readonly number[]): number {
  let s = 0;
  for (const v of values) s += v;
  return s;
}

export function medianDec(values: readonly number[]): Dec {
  if (values.length === 0) return ZERO;
  const s = sortedCopy(values);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? new Dec(s[mid]) : new Dec(s[mid - 1]).plus(s[mid]).div(2);
}

export function meanDec(values: readonly number[]): Dec {
  if (values.length === 0) return ZERO;
  return new Dec(sumInt(values)).div(values.length);
}

/** Linear-interpolated percentile, p in [0, 1]. */
export function percentileDec(values: readonly number[], p: Dec): Dec {
  if (values.length === 0) return ZERO;
  const s = sortedCopy(values);
  const pos = p.times(s.length - 1);
  const lo = pos.floor().toNumber();
  const hi = Math.min(lo + 1, s.length - 1);
  const frac = pos.minus(lo);
  return new Dec(s[lo]).plus(new Dec(s[hi] - s[lo]).times(frac));
}

/**
 * Population coefficient of variation (stdev / mean); 0 when the mean is 0 or fewer than 2 values.
 * CV² = (n·Σx² − (Σx)²) / (Σx)² is formed exactly in BigInt (integer kobo), leaving one Decimal division and
 * one square root.
 */
export function cvDec(values: readonly number[]): Dec {
  if (values.length < 2) return ZERO;
  let sum = 0n;
  let sumSq = 0n;
  for (const v of values) {
    const b = BigInt(v);
    sum += b;
    sumSq += b * b;
  }
  if (sum === 0n) return ZERO;
  const num = BigInt(values.length) * sumSq - sum * sum;
  if (num <= 0n) return ZERO;
  const ratio = new Dec20(num.toString()).div((sum * sum).toString());
  return new Dec(ratio.sqrt().toString());
}

/** Theil–Sen slope of y against x = 0..n−1 (median of pairwise slopes); robust to one bad month. */
export function theilSenSlope(values: readonly number[]): Dec {
  if (values.length < 2) return ZERO;
  const slopes: Dec[] = [];
  for (let i = 0; i < values.length; i += 1) {
    for (let k = i + 1; k < values.length; k += 1) slopes.push(new Dec(values[k] - values[i]).div(k - i));
  }
  slopes.sort((a, b) => a.comparedTo(b));
  const mid = slopes.length >> 1;
  return slopes.length % 2 === 1 ? slopes[mid] : slopes[mid - 1].plus(slopes[mid]).div(2);
}

/** Median of plain numbers (day gaps, not money). */
export function medianNum(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const s = sortedCopy(values);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Population standard deviation of plain numbers (days of month, not money). */
export function stdevNum(values: readonly number[]): number {
  if (values.length < 2) return 0;
  let m = 0;
  for (const v of values) m += v;
  m /= values.length;
  let ss = 0;
  for (const v of values) ss += (v - m) * (v - m);
  return Math.sqrt(ss / values.length);
}
