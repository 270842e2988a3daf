/**
 * Exposure: the lender's own open loans (an engine input, never read from the database by the engine) reduce what
 * a new request can get: a counter-offer at the available amount, or EXPOSURE_AT_LIMIT when nothing is left.
 */
import { describe, expect, it } from '@jest/globals';
import { DEFAULT_POLICY } from '../policy/index.js';
import { Dec } from './decimal.js';
import { availableAfterExposure, computeLimit, limitAt, type LimitInputs } from './limit.js';
import { buildTransactions, engineAccount, salariedSpecs } from './testing/builders.js';
import type { EngineInput } from './types.js';
import { underwrite } from './underwrite.js';

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
const step = DEFAULT_POLICY.product.stepMinor;

describe(availableAfterExposure.name, () => {
  it('should subtract the outstanding principal, round down to the step and give 0 below the product minimum', () => {
    expect(availableAfterExposure(30_500_000, 10_000_001, DEFAULT_POLICY)).toBe(Math.floor(20_499_999 / step) * step);
    expect(availableAfterExposure(30_500_000, 0, DEFAULT_POLICY)).toBe(30_500_000);
    expect(availableAfterExposure(30_500_000, 30_500_000, DEFAULT_POLICY)).toBe(0);
    expect(availableAfterExposure(30_500_000, 40_000_000, DEFAULT_POLICY)).toBe(0);
    const min = DEFAULT_POLICY.product.minAmountMinor;
    expect(availableAfterExposure(min + step - 1, step, DEFAULT_POLICY)).toBe(0);
  });
});

describe(`${computeLimit.name} with exposure`, () => {
  const limit6 = limitAt(base, DEFAULT_POLICY, 6, rate).limitMinor; // ₦305,000 (limit.spec)

  it('should leave the answer unchanged and record the exposure when the request still fits', () => {
    const r = computeLimit(
      base,
      DEFAULT_POLICY,
      { amountMinor: 10_000_000, tenorMonths: 6 },
      { outstandingPrincipalMinor: 5_000_000, openLoans: 1 },
    );
    expect(r.requested?.affordable).toBe(true);
    expect(r.recommendedMinor).toBe(limit6);
    expect(r.exposure).toEqual({
      outstandingPrincipalMinor: 5_000_000,
      openLoans: 1,
      availableMinor: limit6 - 5_000_000,
      bound: false,
      withoutExposure: { affordable: true, counterOffer: null },
    });
  });

  it('should counter-offer at the available amount (longer tenors counted too) when the request no longer fits', () => {
    const outstanding = 25_000_000;
    const r = computeLimit(
      base,
      DEFAULT_POLICY,
      { amountMinor: 20_000_000, tenorMonths: 6 },
      { outstandingPrincipalMinor: outstanding, openLoans: 1 },
    );
    expect(r.requested?.affordable).toBe(false);
    // Nothing at 6 months fits 20,000,000 after 25,000,000 outstanding; the best any tenor ≥ 6 leaves is offered.
    const best = Math.max(
      ...DEFAULT_POLICY.product.tenorsMonths
        .filter((t) => t >= 6)
        .map((t) => availableAfterExposure(limitAt(base, DEFAULT_POLICY, t, rate).limitMinor, outstanding, DEFAULT_POLICY)),
    );
    expect(r.counterOffer?.amountMinor).toBe(Math.min(best, 20_000_000));
    expect(r.exposure?.bound).toBe(true);
    expect(r.exposure?.withoutExposure).toEqual({ affordable: true, counterOffer: null });
    expect(r.recommendedMinor).toBe(limit6); // the limit itself is the borrower's total, not what is left
  });

  it('should offer nothing when the outstanding principal uses every tenor limit', () => {
    const r = computeLimit(
      base,
      DEFAULT_POLICY,
      { amountMinor: 20_000_000, tenorMonths: 6 },
      { outstandingPrincipalMinor: 900_000_000, openLoans: 2 },
    );
    expect(r.requested?.affordable).toBe(false);
    expect(r.counterOffer).toBeNull();
    expect(r.exposure).toMatchObject({ availableMinor: 0, bound: true });
  });

  it('should not add an exposure member without the input (stored decisions replay byte for byte)', () => {
    expect(computeLimit(base, DEFAULT_POLICY, { amountMinor: 20_000_000, tenorMonths: 6 })).not.toHaveProperty('exposure');
  });
});

describe(`${underwrite.name} with exposure`, () => {
  const asOf = '2026-10-31';
  const transactions = buildTransactions(salariedSpecs({ salaryMinor: 40_000_000, dailySpendMinor: 500_000 }), {
    openingBalanceMinor: 10_000_000,
  });
  const input = (o: Partial<EngineInput> = {}): EngineInput => ({
    accounts: [engineAccount('acc-1', transactions, asOf)],
    transactions,
    asOf,
    policy: DEFAULT_POLICY,
    requestedLoan: { amountMinor: 10_000_000, tenorMonths: 12 }, // the longest tenor: no longer one to counter-offer
    ...o,
  });

  it('should approve without exposure, counter-offer the available amount with some, and decline with EXPOSURE_AT_LIMIT at the limit', () => {
    const clean = underwrite(input());
    expect(clean.decision).toBe('approve');
    const limit = clean.limit.recommendedMinor;
    expect(limit).toBeGreaterThan(10_000_000);

    const outstanding = limit - 5_000_000;
    const partly = underwrite(input({ exposure: { outstandingPrincipalMinor: outstanding, openLoans: 1 } }));
    expect(partly.inputsHash).not.toBe(clean.inputsHash);
    expect(partly.decision).toBe('approve');
    expect(partly.limit.counterOffer).not.toBeNull();
    expect(partly.limit.counterOffer!.amountMinor).toBeLessThan(10_000_000);
    const reason = partly.reasons.find((r) => r.code === 'EXPOSURE_LIMITS_OFFER');
    expect(reason).toMatchObject({ severity: 'limit', values: { outstandingPrincipalMinor: outstanding, openLoans: 1 } });
    expect(reason?.counterfactual?.message).toMatch(/would be available once the .* outstanding is repaid/);
    expect(partly.reasons.map((r) => r.code)).not.toContain('REQUESTED_AMOUNT_ABOVE_LIMIT');

    const full = underwrite(input({ exposure: { outstandingPrincipalMinor: 900_000_000, openLoans: 1 } }));
    expect(full.decision).toBe('decline');
    expect(full.limit.counterOffer).toBeNull();
    const atLimit = full.reasons.find((r) => r.code === 'EXPOSURE_AT_LIMIT');
    expect(atLimit).toMatchObject({ severity: 'blocking', counterfactual: { limitDeltaMinor: 10_000_000 } });
    expect(full.limit.exposure).toMatchObject({ outstandingPrincipalMinor: 900_000_000, availableMinor: 0, bound: true });
  });

  it('should be deterministic with exposure (same input, same result)', () => {
    const i = input({ exposure: { outstandingPrincipalMinor: 3_000_000, openLoans: 1 } });
    expect(JSON.stringify(underwrite(i))).toBe(JSON.stringify(underwrite(i)));
  });
});
