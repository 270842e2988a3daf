/**
 * Framework-free account-level facts shared by ingestion (which computes and stores them) and the
 * scoring engine (which consumes them). Pure types only.
 */

/** Coverage of an account's history (see underwriting-research §4d). Dates are Lagos business dates `YYYY-MM-DD`. */
export interface AccountCoverage {
  accountId: string;
  transactionCount: number;
  firstDate: string | null;
  lastDate: string | null;
  /** asOf − first transaction date, in days (Plaid's `days_available`). */
  daysAvailable: number;
  /** Calendar months fully inside [firstDate, asOf) — the current, partial month never counts. */
  completeMonths: number;
  /** The complete months themselves, `YYYY-MM`, oldest first. */
  completeMonthList: string[];
  /** Longest run of days between two consecutive transactions (or from the last one to asOf). */
  longestGapDays: number;
  /** Days in [firstDate, asOf] without any transaction. */
  daysWithoutTransactions: number;
  /** ISO timestamp of the last successful sync, when known. */
  lastSuccessfulSyncAt: string | null;
  /** Hours between lastSuccessfulSyncAt and asOf; null when unknown. */
  freshnessHours: number | null;
}

export const DATA_QUALITY_KINDS = [
  'balance_break', // balance_prev ± amount ≠ balance_curr (missing rows, bad parse or tampering)
  'missing_balance', // the bank gave no running balance
  'duplicate_row', // same content seen twice under different ids
  'future_dated', // transaction dated after asOf / after fetch
  'emtl_mismatch', // count of EMTL levies inconsistent with qualifying inflows
  'modified_transaction', // a provider row changed after first being seen
  'removed_transaction', // a provider row disappeared inside the overlap window
] as const;
export type DataQualityKind = (typeof DATA_QUALITY_KINDS)[number];

export interface DataQualityFinding {
  accountId: string;
  kind: DataQualityKind;
  /** The transaction the finding is about, when there is one. */
  transactionId?: string;
  /** Business date the finding concerns, `YYYY-MM-DD`. */
  date?: string;
  details: Record<string, unknown>;
}

/** One linked account as the engine sees it. */
export interface EngineAccount {
  accountId: string;
  institution: string | null;
  /** Account holder name from the bank (for name-match checks). */
  holderName: string | null;
  currency: string;
  /** Latest known balance, minor units. */
  balanceMinor: number | null;
  coverage: AccountCoverage;
  findings: DataQualityFinding[];
  /** The bank demands re-authorisation; data may be stale. */
  reauthRequired: boolean;
}
