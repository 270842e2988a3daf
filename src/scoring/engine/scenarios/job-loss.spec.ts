import { describe, expect, it } from '@jest/globals';
import { underwrite } from '../underwrite.js';
import { missedStreamPayments, pinnedSummary, runPersona } from '../../../../test/support/persona-harness.js';

/** The salary stopped in August: no active regular income, decline. */
describe(`${underwrite.name}: job_loss persona`, () => {
  const { output, labels } = runPersona('job_loss');

  it('should find no active regular income (ground truth: none)', () => {
    expect(labels.expectedMonthlyIncomeMinor).toBe(0);
    expect(output.income.regularMonthly).toBe(0);
    expect(output.income.streams.filter((s) => s.status === 'ACTIVE' && s.frequency !== 'irregular')).toEqual([]);
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
      recommendedLimit: 1500000,
      bindingConstraint: 'dsr',
      instalment: 286142,
      verifiedMonthly: 951750,
      monthlyEstimate: 1586250,
      regularMonthly: 0,
      obligationsMonthlyTotal: 0,
      completeMonths: 12,
      flags: ['income_inactive', 'negative_balance'],
      reasons: ['INCOME_STREAM_INACTIVE', 'INCOME_BELOW_MIN', 'INCOME_UNSTABLE'],
      streams: [
        {
          label: 'SUNRISE FOODS NIGERIA LTD',
          frequency: 'monthly',
          status: 'INACTIVE',
          maturity: 'MATURE',
          monthlyAmount: 18750000,
        },
      ],
    });
  });
});
