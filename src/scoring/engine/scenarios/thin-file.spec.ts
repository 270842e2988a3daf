import { describe, expect, it } from '@jest/globals';
import { underwrite } from '../underwrite.js';
import { missedStreamPayments, pinnedSummary, relativeError, runPersona } from '../../../../test/support/persona-harness.js';

/** One complete month of history: never auto-approved, declined below the 2-month floor. */
describe(`${underwrite.name}: thin_file persona`, () => {
  const { output, labels } = runPersona('thin_file');

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
      decision: 'decline',
      recommendedLimit: 0,
      bindingConstraint: 'coverage',
      instalment: 0,
      verifiedMonthly: 31000000,
      monthlyEstimate: 31000000,
      regularMonthly: 31000000,
      obligationsMonthlyTotal: 0,
      completeMonths: 1,
      flags: ['person_to_person_excluded', 'thin_file'],
      reasons: ['INSUFFICIENT_HISTORY', 'P2P_CREDITS_EXCLUDED'],
      streams: [
        {
          label: 'OKOMU AGRO ALLIED LTD',
          frequency: 'monthly',
          status: 'ACTIVE',
          maturity: 'MATURE',
          monthlyAmount: 31000000,
        },
      ],
    });
  });
});
