import type { OwnLoanInput } from '../scoring/engine/index.js';
import { evaluateLoan } from './loan-ledger.js';
import { amountDue, outstandingOf, type Instalment } from './loan-schedule.js';
import type { LoanStatus } from './loan-status.js';

/** What the engine's repayment record needs of one stored loan (pure input; the repository reads it). */
export interface LoanHistoryRecord {
  principalMinor: number;
  disbursedAt: Date;
  status: LoanStatus;
  lastDpd: number;
  restructuredAt: Date | null;
  closedAt: Date | null;
  writtenOffAt: Date | null;
  instalments: readonly Instalment[];
  /** Every repayment with its allocation, reversed ones included (they are skipped). */
  repayments: ReadonlyArray<{ seq: number; paidAt: Date; reversedAt: Date | null; allocation: ReadonlyArray<{ seq: number; principalMinor: number; interestMinor: number }> }>;
}

const day = (d: Date): string => d.toISOString().slice(0, 10);

/**
 * The engine input for the lender's own loans (`EngineInput.ownLoans`), pure: status and days past due re-derived at
 * `asOf` exactly as the loan book does on a read; for each instalment the day its amount due was paid in full,
 * replaying the non-reversed repayments' allocations in recording order. A loan counts as repaid in full when it is
 * closed with nothing left on any instalment and was never restructured (a waiver or a restructure is not a
 * clean repayment).
 */
export function ownLoanInputs(loans: readonly LoanHistoryRecord[], asOf: Date, defaultDpd: number): OwnLoanInput[] {
  return [...loans]
    .sort((a, b) => a.disbursedAt.getTime() - b.disbursedAt.getTime())
    .map((loan) => {
      const e = evaluateLoan(loan.status, loan.lastDpd, loan.instalments, asOf.toISOString(), defaultDpd);
      const paid = new Map<number, number>();
      const paidInFullOn = new Map<number, string>();
      const due = new Map(loan.instalments.map((i) => [i.seq, amountDue(i)]));
      for (const r of [...loan.repayments].sort((a, b) => a.seq - b.seq)) {
        if (r.reversedAt !== null) continue;
        for (const line of r.allocation) {
          const total = (paid.get(line.seq) ?? 0) + line.principalMinor + line.interestMinor;
          paid.set(line.seq, total);
          if (!paidInFullOn.has(line.seq) && total >= (due.get(line.seq) ?? Number.POSITIVE_INFINITY)) paidInFullOn.set(line.seq, day(r.paidAt));
        }
      }
      const instalments = [...loan.instalments]
        .sort((a, b) => a.seq - b.seq)
        .map((i) => ({
          dueDate: i.dueDate,
          // Nothing due (a settled restructured line) counts as paid when its loan was disbursed.
          paidInFullOn: outstandingOf(i) > 0 ? null : (paidInFullOn.get(i.seq) ?? (amountDue(i) === 0 ? day(loan.disbursedAt) : null)),
        }));
      const allPaid = loan.instalments.every((i) => outstandingOf(i) === 0);
      return {
        principalMinor: loan.principalMinor,
        disbursedOn: day(loan.disbursedAt),
        status: e.status,
        repaidInFull: e.status === 'closed' && allPaid && loan.restructuredAt === null,
        daysPastDue: e.dpd,
        endedOn: loan.writtenOffAt ? day(loan.writtenOffAt) : loan.closedAt ? day(loan.closedAt) : null,
        instalments,
        repayments: [...loan.repayments]
          .filter((r) => r.reversedAt === null)
          .sort((a, b) => a.seq - b.seq)
          .map((r) => ({ paidOn: day(r.paidAt), amountMinor: r.allocation.reduce((t, a) => t + a.principalMinor + a.interestMinor, 0) })),
      };
    });
}
