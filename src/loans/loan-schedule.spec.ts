import { describe, expect, it } from '@jest/globals';
import { OverpaymentError, allocateRepayment, amortisedSchedule, crossedThresholds, daysPastDue, deriveStatus, outstandingPrincipal } from './loan-schedule.js';

describe('loan schedule', () => {
  it('builds an amortised schedule whose principal parts sum to the principal', () => {
    const s = amortisedSchedule(5_000_000, '0.05', 3, '2026-04-10T09:00:00Z');
    expect(s.map((i) => i.dueDate)).toEqual(['2026-05-10', '2026-06-10', '2026-07-10']);
    expect(s.reduce((a, i) => a + i.principalMinor, 0)).toBe(5_000_000);
    // level instalment = 5,000,000 × 0.05 / (1 − 1.05^−3) = 1,836,042.78… → 1,836,043 (rounded up)
    expect(s[0]).toMatchObject({ interestMinor: 250_000, principalMinor: 1_586_043 });
  });

  it('allocates oldest first, interest before principal, and refuses over-payment', () => {
    const s = amortisedSchedule(3_000_000, '0', 3, '2026-01-01');
    const paid = allocateRepayment(s, 1_500_000);
    expect(paid.map((i) => i.paidPrincipalMinor)).toEqual([1_000_000, 500_000, 0]);
    expect(outstandingPrincipal(paid)).toBe(1_500_000);
    expect(() => allocateRepayment(paid, 1_500_001)).toThrow(OverpaymentError);
  });

  it('DPD rises day by day after a missed instalment and the status follows', () => {
    const s = amortisedSchedule(3_000_000, '0', 3, '2026-01-01');
    expect(daysPastDue(s, '2026-02-01')).toBe(0);
    expect(daysPastDue(s, '2026-02-02')).toBe(1);
    expect(daysPastDue(s, '2026-03-03')).toBe(30);
    expect(deriveStatus('current', s, '2026-02-02', 90)).toBe('late');
    expect(deriveStatus('late', s, '2026-05-02', 90)).toBe('defaulted');
    expect(deriveStatus('late', allocateRepayment(s, 3_000_000), '2026-05-02', 90)).toBe('closed');
    expect(crossedThresholds(0, 31)).toEqual([1, 30]);
  });
});
