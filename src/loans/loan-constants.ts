/** Days past due from which an open loan is `defaulted` (docs/underwriting.md "Loans"). */
export const LOAN_DEFAULT_DPD = 90;
