import type { EngineAccount } from '../../common/domain/account.js';
import type { NormalisedTransaction, TransactionCategory } from '../../common/domain/transaction.js';
import { firstDayOfMonth, monthIndexOfDay, toDay } from './dates.js';

/** Credits that are never income (research §4c): own money moving, money coming back, borrowed or won money. */
export const NEVER_INCOME: ReadonlySet<TransactionCategory> = new Set<TransactionCategory>([
  'self_transfer',
  'reversal',
  'loan_disbursement',
  'betting_payout',
  'interest',
]);

/** Credit categories that may be income (regular streams, or irregular income). */
export const INCOME_ELIGIBLE: ReadonlySet<TransactionCategory> = new Set<TransactionCategory>([
  'salary',
  'transfer_in',
  'cash_deposit',
  'other',
]);

/**
 * Everything the detectors share, computed once: transactions before asOf in canonical order with their
 * epoch days and month indices, the complete months and the analysed window (the last `lookbackMonths`
 * complete months).
 */
export interface Frame {
  asOfDay: number;
  txs: NormalisedTransaction[];
  days: Int32Array;
  months: Int32Array;
  keys: string[];
  accounts: EngineAccount[];
  firstDay: number | null;
  lastDay: number | null;
  completeMonths: number[];
  analysedMonths: number[];
  /** month index → position in analysedMonths, or -1. */
  slotOfMonth: (month: number) => number;
  futureDatedIgnored: number;
}

const RAIL_TOKENS = new Set([
  'NIP',
  'TRF',
  'TRANSFER',
  'FROM',
  'TO',
  'FT',
  'MOB',
  'CR',
  'DR',
  'INWARD',
  'OUTWARD',
  'NIBSS',
  'REF',
  'VIA',
  'USSD',
  'WEB',
  'POS',
  'CREDIT',
  'DEBIT',
  'PAYMENT',
  'FOR',
  'THE',
  'AND',
  'OF',
]);

/** Words that describe a payment rather than name its payer (dropped when a key is built from the narration). */
const NOISE_TOKENS = new Set([
  'SALARY',
  'SAL',
  'PAYROLL',
  'WAGES',
  'JAN',
  'FEB',
  'MAR',
  'APR',
  'MAY',
  'JUN',
  'JUL',
  'AUG',
  'SEP',
  'SEPT',
  'OCT',
  'NOV',
  'DEC',
  'JANUARY',
  'FEBRUARY',
  'MARCH',
  'APRIL',
  'JUNE',
  'JULY',
  'AUGUST',
  'SEPTEMBER',
  'OCTOBER',
  'NOVEMBER',
  'DECEMBER',
]);

/**
 * A counterparty key. Lenders and other dictionary matches use the dictionary id (`lender:carbon` → `CARBON`)
 * so a lender's disbursements and repayments share one key however the narration spells it; otherwise the
 * normaliser's counterparty, or a best effort from the narration (upper case, no refs, rail or month tokens).
 */
export function counterpartyKey(t: NormalisedTransaction): string {
  if (t.categoryRule.startsWith('lender:')) return t.categoryRule.slice(7).toUpperCase();
  if (t.counterparty) {
    const key = cached(counterpartyCache, t.counterparty, keyFromCounterparty);
    if (key) return key;
  }
  return cached(narrationCache, t.narration, keyFromNarration) || 'UNKNOWN';
}

// Module-level (not per-call closures): counterpartyKey runs for every row of every decision.
const keyFromCounterparty = (c: string): string => cleanKey(c.toUpperCase().split(/[^A-Z0-9&]+/), false);
const keyFromNarration = (n: string): string => cleanKey(n.toUpperCase().split(/[^A-Z]+/), true);

// Keys are a pure function of the text, so they are memoised across calls (bounded).
const counterpartyCache = new Map<string, string>();
const narrationCache = new Map<string, string>();

function cached(cache: Map<string, string>, text: string, f: (s: string) => string): string {
  let v = cache.get(text);
  if (v === undefined) {
    v = f(text);
    if (cache.size > 20_000) cache.clear();
    cache.set(text, v);
  }
  return v;
}

function cleanKey(tokens: string[], fromNarration: boolean): string {
  const kept = tokens.filter(
    (w) =>
      w.length > 0 &&
      !NOISE_TOKENS.has(w) &&
      !(/^\d+$/.test(w) && w.length >= 4) &&
      (!fromNarration || (w.length > 1 && !RAIL_TOKENS.has(w))),
  );
  return kept.slice(0, fromNarration ? 4 : 8).join(' ');
}

export function buildFrame(
  sorted: readonly NormalisedTransaction[],
  accounts: EngineAccount[],
  asOfDay: number,
  lookbackMonths: number,
): Frame {
  // Rows are in date order: parse each distinct date once. Sized up front (no growing arrays).
  const all = new Int32Array(sorted.length);
  let kept = 0;
  let prevDate: string | null = null; // not a string: the first row's date is always parsed (and validated)
  let prevDay = 0;
  for (let i = 0; i < sorted.length; i += 1) {
    const t = sorted[i];
    const d = t.date === prevDate ? prevDay : (prevDay = toDay((prevDate = t.date)));
    all[i] = d;
    if (d < asOfDay) kept += 1;
  }
  const future = sorted.length - kept;
  const txs = new Array<NormalisedTransaction>(kept);
  const days = new Int32Array(kept);
  for (let i = 0, k = 0; i < sorted.length; i += 1) {
    if (all[i] >= asOfDay) continue;
    txs[k] = sorted[i];
    days[k] = all[i];
    k += 1;
  }
  const months = new Int32Array(days.length);
  const keys = new Array<string>(txs.length);
  let cachedDay = Number.NaN;
  let cachedMonth = 0;
  for (let i = 0; i < days.length; i += 1) {
    if (days[i] !== cachedDay) {
      cachedDay = days[i];
      cachedMonth = monthIndexOfDay(cachedDay);
    }
    months[i] = cachedMonth;
    keys[i] = counterpartyKey(txs[i]);
  }
  const firstDay = days.length ? days[0] : null;
  const lastDay = days.length ? days[days.length - 1] : null;
  const completeMonths: number[] = [];
  if (firstDay !== null) {
    const asOfMonth = monthIndexOfDay(asOfDay);
    for (let m = monthIndexOfDay(firstDay); m < asOfMonth + 1; m += 1) {
      if (firstDayOfMonth(m) >= firstDay && firstDayOfMonth(m + 1) <= asOfDay) completeMonths.push(m);
    }
  }
  const analysedMonths = completeMonths.slice(-lookbackMonths);
  const first = analysedMonths.length ? analysedMonths[0] : 0;
  const n = analysedMonths.length;
  return {
    asOfDay,
    txs,
    days,
    months,
    keys,
    accounts,
    firstDay,
    lastDay,
    completeMonths,
    analysedMonths,
    slotOfMonth: (m: number) => (n > 0 && m >= first && m < first + n ? m - first : -1),
    futureDatedIgnored: future,
  };
}
