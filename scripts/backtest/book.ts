/**
 * A seeded, simulated loan book for backtests (issue 19 item 4): borrowers drawn from the sandbox personas, each
 * underwritten on the day they applied under the shipped policy, lent to as a lender running a test-and-learn
 * programme would, and repaid the way the sandbox's loan outcome simulator (src/sandbox/loan-outcomes.ts) says that
 * persona repays — driven by their TRUE income, lenders and betting, never by the engine's estimate.
 *
 * Lending in the simulated book (so that every decision band has outcomes to measure):
 * - approve → a loan of the recommended limit (at most the request) over the requested tenor;
 * - refer → an analyst lends on 60% of referrals (seeded), the recommended limit if there is one, else a starter loan;
 * - decline → 25% of declines get a starter loan (₦30,000 over 3 months): the lender's test-and-learn hold-out.
 * Everyone else is never lent to: their outcome is unknown, as it would be in a real book.
 *
 * Pure and deterministic: the same options always give the same book.
 */
import { normaliseMonoExport } from '../../src/ingestion/normalise/index.js';
import { amortisedSchedule, type Instalment } from '../../src/loans/loan-schedule.js';
import { loanOutcome, type LoanOutcome } from '../../src/loans/loan-outcome.js';
import { LOAN_DEFAULT_DPD } from '../../src/loans/loan-constants.js';
import { repaymentBehaviour, simulateRepayments } from '../../src/sandbox/loan-outcomes.js';
import { generatePersona, personaExport, type PersonaName } from '../../src/sandbox/personas/index.js';
import { hashSeed, SeededRandom } from '../../src/sandbox/random.js';
import { backtestView, type BacktestCase } from '../../src/scoring/backtest.js';
import { underwrite, type EngineInput, type EngineResult, type Policy } from '../../src/scoring/engine/index.js';
import { DEFAULT_POLICY } from '../../src/scoring/policy/index.js';

/** The persona mix of the book (weights out of 100): mostly salaried, with the risky kinds a real book sees. */
export const BOOK_MIX: ReadonlyArray<[PersonaName, number]> = [
  ['salaried_monthly', 24],
  ['salary_raise', 8],
  ['mfa_bank', 6],
  ['self_transfer_pair', 5],
  ['thin_file', 8],
  ['weekly_gig', 12],
  ['trader_irregular', 12],
  ['loan_stacker', 11],
  ['gambler', 8],
  ['job_loss', 6],
];

export const STARTER_LOAN = { principalMinor: 3_000_000, tenorMonths: 3 } as const;
/** The book's product rate (5% a month, flat across the book). */
export const BOOK_MONTHLY_RATE = '0.05';

export interface BookRepayment {
  seq: number;
  paidAt: string;
  amountMinor: number;
  allocation: Array<{ seq: number; principalMinor: number; interestMinor: number }>;
}

export interface BookLoan {
  principalMinor: number;
  tenorMonths: number;
  monthlyRate: string;
  disbursedAt: string;
  /** The schedule with what was paid on each instalment by `observedAt`. */
  instalments: Instalment[];
  repayments: BookRepayment[];
  /** Why the simulated lender lent (approve / analyst on a referral / test-and-learn). */
  lentBecause: 'approved' | 'referral_approved' | 'test_and_learn';
}

export interface BookBorrower {
  index: number;
  persona: PersonaName;
  seed: number;
  /** The day they applied (the decision's asOf), `YYYY-MM-DD`. */
  appliedOn: string;
  applicantName: string;
  input: EngineInput;
  result: EngineResult;
  loan: BookLoan | null;
  outcome: LoanOutcome | null;
}

export interface BookOptions {
  borrowers: number;
  seed?: number;
  /** Applications fall on the 1st–28th of the six months ending with this month (`YYYY-MM`). */
  lastMonth?: string;
  /** The day outcomes are read (`YYYY-MM-DD`): every loan's life up to then is simulated. */
  observedAt?: string;
  policy?: Policy;
}

const addMonths = (ym: string, k: number): string => {
  const [y, m] = ym.split('-').map(Number);
  const d = new Date(Date.UTC(y, m - 1 + k, 1));
  return d.toISOString().slice(0, 7);
};

function pickPersona(r: SeededRandom): PersonaName {
  let x = r.int(1, 100);
  for (const [name, w] of BOOK_MIX) {
    if (x <= w) return name;
    x -= w;
  }
  return BOOK_MIX[0][0];
}

/** One borrower of the book (index `i`): independent of every other index, so books can be generated in parallel. */
export function bookBorrower(i: number, opts: BookOptions): BookBorrower {
  const seed = hashSeed(opts.seed ?? 1, `book:${i}`);
  const r = new SeededRandom(seed);
  const persona = pickPersona(r);
  const lastMonth = opts.lastMonth ?? '2026-06';
  const observedAt = opts.observedAt ?? '2026-12-01';
  const appliedOn = `${addMonths(lastMonth, -r.int(0, 5))}-${String(r.int(1, 28)).padStart(2, '0')}`;
  const p = generatePersona(persona, { asOf: appliedOn, seed, months: 6 });
  const n = normaliseMonoExport(personaExport(p), appliedOn);
  const income = p.labels.expectedMonthlyIncomeMinor;
  const multiple = 0.5 + r.next() * 2; // the request: half to two and a half months of true income
  const amountMinor = income > 0 ? Math.max(5_000_000, Math.round((income * multiple) / 500_000) * 500_000) : r.int(10, 30) * 1_000_000;
  const tenorMonths = [3, 6, 6, 12][r.int(0, 3)];
  const input: EngineInput = {
    accounts: n.accounts,
    transactions: n.transactions,
    asOf: appliedOn,
    policy: opts.policy ?? DEFAULT_POLICY,
    requestedLoan: { amountMinor, tenorMonths },
    context: { applicantName: p.identity.full_name },
  };
  const result = underwrite(input);
  const lendDraw = r.next();
  let lent: { principalMinor: number; tenorMonths: number; lentBecause: BookLoan['lentBecause'] } | null = null;
  const limit = Math.min(result.limit.recommendedMinor, amountMinor);
  if (result.decision === 'approve' && limit > 0) lent = { principalMinor: limit, tenorMonths, lentBecause: 'approved' };
  else if (result.decision === 'refer' && lendDraw < 0.6)
    lent =
      limit > 0
        ? { principalMinor: limit, tenorMonths, lentBecause: 'referral_approved' }
        : { ...STARTER_LOAN, lentBecause: 'referral_approved' };
  else if (result.decision === 'decline' && lendDraw < 0.25) lent = { ...STARTER_LOAN, lentBecause: 'test_and_learn' };
  if (!lent) return { index: i, persona, seed, appliedOn, applicantName: p.identity.full_name, input, result, loan: null, outcome: null };

  const schedule = amortisedSchedule(lent.principalMinor, BOOK_MONTHLY_RATE, lent.tenorMonths, appliedOn);
  const behaviour = repaymentBehaviour(
    {
      persona,
      expectedMonthlyIncomeMinor: income,
      monthlyLoanRepaymentMinor: p.labels.monthlyLoanRepaymentMinor,
      gamblingShare: p.labels.gamblingShare,
    },
    Math.max(...schedule.map((s) => s.principalMinor + s.interestMinor)),
  );
  const paid = simulateRepayments(
    schedule.map((s) => ({ seq: s.seq, dueDate: s.dueDate, amountDueMinor: s.principalMinor + s.interestMinor })),
    behaviour,
    { asOf: observedAt, seed },
  );
  const instalments = schedule.map((s) => ({ ...s }));
  const repayments: BookRepayment[] = paid
    .sort((a, b) => a.paidOn.localeCompare(b.paidOn) || a.seq - b.seq)
    .map((x, k) => {
      const inst = instalments.find((s) => s.seq === x.seq)!;
      inst.paidInterestMinor = inst.interestMinor;
      inst.paidPrincipalMinor = inst.principalMinor;
      return {
        seq: k + 1,
        paidAt: `${x.paidOn}T12:00:00.000Z`,
        amountMinor: x.amountMinor,
        allocation: [{ seq: x.seq, principalMinor: inst.principalMinor, interestMinor: inst.interestMinor }],
      };
    });
  const loan: BookLoan = {
    principalMinor: lent.principalMinor,
    tenorMonths: lent.tenorMonths,
    monthlyRate: BOOK_MONTHLY_RATE,
    disbursedAt: `${appliedOn}T12:00:00.000Z`,
    instalments,
    repayments,
    lentBecause: lent.lentBecause,
  };
  const outcome = loanOutcome(
    {
      principalMinor: loan.principalMinor,
      disbursedAt: new Date(loan.disbursedAt),
      status: 'current',
      lastDpd: 0,
      restructuredAt: null,
      closedAt: null,
      writtenOffAt: null,
      instalments,
      repayments: repayments.map((x) => ({ seq: x.seq, paidAt: new Date(x.paidAt), reversedAt: null, allocation: x.allocation })),
    },
    new Date(`${observedAt}T00:00:00Z`),
    { defaultDpd: LOAN_DEFAULT_DPD },
  );
  return { index: i, persona, seed, appliedOn, applicantName: p.identity.full_name, input, result, loan, outcome };
}

export function* generateBook(opts: BookOptions): Generator<BookBorrower> {
  for (let i = 0; i < opts.borrowers; i++) yield bookBorrower(i, opts);
}

/** A book borrower as the backtest replays it: the stored input, the stored result, the loan's outcome. */
export function bookCase(b: BookBorrower): BacktestCase {
  return {
    decisionId: `book-${b.index}`,
    engineVersion: b.result.engineVersion,
    input: b.input,
    stored: backtestView(b.result),
    outcome: b.outcome,
  };
}
