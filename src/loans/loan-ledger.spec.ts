import { describe, expect, it } from '@jest/globals';
import { allocationDiff, evaluateLoan, instalmentViews, restructureSchedule, reverseAllocation } from './loan-ledger.js';
import { allocateRepayment, amortisedSchedule, explicitSchedule, outstandingPrincipal } from './loan-schedule.js';
import { LOAN_STATUSES, canLoanTransition, isOpenLoanStatus } from './loan-status.js';

describe('explicitSchedule', () => {
  it('sorts by due date, takes principal first and counts the rest as interest, the last taking the remainder', () => {
    const s = explicitSchedule(
      [
        { dueDate: '2026-06-01', amountMinor: 600_000 },
        { dueDate: '2026-05-01', amountMinor: 600_000 },
      ],
      1_000_000,
    );
    expect(s).toEqual([
      { seq: 1, dueDate: '2026-05-01', principalMinor: 600_000, interestMinor: 0, paidPrincipalMinor: 0, paidInterestMinor: 0 },
      { seq: 2, dueDate: '2026-06-01', principalMinor: 400_000, interestMinor: 200_000, paidPrincipalMinor: 0, paidInterestMinor: 0 },
    ]);
    expect(outstandingPrincipal(s)).toBe(1_000_000);
  });

  it('refuses an empty schedule, one below the principal and non-integer kobo', () => {
    expect(() => explicitSchedule([], 1)).toThrow(/must not be empty/);
    expect(() => explicitSchedule([{ dueDate: '2026-05-01', amountMinor: 999 }], 1000)).toThrow(/at least the principal/);
    expect(() => explicitSchedule([{ dueDate: '2026-05-01', amountMinor: 10.5 }], 10)).toThrow(RangeError);
  });
});

describe('loan ledger', () => {
  const s = amortisedSchedule(3_000_000, '0.1', 3, '2026-01-01');

  it('records what a repayment allocated and reverses it exactly', () => {
    const after = allocateRepayment(s, 1_500_000);
    const lines = allocationDiff(s, after);
    expect(lines.reduce((a, l) => a + l.interestMinor + l.principalMinor, 0)).toBe(1_500_000);
    expect(lines[0]).toEqual({ seq: 1, interestMinor: 300_000, principalMinor: s[0].principalMinor });
    expect(reverseAllocation(after, lines)).toEqual(s);
    expect(() => reverseAllocation(s, lines)).toThrow(/does not hold/);
  });

  it('restructures: settles existing instalments at what was paid and appends the new schedule for the outstanding principal', () => {
    const paid = allocateRepayment(s, 1_000_000); // interest 300,000 then principal 700,000 on instalment 1
    const outstanding = outstandingPrincipal(paid);
    const replacement = explicitSchedule([{ dueDate: '2026-09-01', amountMinor: outstanding }], outstanding);
    const next = restructureSchedule(paid, replacement);
    expect(next).toEqual([
      {
        seq: 1,
        dueDate: '2026-02-01',
        principalMinor: 700_000,
        interestMinor: 300_000,
        paidPrincipalMinor: 700_000,
        paidInterestMinor: 300_000,
      },
      { seq: 2, dueDate: '2026-09-01', principalMinor: outstanding, interestMinor: 0, paidPrincipalMinor: 0, paidInterestMinor: 0 },
    ]);
    expect(outstandingPrincipal(next)).toBe(outstanding);
    expect(() => restructureSchedule(paid, explicitSchedule([{ dueDate: '2026-09-01', amountMinor: 5 }], 5))).toThrow(/outstanding/);
  });

  it('evaluates DPD thresholds crossed and passes through late on the way to defaulted', () => {
    expect(evaluateLoan('current', 0, s, '2026-02-01', 90)).toEqual({ status: 'current', dpd: 0, crossed: [], path: [] });
    expect(evaluateLoan('current', 0, s, '2026-02-02', 90)).toEqual({ status: 'late', dpd: 1, crossed: [1], path: ['late'] });
    expect(evaluateLoan('late', 1, s, '2026-03-05', 90)).toMatchObject({ status: 'late', dpd: 32, crossed: [30], path: [] });
    expect(evaluateLoan('current', 0, s, '2026-05-03', 90)).toMatchObject({
      dpd: 91,
      crossed: [1, 30, 60, 90],
      path: ['late', 'defaulted'],
    });
    const repaid = allocateRepayment(
      s,
      s.reduce((a, i) => a + i.principalMinor + i.interestMinor, 0),
    );
    expect(evaluateLoan('late', 40, repaid, '2026-03-15', 90)).toMatchObject({ status: 'closed', dpd: 0, crossed: [], path: ['closed'] });
    expect(evaluateLoan('written_off', 95, s, '2026-09-01', 90)).toEqual({ status: 'written_off', dpd: 0, crossed: [], path: [] });
  });

  it('shows paid, partly paid, overdue and upcoming instalments', () => {
    const paid = allocateRepayment(s, s[0].principalMinor + s[0].interestMinor + 100);
    expect(instalmentViews(paid, '2026-02-28').map((v) => [v.seq, v.state])).toEqual([
      [1, 'paid'],
      [2, 'partly_paid'],
      [3, 'upcoming'],
    ]);
    expect(instalmentViews(paid, '2026-03-02')[1]).toMatchObject({ state: 'overdue', paidMinor: 100 });
  });
});

describe('loan status table', () => {
  it('keeps closed and written_off terminal and lets every status stay where it is', () => {
    for (const st of LOAN_STATUSES) expect(canLoanTransition(st, st)).toBe(true);
    expect(isOpenLoanStatus('closed')).toBe(false);
    expect(isOpenLoanStatus('written_off')).toBe(false);
    expect(isOpenLoanStatus('defaulted')).toBe(true);
    expect(canLoanTransition('closed', 'current')).toBe(false);
    expect(canLoanTransition('current', 'defaulted')).toBe(false);
  });
});
