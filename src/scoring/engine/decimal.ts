import { Decimal } from 'decimal.js';

/**
 * The engine's own Decimal constructor: 40 significant digits, ROUND_HALF_EVEN for ratios.
 * Money is always rounded DOWN (toward zero) to whole kobo with {@link toMinor}; ratios are published as
 * decimal strings rounded HALF_EVEN to {@link RATIO_DP} places with {@link toRatio}. Those are the only two
 * rounding points: everything in between stays exact (or at 40 significant digits for powers and roots).
 */
export const Dec = Decimal.clone({ precision: 40, rounding: Decimal.ROUND_HALF_EVEN });
export type Dec = InstanceType<typeof Dec>;

export const RATIO_DP = 4;
export const ZERO = new Dec(0);
export const ONE = new Dec(1);

/** Money rounding point: whole kobo, rounded DOWN (toward zero), as a safe integer. */
export function toMinor(value: Dec): number {
  const fast = truncatedInteger(value);
  if (fast !== null) return fast;
  const n = value.toDecimalPlaces(0, Decimal.ROUND_DOWN).toNumber();
  if (!Number.isSafeInteger(n)) throw new RangeError(`amount ${value.toString()} is not a safe integer of kobo`);
  return n === 0 ? 0 : n; // never -0
}

const POW10 = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000];

/**
 * The integer part of a finite Decimal (truncated toward zero) read straight from its documented digits
 * (`d`: base-10⁷ words, the first without leading zeros; `e`: the base-10 exponent of the leading digit; `s`:
 * the sign), with integer arithmetic only, when it has at most 15 digits (so every step is an exact safe
 * integer); null otherwise, and the caller takes decimal.js's own rounding. Same value as
 * `toDecimalPlaces(0, ROUND_DOWN).toNumber()` (property-tested), without building a Decimal and a string.
 */
export function truncatedInteger(value: Dec): number | null {
  const { d, e, s } = value;
  if (!d || e > 14) return null;
  if (e < 0) return 0;
  const firstDigits = (e % 7) + 1;
  let n = d[0];
  let remaining = e + 1 - firstDigits;
  for (let k = 1; remaining > 0; k += 1) {
    const w = d[k] ?? 0;
    if (remaining >= 7) {
      n = n * 10_000_000 + w;
      remaining -= 7;
    } else {
      n = n * POW10[remaining] + Math.floor(w / POW10[7 - remaining]);
      remaining = 0;
    }
  }
  return s < 0 && n !== 0 ? -n : n;
}

/**
 * Ratio rounding point: a decimal string with RATIO_DP places, HALF_EVEN. One rounding `toFixed` (the same
 * digits as rounding with toDecimalPlaces first); a value that rounds to zero from below prints as `0.0000`.
 */
export function toRatio(value: Dec): string {
  const s = value.toFixed(RATIO_DP, Decimal.ROUND_HALF_EVEN);
  return s === NEGATIVE_ZERO_RATIO ? ZERO_RATIO : s;
}

const NEGATIVE_ZERO_RATIO = `-0.${'0'.repeat(RATIO_DP)}`;
const ZERO_RATIO = `0.${'0'.repeat(RATIO_DP)}`;

export function dec(value: number | string): Dec {
  return new Dec(value);
}

const constants = new Map<string, Dec>();

/**
 * A policy constant (a decimal string such as "0.3333") as a Decimal, parsed once: policies are immutable
 * once validated and Decimals are immutable, so the same string always gives the same value.
 */
export function constDec(value: string): Dec {
  let d = constants.get(value);
  if (d === undefined) {
    d = new Dec(value);
    if (constants.size > 10_000) constants.clear();
    constants.set(value, d);
  }
  return d;
}

export function minDec(a: Dec, b: Dec): Dec {
  return a.lte(b) ? a : b;
}

export function maxDec(a: Dec, b: Dec): Dec {
  return a.gte(b) ? a : b;
}

export function clamp01(value: Dec): Dec {
  if (value.lt(ZERO)) return ZERO;
  if (value.gt(ONE)) return ONE;
  return value;
}
