import { describe, expect, it } from '@jest/globals';
import { ownLoanInputs, type LoanHistoryRecord } from './loan-history.js';
import { allocationDiff } from './loan-ledger.js';
import { allocateRepayment, amortisedSchedule, amountDue, outstandingOf, type Instalment } from './loan-schedule.js';

const DEFAULT_DPD = 90;

/** A loan book record built the way LoansService writes one: each repayment allocated oldest first. */
function record(payments: Array<{ amount: number | 'instalment'; on: string; reversed?: boolean }>, o: Partial<LoanHistoryRecord> = {}): LoanHistoryRecord {
  let schedule: Instalment[] = amortisedSchedule(3_000_000, '0.05', 3, '2026-05-10');
  const repayments: LoanHistoryRecord['repayments'][number][] = [];
  payments.forEach((p, k) => {
    const amount = p.amount === 'instalment' ? outstandingOf(schedule.find((i) => outstandingOf(i) > 0)!) : p.amount;
    const after = allocateRepayment(schedule, amount);
    repayments.push({ seq: k + 1, paidAt: new Date(`${p.on}T12:00:00Z`), reversedAt: p.reversed ? new Date(`${p.on}T13:00:00Z`) : null, allocation: allocationDiff(schedule, after) });
    if (!p.reversed) schedule = after;
  });
  return {
    principalMinor: 3_000_000,
    disbursedAt: new Date('2026-05-10T09:00:00Z'),
    status: 'current',
    lastDpd: 0,
    restructuredAt: null,
    closedAt: null,
    writtenOffAt: null,
    instalments: schedule,
    repayments,
    ...o,
  };
}

describe(ownLoanInputs.name, () => {
  it('should date each instalment by the repayment that completed it, skipping reversed ones', () => {
    const s = amortisedSchedule(3_000_000, '0.05', 3, '2026-05-10');
    const half = Math.floor(amountDue(s[0]) / 2);
    const rec = record([
      { amount: half, on: '2026-06-08' },
      { amount: 500_000, on: '2026-06-09', reversed: true },
      { amount: amountDue(s[0]) - half, on: '2026-06-12' },
    ]);
    const [input] = ownLoanInputs([rec], new Date('2026-07-20T00:00:00Z'), DEFAULT_DPD);
    expect(input.instalments).toEqual([
      { dueDate: '2026-06-10', paidInFullOn: '2026-06-12' },
      { dueDate: '2026-07-10', paidInFullOn: null },
      { dueDate: '2026-08-10', paidInFullOn: null },
    ]);
    // Re-derived at asOf like a read of the loan book: the July instalment is 10 days overdue.
    expect(input).toMatchObject({ status: 'late', daysPastDue: 10, repaidInFull: false, endedOn: null, disbursedOn: '2026-05-10' });
  });

  it('should call a loan repaid in full only when closed with nothing left and never restructured', () => {
    const paid = record(
      [
        { amount: 'instalment', on: '2026-06-10' },
        { amount: 'instalment', on: '2026-07-10' },
        { amount: 'instalment', on: '2026-08-10' },
      ],
      { status: 'closed', closedAt: new Date('2026-08-10T12:00:00Z') },
    );
    const [clean] = ownLoanInputs([paid], new Date('2026-09-01T00:00:00Z'), DEFAULT_DPD);
    expect(clean).toMatchObject({ status: 'closed', repaidInFull: true, daysPastDue: 0, endedOn: '2026-08-10' });
    expect(clean.instalments.every((i) => i.paidInFullOn !== null)).toBe(true);
    const [restructured] = ownLoanInputs([{ ...paid, restructuredAt: new Date('2026-07-01T00:00:00Z') }], new Date('2026-09-01T00:00:00Z'), DEFAULT_DPD);
    expect(restructured.repaidInFull).toBe(false);
    const waived = record([{ amount: 'instalment', on: '2026-06-10' }], { status: 'closed', closedAt: new Date('2026-06-20T00:00:00Z') });
    expect(ownLoanInputs([waived], new Date('2026-09-01T00:00:00Z'), DEFAULT_DPD)[0]).toMatchObject({ repaidInFull: false, endedOn: '2026-06-20' });
  });

  it('should order loans by disbursement', () => {
    const older = record([], { principalMinor: 1_000_000, disbursedAt: new Date('2026-01-01T00:00:00Z') });
    const newer = record([], { principalMinor: 2_000_000, disbursedAt: new Date('2026-03-01T00:00:00Z') });
    expect(ownLoanInputs([newer, older], new Date('2026-03-02T00:00:00Z'), DEFAULT_DPD).map((l) => l.principalMinor)).toEqual([1_000_000, 2_000_000]);
  });
});
