/**
 * The persona catalogue (underwriting-research Part 5): each persona plans its income and risk behaviour on top of the
 * shared everyday noise, then the ledger turns the plan into Mono rows and the ground truth is read back from what was
 * actually emitted (a repayment the borrower could not afford is not in the data, so it is not in the labels either).
 */
import { Decimal } from 'decimal.js';

import { addDays, diffDays, isoWeekday, lagosDate, lagosInstant, nextMonth } from '../../ingestion/normalise/lagos-date.js';
import { previousBusinessDay } from './calendar.js';
import { BANKS, KUDA, makeAccount, makeIdentity, narrationNameVariant, strangerNames, withHolder, type Bank } from './identity.js';
import { LedgerPlan, type EmittedRow } from './ledger.js';
import { addEverydayNoise, MONTH_ABBR, transferOut, type NoiseContext } from './noise.js';
import { Rng } from './prng.js';
import type {
  DataQualityTruth,
  DecisionBand,
  ExpectedFlag,
  GeneratedPersona,
  GeneratePersonaOptions,
  GroundTruth,
  IncomeFrequency,
  IncomeStreamTruth,
  PersonaFaults,
  PersonaIdentity,
  PersonaName,
} from './types.js';

export const GENERATOR_VERSION = 'personas-2026.11.1';

/** Fixed default seeds so `generatePersona(name, { asOf })` is reproducible without arguments. */
export const DEFAULT_SEEDS: Readonly<Record<PersonaName, number>> = {
  salaried_monthly: 1001,
  salary_raise: 1002,
  weekly_gig: 1003,
  trader_irregular: 1004,
  loan_stacker: 1005,
  gambler: 1006,
  job_loss: 1007,
  thin_file: 1008,
  mfa_bank: 1009,
  self_transfer_pair: 1010,
};

const EMPLOYERS = [
  'LAGOS HARBOUR LOGISTICS LTD',
  'SUNRISE FOODS NIGERIA LTD',
  'MIDLAND HOSPITALS LTD',
  'CEDARPOINT SCHOOLS LTD',
  'BLUEWAVE TELECOM SERVICES',
  'OKOMU AGRO ALLIED LTD',
];
const MONTH_NAMES = [
  'JANUARY',
  'FEBRUARY',
  'MARCH',
  'APRIL',
  'MAY',
  'JUNE',
  'JULY',
  'AUGUST',
  'SEPTEMBER',
  'OCTOBER',
  'NOVEMBER',
  'DECEMBER',
];

interface World {
  persona: PersonaName;
  seed: number;
  asOf: string;
  rng: Rng;
  plan: LedgerPlan;
  identity: PersonaIdentity;
  start: string;
  days: string[];
  /** `YYYY-MM` from the start month to asOf's month. */
  months: string[];
  nameVariant: () => string;
  strangerName: (rng: Rng) => string;
}

interface StreamSpec {
  payer: string;
  frequency: IncomeFrequency;
}

interface PersonaPlan {
  banks: Bank[];
  openingMinor: number[];
  streams: Record<string, StreamSpec>;
  /** `fixed`: the true current take-home; `average`: mean monthly income over complete months. */
  income: { kind: 'fixed'; amountMinor: number } | { kind: 'average' };
  tolerance: number;
  flags: ExpectedFlag[];
  decision: (facts: Facts) => { band: DecisionBand; rationale: string };
  mfa?: boolean;
}

interface Facts {
  expectedMonthlyIncomeMinor: number;
  monthlyLoanRepaymentMinor: number;
  gamblingShare: Decimal;
  completeMonths: number;
  lenders: string[];
  lastIncomeDate: string | null;
}

const naira = (minor: number): string =>
  `₦${new Decimal(minor).div(100).toDecimalPlaces(0, Decimal.ROUND_DOWN).toNumber().toLocaleString('en-NG')}`;

function noiseContext(w: World, account: number, bank: Bank, overrides: Partial<NoiseContext> = {}): NoiseContext {
  return {
    plan: w.plan,
    rng: w.rng.fork(`noise:${account}`),
    account,
    identity: w.identity,
    bank,
    days: w.days,
    intensity: 1,
    monthlyRentMinor: 0,
    nameVariant: w.nameVariant,
    strangerName: w.strangerName,
    ...overrides,
  };
}

function mon(month: string): string {
  return MONTH_ABBR[Number(month.slice(5, 7)) - 1];
}

/** Monthly salary on `payDay`, rolled back over weekends and Nigerian public holidays. */
function planSalary(
  w: World,
  account: number,
  opts: { employer: string; employerBank: string; payDay: number; amount: (month: string) => number; stream: string; lastMonth?: string },
): void {
  // Style 3 carries no payroll keyword, as many real payroll narrations do: only stream detection can call it salary.
  const style = w.rng.int(0, 3);
  for (const month of w.months) {
    if (opts.lastMonth !== undefined && month > opts.lastMonth) continue;
    const date = previousBusinessDay(`${month}-${String(opts.payDay).padStart(2, '0')}`);
    if (date < w.start || date >= w.asOf) continue;
    const yyyy = month.slice(0, 4);
    const narration = [
      `NIP/${opts.employerBank}/${opts.employer}/SALARY ${mon(month)} ${yyyy}`,
      `${opts.employer} SALARY FOR ${MONTH_NAMES[Number(month.slice(5, 7)) - 1]} ${yyyy}`,
      `SALARY PAYMENT ${mon(month)}${yyyy.slice(2)} - ${opts.employer}`,
      `NIP/${opts.employerBank}/${opts.employer}/${mon(month)} ${yyyy} PAY`,
    ][style];
    w.plan.credit(account, w.plan.at(date, w.rng.int(7 * 3600, 10 * 3600)), opts.amount(month), narration, {
      category: 'salary',
      stream: opts.stream,
    });
  }
}

function salaried(w: World, overrides: { mfa?: boolean } = {}): PersonaPlan {
  const bank = w.rng.pick(BANKS);
  const salary = w.rng.naira(280_000, 450_000, 5_000);
  const payDay = w.rng.int(25, 28);
  const employer = w.rng.pick(EMPLOYERS);
  planSalary(w, 0, { employer, employerBank: w.rng.pick(BANKS).short, payDay, amount: () => salary, stream: 'salary' });
  addEverydayNoise(noiseContext(w, 0, bank, { monthlyRentMinor: Math.round((salary * 0.2) / 500_000) * 500_000 }));
  return {
    banks: [bank],
    openingMinor: [w.rng.naira(30_000, 150_000)],
    streams: { salary: { payer: employer, frequency: 'monthly' } },
    income: { kind: 'fixed', amountMinor: salary },
    tolerance: 0.1,
    flags: [],
    mfa: overrides.mfa ?? false,
    decision: (f) => ({
      band: 'approve',
      rationale: `Monthly salary of ${naira(salary)} from ${employer} around the ${payDay}th (holiday-shifted), ${f.completeMonths} complete months, no risk flags${overrides.mfa ? '; bank needs re-authorisation before a fresh sync' : ''}.`,
    }),
  };
}

function salaryRaise(w: World): PersonaPlan {
  const bank = w.rng.pick(BANKS);
  const before = w.rng.naira(200_000, 300_000, 5_000);
  const after = Math.round((before * w.rng.int(120, 135)) / 100 / 500_000) * 500_000;
  const raiseMonth = w.months[Math.max(0, w.months.length - 6)];
  const employer = w.rng.pick(EMPLOYERS);
  planSalary(w, 0, {
    employer,
    employerBank: w.rng.pick(BANKS).short,
    payDay: w.rng.int(25, 28),
    amount: (m) => (m >= raiseMonth ? after : before),
    stream: 'salary',
  });
  addEverydayNoise(noiseContext(w, 0, bank, { monthlyRentMinor: Math.round((before * 0.2) / 500_000) * 500_000 }));
  return {
    banks: [bank],
    openingMinor: [w.rng.naira(30_000, 120_000)],
    streams: { salary: { payer: employer, frequency: 'monthly' } },
    income: { kind: 'fixed', amountMinor: after },
    tolerance: 0.1,
    flags: [],
    decision: () => ({
      band: 'approve',
      rationale: `Salary rose from ${naira(before)} to ${naira(after)} in ${raiseMonth}; current take-home is the new band.`,
    }),
  };
}

function weeklyGig(w: World): PersonaPlan {
  const bank = w.rng.pick(BANKS);
  const payer = 'BOLT OPERATIONS NIGERIA LTD';
  for (const day of w.days) {
    if (isoWeekday(day) !== 2 || w.rng.chance(0.04)) continue;
    const narration = `NIP/PROVIDUS/${payer}/DRIVER PAYOUT ${w.rng.digits(10)}`;
    w.plan.credit(0, w.plan.at(day, w.rng.int(9 * 3600, 14 * 3600)), w.rng.naira(35_000, 75_000, 1), narration, {
      category: 'transfer_in',
      stream: 'bolt',
    });
  }
  addEverydayNoise(noiseContext(w, 0, bank, { intensity: 1.3, monthlyRentMinor: w.rng.naira(35_000, 50_000, 5_000) }));
  return {
    banks: [bank],
    openingMinor: [w.rng.naira(10_000, 60_000)],
    streams: { bolt: { payer, frequency: 'weekly' } },
    income: { kind: 'average' },
    tolerance: 0.2,
    flags: [],
    decision: (f) => ({
      band: 'approve',
      rationale: `Weekly ride-hailing payouts averaging ${naira(f.expectedMonthlyIncomeMinor)} a month, active, no risk flags.`,
    }),
  };
}

function traderIrregular(w: World): PersonaPlan {
  const bank = w.rng.pick(BANKS);
  const rng = w.rng.fork('trade');
  const ctx = noiseContext(w, 0, bank, { intensity: 0.8, annualRentMinor: w.rng.naira(900_000, 1_500_000, 50_000) });
  const suppliers = Array.from(
    { length: 3 },
    () =>
      `${rng.pick(['CHIKA', 'ALABA', 'ONITSHA', 'BALOGUN', 'KANO'])} ${rng.pick(['VENTURES', 'GLOBAL ENT', 'TRADING CO', 'INVESTMENT LTD'])}`,
  );
  for (const day of w.days) {
    const busy = isoWeekday(day) === 7 ? 0.3 : 1;
    for (let i = rng.int(0, 3); i > 0; i--) {
      if (!rng.chance(0.6 * busy)) continue;
      const amount = rng.chance(0.15) ? rng.naira(60_000, 180_000, 100) : rng.naira(2_000, 45_000, 50);
      const name = w.strangerName(rng);
      const narration = rng.chance(0.5)
        ? `NIP/${rng.pick(BANKS).short}/${name}/${rng.pick(['for goods', 'payment', 'balance', 'order', ''])}`.replace(/\/$/, '')
        : `TRANSFER FROM ${name}`;
      w.plan.credit(0, w.plan.at(day, rng.int(8 * 3600, 20 * 3600)), amount, narration, { category: 'transfer_in', stream: 'customers' });
    }
    if (rng.chance(0.35 * busy)) {
      w.plan.credit(
        0,
        w.plan.at(day, 23 * 3600),
        rng.naira(5_000, 90_000, 1),
        `POS SETTLEMENT TID 2MPT${rng.digits(4)} ${(w.identity.last_name || w.identity.first_name).toUpperCase()} STORES`,
        { category: 'transfer_in', stream: 'pos' },
      );
    }
    if (isoWeekday(day) === 3 && rng.chance(0.8)) {
      transferOut(
        ctx,
        day,
        rng.naira(120_000, 420_000, 1_000),
        `NIP/${rng.pick(BANKS).short}/${rng.pick(suppliers)}/goods inv ${rng.digits(5)}`,
        { category: 'transfer_out' },
      );
    }
  }
  addEverydayNoise(ctx);
  return {
    banks: [bank],
    openingMinor: [w.rng.naira(200_000, 600_000)],
    streams: { customers: { payer: 'MANY CUSTOMERS', frequency: 'irregular' }, pos: { payer: 'POS SETTLEMENT', frequency: 'irregular' } },
    income: { kind: 'average' },
    tolerance: 0.2,
    flags: [],
    decision: (f) => ({
      band: 'refer',
      rationale: `No payroll stream; irregular trading inflows averaging ${naira(f.expectedMonthlyIncomeMinor)} a month need analyst review or a starter limit.`,
    }),
  };
}

const LENDER_NARRATIONS: Record<string, { disburse: (ref: string) => string; repay: (ref: string) => string }> = {
  fairmoney: {
    disburse: (r) => `NIP/FAIRMONEY MFB/FAIRMONEY MICROFINANCE BANK/LOAN DISBURSEMENT ${r}`,
    repay: (r) => `NIP/FAIRMONEY MFB/FAIRMONEY MICROFINANCE BANK/REPAYMENT ${r}`,
  },
  carbon: { disburse: (r) => `NIP/CARBON/CARBON FINANCE/LOAN CREDIT ${r}`, repay: (r) => `PAYSTACK/CARBON LOAN REPAYMENT ${r}` },
  branch: {
    disburse: (r) => `TRF/BRANCH INTERNATIONAL FINANCIAL SERVICES/LOAN ${r}`,
    repay: (r) => `TRF/BRANCH INTERNATIONAL/REPAYMENT ${r}`,
  },
  palmcredit: { disburse: (r) => `NIP/PALMPAY/PALMCREDIT LOANS/DISBURSEMENT ${r}`, repay: (r) => `NIP/PALMPAY/PALMCREDIT/REPAY ${r}` },
  aella: { disburse: (r) => `NIP/PROVIDUS/AELLA CREDIT/LOAN DISB ${r}`, repay: (r) => `FLW/AELLA CREDIT REPAYMENT ${r}` },
};

function loanStacker(w: World): PersonaPlan {
  const base = salaried(w);
  const rng = w.rng.fork('loans');
  const lenders = Object.keys(LENDER_NARRATIONS);
  let n = 0;
  for (const month of w.months.slice(2)) {
    for (let k = rng.int(1, 3); k > 0; k--) {
      const lender = lenders[n++ % lenders.length];
      const day = `${month}-${String(rng.int(1, 20)).padStart(2, '0')}`;
      if (day >= w.asOf) continue;
      const principal = rng.naira(20_000, 90_000, 1_000);
      const ref = rng.digits(10);
      const disbursed = w.plan.credit(0, w.plan.at(day, rng.int(8 * 3600, 21 * 3600)), principal, LENDER_NARRATIONS[lender].disburse(ref), {
        category: 'loan_disbursement',
        lender,
      });
      const due = addDays(day, rng.int(14, 30));
      const repayment = Math.round((principal * rng.int(115, 135)) / 100 / 100) * 100;
      w.plan.debit(
        0,
        w.plan.at(due, rng.int(6 * 3600, 9 * 3600)),
        repayment,
        LENDER_NARRATIONS[lender].repay(rng.digits(10)),
        { category: 'loan_repayment', lender },
        { requires: disbursed },
      );
      if (rng.chance(0.15)) {
        w.plan.debit(
          0,
          w.plan.at(addDays(due, 1), 7 * 3600),
          50_000,
          `DD RETURN INSUFFICIENT FUNDS CHG ${lender.toUpperCase()}`,
          { category: 'failed_debit' },
          { force: true },
        );
      }
    }
  }
  return {
    ...base,
    flags: ['loan_stacking'],
    decision: (f) => ({
      band: 'decline',
      rationale: `${f.lenders.length} loan apps (${f.lenders.join(', ')}) with repayments of ${naira(f.monthlyLoanRepaymentMinor)} a month against ${naira(f.expectedMonthlyIncomeMinor)} income: loan stacking.`,
    }),
  };
}

function gambler(w: World): PersonaPlan {
  const base = salaried(w);
  const rng = w.rng.fork('bets');
  for (const day of w.days) {
    for (let k = rng.int(0, 2); k > 0; k--) {
      const narration = rng.pick([
        `NIP/OPAY/SPORTYBET NIGERIA LTD/WALLET FUNDING ${rng.digits(10)}`,
        `PAYSTACK/BET9JA ONLINE DEPOSIT ${rng.digits(10)}`,
        `WEB PURCHASE BETKING.COM ${rng.digits(6)}`,
        `NIP/ACCESS/KC GAMING NETWORKS LTD/BET9JA DEPOSIT`,
      ]);
      w.plan.debit(0, w.plan.at(day, rng.int(10 * 3600, 23 * 3600)), rng.naira(1_000, 20_000, 500), narration, {
        category: 'betting_stake',
        betting: 'stake',
      });
    }
    if (rng.chance(0.12)) {
      const narration = rng.pick([
        `NIP/ACCESS/KC GAMING NETWORKS LTD/BET9JA WITHDRAWAL ${rng.digits(10)}`,
        `NIP/ZENITH/SPORTY INTERNET LTD/PAYOUT ${rng.digits(10)}`,
      ]);
      w.plan.credit(0, w.plan.at(day, rng.int(10 * 3600, 23 * 3600)), rng.naira(5_000, 120_000, 100), narration, {
        category: 'betting_payout',
        betting: 'payout',
      });
    }
  }
  return {
    ...base,
    flags: ['gambling'],
    decision: (f) => ({
      band: 'decline',
      rationale: `Betting stakes equal ${f.gamblingShare.mul(100).toFixed(1)}% of all credits (SportyBet, Bet9ja, BetKing).`,
    }),
  };
}

function jobLoss(w: World): PersonaPlan {
  const bank = w.rng.pick(BANKS);
  const salary = w.rng.naira(220_000, 380_000, 5_000);
  const employer = w.rng.pick(EMPLOYERS);
  const lastMonth = w.months[Math.max(0, w.months.length - 3)];
  planSalary(w, 0, {
    employer,
    employerBank: w.rng.pick(BANKS).short,
    payDay: w.rng.int(25, 28),
    amount: () => salary,
    stream: 'salary',
    lastMonth,
  });
  addEverydayNoise(noiseContext(w, 0, bank, { intensity: 0.8, monthlyRentMinor: w.rng.naira(40_000, 70_000, 5_000) }));
  return {
    banks: [bank],
    openingMinor: [w.rng.naira(40_000, 120_000)],
    streams: { salary: { payer: employer, frequency: 'monthly' } },
    income: { kind: 'fixed', amountMinor: 0 },
    tolerance: 0.1,
    flags: ['income_inactive'],
    decision: (f) => ({
      band: 'decline',
      rationale: `Last salary from ${employer} on ${f.lastIncomeDate ?? 'n/a'}, more than 45 days before asOf: no active income.`,
    }),
  };
}

function selfTransferPair(w: World): PersonaPlan {
  const bank = w.rng.pick(BANKS);
  const rng = w.rng.fork('pair');
  const salary = w.rng.naira(300_000, 500_000, 5_000);
  const payDay = w.rng.int(25, 28);
  const employer = w.rng.pick(EMPLOYERS);
  planSalary(w, 0, { employer, employerBank: w.rng.pick(BANKS).short, payDay, amount: () => salary, stream: 'salary' });
  const ctxA = noiseContext(w, 0, bank, { monthlyRentMinor: Math.round((salary * 0.2) / 500_000) * 500_000 });
  for (const month of w.months) {
    const payDate = previousBusinessDay(`${month}-${String(payDay).padStart(2, '0')}`);
    const sweepDate = addDays(payDate, rng.int(0, 1));
    if (sweepDate >= w.asOf || payDate < w.start) continue;
    const amount = Math.round((salary * rng.int(25, 45)) / 100 / 100) * 100 + rng.int(1, 99) * 100;
    const out = transferOut(ctxA, sweepDate, amount, `NIP/${KUDA.short}/${w.nameVariant()}/savings`, { category: 'self_transfer' });
    w.plan.credit(
      1,
      lagosInstant(sweepDate, 22 * 3600 + rng.int(0, 3000)),
      amount,
      `Transfer from ${w.nameVariant()}`,
      { category: 'self_transfer' },
      { requires: out },
    );
    for (let k = rng.int(1, 2); k > 0; k--) {
      const day = `${month}-${String(rng.int(2, 20)).padStart(2, '0')}`;
      if (day >= w.asOf || day < w.start) continue;
      const anon = rng.naira(7_000, 60_000, 1);
      const debit = transferOut(ctxA, day, anon, `MOB TRF ${rng.digits(10)}`, { category: 'self_transfer' });
      w.plan.credit(
        1,
        lagosInstant(addDays(day, rng.int(0, 1)), 23 * 3600 + rng.int(0, 3000)),
        anon,
        `NIP TRANSFER ${rng.digits(30)}`,
        { category: 'self_transfer' },
        { requires: debit },
      );
    }
    if (rng.chance(0.5)) {
      const day = `${month}-${String(rng.int(8, 18)).padStart(2, '0')}`;
      if (day < w.asOf && day >= w.start) {
        const back = rng.naira(10_000, 50_000, 100);
        const debit = w.plan.debit(1, w.plan.at(day, 12 * 3600), back, `Transfer to ${w.nameVariant()}`, { category: 'self_transfer' });
        w.plan.credit(
          0,
          w.plan.at(day, 12 * 3600 + 90),
          back,
          `NIP/${KUDA.short}/${w.nameVariant()}/`,
          { category: 'self_transfer' },
          { requires: debit },
        );
      }
    }
  }
  addEverydayNoise(ctxA);
  addEverydayNoise(noiseContext(w, 1, KUDA, { light: true, intensity: 0.5 }));
  return {
    banks: [bank, KUDA],
    openingMinor: [w.rng.naira(50_000, 150_000), w.rng.naira(5_000, 30_000)],
    streams: { salary: { payer: employer, frequency: 'monthly' } },
    income: { kind: 'fixed', amountMinor: salary },
    tolerance: 0.1,
    flags: [],
    decision: () => ({
      band: 'approve',
      rationale: `Salary of ${naira(salary)} into ${bank.name}; transfers to the own Kuda account are self-transfers, not income or spend.`,
    }),
  };
}

const BUILDERS: Record<PersonaName, (w: World) => PersonaPlan> = {
  salaried_monthly: (w) => salaried(w),
  salary_raise: salaryRaise,
  weekly_gig: weeklyGig,
  trader_irregular: traderIrregular,
  loan_stacker: loanStacker,
  gambler,
  job_loss: jobLoss,
  thin_file: (w) => ({
    ...salaried(w),
    flags: ['thin_file'],
    decision: (f) => ({ band: 'decline', rationale: `Only ${f.completeMonths} complete month(s) of history (< 2): insufficient history.` }),
  }),
  mfa_bank: (w) => salaried(w, { mfa: true }),
  self_transfer_pair: selfTransferPair,
};

/** Months `YYYY-MM` whose last day is before asOf and whose first day is on or after the first transaction date. */
function labelCompleteMonths(firstDate: string, asOf: string): number {
  let year = Number(firstDate.slice(0, 4));
  let month = Number(firstDate.slice(5, 7)) + (firstDate.slice(8) === '01' ? 0 : 1);
  let count = 0;
  for (;;) {
    if (month > 12) {
      year++;
      month = 1;
    }
    const next = month === 12 ? `${year + 1}-01-01` : `${year}-${String(month + 1).padStart(2, '0')}-01`;
    if (next > asOf) return count;
    count++;
    month++;
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : Math.round((sorted[mid - 1] + sorted[mid]) / 2);
}

const ACTIVE_WINDOW_DAYS: Record<IncomeFrequency, number> = { weekly: 14, biweekly: 24, monthly: 45, irregular: 30 };

function completeMonthList(firstDate: string, asOf: string): string[] {
  const n = labelCompleteMonths(firstDate, asOf);
  const months: string[] = [];
  let m = firstDate.slice(8) === '01' ? firstDate.slice(0, 7) : nextMonth(firstDate.slice(0, 7));
  for (let i = 0; i < n; i++, m = nextMonth(m)) months.push(m);
  return months;
}

function buildLabels(w: World, plan: PersonaPlan, rows: EmittedRow[], accountIds: string[]): GroundTruth {
  const lagosDay = (r: EmittedRow): string => lagosDate(r.tx.date);
  const firstDate = rows.map(lagosDay).sort()[0] ?? w.start;
  const complete = completeMonthList(firstDate, w.asOf);
  const income = rows.filter((r) => r.truth.stream !== undefined);
  const incomeStreams: IncomeStreamTruth[] = Object.entries(plan.streams).map(([key, spec]) => {
    const streamRows = income.filter((r) => r.truth.stream === key);
    const last = streamRows.map(lagosDay).sort().at(-1) ?? null;
    const inComplete = streamRows.filter((r) => complete.includes(lagosDay(r).slice(0, 7)));
    const monthly = complete.length === 0 ? 0 : Math.round(inComplete.reduce((s, r) => s + r.tx.amount, 0) / complete.length);
    return {
      payer: spec.payer,
      frequency: spec.frequency,
      // Regular streams: median of the last three payments, i.e. the current band after a raise.
      amountMinor:
        spec.frequency === 'irregular' ? monthly : streamRows.length === 0 ? 0 : median(streamRows.slice(0, 3).map((r) => r.tx.amount)),
      active: last !== null && diffDays(w.asOf, last) <= ACTIVE_WINDOW_DAYS[spec.frequency],
      transactionIds: streamRows.map((r) => r.tx.id),
    };
  });
  const incomeInComplete = income.filter((r) => complete.includes(lagosDay(r).slice(0, 7))).reduce((s, r) => s + r.tx.amount, 0);
  const expectedMonthlyIncomeMinor =
    plan.income.kind === 'fixed'
      ? plan.income.amountMinor
      : complete.length === 0
        ? 0
        : new Decimal(incomeInComplete).div(complete.length).toDecimalPlaces(0, Decimal.ROUND_HALF_UP).toNumber();
  const last3 = complete.slice(-3);
  const repayments = rows.filter((r) => r.truth.category === 'loan_repayment');
  const repaid = repayments.filter((r) => last3.includes(lagosDay(r).slice(0, 7))).reduce((s, r) => s + r.tx.amount, 0);
  const monthlyLoanRepaymentMinor =
    last3.length === 0 ? 0 : new Decimal(repaid).div(last3.length).toDecimalPlaces(0, Decimal.ROUND_HALF_UP).toNumber();
  const credits = rows.filter((r) => r.tx.type === 'credit').reduce((s, r) => s + r.tx.amount, 0);
  const stakes = rows.filter((r) => r.truth.category === 'betting_stake').reduce((s, r) => s + r.tx.amount, 0);
  const gamblingShare = credits === 0 ? new Decimal(0) : new Decimal(stakes).div(credits);
  const lenders = [...new Set(rows.map((r) => r.truth.lender).filter((x): x is string => x !== undefined))].sort();
  const facts: Facts = {
    expectedMonthlyIncomeMinor,
    monthlyLoanRepaymentMinor,
    gamblingShare,
    completeMonths: complete.length,
    lenders,
    lastIncomeDate: income.map(lagosDay).sort().at(-1) ?? null,
  };
  return {
    persona: w.persona,
    seed: w.seed,
    asOf: w.asOf,
    generatorVersion: GENERATOR_VERSION,
    accountIds,
    expectedMonthlyIncomeMinor,
    tolerance: plan.tolerance,
    incomeStreams,
    incomeTransactionIds: income.map((r) => r.tx.id),
    lenders,
    monthlyLoanRepaymentMinor,
    loanDisbursementCount: rows.filter((r) => r.truth.category === 'loan_disbursement').length,
    gamblingShare: gamblingShare.toFixed(4),
    expectedFlags: plan.flags,
    expectedCompleteMonths: complete.length,
    expectedDecision: plan.decision(facts),
    transactionCategories: Object.fromEntries(rows.map((r) => [r.tx.id, r.truth.category])),
    selfTransferIds: rows.filter((r) => r.truth.category === 'self_transfer').map((r) => r.tx.id),
    reversalIds: rows.filter((r) => r.truth.category === 'reversal').map((r) => r.tx.id),
  };
}

function historyStart(persona: PersonaName, asOf: string, months: number): string {
  // thin_file: a little under three months, so only one calendar month is complete.
  if (persona === 'thin_file') return addDays(asOf, -80);
  let month = asOf.slice(0, 7);
  for (let i = 0; i < months; i++) {
    const [y, m] = month.split('-').map(Number);
    month = m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`;
  }
  return `${month}-01`;
}

/**
 * Removes rows from the primary account (newest-first list) and returns the ground truth of the damage. Dropped rows
 * are chosen where their own and their neighbours' timestamps are unique, so the break lands on a known row.
 */
function injectFaults(rows: EmittedRow[], faults: PersonaFaults, rng: Rng): { kept: EmittedRow[]; truth: DataQualityTruth } {
  const chrono = [...rows].reverse();
  const perInstant = new Map<string, number>();
  for (const r of chrono) perInstant.set(r.tx.date, (perInstant.get(r.tx.date) ?? 0) + 1);
  const removed = new Set<EmittedRow>();
  if (faults.outage) {
    const end = addDays(faults.outage.from, faults.outage.days);
    for (const r of chrono) {
      const d = lagosDate(r.tx.date);
      if (d >= faults.outage.from && d < end) removed.add(r);
    }
  }
  const unique = (i: number): boolean => i >= 0 && i < chrono.length && perInstant.get(chrono[i].tx.date) === 1 && !removed.has(chrono[i]);
  const blocked = new Set<number>();
  for (let want = faults.dropRows ?? 0, tries = 0; want > 0 && tries < 10_000; tries++) {
    const i = rng.int(1, chrono.length - 2);
    if (blocked.has(i) || !unique(i) || !unique(i + 1) || !unique(i - 1)) continue;
    removed.add(chrono[i]);
    [i - 1, i, i + 1].forEach((j) => blocked.add(j));
    want--;
  }
  const expectedBalanceBreakIds: string[] = [];
  let pending = 0;
  for (const r of chrono) {
    const delta = r.tx.type === 'credit' ? r.tx.amount : -r.tx.amount;
    if (removed.has(r)) {
      pending += delta;
    } else {
      if (pending !== 0) expectedBalanceBreakIds.push(r.tx.id);
      pending = 0;
    }
  }
  return {
    kept: rows.filter((r) => !removed.has(r)),
    truth: { removedTransactionIds: chrono.filter((r) => removed.has(r)).map((r) => r.tx.id), expectedBalanceBreakIds },
  };
}

export function generatePersona(persona: PersonaName, opts: GeneratePersonaOptions): GeneratedPersona {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(opts.asOf)) throw new RangeError(`asOf must be YYYY-MM-DD, got ${opts.asOf}`);
  if (!(persona in BUILDERS)) throw new RangeError(`unknown persona ${persona}`);
  const seed = opts.seed ?? DEFAULT_SEEDS[persona];
  const rng = new Rng(seed);
  const invented = makeIdentity(rng.fork('identity'));
  const identity = opts.holder ? withHolder(invented, opts.holder) : invented;
  const start = historyStart(persona, opts.asOf, opts.months ?? 12);
  const days: string[] = [];
  for (let d = start; d < opts.asOf; d = addDays(d, 1)) days.push(d);
  const months: string[] = [];
  for (let m = start.slice(0, 7); m <= opts.asOf.slice(0, 7); m = nextMonth(m)) months.push(m);
  const nameRng = rng.fork('names');
  const w: World = {
    persona,
    seed,
    asOf: opts.asOf,
    rng: rng.fork('plan'),
    plan: new LedgerPlan(rng.fork('ledger')),
    identity,
    start,
    days,
    months,
    nameVariant: () => narrationNameVariant(identity, nameRng),
    strangerName: strangerNames(invented, identity),
  };
  const plan = BUILDERS[persona](w);
  // A first-day row on every account pins the history start, so coverage and labels agree on firstDate.
  plan.banks.forEach((_, i) =>
    w.plan.debit(i, w.plan.at(start, 9 * 3600), 10_000, `Airtime//${identity.phone}//MTN`, { category: 'airtime_data' }, { force: true }),
  );
  const { rows, balances } = w.plan.simulate(plan.openingMinor, lagosInstant(opts.asOf, 0));
  const accountRng = rng.fork('accounts');
  const accounts = plan.banks.map((bank, i) =>
    makeAccount(accountRng, identity, bank, {
      accountId: i === 0 ? opts.accountId : undefined,
      mfa: plan.mfa ?? false,
      balanceMinor: balances[i],
    }),
  );
  let dataQuality: DataQualityTruth | undefined;
  if (opts.faults) {
    const injected = injectFaults(rows[0], opts.faults, rng.fork('faults'));
    rows[0] = injected.kept;
    dataQuality = injected.truth;
  }
  const labels = buildLabels(
    w,
    plan,
    rows.flat(),
    accounts.map((a) => a.account.id),
  );
  if (dataQuality) labels.dataQuality = dataQuality;
  return {
    account: accounts[0],
    identity,
    transactions: rows[0].map((r) => r.tx),
    options: { mfa: plan.mfa ?? false },
    labels,
    extraAccounts: accounts.slice(1).map((account, i) => ({ account, transactions: rows[i + 1].map((r) => r.tx) })),
  };
}
