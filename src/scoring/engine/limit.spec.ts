import { describe, expect, it } from '@jest/globals';
import { DEFAULT_POLICY } from '../policy/index.js';
import { Dec } from './decimal.js';
import { computeLimit, limitAt, type LimitInputs } from './limit.js';

const base: LimitInputs = {
  verifiedMonthlyIncomeMinor: 35_000_000,
  existingObligationsMinor: 4_000_000,
  freeCashFlowMinor: 13_000_000,
  coverageFactor: new Dec('0.9'),
  riskFactor: new Dec(1),
  staleCapMinor: null,
  thinFileCapMinor: null,
};
const rate = new Dec('0.04');

describe(limitAt.name, () => {
  it('should reproduce the research worked example: FCF binds, 10% coverage haircut, ₦305,000 at 4% × 6', () => {
    const r = limitAt(base, DEFAULT_POLICY, 6, rate);
    expect(r.binding).toBe('free_cash_flow');
    expect(r.maxInstalment.toString()).toBe('5850000');
    expect(r.limitMinor).toBe(30_500_000);
  });

  it('should bind on DSR when existing obligations eat the headroom', () => {
    const r = limitAt({ ...base, existingObligationsMinor: 10_000_000 }, DEFAULT_POLICY, 6, rate);
    expect(r.binding).toBe('dsr');
    expect(r.maxInstalmentDsr.toString()).toBe('1665500'); // 0.3333 × 350,000 − 100,000 naira
  });

  it('should bind on the income multiple, the product maximum, the stale cap and a zero risk factor', () => {
    const rich = { ...base, existingObligationsMinor: 0, freeCashFlowMinor: 500_000_000, coverageFactor: new Dec(1) };
    expect(limitAt(rich, DEFAULT_POLICY, 12, rate).binding).toBe('income_multiple');
    expect(limitAt({ ...rich, verifiedMonthlyIncomeMinor: 900_000_000 }, DEFAULT_POLICY, 12, rate).binding).toBe('product_max');
    expect(limitAt({ ...rich, staleCapMinor: 5_000_000 }, DEFAULT_POLICY, 12, rate)).toMatchObject({
      binding: 'stale_data',
      limitMinor: 5_000_000,
    });
    expect(limitAt({ ...rich, riskFactor: new Dec(0) }, DEFAULT_POLICY, 12, rate)).toMatchObject({ binding: 'risk', limitMinor: 0 });
    expect(limitAt({ ...rich, coverageFactor: new Dec(0) }, DEFAULT_POLICY, 12, rate)).toMatchObject({
      binding: 'coverage',
      limitMinor: 0,
    });
  });

  it('should return 0 below the product minimum and round down to the step', () => {
    expect(limitAt({ ...base, freeCashFlowMinor: 1_000_000 }, DEFAULT_POLICY, 1, rate).limitMinor).toBe(0);
    expect(limitAt(base, DEFAULT_POLICY, 6, rate).limitMinor % DEFAULT_POLICY.product.stepMinor).toBe(0);
  });
});

describe(computeLimit.name, () => {
  it('should return the instalment and post-loan DSR at the limit', () => {
    const r = computeLimit(base, DEFAULT_POLICY, undefined);
    expect(r.tenorMonths).toBe(6);
    expect(r.instalmentMinor).toBe(5_818_238);
    expect(r.postLoanDsr).toBe('0.2805');
    expect(r.counterOffer).toBeNull();
  });

  it('should accept an affordable request and counter-offer a longer tenor for one that fails', () => {
    const ok = computeLimit(base, DEFAULT_POLICY, { amountMinor: 20_000_000, tenorMonths: 6 });
    expect(ok.requested?.affordable).toBe(true);
    const tooBig = computeLimit(base, DEFAULT_POLICY, { amountMinor: 40_000_000, tenorMonths: 6 });
    expect(tooBig.requested?.affordable).toBe(false);
    expect(tooBig.counterOffer).toEqual({ amountMinor: 40_000_000, tenorMonths: 9, instalmentMinor: 5_379_719 });
    const huge = computeLimit(base, DEFAULT_POLICY, { amountMinor: 400_000_000, tenorMonths: 6 });
    expect(huge.counterOffer?.tenorMonths).toBe(12);
    expect(huge.counterOffer?.amountMinor).toBe(limitAt(base, DEFAULT_POLICY, 12, rate).limitMinor);
  });

  it('should handle a zero-rate product', () => {
    const r = computeLimit(base, DEFAULT_POLICY, { amountMinor: 10_000_000, tenorMonths: 2, monthlyRate: '0' });
    expect(r.recommendedMinor).toBe(11_500_000); // 5,850,000 × 2 rounded down to ₦5,000
    expect(r.requested?.instalmentMinor).toBe(5_000_000);
  });
});
