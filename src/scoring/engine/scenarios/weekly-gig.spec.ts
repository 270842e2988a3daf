import { describe, expect, it } from '@jest/globals';
import { underwrite } from '../underwrite.js';
import { relativeError, runPersona } from './persona-harness.js';

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
    const detected = new Set(output.income.streams.filter((s) => s.frequency !== 'irregular').flatMap((s) => s.transactionIds));
    const truth = labels.incomeStreams.filter((s) => s.frequency !== 'irregular').flatMap((s) => s.transactionIds);
    expect(truth.filter((id) => !detected.has(id))).toEqual([]);
  });

  it('should produce the pinned result', () => {
    expect({
      decision: output.decision,
      recommendedLimit: output.recommendedLimit,
      bindingConstraint: output.bindingConstraint,
      instalment: output.instalment,
      verifiedMonthly: output.income.verifiedMonthly,
      monthlyEstimate: output.income.monthlyEstimate,
      regularMonthly: output.income.regularMonthly,
      obligationsMonthlyTotal: output.obligations.monthlyTotal,
      completeMonths: output.coverage.months,
      flags: output.flags,
      reasons: output.reasons.map((r) => r.code),
      streams: output.income.streams.map((s) => ({
        label: s.label,
        frequency: s.frequency,
        status: s.status,
        maturity: s.maturity,
        monthlyAmount: s.monthlyAmount,
      })),
    }).toEqual({
      decision: 'approve',
      recommendedLimit: 36500000,
      bindingConstraint: 'free_cash_flow',
      instalment: 6962809,
      verifiedMonthly: 22861700,
      monthlyEstimate: 23173200,
      regularMonthly: 22394450,
      obligationsMonthlyTotal: 0,
      completeMonths: 12,
      flags: [],
      reasons: ['FREE_CASH_FLOW_LOW'],
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
