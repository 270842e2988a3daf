import { describe, expect, it } from '@jest/globals';
import { DEFAULT_LIMIT_POLICY } from './limit-policy.js';
import { buildSignals } from './limit-rules.js';
import { diffReview, type EngineResultLike } from './review-diff.js';

const salary = (
  status: 'ACTIVE' | 'INACTIVE',
  monthly = 35_000_000,
): NonNullable<NonNullable<EngineResultLike['income']>['streams']>[number] => ({
  id: 's1',
  label: 'ACME',
  counterparty: 'ACME NIGERIA LTD',
  status,
  maturity: 'MATURE',
  isSalary: true,
  confidence: '0.9',
  countedMonthlyMinor: status === 'ACTIVE' ? monthly : 0,
});

const baseline: EngineResultLike = {
  asOf: '2026-06-30',
  decision: 'approve',
  income: { verifiedMonthlyMinor: 35_000_000, streams: [salary('ACTIVE')] },
  obligations: {
    monthlyTotalMinor: 2_000_000,
    lenderCount: 1,
    lenders: [{ lender: 'CARBON', payments90d: 3, lastDate: '2026-06-28' }],
    disbursements: { last30d: { count: 0, lenders: [] }, last90d: { count: 0, lenders: [] } },
  },
  cashFlow: { lowBalanceDays: 2, negativeBalanceDays: 0 },
  risk: { gambling: { share: '0.01' }, failedDebits: { count90d: 0 } },
  limit: { recommendedMinor: 40_000_000, monthlyRate: '0.04', tenorMonths: 6, components: { dsrCap: '0.3333' } },
};

describe(diffReview.name, () => {
  it('should report nothing when the borrower looks the same', () => {
    const d = diffReview(baseline, baseline, DEFAULT_LIMIT_POLICY);
    expect(d.changes).toEqual([]);
    expect(d.newLenders).toEqual([]);
    expect(d.gamblingSpike).toBe(false);
  });

  it('should name income, lender, disbursement, low-balance and gambling changes with their values', () => {
    const current: EngineResultLike = {
      ...baseline,
      asOf: '2026-09-30',
      income: {
        verifiedMonthlyMinor: 20_000_000,
        streams: [salary('INACTIVE'), { ...salary('ACTIVE', 20_000_000), id: 's2', counterparty: 'GIG PAY', isSalary: false }],
      },
      obligations: {
        monthlyTotalMinor: 6_000_000,
        lenderCount: 3,
        lenders: [
          { lender: 'CARBON', payments90d: 3, lastDate: '2026-09-28' },
          { lender: 'FAIRMONEY', payments90d: 2, lastDate: '2026-09-20' },
          { lender: 'PALMCREDIT', payments90d: 1, lastDate: '2026-07-01' },
        ],
        disbursements: { last30d: { count: 1, lenders: ['FAIRMONEY'] }, last90d: { count: 2, lenders: ['FAIRMONEY', 'PALMCREDIT'] } },
      },
      cashFlow: { lowBalanceDays: 20, negativeBalanceDays: 3 },
      risk: { gambling: { share: '0.12' }, failedDebits: { count90d: 2 } },
    };
    const d = diffReview(baseline, current, DEFAULT_LIMIT_POLICY);
    expect(d.changes.map((c) => c.code)).toEqual([
      'INCOME_DOWN',
      'INCOME_SOURCE_ADDED',
      'INCOME_SOURCE_LOST',
      'SALARY_STREAM_INACTIVE',
      'NEW_LENDERS',
      'OBLIGATIONS_UP',
      'NEW_DISBURSEMENTS',
      'LOW_BALANCE_DAYS_UP',
      'GAMBLING_SPIKE',
      'FAILED_DEBITS_UP',
    ]);
    expect(d.changes[0].values).toEqual({ baselineMinor: 35_000_000, currentMinor: 20_000_000, changeShare: '-0.4286' });
    expect(d.newLenders).toEqual(['FAIRMONEY', 'PALMCREDIT']);
    expect(d.newLendersRecent).toEqual(['FAIRMONEY']);

    const signals = buildSignals(current, d, {
      limitMinor: 40_000_000,
      status: 'active',
      outstandingMinor: 0,
      lastIncreaseAt: null,
      weakReviewStreak: 0,
    });
    expect(signals).toMatchObject({
      salaryStreamInactive: true,
      newLenders: 2,
      newLendersRecent: 1,
      gamblingSpike: true,
      postLoanDsrAboveCap: true,
    });
  });

  it('should treat a missing baseline as unknown rather than as zero income', () => {
    const d = diffReview(null, baseline, DEFAULT_LIMIT_POLICY);
    expect(d.changes.map((c) => c.code)).not.toContain('INCOME_UP');
    expect(d.baseline.verifiedMonthlyIncomeMinor).toBeNull();
  });
});
