import { Decimal } from 'decimal.js';
import { dailyBalanceSeries, type DailyBalance } from './daily-balance.js';

/**
 * The statement analyses a credit team expects beside the decision (Perfios/Indicina-style): a month-by-month
 * summary, spend by category per month, top counterparties in and out, and recurring debits. Pure: computed once
 * from the transactions the decision saw (first seen before it, booked before asOf) and rendered by the JSON, HTML,
 * PDF and XLSX alike. Sums are exact integer kobo; averages and medians use decimal.js and are rounded DOWN to kobo.
 *
 * Amounts here are the bank's own credits and debits (every row the decision saw). The engine's cash-flow inflow and
 * outflow (which leave out self-transfers and failed debits and net reversals) are shown beside them for the months
 * the engine analysed.
 */
export interface AnalysisTx {
  id: string;
  accountId: string;
  bookingDate: string;
  direction: 'credit' | 'debit';
  amountMinor: number;
  balanceMinor: number | null;
  category: string;
  counterparty: string | null;
}

export interface MonthSummary {
  month: string;
  creditsMinor: number;
  creditCount: number;
  debitsMinor: number;
  debitCount: number;
  netMinor: number;
  /** End-of-day balance before the month's first day (summed over accounts); null without balances. */
  openingBalanceMinor: number | null;
  closingBalanceMinor: number | null;
  minBalanceMinor: number | null;
  averageBalanceMinor: number | null;
  salaryMinor: number;
  salaryCount: number;
  chargesMinor: number;
  chargesCount: number;
  /** The engine's cash-flow figures for the month, when it is one of the decision's analysed months. */
  engineInflowMinor: number | null;
  engineOutflowMinor: number | null;
  /** Whole month inside the data (partial first/last months are marked). */
  partial: boolean;
}

export interface CategoryMonths {
  category: string;
  direction: 'credit' | 'debit';
  totalMinor: number;
  count: number;
  /** Amount per month, aligned with `StatementAnalysis.months`. */
  byMonth: number[];
}

export interface Counterparty {
  name: string;
  direction: 'credit' | 'debit';
  totalMinor: number;
  count: number;
  /** Share of the direction's total, a 4-place decimal string. */
  share: string;
  firstDate: string;
  lastDate: string;
  categories: string[];
  transactionIds: string[];
}

export type RecurringKind = 'loan_repayment' | 'rent' | 'bill_or_subscription' | 'standing_order';

export interface RecurringDebit {
  counterparty: string;
  category: string;
  kind: RecurringKind;
  months: number;
  count: number;
  typicalAmountMinor: number;
  totalMinor: number;
  lastDate: string;
  transactionIds: string[];
}

export interface StatementAnalysis {
  from: string | null;
  to: string | null;
  transactionCount: number;
  months: MonthSummary[];
  categories: CategoryMonths[];
  topCounterparties: { credits: Counterparty[]; debits: Counterparty[] };
  recurringDebits: RecurringDebit[];
}

const TOP = 10;
const NO_COUNTERPARTY = '(no counterparty)';
/** A debit is recurring when it goes to the same counterparty in at least this many distinct months… */
export const RECURRING_MIN_MONTHS = 3;
/** …with every payment within this share of the median payment. */
export const RECURRING_AMOUNT_BAND = '0.25';

function down(d: Decimal): number {
  return d.toDecimalPlaces(0, Decimal.ROUND_DOWN).toNumber();
}

function medianOf(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : down(new Decimal(s[mid - 1]).plus(s[mid]).div(2));
}

function monthsBetween(first: string, last: string): string[] {
  const out: string[] = [];
  let [y, m] = first.split('-').map(Number);
  const [ly, lm] = last.split('-').map(Number);
  while (y < ly || (y === ly && m <= lm)) {
    out.push(`${y}-${String(m).padStart(2, '0')}`);
    m += 1;
    if (m === 13) {
      m = 1;
      y += 1;
    }
  }
  return out;
}

function daysInMonth(month: string): number {
  const [y, m] = month.split('-').map(Number);
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}

function kindOf(category: string): RecurringKind {
  if (category === 'loan_repayment') return 'loan_repayment';
  if (category === 'rent') return 'rent';
  if (category === 'utilities' || category === 'airtime_data') return 'bill_or_subscription';
  return 'standing_order';
}

function counterparties(txs: AnalysisTx[], direction: 'credit' | 'debit'): Counterparty[] {
  const side = txs.filter((t) => t.direction === direction);
  const total = side.reduce((s, t) => s + t.amountMinor, 0);
  const groups = new Map<string, AnalysisTx[]>();
  for (const t of side) {
    const k = t.counterparty?.trim() || NO_COUNTERPARTY;
    const g = groups.get(k);
    if (g) g.push(t);
    else groups.set(k, [t]);
  }
  return [...groups.entries()]
    .map(([name, g]) => {
      const sum = g.reduce((s, t) => s + t.amountMinor, 0);
      return {
        name,
        direction,
        totalMinor: sum,
        count: g.length,
        share: total > 0 ? new Decimal(sum).div(total).toFixed(4, Decimal.ROUND_HALF_EVEN) : '0.0000',
        firstDate: g[0].bookingDate,
        lastDate: g[g.length - 1].bookingDate,
        categories: [...new Set(g.map((t) => t.category))].sort(),
        transactionIds: g.map((t) => t.id),
      };
    })
    .sort((a, b) => b.totalMinor - a.totalMinor || (a.name < b.name ? -1 : 1))
    .slice(0, TOP);
}

function recurring(txs: AnalysisTx[]): RecurringDebit[] {
  const groups = new Map<string, AnalysisTx[]>();
  for (const t of txs) {
    if (t.direction !== 'debit' || !t.counterparty?.trim()) continue;
    const k = `${t.counterparty.trim()}\u0000${t.category}`;
    const g = groups.get(k);
    if (g) g.push(t);
    else groups.set(k, [t]);
  }
  const band = new Decimal(RECURRING_AMOUNT_BAND);
  const out: RecurringDebit[] = [];
  for (const [k, g] of groups) {
    const months = new Set(g.map((t) => t.bookingDate.slice(0, 7)));
    if (months.size < RECURRING_MIN_MONTHS) continue;
    const typical = medianOf(g.map((t) => t.amountMinor));
    const lo = new Decimal(typical).times(new Decimal(1).minus(band));
    const hi = new Decimal(typical).times(new Decimal(1).plus(band));
    if (!g.every((t) => new Decimal(t.amountMinor).gte(lo) && new Decimal(t.amountMinor).lte(hi))) continue;
    const [counterparty, category] = k.split('\u0000');
    out.push({
      counterparty,
      category,
      kind: kindOf(category),
      months: months.size,
      count: g.length,
      typicalAmountMinor: typical,
      totalMinor: g.reduce((s, t) => s + t.amountMinor, 0),
      lastDate: g[g.length - 1].bookingDate,
      transactionIds: g.map((t) => t.id),
    });
  }
  return out.sort((a, b) => b.typicalAmountMinor - a.typicalAmountMinor || (a.counterparty < b.counterparty ? -1 : 1));
}

/**
 * `txs` oldest first (booking date); `asOf` excluded. `engineMonths` are the decision's cash-flow months. The daily
 * balance over the whole period is rebuilt exactly as the report's balance line (`daily-balance.ts`).
 */
export function buildStatementAnalysis(
  txs: readonly AnalysisTx[],
  accountBalances: ReadonlyMap<string, number | null>,
  asOf: string,
  engineMonths: ReadonlyArray<{ month: string; inflowMinor: number; outflowMinor: number }>,
): StatementAnalysis {
  const before = asOf.slice(0, 10);
  const rows = txs.filter((t) => t.bookingDate < before);
  if (rows.length === 0)
    return {
      from: null,
      to: null,
      transactionCount: 0,
      months: [],
      categories: [],
      topCounterparties: { credits: [], debits: [] },
      recurringDebits: [],
    };
  const from = rows[0].bookingDate;
  const to = rows[rows.length - 1].bookingDate;
  const monthList = monthsBetween(from.slice(0, 7), to.slice(0, 7));
  // From the day before the first month (its end-of-day balance is the first opening balance) to the day before asOf.
  const windowDays = Math.round((Date.parse(`${before}T00:00:00Z`) - Date.parse(`${monthList[0]}-01T00:00:00Z`)) / 86_400_000) + 1;
  const series: DailyBalance[] = dailyBalanceSeries(
    rows.map((t) => ({
      accountId: t.accountId,
      date: t.bookingDate,
      direction: t.direction,
      amountMinor: t.amountMinor,
      balanceMinor: t.balanceMinor,
    })),
    accountBalances,
    before,
    windowDays,
  );
  const balanceByDate = new Map(series.map((p) => [p.date, p.balanceMinor]));
  const engine = new Map(engineMonths.map((m) => [m.month, m]));
  const index = new Map(monthList.map((m, k) => [m, k]));

  const months: MonthSummary[] = monthList.map((month, k) => {
    const inMonth = rows.filter((t) => t.bookingDate.startsWith(month));
    const credits = inMonth.filter((t) => t.direction === 'credit');
    const debits = inMonth.filter((t) => t.direction === 'debit');
    const salary = credits.filter((t) => t.category === 'salary');
    const charges = debits.filter((t) => t.category === 'bank_charges');
    const sum = (l: AnalysisTx[]): number => l.reduce((s, t) => s + t.amountMinor, 0);
    const days = series.filter((p) => p.date.startsWith(month));
    const firstDay = `${month}-01`;
    const prevDay = new Date(Date.parse(`${firstDay}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
    const e = engine.get(month);
    return {
      month,
      creditsMinor: sum(credits),
      creditCount: credits.length,
      debitsMinor: sum(debits),
      debitCount: debits.length,
      netMinor: sum(credits) - sum(debits),
      openingBalanceMinor: balanceByDate.get(prevDay) ?? null,
      closingBalanceMinor: days.length ? days[days.length - 1].balanceMinor : null,
      minBalanceMinor: days.length ? Math.min(...days.map((p) => p.balanceMinor)) : null,
      averageBalanceMinor: days.length ? down(new Decimal(days.reduce((s, p) => s + p.balanceMinor, 0)).div(days.length)) : null,
      salaryMinor: sum(salary),
      salaryCount: salary.length,
      chargesMinor: sum(charges),
      chargesCount: charges.length,
      engineInflowMinor: e?.inflowMinor ?? null,
      engineOutflowMinor: e?.outflowMinor ?? null,
      partial:
        (k === 0 && from > firstDay) || (k === monthList.length - 1 && before <= `${month}-${String(daysInMonth(month)).padStart(2, '0')}`),
    };
  });

  const catGroups = new Map<string, CategoryMonths>();
  for (const t of rows) {
    const key = `${t.direction}:${t.category}`;
    let c = catGroups.get(key);
    if (!c) {
      c = { category: t.category, direction: t.direction, totalMinor: 0, count: 0, byMonth: monthList.map(() => 0) };
      catGroups.set(key, c);
    }
    c.totalMinor += t.amountMinor;
    c.count += 1;
    c.byMonth[index.get(t.bookingDate.slice(0, 7))!] += t.amountMinor;
  }
  const categories = [...catGroups.values()].sort(
    (a, b) =>
      (a.direction === b.direction ? 0 : a.direction === 'debit' ? -1 : 1) ||
      b.totalMinor - a.totalMinor ||
      (a.category < b.category ? -1 : 1),
  );

  return {
    from,
    to,
    transactionCount: rows.length,
    months,
    categories,
    topCounterparties: { credits: counterparties(rows, 'credit'), debits: counterparties(rows, 'debit') },
    recurringDebits: recurring(rows),
  };
}
