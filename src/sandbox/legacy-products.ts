/**
 * Legacy products mono-node 1.0.3 still calls (API reference §4.4, §5.3, §3.4, §5.5): credits/debits aggregates and the
 * synchronous legacy income estimate, computed from the account's visible ledger. Pure functions of the transactions.
 */
import { Decimal } from 'decimal.js';
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
