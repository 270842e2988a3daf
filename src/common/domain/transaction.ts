/**
 * The shared, framework-free vocabulary of a normalised bank transaction.
 *
 * Produced by `src/ingestion/normalise` (from Mono v2 transaction objects) and consumed by
 * `src/scoring/engine`. Pure types only: no Nest, no TypeORM, no clock.
 *
 * Amounts are integer minor units (kobo for NGN) as Mono sends them; never floats.
 */

export const TRANSACTION_CATEGORIES = [
  'salary', // payroll / salary / wages credits
  'transfer_in', // other inbound transfers (possible irregular income)
  'transfer_out',
  'self_transfer', // between the borrower's own accounts / wallets (never income)
  'reversal', // reversals and refunds (either direction; never income)
  'loan_disbursement', // credit from a lender (never income; stacking signal)
  'loan_repayment', // debit to a lender (existing obligation)
  'betting_stake', // debit to a betting operator
  'betting_payout', // credit from a betting operator (never income)
  'airtime_data',
  'utilities', // electricity, cable TV, water, internet bills
  'rent',
  'card_pos', // card / POS / web purchases
  'cash_withdrawal', // ATM / cash-out
  'cash_deposit',
  'bank_charges', // fees, SMS alerts, EMTL, stamp duty, VAT on fees
  'interest', // interest earned
  'failed_debit', // returned / bounced / insufficient-funds debit attempts
  'other',
] as const;

export type TransactionCategory = (typeof TRANSACTION_CATEGORIES)[number];

export const PAYMENT_RAILS = ['NIP', 'POS', 'USSD', 'ATM', 'WEB', 'CARD', 'BILLS', 'AIRTIME', 'CHARGE', 'INTERNAL', 'CHEQUE', 'OTHER'] as const;
export type PaymentRail = (typeof PAYMENT_RAILS)[number];

export type Direction = 'credit' | 'debit';

/** A transaction after normalisation and categorisation. */
export interface NormalisedTransaction {
  /** Stable id of the row (our id in the database, or the provider id offline). */
  id: string;
  /** Our (or, offline, the provider's) account id; several accounts of one borrower may be mixed. */
  accountId: string;
  /** Provider transaction id (Mono `id`/`_id`). */
  providerId: string;
  /** ISO-8601 timestamp as sent by the provider (UTC). */
  postedAt: string;
  /** Business date in Africa/Lagos, `YYYY-MM-DD`. */
  date: string;
  direction: Direction;
  /** Non-negative integer minor units (zero-value rows exist). Direction is in `direction`. */
  amountMinor: number;
  /** Running balance after the transaction, minor units; null when the bank does not give one. */
  balanceMinor: number | null;
  currency: string;
  narration: string;
  rail: PaymentRail;
  /** Normalised counterparty key (upper case, references stripped) or null when none can be parsed. */
  counterparty: string | null;
  memo: string | null;
  category: TransactionCategory;
  /** Why the category was chosen: dictionary rule id, `self_transfer_pair`, `analyst_override`, … */
  categoryRule: string;
  /** Category as the provider sent it (Mono's own `category`), kept for audit. */
  providerCategory: string | null;
}
