import type { EngineAccount } from '../../common/domain/account.js';
import type { NormalisedTransaction } from '../../common/domain/transaction.js';
import type { Policy } from './policy.js';

export interface RequestedLoan {
  amountMinor: number;
  tenorMonths: number;
  /** Monthly rate as a decimal string; the product's rate when absent. */
  monthlyRate?: string;
}

/**
 * The lender's own open loans for this borrower (from its loan book, read by the caller: the engine reads no
 * database). Absent = no open loan (decisions made before the loan book, and borrowers without loans).
 */
export interface ExposureInput {
  /** Outstanding principal across the borrower's open loans, kobo. */
  outstandingPrincipalMinor: number;
  openLoans: number;
}

export interface EngineInput {
  borrowerId?: string;
  accounts: EngineAccount[];
  transactions: NormalisedTransaction[];
  /** ISO date or timestamp; only its calendar date (`YYYY-MM-DD`) is used. Days on/after it are the future. */
  asOf: string;
  policy: Policy;
  requestedLoan?: RequestedLoan;
  exposure?: ExposureInput;
  /**
   * The lender's own loans to this borrower, every status (from its loan book, read by the caller). Absent = the
   * loan book is not consulted (no loans, and no starter cap in the policy); `[]` = known to have none.
   */
  ownLoans?: OwnLoanInput[];
  context?: { staleData?: boolean; applicantName?: string };
}

export type OwnLoanStatus = 'current' | 'late' | 'defaulted' | 'closed' | 'written_off';

export interface OwnLoanInput {
  principalMinor: number;
  /** Calendar date (YYYY-MM-DD, Lagos). */
  disbursedOn: string;
  status: OwnLoanStatus;
  /** Closed by repayment in full (not by waiver, write-off or restructure). */
  repaidInFull: boolean;
  /** Days past due at asOf (0 when nothing is overdue or the loan is closed). */
  daysPastDue: number;
  /** The day a closed or written-off loan ended (unpaid instalments stop ageing then); null while open. */
  endedOn: string | null;
  /** Every instalment: due date and the date its amount due was paid in full (null while not). */
  instalments: Array<{ dueDate: string; paidInFullOn: string | null }>;
  /** Repayments the lender recorded (not reversed): day and amount, to match against the bank data. */
  repayments: Array<{ paidOn: string; amountMinor: number }>;
}

export type Decision = 'approve' | 'decline' | 'refer';
export type StreamFrequency = 'weekly' | 'biweekly' | 'semi_monthly' | 'monthly' | 'quarterly' | 'irregular';
export type StreamMaturity = 'MATURE' | 'EARLY';
export type StreamStatus = 'ACTIVE' | 'INACTIVE' | 'TOMBSTONED';
export type BindingConstraint =
  | 'dsr'
  | 'free_cash_flow'
  | 'product_max'
  | 'income_multiple'
  | 'coverage'
  | 'stale_data'
  | 'risk'
  | 'graduation'
  | 'none';
/** blocking → decline; review → refer; limit → lowers the limit only; info → context. */
export type ReasonSeverity = 'blocking' | 'review' | 'limit' | 'info';

export interface ConfidenceComponents {
  regularity: string;
  amountStability: string;
  coverage: string;
  keywordOrEmployer: string;
  recency: string;
}

export interface IncomeStream {
  id: string;
  label: string;
  counterparty: string;
  accountIds: string[];
  frequency: StreamFrequency;
  medianGapDays: number;
  /** Standard deviation of the (holiday/weekend-adjusted) pay day of month, days; monthly streams only. */
  payDayStdevDays: number | null;
  maturity: StreamMaturity;
  status: StreamStatus;
  occurrences: number;
  firstDate: string;
  lastDate: string;
  predictedNextDate: string | null;
  /** Typical amount per occurrence in the current amount band. */
  typicalAmountMinor: number;
  /** Typical amount × frequency factor (weekly × 52/12 …). */
  normalisedMonthlyMinor: number;
  /** Conservative monthly amount: min(normalised, median of last 3 complete months, mean of last 6). */
  monthlyAmountMinor: number;
  weight: string;
  /** monthlyAmount × weight, counted in VMI (0 when inactive or irregular). */
  countedMonthlyMinor: number;
  confidence: string;
  confidenceComponents: ConfidenceComponents;
  isSalary: boolean;
  amountChanged: { date: string; fromMinor: number; toMinor: number } | null;
  /**
   * Salary streams only, with `income.missedSalaryBusinessDays` in the policy (1.1.0+; absent otherwise): the
   * predicted pay day passed more than that many business days before asOf with no payment (the stream is at
   * risk: SALARY_MISSED). null when the salary is not late.
   */
  missed?: { expectedDate: string; businessDaysLate: number } | null;
  transactionIds: string[];
}

export interface MonthAmount {
  month: string;
  amountMinor: number;
}

export interface IncomeResult {
  /** VMI: confidence-weighted, used for affordability. */
  verifiedMonthlyMinor: number;
  /** Best estimate before confidence weights: active regular streams' monthly amounts + the irregular base month. */
  estimatedMonthlyMinor: number;
  regularMonthlyMinor: number;
  irregularMonthlyMinor: number;
  streams: IncomeStream[];
  irregular: {
    months: MonthAmount[];
    method: 'median' | 'p25' | 'none';
    cv: string;
    baseMonthlyMinor: number;
    weight: string;
    weightedMonthlyMinor: number;
    transactionIds: string[];
  };
  excluded: {
    neverIncomeMinor: number;
    neverIncomeTransactionIds: string[];
    outlierTransactionIds: string[];
    outlierThresholdMinor: number;
    /**
     * Credits from individuals not counted as income (policy `income.personToPerson`, 1.1.0+; absent otherwise):
     * analysed-window credits whose payer is a person, not a stream, for a borrower with a counted regular stream.
     * `businessPattern`: they were counted because they look like a trader's customers (many payers, frequent).
     */
    personToPerson?: { amountMinor: number; payers: number; transactionIds: string[]; businessPattern: boolean };
  };
  /** VMI was capped at the salary streams because the account is a pass-through. */
  cappedByPassThrough: boolean;
}

export interface CashFlowMonth {
  month: string;
  inflowMinor: number;
  outflowMinor: number;
  netMinor: number;
  qualifyingInflowMinor: number;
  essentialOutflowMinor: number;
}

export interface CashFlowResult {
  months: CashFlowMonth[];
  balanceSource: 'running' | 'back_calculated' | 'mixed' | 'none';
  balanceWindowDays: number;
  averageDailyBalanceMinor: number | null;
  minimumDailyBalanceMinor: number | null;
  negativeBalanceDays: number;
  lowBalanceDays: number;
  lowBalanceThresholdMinor: number;
  inflowVolatility: string;
  trend: { slopeMinorPerMonth: number; direction: 'improving' | 'stable' | 'declining' };
  medianMonthlyInflowMinor: number;
  medianEssentialOutflowMinor: number;
  freeCashFlowMinor: number;
}

export interface LenderObligation {
  lender: string;
  monthlyMinor: number;
  payments90d: number;
  total90dMinor: number;
  lastDate: string;
  transactionIds: string[];
}

export interface DisbursementWindow {
  count: number;
  totalMinor: number;
  lenders: string[];
}

export interface ObligationsResult {
  monthlyTotalMinor: number;
  lenderCount: number;
  lenders: LenderObligation[];
  disbursements: { last30d: DisbursementWindow; last90d: DisbursementWindow; transactionIds: string[] };
  /** Distinct lenders with a disbursement or repayment in the last 30 / 90 days. */
  activeLenders30d: number;
  activeLenders90d: number;
}

export interface RiskResult {
  gambling: {
    stakesMinor: number;
    payoutsMinor: number;
    /** Stakes / income-eligible credits (policy measure; winnings never dilute it). */
    share: string;
    /** Stakes / all credits (Indicina's gamblingRate), for comparison. */
    shareOfTotalCredits: string;
    transactionIds: string[];
  };
  passThrough: { detected: boolean; share: string; topCounterparties: string[]; topShare: string };
  failedDebits: { count90d: number; transactionIds: string[] };
  dataIntegrity: { balanceBreaks: number; byKind: Record<string, number>; transactionIds: string[] };
  thinFile: boolean;
  staleData: { stale: boolean; freshnessHours: number | null; reauthRequired: boolean; fromContext: boolean };
  nameMatch: { checked: boolean; matched: boolean; bestOverlap: string | null; holderNames: string[] };
  futureDatedIgnored: number;
  /**
   * Policy `risk.chronicOverdraft` (1.1.0+; absent otherwise): the balance (summed over accounts, or of the worst
   * single account) was negative on more than `shareThreshold` of the balance window's days.
   */
  chronicOverdraft?: {
    detected: boolean;
    /** The account whose own balance was negative most often; null when the summed balance is the worse. */
    accountId: string | null;
    negativeDays: number;
    windowDays: number;
    share: string;
    shareThreshold: string;
  };
}

export interface Counterfactual {
  message: string;
  limitDeltaMinor: number;
}

export interface Reason {
  code: string;
  message: string;
  severity: ReasonSeverity;
  values: Record<string, string | number | boolean | null>;
  counterfactual?: Counterfactual;
}

export interface CounterOffer {
  amountMinor: number;
  tenorMonths: number;
  instalmentMinor: number;
}

export interface LimitResult {
  recommendedMinor: number;
  tenorMonths: number;
  monthlyRate: string;
  instalmentMinor: number;
  maxInstalmentMinor: number;
  bindingConstraint: BindingConstraint;
  postLoanDsr: string | null;
  components: {
    verifiedMonthlyIncomeMinor: number;
    existingObligationsMinor: number;
    dsrCap: string;
    maxInstalmentDsrMinor: number;
    freeCashFlowMinor: number;
    fcfShare: string;
    maxInstalmentFcfMinor: number;
    coverageFactor: string;
    riskFactor: string;
    amortisedPrincipalMinor: number;
    productMaxMinor: number;
    incomeMultipleCapMinor: number;
    staleCapMinor: number | null;
    thinFileCapMinor: number | null;
    /** The graduation ladder's cap (present when the input had own loans, or a starter cap applied). */
    graduationCapMinor?: number | null;
    stepMinor: number;
  };
  requested: {
    amountMinor: number;
    tenorMonths: number;
    monthlyRate: string;
    instalmentMinor: number;
    postLoanDsr: string | null;
    affordable: boolean;
  } | null;
  counterOffer: CounterOffer | null;
  /** Present only when the input had `exposure`: what the lender's open loans leave available. */
  exposure?: ExposureResult;
}

export interface ExposureResult {
  outstandingPrincipalMinor: number;
  openLoans: number;
  /** limit − outstanding principal at the decided tenor, rounded down to the product step (0 below the product minimum). */
  availableMinor: number;
  /** The exposure changed the answer to the request (affordability or counter-offer). */
  bound: boolean;
  /** What the request would have got with no open loan (for the counterfactual). */
  withoutExposure: { affordable: boolean; counterOffer: CounterOffer | null } | null;
}

export interface Feature {
  name: string;
  value: string | number | boolean | null;
  transactionIds: string[];
}

export interface CoverageResult {
  completeMonths: number;
  completeMonthList: string[];
  analysedMonths: string[];
  firstDate: string | null;
  lastDate: string | null;
  daysAvailable: number;
  transactionCount: number;
  accounts: number;
}

export interface EngineResult {
  engineVersion: string;
  policyVersion: string;
  inputsHash: string;
  asOf: string;
  borrowerId: string | null;
  decision: Decision;
  reasons: Reason[];
  flags: string[];
  limit: LimitResult;
  income: IncomeResult;
  cashFlow: CashFlowResult;
  obligations: ObligationsResult;
  risk: RiskResult;
  coverage: CoverageResult;
  features: Feature[];
  /** Present only when the input had `ownLoans`: the borrower's repayment record with this lender and the ladder. */
  repayment?: RepaymentResult;
}

export interface RepaymentResult {
  loans: number;
  openLoans: number;
  loansRepaid: number;
  loansRepaidOnTime: number;
  /** Instalments due before asOf, and those of them paid in full within the grace days. */
  instalmentsDue: number;
  instalmentsOnTime: number;
  /** instalmentsOnTime / instalmentsDue (decimal string), null with none due. */
  onTimeShare: string | null;
  currentDpd: number;
  /** Worst lateness of any instalment (days past its due date until paid, or until asOf). */
  maxDpd: number;
  /** Whole months since arrears (an instalment late beyond the grace days) last ended; 0 while ongoing; null if never. */
  monthsSinceLastArrears: number | null;
  defaulted: boolean;
  writtenOff: boolean;
  graduation: {
    /** The cap on the limit (null: none applies). */
    capMinor: number | null;
    starterCapMinor: number | null;
    largestLentMinor: number;
    /** Largest principal repaid on time (the step's basis), 0 without one. */
    basisMinor: number;
    /** Why the step was not earned, if it was not. */
    stepBlocked: 'no_on_time_repayment' | 'recent_arrears' | null;
    /** The cap once the largest open loan is repaid on time (null without an open loan). */
    nextCapMinor: number | null;
  };
  /**
   * The lender's recorded repayments against its collections seen in the bank data (policy
   * `repayment.collections.narrationPatterns`; null without patterns).
   */
  bankMatch: {
    collectionsSeen: number;
    /** Recorded repayments dated inside the bank data's coverage (only those can be expected in it). */
    reportedInCoverage: number;
    matched: number;
    /** Recorded as paid, but no matching collection left the linked accounts. */
    reportedNotSeen: Array<{ paidOn: string; amountMinor: number }>;
    /** A collection left the account and no recorded repayment matches it. */
    seenNotReported: Array<{ transactionId: string; date: string; amountMinor: number }>;
  } | null;
}
