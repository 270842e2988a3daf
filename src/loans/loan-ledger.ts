import { canLoanTransition, type LoanStatus } from './loan-status.js';
import {
  amountDue,
  crossedThresholds,
  daysPastDue,
  deriveStatus,
  outstandingOf,
  outstandingPrincipal,
  type Instalment,
} from './loan-schedule.js';

/**
 * Pure bookkeeping on top of loan-schedule.ts (no clock, no I/O): what one repayment allocated, undoing it, a
 * restructure, and the periodic evaluation that moves a loan's status and reports DPD thresholds crossed.
 */

/** What one repayment put on one instalment. */
export interface AllocationLine {
  seq: number;
  interestMinor: number;
  principalMinor: number;
}

/** The lines a repayment allocated: the difference between the schedule after and before it (non-zero lines only). */
export function allocationDiff(before: readonly Instalment[], after: readonly Instalment[]): AllocationLine[] {
  const bySeq = new Map(before.map((i) => [i.seq, i]));
  const out: AllocationLine[] = [];
  for (const a of after) {
    const b = bySeq.get(a.seq);
    const interestMinor = a.paidInterestMinor - (b?.paidInterestMinor ?? 0);
    const principalMinor = a.paidPrincipalMinor - (b?.paidPrincipalMinor ?? 0);
    if (interestMinor !== 0 || principalMinor !== 0) out.push({ seq: a.seq, interestMinor, principalMinor });
  }
  return out;
}

/** Undoes a repayment's allocation; throws if the schedule no longer holds it (e.g. after a restructure). */
export function reverseAllocation(schedule: readonly Instalment[], allocation: readonly AllocationLine[]): Instalment[] {
  const next = schedule.map((i) => ({ ...i }));
  for (const line of allocation) {
    const i = next.find((x) => x.seq === line.seq);
    if (!i || i.paidInterestMinor < line.interestMinor || i.paidPrincipalMinor < line.principalMinor) {
      throw new RangeError(`instalment ${line.seq} does not hold the allocation being reversed`);
    }
    i.paidInterestMinor -= line.interestMinor;
    i.paidPrincipalMinor -= line.principalMinor;
  }
  return next;
}

/**
 * A restructure: every existing instalment is settled at what was paid on it (unpaid interest on them is dropped;
 * fully unpaid ones disappear) and the new schedule, which must carry exactly the outstanding principal, follows
 * with the next sequence numbers. Paid amounts and their history are kept.
 */
export function restructureSchedule(schedule: readonly Instalment[], replacement: readonly Instalment[]): Instalment[] {
  const outstanding = outstandingPrincipal(schedule);
  const newPrincipal = replacement.reduce((s, i) => s + i.principalMinor, 0);
  if (newPrincipal !== outstanding) {
    throw new RangeError(`the new schedule carries ${newPrincipal} of principal, the loan has ${outstanding} outstanding`);
  }
  const kept = schedule
    .map((i) => ({ ...i, principalMinor: i.paidPrincipalMinor, interestMinor: i.paidInterestMinor }))
    .filter((i) => amountDue(i) > 0);
  const start = kept.reduce((m, i) => Math.max(m, i.seq), 0);
  return [...kept, ...replacement.map((i, k) => ({ ...i, seq: start + k + 1, paidPrincipalMinor: 0, paidInterestMinor: 0 }))];
}

export interface LoanEvaluation {
  status: LoanStatus;
  dpd: number;
  /** DPD thresholds (1/30/60/90) crossed since the last evaluation, for `loan.overdue`. */
  crossed: number[];
  /** Status steps from the stored status to the new one, each allowed by the transition table (empty if unchanged). */
  path: LoanStatus[];
}

/**
 * Re-derives status and DPD at `asOf` from the stored status and the DPD seen at the last evaluation. A loan that
 * went from current to defaulted between two evaluations passes through late (the table has no direct step).
 */
export function evaluateLoan(
  current: LoanStatus,
  lastDpd: number,
  schedule: readonly Instalment[],
  asOf: string,
  defaultDpd: number,
): LoanEvaluation {
  const terminal = current === 'closed' || current === 'written_off';
  const dpd = terminal ? 0 : daysPastDue(schedule, asOf);
  const status = deriveStatus(current, schedule, asOf, defaultDpd);
  const crossed = terminal ? [] : crossedThresholds(lastDpd, dpd);
  let path: LoanStatus[] = [];
  if (status !== current) {
    if (canLoanTransition(current, status)) path = [status];
    else if (canLoanTransition(current, 'late') && canLoanTransition('late', status)) path = ['late', status];
    else throw new RangeError(`loan status cannot move from ${current} to ${status}`);
  }
  return { status, dpd, crossed, path };
}

export interface InstalmentView extends Instalment {
  amountDueMinor: number;
  paidMinor: number;
  outstandingMinor: number;
  state: 'paid' | 'partly_paid' | 'due' | 'overdue' | 'upcoming';
}

/** Per-instalment paid/outstanding and a state at `asOf` (a due date before asOf with money left is overdue). */
export function instalmentViews(schedule: readonly Instalment[], asOf: string): InstalmentView[] {
  const day = asOf.slice(0, 10);
  return schedule.map((i) => {
    const outstanding = outstandingOf(i);
    const paid = i.paidPrincipalMinor + i.paidInterestMinor;
    let state: InstalmentView['state'];
    if (outstanding === 0) state = 'paid';
    else if (i.dueDate < day) state = 'overdue';
    else if (paid > 0) state = 'partly_paid';
    else state = i.dueDate === day ? 'due' : 'upcoming';
    return { ...i, amountDueMinor: amountDue(i), paidMinor: paid, outstandingMinor: outstanding, state };
  });
}
