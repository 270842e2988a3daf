import { describe, expect, it } from '@jest/globals';
import { annuityFactor, instalmentForPrincipal, principalForInstalment } from './amortisation.js';
import { Dec, toMinor } from './decimal.js';

describe(annuityFactor.name, () => {
  it('should match the research worked example (r = 4%, n = 6 → 5.2421)', () => {
    expect(annuityFactor(new Dec('0.04'), 6).toDecimalPlaces(4).toString()).toBe('5.2421');
  });

  it('should equal n for a zero rate', () => {
    expect(annuityFactor(new Dec(0), 6).toString()).toBe('6');
  });

  it('should reject a non-positive tenor and a negative rate', () => {
    expect(() => annuityFactor(new Dec('0.04'), 0)).toThrow(RangeError);
    expect(() => annuityFactor(new Dec('-0.01'), 3)).toThrow(RangeError);
  });
});

describe(principalForInstalment.name, () => {
  it('should turn ₦58,500 a month at 4% over 6 months into about ₦306,670', () => {
    expect(toMinor(principalForInstalment(new Dec(5_850_000), new Dec('0.04'), 6))).toBe(30_666_500);
  });

  it('should be the inverse of instalmentForPrincipal', () => {
    const p = new Dec(100_000_000);
    const i = instalmentForPrincipal(p, new Dec('0.035'), 9);
    expect(principalForInstalment(i, new Dec('0.035'), 9).toDecimalPlaces(6).toString()).toBe('100000000');
  });
});
