/**
 * The bank side of a sandbox account: every transaction the bank holds, of which only the ones a sync (or the
 * initial link) has pulled are visible to the Mono API — the way Data Sync and real-time data work.
 */
import type { BankTransaction, SandboxAccount } from './types.js';

/** Newest first: by date, then by insertion order. */
export function newestFirst(txns: readonly BankTransaction[]): BankTransaction[] {
  return [...txns].sort((a, b) => {
    const d = Date.parse(b.date) - Date.parse(a.date);
    return d !== 0 ? d : b.seq - a.seq;
  });
}

export function visibleTransactions(account: SandboxAccount): BankTransaction[] {
  return newestFirst(account.transactions.filter((t) => t.visible));
}

export function pendingTransactions(account: SandboxAccount): BankTransaction[] {
  return account.transactions.filter((t) => !t.visible);
}

/** Balance as the API sees it: the running balance of the newest visible transaction. */
export function visibleBalance(account: SandboxAccount): number {
  const newest = visibleTransactions(account)[0];
  return newest ? newest.balance : account.openingBalance;
}

/** Balance as the bank sees it (every transaction, synced or not). */
export function bankBalance(account: SandboxAccount): number {
  const newest = newestFirst(account.transactions)[0];
  return newest ? newest.balance : account.openingBalance;
}

export function signed(t: { type: 'debit' | 'credit'; amount: number }): number {
  return t.type === 'credit' ? t.amount : -t.amount;
}

/**
 * Fills missing running balances walking oldest → newest. The balance before the oldest row is `before` when known,
 * else derived from the first row that has one, else from `closingBalance` (the account balance), else 0.
 */
export function fillRunningBalances<T extends { type: 'debit' | 'credit'; amount: number; balance: number | null; date: string }>(
  rowsOldestFirst: T[],
  before: number | null,
  closingBalance: number | null,
): Array<T & { balance: number }> {
  let running = before ?? openingFor(rowsOldestFirst, closingBalance);
  return rowsOldestFirst.map((r) => {
    running = r.balance ?? running + signed(r);
    return { ...r, balance: running };
  });
}

function openingFor(rows: Array<{ type: 'debit' | 'credit'; amount: number; balance: number | null }>, closingBalance: number | null): number {
  const firstKnown = rows.findIndex((r) => r.balance !== null);
  if (firstKnown < 0) return closingBalance === null ? 0 : closingBalance - rows.reduce((s, r) => s + signed(r), 0);
  let opening = rows[firstKnown].balance ?? 0;
  for (let i = firstKnown; i >= 0; i--) opening -= signed(rows[i]);
  return opening;
}
