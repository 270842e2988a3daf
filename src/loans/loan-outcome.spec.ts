import { describe, expect, it } from '@jest/globals';
import { amortisedSchedule, type Instalment } from './loan-schedule.js';
import { loanOutcome } from './loan-outcome.js';
import type { LoanHistoryRecord } from './loan-history.js';

const schedule = amortisedSchedule(30_000_000, '0.04', 3, '2026-01-10'); // due 2026-02-10, 03-10, 04-10

function loan(paid: Array<{ seq: number; on: string }>, o: Partial<LoanHistoryRecord> = {}): LoanHistoryRecord {
  const instalments: Instalment[] = schedule.map((i) => ({ ...i }));
  const repayments = paid.map((p, k) => {
    const i = instalments.find((x) => x.seq === p.seq)!;
    i.paidPrincipalMinor = i.principalMinor;
    i.paidInterestMinor = i.interestMinor;
    return {
      seq: k + 1,
      paidAt: new Date(`${p.on}T12:00:00Z`),
      reversedAt: null,
      allocation: [{ seq: p.seq, principalMinor: i.principalMinor, interestMinor: i.interestMinor }],
    };
  });
  return {
    principalMinor: 30_000_000,
    disbursedAt: new Date('2026-01-10T12:00:00Z'),
    status: 'current',
    lastDpd: 0,
    restructuredAt: null,
    closedAt: null,
    writtenOffAt: null,
    instalments,
    repayments,
    ...o,
  };
}
const at = (d: string): Date => new Date(`${d}T00:00:00Z`);

describe('loanOutcome', () => {
  it('should call a loan repaid on time good and observed once its first instalment is 30 days old', () => {
    const l = loan([
      { seq: 1, on: '2026-02-10' },
      { seq: 2, on: '2026-03-11' },
      { seq: 3, on: '2026-04-09' },
    ]);
    expect(loanOutcome(l, at('2026-06-01'), { defaultDpd: 90 })).toEqual({ worstDpd: 1, bad30: false, defaulted: false, observed: true });
  });

  it('should not call a loan too young to tell good: unobserved until its first instalment is 30 days past due date', () => {
    expect(loanOutcome(loan([]), at('2026-02-20'), { defaultDpd: 90 })).toMatchObject({ worstDpd: 10, bad30: false, observed: false });
    expect(loanOutcome(loan([{ seq: 1, on: '2026-02-10' }]), at('2026-03-12'), { defaultDpd: 90 })).toMatchObject({
      bad30: false,
      observed: true,
    });
  });

  it('should count the worst lateness ever, even when the borrower caught up later', () => {
    const l = loan([
      { seq: 1, on: '2026-03-20' },
      { seq: 2, on: '2026-03-20' },
      { seq: 3, on: '2026-04-10' },
    ]);
    expect(loanOutcome(l, at('2026-06-01'), { defaultDpd: 90 })).toEqual({ worstDpd: 38, bad30: true, defaulted: false, observed: true });
  });

  it('should call a loan defaulted at 90 days past due or when written off', () => {
    expect(loanOutcome(loan([{ seq: 1, on: '2026-02-10' }]), at('2026-07-01'), { defaultDpd: 90 })).toMatchObject({
      worstDpd: 113,
      bad30: true,
      defaulted: true,
    });
    const w = loan([{ seq: 1, on: '2026-02-10' }], { status: 'written_off', writtenOffAt: new Date('2026-03-15T00:00:00Z') });
    expect(loanOutcome(w, at('2026-03-20'), { defaultDpd: 90 })).toMatchObject({ bad30: true, defaulted: true, observed: true });
  });
});
