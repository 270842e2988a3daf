/**
 * Wire shapes the persona generator emits (Mono v2 REST, hand-written from the API reference §3.1 / §4.2) and the
 * ground-truth labels that let tests measure detectors against known answers.
 */
import type { TransactionCategory } from '../../common/domain/transaction.js';

export const PERSONA_NAMES = [
  'salaried_monthly',
  'salary_raise',
  'weekly_gig',
  'trader_irregular',
  'loan_stacker',
  'gambler',
  'job_loss',
  'thin_file',
  'mfa_bank',
  'self_transfer_pair',
] as const;
export type PersonaName = (typeof PERSONA_NAMES)[number];

/** The `data` object of `GET /v2/accounts/{id}`. */
export interface MonoV2AccountDetails {
  account: {
    id: string;
    name: string;
    account_number: string;
    currency: 'NGN';
    /** Kobo. */
    balance: number;
    type: string;
    /** Last 4 digits only, as Mono returns it. */
    bvn: string;
    institution: { name: string; bank_code: string; type: 'PERSONAL_BANKING' | 'BUSINESS_BANKING' };
  };
  meta: {
    data_status: 'AVAILABLE';
    auth_method: 'internet_banking' | 'mobile_banking';
    retrieved_data: Array<'identity' | 'balance' | 'transactions'>;
  };
}

/** One row of `GET /v2/accounts/{id}/transactions` (`currency` as the legacy shape carries it). */
export interface MonoV2Transaction {
  id: string;
  narration: string;
  /** Positive kobo; direction is in `type`. */
  amount: number;
  type: 'debit' | 'credit';
  /** Running balance after the transaction, kobo. */
  balance: number;
  date: string;
  category: string;
  currency: 'NGN';
}

export interface PersonaIdentity {
  full_name: string;
  first_name: string;
  last_name: string;
  middle_name: string;
  bvn: string;
  email: string;
  phone: string;
  gender: 'Male' | 'Female';
  dob: string;
  address_line_1: string;
  marital_status: 'Single' | 'Married';
}

export type IncomeFrequency = 'weekly' | 'biweekly' | 'monthly' | 'irregular';

export interface IncomeStreamTruth {
  payer: string;
  frequency: IncomeFrequency;
  /** Typical amount per payment (irregular streams: monthly average). */
  amountMinor: number;
  active: boolean;
  transactionIds: string[];
}

export const EXPECTED_FLAGS = ['gambling', 'loan_stacking', 'thin_file', 'income_inactive', 'pass_through', 'reauth_required'] as const;
export type ExpectedFlag = (typeof EXPECTED_FLAGS)[number];

export type DecisionBand = 'approve' | 'refer' | 'decline';

export interface GroundTruth {
  persona: PersonaName;
  seed: number;
  asOf: string;
  generatorVersion: string;
  accountIds: string[];
  /** True regular monthly take-home (irregular earners: true monthly average over complete months), kobo. */
  expectedMonthlyIncomeMinor: number;
  /** Allowed relative error for income estimates (0.1 salaried, 0.2 irregular). */
  tolerance: number;
  incomeStreams: IncomeStreamTruth[];
  incomeTransactionIds: string[];
  /** Lender ids from lenders.json seen in the data. */
  lenders: string[];
  /** Average monthly repayments to lenders over the last 3 complete months, kobo. */
  monthlyLoanRepaymentMinor: number;
  loanDisbursementCount: number;
  /** Betting stakes / total credits (Indicina's gamblingRate), 4 decimals. */
  gamblingShare: string;
  expectedFlags: ExpectedFlag[];
  expectedCompleteMonths: number;
  expectedDecision: { band: DecisionBand; rationale: string };
  /** The category each transaction truly belongs to, by Mono transaction id (all accounts). */
  transactionCategories: Record<string, TransactionCategory>;
  selfTransferIds: string[];
  reversalIds: string[];
  /** Present only when faults were injected. */
  dataQuality?: DataQualityTruth;
}

export interface PersonaAccount {
  account: MonoV2AccountDetails;
  /** Newest first, as Mono returns them. */
  transactions: MonoV2Transaction[];
}

export interface GeneratedPersona extends PersonaAccount {
  identity: PersonaIdentity;
  options: { mfa: boolean };
  labels: GroundTruth;
  /** Further linked accounts of the same person (self_transfer_pair). */
  extraAccounts: PersonaAccount[];
}

/** Data-quality faults injected into the primary account after the ledger is built (continuity / coverage tests). */
export interface PersonaFaults {
  /** Remove this many rows (each leaves a balance break at the next newer row). */
  dropRows?: number;
  /** Remove every row in [from, from + days): a statement gap or sync outage. */
  outage?: { from: string; days: number };
}

export interface DataQualityTruth {
  removedTransactionIds: string[];
  /** Rows on which a continuity checker must report `balance_break`. */
  expectedBalanceBreakIds: string[];
}

export interface GeneratePersonaOptions {
  /** Lagos business date `YYYY-MM-DD`; history ends the day before. */
  asOf: string;
  seed?: number;
  /** Months of history before asOf's month (thin_file ignores this). */
  months?: number;
  accountId?: string;
  faults?: PersonaFaults;
  /**
   * The account holder: the account, identity and narrations that name the holder use this name (and e-mail)
   * instead of an invented one. The hosted link page passes the initiate call's customer. Everything else is the
   * same as without it for the same seed.
   */
  holder?: { fullName: string; email?: string | null };
}
