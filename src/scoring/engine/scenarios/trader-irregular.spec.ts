import { describe, expect, it } from '@jest/globals';
import { underwrite } from '../underwrite.js';
import { pinnedSummary, relativeError, runPersona } from '../../../../test/support/persona-harness.js';

/** No payroll: irregular trading credits count at the median month × 0.6 and the file is referred. */
describe(`${underwrite.name}: trader_irregular persona`, () => {
  const { output, labels } = runPersona('trader_irregular');

  it('should estimate monthly income within 20% of the ground truth', () => {
    expect(relativeError(output.income.monthlyEstimate, labels.expectedMonthlyIncomeMinor)).toBeLessThanOrEqual(0.2);
  });

  it('should match the labelled decision, complete months and flags', () => {
    expect(output.decision).toBe(labels.expectedDecision.band);
    expect(output.coverage.months).toBe(labels.expectedCompleteMonths);
    for (const flag of labels.expectedFlags) expect(output.flags).toContain(flag);
  });

  it('should produce the pinned result', () => {
    expect(pinnedSummary(output)).toEqual({
      decision: 'refer',
      recommendedLimit: 149000000,
      bindingConstraint: 'dsr',
      instalment: 28423523,
      verifiedMonthly: 85520580,
      monthlyEstimate: 142534300,
      regularMonthly: 0,
      obligationsMonthlyTotal: 0,
      completeMonths: 12,
      flags: [],
      reasons: ['INCOME_UNSTABLE'],
      streams: [
        {
          label: 'SETTLEMENT TID OGUNLEYE STORES',
          frequency: 'irregular',
          status: 'ACTIVE',
          maturity: 'MATURE',
          monthlyAmount: 0,
        },
      ],
    });
  });
});
