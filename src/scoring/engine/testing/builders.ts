/**
 * Deterministic builders of normalised transactions for the engine's specs and benchmark (not used at
 * runtime). Running balances are computed forward from an opening balance, as a bank would print them.
 */
import type { EngineAccount } from '../../../common/domain/account.js';
import type { NormalisedTransaction, PaymentRail, TransactionCategory } from '../../../common/domain/transaction.js';
import { daysInMonth, firstDayOfMonth, fromDay, monthIndexOfDate, toDay } from '../dates.js';
import { previousBusinessDay } from '../holidays.js';

export interface TxSpec {
  date: string;
  direction: 'credit' | 'debit';
  amountMinor: number;
  category: TransactionCategory;
  counterparty?: string | null;
  narration?: string;
  accountId?: string;
  rail?: PaymentRail;
  time?: string;
}

/** Small deterministic PRNG (mulberry32) so fixtures never depend on Math.random. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function buildTransactions(
  specs: readonly TxSpec[],
  opts: { accountId?: string; openingBalanceMinor?: number; withBalances?: boolean } = {},
): NormalisedTransaction[] {
  const accountId = opts.accountId ?? 'acc-1';
  const sorted = specs.map((s, k) => ({ s, k })).sort((a, b) => (a.s.date < b.s.date ? -1 : a.s.date > b.s.date ? 1 : a.k - b.k));
  let bal = opts.openingBalanceMinor ?? 0;
  return sorted.map(({ s, k }, n) => {
    bal += s.direction === 'credit' ? s.amountMinor : -s.amountMinor;
    const acc = s.accountId ?? accountId;
    const seq = String(n).padStart(5, '0');
    return {
      id: `${acc}-t${seq}`,
      accountId: acc,
      providerId: `p-${acc}-${seq}-${k}`,
      postedAt: `${s.date}T${s.time ?? '09:00:00'}.000Z`,
      date: s.date,
      direction: s.direction,
      amountMinor: s.amountMinor,
      balanceMinor: opts.withBalances === false ? null : bal,
      currency: 'NGN',
      narration: s.narration ?? `NIP/${s.counterparty ?? 'UNKNOWN'}/${s.category}`,
      rail: s.rail ?? 'NIP',
      counterparty: s.counterparty === undefined ? null : s.counterparty,
      memo: null,
      category: s.category,
      categoryRule: 'test',
      providerCategory: null,
    };
  });
}

export function engineAccount(
  accountId: string,
  txs: readonly NormalisedTransaction[],
  asOf: string,
  overrides: Partial<EngineAccount> = {},
): EngineAccount {
  const own = txs.filter((t) => t.accountId === accountId);
  const last = own[own.length - 1];
  return {
    accountId,
    institution: 'Test Bank',
    holderName: 'ADA OKAFOR',
    currency: 'NGN',
    balanceMinor: last?.balanceMinor ?? null,
    coverage: {
      accountId,
      transactionCount: own.length,
      firstDate: own[0]?.date ?? null,
      lastDate: last?.date ?? null,
      daysAvailable: own.length ? toDay(asOf) - toDay(own[0].date) : 0,
      completeMonths: 0,
      completeMonthList: [],
      longestGapDays: 0,
      daysWithoutTransactions: 0,
      lastSuccessfulSyncAt: null,
      freshnessHours: 1,
    },
    findings: [],
    reauthRequired: false,
    ...overrides,
  };
}

/** Every month from `fromMonth` (YYYY-MM) to `toMonth` inclusive on day `day` (clamped), shifted to the previous business day. */
export function monthlyDates(fromMonth: string, toMonth: string, day: number, shift = true): string[] {
  const out: string[] = [];
  for (let m = monthIndexOfDate(`${fromMonth}-01`); m <= monthIndexOfDate(`${toMonth}-01`); m += 1) {
    const d = firstDayOfMonth(m) + Math.min(day, daysInMonth(m)) - 1;
    out.push(fromDay(shift ? previousBusinessDay(d) : d));
  }
  return out;
}

export function everyNDays(from: string, to: string, n: number): string[] {
  const out: string[] = [];
  for (let d = toDay(from); d <= toDay(to); d += n) out.push(fromDay(d));
  return out;
}

export interface SalariedOptions {
  seed?: number;
  from?: string; // YYYY-MM
  to?: string; // YYYY-MM (last month with salary)
  asOf?: string;
  salaryMinor?: number;
  employer?: string;
  payDay?: number;
  /** Monthly repayment to a loan app, kobo (0 = none). */
  loanRepaymentMinor?: number;
  lenders?: number;
  /** Betting stakes per week, kobo. */
  weeklyBetMinor?: number;
  spendShare?: number;
  /** Everyday card spend per day, kobo (defaults to a share of salary). */
  dailySpendMinor?: number;
}

/** A salaried borrower with everyday spending; the knobs drive the property tests and scenarios. */
export function salariedSpecs(o: SalariedOptions = {}): TxSpec[] {
  const r = rng(o.seed ?? 1);
  const from = o.from ?? '2026-04';
  const to = o.to ?? '2026-10';
  const salary = o.salaryMinor ?? 35_000_000;
  const employer = o.employer ?? 'ACME NIGERIA LTD';
  const specs: TxSpec[] = [];
  for (const date of monthlyDates(from, to, o.payDay ?? 25)) {
    specs.push({
      date,
      direction: 'credit',
      amountMinor: salary,
      category: 'salary',
      counterparty: employer,
      narration: `NIP/ZENITH/${employer}/SALARY ${date.slice(0, 7)}`,
    });
  }
  const spend = o.dailySpendMinor ?? Math.round((salary * (o.spendShare ?? 0.6)) / 30);
  for (const date of everyNDays(`${from}-02`, `${to}-28`, 3)) {
    const amt = Math.round(spend * 3 * (0.6 + 0.8 * r()));
    specs.push({
      date,
      direction: 'debit',
      amountMinor: amt,
      category: 'card_pos',
      counterparty: 'SHOPRITE',
      rail: 'POS',
      narration: 'POS PURCHASE SHOPRITE LEKKI',
    });
  }
  for (const date of monthlyDates(from, to, 27, false)) {
    specs.push({ date, direction: 'debit', amountMinor: 1_500_000, category: 'utilities', counterparty: 'IKEDC', rail: 'BILLS' });
    specs.push({
      date,
      direction: 'debit',
      amountMinor: 5_000,
      category: 'bank_charges',
      counterparty: null,
      rail: 'CHARGE',
      narration: 'SMS ALERT CHARGES',
    });
  }
  const lenders = o.lenders ?? 1;
  if ((o.loanRepaymentMinor ?? 0) > 0) {
    for (let l = 0; l < lenders; l += 1) {
      for (const date of monthlyDates(from, to, 28, false)) {
        specs.push({
          date,
          direction: 'debit',
          amountMinor: o.loanRepaymentMinor!,
          category: 'loan_repayment',
          counterparty: `LOANAPP${l} LTD`,
          narration: `NIP/LOANAPP${l}/REPAYMENT`,
        });
      }
    }
  }
  if ((o.weeklyBetMinor ?? 0) > 0) {
    for (const date of everyNDays(`${from}-03`, `${to}-28`, 7)) {
      specs.push({
        date,
        direction: 'debit',
        amountMinor: o.weeklyBetMinor!,
        category: 'betting_stake',
        counterparty: 'BET9JA',
        narration: 'WEB/BET9JA/DEPOSIT',
      });
    }
  }
  void o.asOf;
  return specs;
}
