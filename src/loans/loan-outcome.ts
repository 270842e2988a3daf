import { ownLoanInputs, type LoanHistoryRecord } from './loan-history.js';

/**
 * What became of a loan, as a backtest labels it (docs/scoring.md "Backtest: outcomes"). Pure: derived from the loan
 * book's stored schedule and repayments at `asOf`, the same replay of allocations the engine's repayment record uses.
 */
export interface LoanOutcome {
  /** The worst days past due any instalment reached (paid late: days late when paid in full; unpaid: days so far). */
  worstDpd: number;
  /** Ever 30+ days past due, or defaulted / written off. */
  bad30: boolean;
  /** Defaulted (the loan book's `defaultDpd`, 90 by default) or written off at any point. */
  defaulted: boolean;
  /**
   * The outcome is known: the loan is bad already, or closed, or its first instalment fell due at least `badDpd` days
   * before `asOf` (so it has had the chance to reach 30 days late). A loan too young to tell is not counted as good.
   */
  observed: boolean;
}

const DAY_MS = 86_400_000;
const epochDay = (ymd: string): number => Math.floor(Date.parse(`${ymd}T00:00:00Z`) / DAY_MS);

export function loanOutcome(loan: LoanHistoryRecord, asOf: Date, opts: { badDpd?: number; defaultDpd: number }): LoanOutcome {
  const badDpd = opts.badDpd ?? 30;
  const [view] = ownLoanInputs([loan], asOf, opts.defaultDpd);
  const today = epochDay(asOf.toISOString().slice(0, 10));
  let worst = 0;
  let firstDue: number | null = null;
  for (const i of view.instalments) {
    const due = epochDay(i.dueDate);
    if (firstDue === null || due < firstDue) firstDue = due;
    if (due >= today) continue;
    const settled = i.paidInFullOn === null ? today : Math.min(today, epochDay(i.paidInFullOn));
    worst = Math.max(worst, settled - due);
  }
  const defaulted = loan.writtenOffAt !== null || view.status === 'defaulted' || view.status === 'written_off' || worst >= opts.defaultDpd;
  const bad30 = defaulted || worst >= badDpd;
  const observed = bad30 || view.status === 'closed' || (firstDue !== null && today - firstDue >= badDpd);
  return { worstDpd: worst, bad30, defaulted, observed };
}
