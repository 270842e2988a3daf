import { describe, expect, it } from '@jest/globals';
import { underwrite } from '../underwrite.js';
import { missedStreamPayments, pinnedSummary, relativeError, runPersona } from '../../../../test/support/persona-harness.js';

/** Five loan apps: repayments take the DSR above the cap and disbursements from 5 lenders in 90 days flag stacking. */
describe(`${underwrite.name}: loan_stacker persona`, () => {
  const { output, labels } = runPersona('loan_stacker');

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
      bindingConstraint: 'dsr',
      instalment: 0,
      verifiedMonthly: 38500000,
      monthlyEstimate: 38500000,
      regularMonthly: 38500000,
      obligationsMonthlyTotal: 14829998,
      completeMonths: 12,
      flags: ['existing_loans', 'failed_debits', 'loan_stacking', 'multiple_lenders', 'person_to_person_excluded'],
      reasons: ['DSR_ABOVE_CAP', 'RECENT_LOAN_DISBURSEMENTS', 'MULTIPLE_ACTIVE_LENDERS', 'P2P_CREDITS_EXCLUDED'],
      streams: [
        {
          label: 'CEDARPOINT SCHOOLS LTD',
          frequency: 'monthly',
          status: 'ACTIVE',
          maturity: 'MATURE',
          monthlyAmount: 38500000,
        },
      ],
    });
  });
});
