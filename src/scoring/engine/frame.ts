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
export const INCOME_ELIGIBLE: ReadonlySet<TransactionCategory> = new Set<TransactionCategory>(['salary', 'transfer_in', 'cash_deposit', 'other']);

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

/** A counterparty key: the normaliser's, or a best effort from the narration (upper case, no refs or rail tokens). */
export function counterpartyKey(t: NormalisedTransaction): string {
  if (t.counterparty && t.counterparty.trim()) return t.counterparty.trim().toUpperCase();
  const tokens = t.narration
    .toUpperCase()
    .split(/[^A-Z]+/)
    .filter((w) => w.length > 1 && !RAIL_TOKENS.has(w));
  return tokens.slice(0, 4).join(' ') || 'UNKNOWN';
}

export function buildFrame(
  sorted: readonly NormalisedTransaction[],
  accounts: EngineAccount[],
  asOfDay: number,
  lookbackMonths: number,
): Frame {
  const txs: NormalisedTransaction[] = [];
  const dayList: number[] = [];
  let future = 0;
  for (const t of sorted) {
    const d = toDay(t.date);
    if (d >= asOfDay) {
      future += 1;
      continue;
    }
    txs.push(t);
    dayList.push(d);
  }
  const days = Int32Array.from(dayList);
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
