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

/**
 * Re-derives running balances after rows were added to a ledger, as a bank does: every row is ordered oldest → newest
 * (date, then insertion order — the order `newestFirst` reverses) and, from the oldest added row onward, each row's
 * balance is the previous row's balance plus its own signed amount. Rows before the first added one keep theirs, so a
 * back-dated row no longer leaves a gap between that day's existing rows. Mutates the rows' `balance`.
 */
export function recomputeBalancesFrom(
  all: Array<Pick<BankTransaction, 'type' | 'amount' | 'balance' | 'date' | 'seq'>>,
  firstAddedSeq: number,
  openingBalance: number,
): void {
  const oldestFirst = [...all].sort((a, b) => {
    const d = Date.parse(a.date) - Date.parse(b.date);
    return d !== 0 ? d : a.seq - b.seq;
  });
  const start = oldestFirst.findIndex((t) => t.seq >= firstAddedSeq);
  if (start < 0) return;
  // Before the oldest row: derived from the oldest pre-existing row's own balance when there is one.
  const firstOld = oldestFirst.find((t) => t.seq < firstAddedSeq);
  let running = start > 0 ? oldestFirst[start - 1].balance : firstOld ? firstOld.balance - signed(firstOld) : openingBalance;
  for (let i = start; i < oldestFirst.length; i++) {
    running += signed(oldestFirst[i]);
    oldestFirst[i].balance = running;
  }
}
