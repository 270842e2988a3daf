/**
 * The daily end-of-day balance line behind the decision's balance figures, summed over accounts — the same
 * method as the engine (running balances when the bank gives them all, else back-calculated from the account
 * balance or the nearest known running balance; days without transactions carry the previous balance).
 * The engine stores only the summary (average, minimum, negative/low days); this rebuilds the series for the
 * chart from the transactions the decision saw.
 */
export interface BalanceTx {
  accountId: string;
  date: string;
  direction: 'credit' | 'debit';
  amountMinor: number;
  balanceMinor: number | null;
}

export interface DailyBalance {
  date: string;
  balanceMinor: number;
}

const DAY_MS = 86_400_000;

function toDay(date: string): number {
  return Math.floor(Date.parse(`${date}T00:00:00Z`) / DAY_MS);
}

function fromDay(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** `txs` in booking order (oldest first); `asOf` is excluded (the window is the `windowDays` days before it). */
export function dailyBalanceSeries(
  txs: readonly BalanceTx[],
  accountBalances: ReadonlyMap<string, number | null>,
  asOf: string,
  windowDays: number,
): DailyBalance[] {
  const asOfDay = toDay(asOf.slice(0, 10));
  const start = asOfDay - windowDays;
  const total = new Array<number>(windowDays).fill(0);
  const perAccount = new Map<string, BalanceTx[]>();
  for (const t of txs) {
    if (toDay(t.date) >= asOfDay) continue;
    const list = perAccount.get(t.accountId);
    if (list) list.push(t);
    else perAccount.set(t.accountId, [t]);
  }
  let used = 0;
  for (const [accountId, list] of [...perAccount.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    const signed = (k: number): number => (list[k].direction === 'credit' ? list[k].amountMinor : -list[k].amountMinor);
    const after = new Array<number>(list.length);
    const known = list.map((t) => t.balanceMinor);
    const current = accountBalances.get(accountId);
    if (known.every((b) => b !== null)) {
      for (let k = 0; k < list.length; k += 1) after[k] = known[k]!;
    } else if (current !== null && current !== undefined) {
      let bal = current;
      for (let k = list.length - 1; k >= 0; k -= 1) {
        after[k] = bal;
        bal -= signed(k);
      }
    } else {
      const anchor = known.findIndex((b) => b !== null);
      if (anchor < 0) continue;
      after[anchor] = known[anchor]!;
      for (let k = anchor - 1; k >= 0; k -= 1) after[k] = after[k + 1] - signed(k + 1);
      for (let k = anchor + 1; k < list.length; k += 1) after[k] = known[k] ?? after[k - 1] + signed(k);
    }
    used += 1;
    let bal = after[0] - signed(0);
    let k = 0;
    while (k < list.length && toDay(list[k].date) < start) bal = after[k++];
    for (let d = 0; d < windowDays; d += 1) {
      const dayNo = start + d;
      while (k < list.length && toDay(list[k].date) === dayNo) bal = after[k++];
      total[d] += bal;
    }
  }
  if (used === 0) return [];
  return total.map((balanceMinor, d) => ({ date: fromDay(start + d), balanceMinor }));
}
