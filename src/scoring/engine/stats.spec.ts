import { describe, expect, it } from '@jest/globals';
import { Decimal } from 'decimal.js';
import fc from 'fast-check';
import { Dec } from './decimal.js';
import { cvDec, isqrt, roundedQuotient, roundedSqrt } from './stats.js';

/** The reference: decimal.js at 20 significant digits (correctly rounded division and square root). */
const Dec20 = Decimal.clone({ precision: 20, rounding: Decimal.ROUND_HALF_EVEN });

function cvReference(values: readonly number[]): Dec {
  if (values.length < 2) return new Dec(0);
  let sum = 0n;
  let sumSq = 0n;
  for (const v of values) {
    sum += BigInt(v);
    sumSq += BigInt(v) * BigInt(v);
  }
  if (sum === 0n) return new Dec(0);
  const num = BigInt(values.length) * sumSq - sum * sum;
  if (num <= 0n) return new Dec(0);
  return new Dec(new Dec20(num.toString()).div((sum * sum).toString()).sqrt().toString());
}

describe(cvDec.name, () => {
  it('should equal the decimal.js square root at 20 significant digits, digit for digit', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), { minLength: 0, maxLength: 12 }), (values) => {
        expect(cvDec(values).toString()).toBe(cvReference(values).toString());
      }),
      { numRuns: 3000 },
    );
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 5_000_000 }), { minLength: 2, maxLength: 40 }), (values) => {
        expect(cvDec(values).toString()).toBe(cvReference(values).toString());
      }),
      { numRuns: 3000 },
    );
    for (const values of [[1, 1], [0, 0, 5], [1, 2], [3, 1, 2], [1, 0], [100, 100, 101], [2 ** 52, 1, 7]]) {
      expect(cvDec(values).toString()).toBe(cvReference(values).toString());
    }
  });

  it('should round quotients and square roots half-even like decimal.js', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: 10n ** 45n }), fc.bigInt({ min: 1n, max: 10n ** 45n }), (num, den) => {
        const [c, p] = roundedQuotient(num, den, 20);
        expect(new Dec20(`${c}e${p}`).toString()).toBe(new Dec20(num.toString()).div(den.toString()).toString());
        const [r, e] = roundedSqrt(c, p, 20);
        expect(new Dec20(`${r}e${e}`).toString()).toBe(new Dec20(`${c}e${p}`).sqrt().toString());
      }),
      { numRuns: 5000 },
    );
    for (const [num, den] of [[1n, 4n], [1n, 3n], [2n, 1n], [25n, 100n], [10n ** 40n, 1n], [1n, 10n ** 40n], [15n, 10n ** 21n]]) {
      const [c, p] = roundedQuotient(num, den, 20);
      expect(new Dec20(`${c}e${p}`).toString()).toBe(new Dec20(num.toString()).div(den.toString()).toString());
      const [r, e] = roundedSqrt(c, p, 20);
      expect(new Dec20(`${r}e${e}`).toString()).toBe(new Dec20(`${c}e${p}`).sqrt().toString());
    }
  });

  it('should take exact integer square roots', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 42n }), (n) => {
        const r = isqrt(n);
        expect(r * r <= n && (r + 1n) * (r + 1n) > n).toBe(true);
      }),
      { numRuns: 5000 },
    );
  });
});
