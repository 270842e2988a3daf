/**
 * The lender's own loan lifecycle as a transition table (Fineract-style). `late` and `defaulted` are derived from
 * days past due (DPD ≥ 1 → late, DPD ≥ policy default DPD → defaulted); `closed` and `written_off` are terminal.
 *
 *   current ◄──► late ──► defaulted ──► written_off
 *      │          │          │
 *      └──────────┴──────────┴──► closed (fully repaid, or closed by event)
 */
export const LOAN_STATUSES = ['current', 'late', 'defaulted', 'closed', 'written_off'] as const;
export type LoanStatus = (typeof LOAN_STATUSES)[number];

export const LOAN_TRANSITIONS: Readonly<Record<LoanStatus, readonly LoanStatus[]>> = {
  current: ['late', 'closed', 'written_off'],
  late: ['current', 'defaulted', 'closed', 'written_off'],
  defaulted: ['late', 'current', 'closed', 'written_off'],
  closed: [],
  written_off: [],
};

export function canLoanTransition(from: LoanStatus, to: LoanStatus): boolean {
  return from === to || LOAN_TRANSITIONS[from].includes(to);
}

export function isOpenLoanStatus(status: LoanStatus): boolean {
  return LOAN_TRANSITIONS[status].length > 0;
}
