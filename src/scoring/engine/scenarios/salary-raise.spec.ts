import { describe, expect, it } from '@jest/globals';
import { underwrite } from '../underwrite.js';
import { missedStreamPayments, pinnedSummary, relativeError, runPersona } from '../../../../test/support/persona-harness.js';

/** A raise from ₦300,000 to ₦395,000 in May 2026: the stream is split at the step and the new band counts. */
describe(`${underwrite.name}: salary_raise persona`, () => {
  const { output, labels } = runPersona('salary_raise');

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
      recommendedLimit: 46500000,
      bindingConstraint: 'free_cash_flow',
      instalment: 8870428,
      verifiedMonthly: 39500000,
      monthlyEstimate: 39500000,
      regularMonthly: 39500000,
      obligationsMonthlyTotal: 0,
      completeMonths: 12,
      flags: ['income_changed', 'person_to_person_excluded'],
      reasons: ['FREE_CASH_FLOW_LOW', 'P2P_CREDITS_EXCLUDED'],
      streams: [
        {
          label: 'BLUEWAVE TELECOM SERVICES',
          frequency: 'monthly',
          status: 'ACTIVE',
          maturity: 'MATURE',
          monthlyAmount: 39500000,
        },
      ],
    });
  });
});
