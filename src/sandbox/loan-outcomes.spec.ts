import { describe, expect, it } from '@jest/globals';
import { repaymentBehaviour, simulateRepayments, type PersonaTruth } from './loan-outcomes.js';

const truth = (persona: string, o: Partial<PersonaTruth> = {}): PersonaTruth => ({
  persona,
  expectedMonthlyIncomeMinor: 40_000_000,
  monthlyLoanRepaymentMinor: 0,
  gamblingShare: '0',
  ...o,
});
const schedule = Array.from({ length: 12 }, (_, k) => ({ seq: k + 1, dueDate: `2025-${String(k + 1).padStart(2, '0')}-10`, amountDueMinor: 2_000_000 }));
const asOf = '2026-12-01';

describe('loan outcome simulator', () => {
  it('should have a salaried borrower with room to spare pay on time, and always the same way for one seed', () => {
    const b = repaymentBehaviour(truth('salaried_monthly'), 2_000_000);
    expect(b).toMatchObject({ onTimeProbability: '0.97', stopAfter: null, stress: '0.0500' });
    const a = simulateRepayments(schedule, b, { asOf, seed: 7 });
    expect(a).toEqual(simulateRepayments(schedule, b, { asOf, seed: 7 }));
    expect(a).toHaveLength(12);
    expect(a.filter((r) => r.daysLate > 3)).toEqual([]);
  });

  it('should have a job-loss borrower pay the first instalment and then stop', () => {
    const r = simulateRepayments(schedule, repaymentBehaviour(truth('job_loss'), 2_000_000), { asOf, seed: 1 });
    expect(r.map((x) => x.seq)).toEqual([1]);
  });

  it('should make a gambler late more often than a salaried borrower over many seeds', () => {
    const lateShare = (persona: string): number => {
      let late = 0;
      for (let seed = 1; seed <= 50; seed++)
        late += simulateRepayments(schedule, repaymentBehaviour(truth(persona, persona === 'gambler' ? { gamblingShare: '0.3' } : {}), 2_000_000), { asOf, seed }).filter((x) => x.daysLate > 3).length;
      return late / (50 * schedule.length);
    };
    expect(lateShare('gambler')).toBeGreaterThan(0.4);
    expect(lateShare('salaried_monthly')).toBeLessThan(0.05);
  });

  it('should worsen with stress: tight above 40% of true income, stopping above 70%', () => {
    const tight = repaymentBehaviour(truth('salaried_monthly', { monthlyLoanRepaymentMinor: 12_000_000 }), 6_000_000);
    expect(tight).toMatchObject({ stress: '0.4500', onTimeProbability: '0.582', lateDays: [2, 6], stopAfter: null });
    const breaking = repaymentBehaviour(truth('weekly_gig'), 30_000_000);
    expect(breaking).toMatchObject({ stress: '0.7500', stopAfter: 1 });
    expect(repaymentBehaviour(truth('weekly_gig', { expectedMonthlyIncomeMinor: 0 }), 1).stopAfter).toBe(1);
  });

  it('should record nothing not yet paid by asOf', () => {
    const r = simulateRepayments(schedule, repaymentBehaviour(truth('salaried_monthly'), 2_000_000), { asOf: '2025-06-01', seed: 3 });
    expect(r.every((x) => x.paidOn < '2025-06-01')).toBe(true);
    expect(r.length).toBeLessThanOrEqual(5);
  });
});
