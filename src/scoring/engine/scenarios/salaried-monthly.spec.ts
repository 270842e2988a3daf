import { describe, expect, it } from '@jest/globals';
import { underwrite } from '../underwrite.js';
import { missedStreamPayments, pinnedSummary, relativeError, runPersona } from '../../../../test/support/persona-harness.js';

/** Monthly salary around the 25th (holiday-shifted), 12 complete months, no risk flags. */
describe(`${underwrite.name}: salaried_monthly persona`, () => {
  const { output, labels } = runPersona('salaried_monthly');

  it('should estimate regular monthly income within 10% of the ground truth', () => {
    expect(relativeError(output.income.regularMonthly, labels.expectedMonthlyIncomeMinor)).toBeLessThanOrEqual(0.1);
    expect(relativeError(output.income.monthlyEstimate, labels.expectedMonthlyIncomeMinor)).toBeLessThanOrEqual(0.1);
  });

  it('should match the labelled decision, complete months and flags', () => {
    expect(output.decision).toBe(labels.expectedDecision.band);
    expect(output.coverage.months).toBe(labels.expectedCompleteMonths);
    for (const flag of labels.expectedFlags) expect(output.flags).toContain(flag);
  });

  it('should put every true salary/wage payment in a detected stream', () => {
    expect(missedStreamPayments(output, labels)).toEqual([]);
  });

  it('should produce the pinned result', () => {
    expect(pinnedSummary(output)).toEqual({
      decision: 'approve',
      recommendedLimit: 28000000,
      bindingConstraint: 'free_cash_flow',
      instalment: 5341333,
      verifiedMonthly: 36000000,
      monthlyEstimate: 36000000,
      regularMonthly: 36000000,
      obligationsMonthlyTotal: 0,
      completeMonths: 12,
      flags: ['person_to_person_excluded'],
      reasons: ['FREE_CASH_FLOW_LOW', 'P2P_CREDITS_EXCLUDED'],
      streams: [
        {
          label: 'MIDLAND HOSPITALS LTD',
          frequency: 'monthly',
          status: 'ACTIVE',
          maturity: 'MATURE',
          monthlyAmount: 36000000,
        },
      ],
    });
  });
});
