import { describe, expect, it } from '@jest/globals';
import { Decimal } from 'decimal.js';
import fc from 'fast-check';
import { Dec, toMinor, truncatedInteger } from './decimal.js';

/** decimal.js's own rounding, the reference for the fast path. */
const reference = (v: Dec): number => {
  const n = v.toDecimalPlaces(0, Decimal.ROUND_DOWN).toNumber();
  return n === 0 ? 0 : n;
};

describe(truncatedInteger.name, () => {
  it('should truncate toward zero exactly like decimal.js for values up to 15 integer digits', () => {
    const decimals = fc.oneof(
      fc.bigInt({ min: -(10n ** 15n) + 1n, max: 10n ** 15n - 1n }).map((b) => new Dec(b.toString())),
      fc
        .tuple(fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }), fc.integer({ min: 0, max: 12 }))
        .map(([b, scale]) => new Dec(`${b}e-${scale}`)),
      fc.tuple(fc.integer({ min: -(2 ** 31), max: 2 ** 31 }), fc.integer({ min: 1, max: 97 })).map(([a, b]) => new Dec(a).div(b)),
    );
    fc.assert(
      fc.property(decimals, (v) => {
        const fast = truncatedInteger(v);
        if (v.abs().gte('1e15')) expect(fast).toBeNull();
        else expect(fast).toBe(reference(v));
      }),
      { numRuns: 5_000 },
    );
  });

  it('should handle word boundaries, zero and negative zero', () => {
    for (const s of ['0', '-0', '0.9', '-0.9', '9999999', '10000000', '10000000.5', '1e14', '99999999999999.99', '-123.999', '1234567.1'])
      expect(truncatedInteger(new Dec(s))).toBe(reference(new Dec(s)));
    expect(Object.is(truncatedInteger(new Dec('-0.5')), 0)).toBe(true);
  });

  it('should leave larger values to decimal.js (toMinor still rounds them)', () => {
    expect(truncatedInteger(new Dec('1e15'))).toBeNull();
    expect(toMinor(new Dec('1234567890123456.7'))).toBe(1234567890123456);
  });
});
