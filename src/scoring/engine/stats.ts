import { Dec, ZERO } from './decimal.js';

/** Statistics on integer kobo series, exact via Decimal (small arrays: months, stream occurrences). */

/** Scratch space for {@link sortedCopy}: the detectors ask for thousands of small medians per decision. */
let scratch = new Float64Array(64);

/**
 * Ascending numeric copy, exact for safe integers, in a shared scratch buffer: valid only until the next call
 * (callers read it at once; nothing here is re-entrant). Insertion sort for the short series the detectors use
 * (months, occurrences, gaps), a native typed-array sort otherwise; no comparator calls, no allocation.
 */
function sortedCopy(values: readonly number[]): Float64Array {
  const n = values.length;
  if (n > scratch.length) scratch = new Float64Array(Math.max(n, 2 * scratch.length));
  const s = scratch;
  if (n > 32) {
    for (let i = 0; i < n; i += 1) s[i] = values[i];
    s.subarray(0, n).sort();
    return s;
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

/**
 * Sorts a short array in place with a stable insertion sort (the engine sorts thousands of tiny arrays per
 * decision, and the built-in sort allocates work space on every call); longer arrays use the built-in sort,
 * which is stable too, so the order is the same either way.
 */
export function sortSmall<T>(a: T[], compare: (x: T, y: T) => number): T[] {
  if (a.length > 16) return a.sort(compare);
  for (let i = 1; i < a.length; i += 1) {
    const v = a[i];
    let j = i - 1;
    while (j >= 0 && compare(a[j], v) > 0) {
      a[j + 1] = a[j];
      j -= 1;
    }
    a[j + 1] = v;
  }
  return a;
}

export function sumInt(values: readonly number[]): number {
  let s = 0;
  for (const v of values) s += v;
  return s;
}

export function medianDec(values: readonly number[]): Dec {
  if (values.length === 0) return ZERO;
  const s = sortedCopy(values);
  const mid = values.length >> 1;
  return values.length % 2 === 1 ? new Dec(s[mid]) : new Dec(s[mid - 1]).plus(s[mid]).div(2);
}

export function meanDec(values: readonly number[]): Dec {
  if (values.length === 0) return ZERO;
  return new Dec(sumInt(values)).div(values.length);
}

/** Linear-interpolated percentile, p in [0, 1]. */
export function percentileDec(values: readonly number[], p: Dec): Dec {
  if (values.length === 0) return ZERO;
  const s = sortedCopy(values);
  const pos = p.times(values.length - 1);
  const lo = pos.floor().toNumber();
  const hi = Math.min(lo + 1, values.length - 1);
  const frac = pos.minus(lo);
  return new Dec(s[lo]).plus(new Dec(s[hi] - s[lo]).times(frac));
}

/**
 * Population coefficient of variation (stdev / mean); 0 when the mean is 0 or fewer than 2 values.
 * CV² = (n·Σx² − (Σx)²) / (Σx)² is formed exactly in BigInt (integer kobo); CV² is rounded HALF_EVEN to 20
 * significant digits and its square root rounded HALF_EVEN to 20 significant digits — exactly what decimal.js
 * gives at precision 20 (its division and square root are correctly rounded), computed with integer square
 * roots instead (decimal.js's square root was the engine's single most expensive operation).
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
  const [c, p] = roundedQuotient(num, sum * sum, SIG);
  const [r, e] = roundedSqrt(c, p, SIG);
  return new Dec(`${r}e${e}`);
}

const SIG = 20;

const POW10: bigint[] = [];

/** 10^k as a BigInt, memoised (k ≥ 0 is small: a few dozen digits at most). */
function pow10(k: number): bigint {
  let v = POW10[k];
  if (v === undefined) {
    v = 10n ** BigInt(k);
    if (k >= 0 && k < 1024) POW10[k] = v;
  }
  return v;
}

function digitCount(n: bigint): number {
  return n.toString().length;
}

/** num/den (both > 0) rounded HALF_EVEN to `sig` significant digits, as [coefficient, exponent]: c·10^p. */
export function roundedQuotient(num: bigint, den: bigint, sig: number): [bigint, number] {
  // Scale so that the integer quotient has exactly `sig` digits: 10^(sig−1) ≤ ⌊num·10^k / den⌋ < 10^sig.
  let k = sig - (digitCount(num) - digitCount(den));
  const scaled = (kk: number): [bigint, bigint] => (kk >= 0 ? [num * pow10(kk), den] : [num, den * pow10(-kk)]);
  let [a, b] = scaled(k);
  let q = a / b;
  if (q >= pow10(sig)) {
    k -= 1;
    [a, b] = scaled(k);
    q = a / b;
  } else if (q < pow10(sig - 1)) {
    k += 1;
    [a, b] = scaled(k);
    q = a / b;
  }
  const rem2 = 2n * (a - q * b);
  if (rem2 > b || (rem2 === b && q % 2n === 1n)) q += 1n;
  return [q, -k];
}

/** √(c·10^p) (c > 0) rounded HALF_EVEN to `sig` significant digits, as [coefficient, exponent]. */
export function roundedSqrt(c: bigint, p: number, sig: number): [bigint, number] {
  let m = c;
  let e = p;
  if (e % 2 !== 0) {
    m *= 10n;
    e -= 1;
  }
  // M = m·10^(2j) with 2·sig − 1 or 2·sig digits, so ⌊√M⌋ has exactly `sig` digits.
  const j = Math.ceil((2 * sig - 1 - digitCount(m)) / 2);
  const big = j >= 0 ? m * pow10(2 * j) : m / pow10(-2 * j);
  if (j < 0 && big * pow10(-2 * j) !== m) throw new RangeError('cv: coefficient too long for an exact square root');
  let s = isqrt(big);
  // Round: up when M > (s + ½)², i.e. 4M > (2s + 1)²; a tie goes to the even neighbour.
  const lhs = 4n * big;
  const rhs = (2n * s + 1n) * (2n * s + 1n);
  if (lhs > rhs || (lhs === rhs && s % 2n === 1n)) s += 1n;
  return [s, e / 2 - j];
}

/** ⌊√n⌋ for n ≥ 0 (Newton's method from a floating-point estimate). */
export function isqrt(n: bigint): bigint {
  if (n < 2n) return n;
  let x = BigInt(Math.floor(Math.sqrt(Number(n)))) + 1n;
  // One step from any positive start lands at or above ⌊√n⌋; from there the iteration decreases to it.
  x = (x + n / x) >> 1n;
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) break;
    x = y;
  }
  while (x * x > n) x -= 1n;
  while ((x + 1n) * (x + 1n) <= n) x += 1n;
  return x;
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
  const mid = values.length >> 1;
  return values.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
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
