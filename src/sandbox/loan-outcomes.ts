import { Decimal } from 'decimal.js';
import { badRequest } from './envelope.js';
import { hashSeed, SeededRandom } from './random.js';

/**
 * The sandbox's loan outcome simulator (issue 14 item 6): how a persona's borrower repays a loan the lender made,
 * driven by their true affordability and risk — the ground truth the sandbox holds, never the engine's estimate.
 * Pure and seeded: the same account, schedule and seed always give the same repayments. The lender's side (booking
 * the loan, recording repayments through the engine's loans API) is the caller's: the demo, or a test.
 *
 * Behaviour = a persona baseline (how often an instalment is paid on time, how late otherwise, whether they stop
 * paying) made worse by **stress**: (the instalment + their other lenders' repayments) ÷ their true income. Above
 * `TIGHT` the on-time chance falls and lateness doubles; above `BREAKING` they stop after the first instalment.
 */
export interface RepaymentBehaviour {
  persona: string;
  /** Chance an instalment is paid on (or just around) its due date, 0–1. */
  onTimeProbability: string;
  /** Days late when not on time: uniform in [min, max]. */
  lateDays: [number, number];
  /** Instalments paid before the borrower stops paying (null: never stops). */
  stopAfter: number | null;
  /** (instalment + other lenders' monthly repayments) ÷ true monthly income, 4 decimals; null without income. */
  stress: string | null;
  why: string;
}

export interface PersonaTruth {
  persona: string;
  expectedMonthlyIncomeMinor: number;
  monthlyLoanRepaymentMinor: number;
  gamblingShare: string;
}

export interface ScheduledInstalment {
  seq: number;
  dueDate: string;
  amountDueMinor: number;
}

export interface SimulatedRepayment {
  seq: number;
  /** `YYYY-MM-DD`. */
  paidOn: string;
  amountMinor: number;
  daysLate: number;
}

const TIGHT = new Decimal('0.4');
const BREAKING = new Decimal('0.7');

const BASELINES: Record<string, { onTime: string; late: [number, number]; stopAfter: number | null; why: string }> = {
  salaried_monthly: { onTime: '0.97', late: [1, 3], stopAfter: null, why: 'a steady salary: pays on pay day' },
  salary_raise: { onTime: '0.97', late: [1, 3], stopAfter: null, why: 'a steady, rising salary' },
  mfa_bank: { onTime: '0.97', late: [1, 3], stopAfter: null, why: 'a steady salary' },
  self_transfer_pair: { onTime: '0.95', late: [1, 4], stopAfter: null, why: 'a steady salary split across accounts' },
  thin_file: { onTime: '0.9', late: [2, 8], stopAfter: null, why: 'a new salary, little history' },
  weekly_gig: { onTime: '0.8', late: [2, 12], stopAfter: null, why: 'weekly gig income: some instalments wait for the next payout' },
  trader_irregular: { onTime: '0.75', late: [3, 20], stopAfter: null, why: 'irregular trading income: pays when stock sells' },
  loan_stacker: { onTime: '0.55', late: [5, 30], stopAfter: null, why: 'several lenders compete for each naira' },
  gambler: { onTime: '0.5', late: [5, 40], stopAfter: null, why: 'betting takes the money first' },
  job_loss: { onTime: '0.9', late: [1, 5], stopAfter: 1, why: 'the salary stopped: pays the first instalment from savings, then nothing' },
};

export function repaymentBehaviour(truth: PersonaTruth, instalmentMinor: number): RepaymentBehaviour {
  const base = BASELINES[truth.persona] ?? { onTime: '0.9', late: [1, 10] as [number, number], stopAfter: null, why: 'an unlabelled account' };
  let onTime = new Decimal(base.onTime);
  let late: [number, number] = [...base.late];
  let stopAfter = base.stopAfter;
  let why = base.why;
  const income = truth.expectedMonthlyIncomeMinor;
  const stress = income > 0 ? new Decimal(instalmentMinor + truth.monthlyLoanRepaymentMinor).div(income) : null;
  if (new Decimal(truth.gamblingShare).gt('0.2')) onTime = onTime.times('0.8');
  if (stress === null || stress.gt(BREAKING)) {
    stopAfter = Math.min(stopAfter ?? 1, 1);
    why = `${why}; the instalment is more than ${BREAKING.times(100).toString()}% of true income: stops after the first`;
  } else if (stress.gt(TIGHT)) {
    onTime = onTime.times('0.6');
    late = [late[0] * 2, late[1] * 2];
    why = `${why}; the instalment is tight (${stress.times(100).toFixed(0)}% of true income with other lenders)`;
  }
  return {
    persona: truth.persona,
    onTimeProbability: onTime.toDecimalPlaces(4).toString(),
    lateDays: late,
    stopAfter,
    stress: stress === null ? null : stress.toDecimalPlaces(4).toFixed(4),
    why,
  };
}

const addDays = (date: string, days: number): string => new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

/**
 * The repayments of every instalment due before `asOf` (and paid by then): each in full, on its due date or within
 * the behaviour's late range; none from the instalment after `stopAfter` on.
 */
export function simulateRepayments(schedule: readonly ScheduledInstalment[], behaviour: RepaymentBehaviour, opts: { asOf: string; seed: number }): SimulatedRepayment[] {
  const rng = new SeededRandom(hashSeed(opts.seed, `loan-outcome:${behaviour.persona}`));
  const onTime = Number(behaviour.onTimeProbability);
  const out: SimulatedRepayment[] = [];
  const ordered = [...schedule].sort((a, b) => a.seq - b.seq);
  ordered.forEach((i, k) => {
    const draw = rng.next();
    const lateBy = rng.int(behaviour.lateDays[0], behaviour.lateDays[1]);
    if (behaviour.stopAfter !== null && k >= behaviour.stopAfter) return;
    const daysLate = draw < onTime ? 0 : lateBy;
    const paidOn = addDays(i.dueDate, daysLate);
    if (paidOn >= opts.asOf.slice(0, 10)) return; // not paid yet
    out.push({ seq: i.seq, paidOn, amountMinor: i.amountDueMinor, daysLate });
  });
  return out;
}

/** Validates the admin body `{ schedule: [{ seq, dueDate, amountDueMinor }], asOf?, seed?, stopAfter? }`. */
export function parseOutcomeRequest(body: unknown): { schedule: ScheduledInstalment[]; asOf: string | null; seed: number; stopAfter: number | null | undefined } {
  if (typeof body !== 'object' || body === null) throw badRequest('body must be an object');
  const b = body as Record<string, unknown>;
  if (!Array.isArray(b.schedule) || b.schedule.length === 0) throw badRequest('schedule must be a non-empty array');
  const schedule = b.schedule.map((x, k) => {
    const i = (x ?? {}) as Record<string, unknown>;
    if (!Number.isInteger(i.seq) || (i.seq as number) < 1) throw badRequest(`schedule[${k}].seq must be a positive integer`);
    if (typeof i.dueDate !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(i.dueDate)) throw badRequest(`schedule[${k}].dueDate must be YYYY-MM-DD`);
    if (!Number.isSafeInteger(i.amountDueMinor) || (i.amountDueMinor as number) <= 0)
      throw badRequest(`schedule[${k}].amountDueMinor must be a positive integer of kobo`);
    return { seq: i.seq as number, dueDate: i.dueDate, amountDueMinor: i.amountDueMinor as number };
  });
  if (b.asOf !== undefined && (typeof b.asOf !== 'string' || Number.isNaN(Date.parse(b.asOf)))) throw badRequest('asOf must be an ISO date');
  if (b.seed !== undefined && !Number.isSafeInteger(b.seed)) throw badRequest('seed must be an integer');
  if (b.stopAfter !== undefined && b.stopAfter !== null && (!Number.isInteger(b.stopAfter) || (b.stopAfter as number) < 0))
    throw badRequest('stopAfter must be a non-negative integer or null');
  return {
    schedule,
    asOf: (b.asOf) ?? null,
    seed: (b.seed as number | undefined) ?? 1,
    stopAfter: b.stopAfter as number | null | undefined,
  };
}
