import { describe, expect, it } from '@jest/globals';
import { underwrite } from '../underwrite.js';
import { missedStreamPayments, pinnedSummary, relativeError, runPersona } from '../../../../test/support/persona-harness.js';

/** Salary into one bank, self-transfers to an own Kuda account: transfers are neither income nor spend. */
describe(`${underwrite.name}: self_transfer_pair persona`, () => {
  const { output, labels } = runPersona('self_transfer_pair');

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
      recommendedLimit: 65500000,
      bindingConstraint: 'free_cash_flow',
      instalment: 12494904,
      verifiedMonthly: 46000000,
      monthlyEstimate: 46000000,
      regularMonthly: 46000000,
      obligationsMonthlyTotal: 0,
      completeMonths: 12,
      flags: ['person_to_person_excluded'],
      reasons: ['FREE_CASH_FLOW_LOW', 'P2P_CREDITS_EXCLUDED'],
      streams: [
        {
          label: 'CEDARPOINT SCHOOLS LTD',
          frequency: 'monthly',
          status: 'ACTIVE',
          maturity: 'MATURE',
          monthlyAmount: 46000000,
        },
      ],
    });
  });
});
