import { describe, expect, it } from '@jest/globals';
import { underwrite } from '../underwrite.js';
import { missedStreamPayments, pinnedSummary, relativeError, runPersona } from '../../../../test/support/persona-harness.js';

/** Weekly ride-hailing payouts of varying size: one weekly stream (known platform), monthly-normalised conservatively. */
describe(`${underwrite.name}: weekly_gig persona`, () => {
  const { output, labels } = runPersona('weekly_gig');

  it('should estimate monthly income within 20% of the ground truth', () => {
    expect(relativeError(output.income.monthlyEstimate, labels.expectedMonthlyIncomeMinor)).toBeLessThanOrEqual(0.2);
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
      recommendedLimit: 23000000,
      bindingConstraint: 'free_cash_flow',
      instalment: 4387523,
      verifiedMonthly: 22394450,
      monthlyEstimate: 22394450,
      regularMonthly: 22394450,
      obligationsMonthlyTotal: 0,
      completeMonths: 12,
      flags: ['person_to_person_excluded'],
      reasons: ['FREE_CASH_FLOW_LOW', 'P2P_CREDITS_EXCLUDED'],
      streams: [
        {
          label: 'BOLT OPERATIONS NIGERIA LTD',
          frequency: 'weekly',
          status: 'ACTIVE',
          maturity: 'MATURE',
          monthlyAmount: 22394450,
        },
      ],
    });
  });
});
