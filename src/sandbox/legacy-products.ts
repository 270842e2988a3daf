/**
 * Legacy products mono-node 1.0.3 still calls (API reference §4.4, §5.3, §3.4, §5.5): credits/debits aggregates and the
 * synchronous legacy income estimate, computed from the account's visible ledger. Pure functions of the transactions.
 */
import { Decimal } from 'decimal.js';
import { lagosDate } from '../ingestion/normalise/lagos-date.js';
import type { BankTransaction } from './types.js';

export interface FlowHistory {
  total: number;
  transactions_count: number;
  history: Array<{ period: string; amount: number; transactions_count: number }>;
}

/** `{ total, transactions_count, history: [{ period: "MM-YYYY", amount, transactions_count }] }`, newest month first (§4.4). */
export function flowHistory(rows: readonly BankTransaction[], type: 'credit' | 'debit'): FlowHistory {
  const months = new Map<string, { amount: number; count: number }>();
  let total = 0;
  let count = 0;
  for (const t of rows) {
    if (t.type !== type) continue;
    const key = t.date.slice(0, 7);
    const m = months.get(key) ?? { amount: 0, count: 0 };
    m.amount += t.amount;
    m.count += 1;
    months.set(key, m);
    total += t.amount;
    count += 1;
  }
  const history = [...months.entries()]
    .sort(([a], [b]) => (a < b ? 1 : -1))
    .map(([key, m]) => ({ period: `${key.slice(5, 7)}-${key.slice(0, 4)}`, amount: m.amount, transactions_count: m.count }));
  return { total, transactions_count: count, history };
}

const SALARY = /salary|payroll|wages/i;

/**
 * Legacy income, shape (a) of §5.3: `{ type: "INCOME" | "AVG_INCOME", amount, employer, confidence }`. Salary-like
 * credits give `INCOME` (their monthly average over the months that had one); otherwise `AVG_INCOME` is the average
 * monthly credit over the months spanned by the history. `confidence` (0..1) is the share of spanned months that had
 * the income. Amounts are integer kobo. No history gives `amount: 0, confidence: 0`.
 */
export function legacyIncome(rows: readonly BankTransaction[]): { type: 'INCOME' | 'AVG_INCOME'; amount: number; employer: string | null; confidence: number } {
  if (rows.length === 0) return { type: 'AVG_INCOME', amount: 0, employer: null, confidence: 0 };
  const monthsSpanned = new Set(rows.map((t) => t.date.slice(0, 7))).size;
  const salary = rows.filter((t) => t.type === 'credit' && SALARY.test(t.narration));
  const used = salary.length > 0 ? salary : rows.filter((t) => t.type === 'credit');
  const usedMonths = new Set(used.map((t) => t.date.slice(0, 7))).size;
  const sum = used.reduce((s, t) => s.plus(t.amount), new Decimal(0));
  const divisor = salary.length > 0 ? Math.max(usedMonths, 1) : monthsSpanned;
  return {
    type: salary.length > 0 ? 'INCOME' : 'AVG_INCOME',
    amount: sum.div(divisor).toDecimalPlaces(0, Decimal.ROUND_HALF_EVEN).toNumber(),
    employer: null,
    confidence: new Decimal(usedMonths).div(monthsSpanned).toDecimalPlaces(2, Decimal.ROUND_HALF_EVEN).toNumber(),
  };
}

/** Credit categories that are never income in Mono's sense: own money moving, loans, refunds, winnings. */
const NOT_INCOME = new Set(['self_transfer', 'reversal', 'loan_disbursement', 'betting_payout', 'cash_deposit']);

export interface V2IncomeStream {
  income_type: 'SALARY' | 'OTHER';
  frequency: 'MONTHLY' | 'VARIABLE';
  monthly_average: number;
  average_income_amount: number;
  last_income_amount: number;
  last_income_description: string;
  last_income_date: string;
  first_income_date: string;
  currency: string;
  stability: number;
  periods_with_income: number;
  number_of_incomes: number;
  number_of_months: number;
}

export interface V2IncomeReport {
  income_summary: { total_income: number; employer: string };
  income_streams: V2IncomeStream[];
  monthly_income: number;
  annual_income: number;
  first_transaction_date: string | null;
  last_transaction_date: string | null;
  number_of_months: number;
}


/**
 * v2 Income (§5.3), computed from the account's visible ledger the way Mono describes its product: salary-like
 * credits form a `SALARY` / `MONTHLY` stream, the other inflows that are not own money, loans, refunds or winnings an
 * `OTHER` / `VARIABLE` stream. Per stream: monthly average over the months of the period, average and last amounts,
 * first and last dates (Lagos), `stability` = 1 − coefficient of variation of the monthly totals (0..1, 4 decimals),
 * months with income, count. Amounts in kobo (`average_income_amount` may be fractional, as Mono's). Too little
 * history gives `total_income: 0` and an empty employer, as Mono's docs say.
 */
export function v2IncomeReport(rows: readonly BankTransaction[]): V2IncomeReport {
  const months = [...new Set(rows.map((t) => lagosDate(t.date).slice(0, 7)))].sort();
  const empty: V2IncomeReport = {
    income_summary: { total_income: 0, employer: '' },
    income_streams: [],
    monthly_income: 0,
    annual_income: 0,
    first_transaction_date: null,
    last_transaction_date: null,
    number_of_months: months.length,
  };
  if (rows.length === 0) return empty;
  const days = rows.map((t) => lagosDate(t.date)).sort();
  const credits = rows.filter((t) => t.type === 'credit');
  const isSalary = (t: BankTransaction): boolean => t.category === 'salary' || SALARY.test(t.narration);
  const groups: Array<{ type: 'SALARY' | 'OTHER'; rows: BankTransaction[] }> = [
    { type: 'SALARY', rows: credits.filter(isSalary) },
    { type: 'OTHER', rows: credits.filter((t) => !isSalary(t) && !NOT_INCOME.has(t.category)) },
  ];
  const streams: V2IncomeStream[] = [];
  for (const g of groups) {
    if (g.rows.length === 0) continue;
    const chrono = [...g.rows].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : a.seq - b.seq));
    const perMonth = months.map((m) => g.rows.filter((t) => lagosDate(t.date).startsWith(m)).reduce((s, t) => s + t.amount, 0));
    const total = perMonth.reduce((a, b) => a + b, 0);
    const mean = new Decimal(total).div(months.length);
    const variance = perMonth.reduce((s, v) => s.plus(new Decimal(v).minus(mean).pow(2)), new Decimal(0)).div(months.length);
    const cv = mean.isZero() ? new Decimal(1) : variance.sqrt().div(mean);
    const last = chrono[chrono.length - 1];
    streams.push({
      income_type: g.type,
      frequency: g.type === 'SALARY' ? 'MONTHLY' : 'VARIABLE',
      monthly_average: mean.toDecimalPlaces(0, Decimal.ROUND_HALF_EVEN).toNumber(),
      average_income_amount: new Decimal(total).div(g.rows.length).toDecimalPlaces(2, Decimal.ROUND_HALF_EVEN).toNumber(),
      last_income_amount: last.amount,
      last_income_description: last.narration,
      last_income_date: lagosDate(last.date),
      first_income_date: lagosDate(chrono[0].date),
      currency: last.currency,
      stability: Decimal.max(0, new Decimal(1).minus(Decimal.min(1, cv))).toDecimalPlaces(4, Decimal.ROUND_HALF_EVEN).toNumber(),
      periods_with_income: perMonth.filter((v) => v > 0).length,
      number_of_incomes: g.rows.length,
      number_of_months: months.length,
    });
  }
  const total = streams.reduce((s, x) => s + x.monthly_average * x.number_of_months, 0);
  const monthly = streams.reduce((s, x) => s + x.monthly_average, 0);
  const salary = streams.find((s) => s.income_type === 'SALARY');
  return {
    income_summary: { total_income: total, employer: salary ? employerOf(salary.last_income_description) : '' },
    income_streams: streams,
    monthly_income: monthly,
    annual_income: monthly * 12,
    first_transaction_date: days[0],
    last_transaction_date: days[days.length - 1],
    number_of_months: months.length,
  };
}

/** The payer a salary narration names ("NIP/ACME LTD/SALARY FEB 2026" → "ACME LTD"), or '' when none stands out. */
function employerOf(narration: string): string {
  const parts = narration
    .split(/[/|]/)
    .map((p) => p.trim())
    .filter((p) => p.length > 0 && !SALARY.test(p) && !/^(NIP|TRF|TRANSFER|FT|CR|NIBSS|INWARD)$/i.test(p) && /[A-Za-z]{3}/.test(p));
  return (parts[0] ?? '').toUpperCase();
}
