import type { NormalisedTransaction } from '../common/domain/transaction.js';
import {
  categoriseBorrowerTransactions,
  type BorrowerAccountTransactions,
  type Dictionaries,
  type ParsedMonoTransaction,
} from './normalise/index.js';

export interface WindowedCategoriseOptions {
  dictionaries: Dictionaries;
  asOf?: string;
  /** Rows categorised per call (their results are kept). */
  coreRows?: number;
  /** Neighbouring rows on each side given as pairing context (results discarded), capped by `marginDays`. */
  marginRows?: number;
  /** Widest pairing window of the categoriser: reversals look back 7 days, self-transfers ±2 days. */
  marginDays?: number;
}

const DAY_MS = 86_400_000;

interface Flat {
  account: number;
  tx: ParsedMonoTransaction;
}

function lowerBound(rows: readonly Flat[], postedAt: string): number {
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (rows[mid].tx.postedAt < postedAt) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function shift(iso: string, ms: number): string {
  return new Date(Date.parse(iso) + ms).toISOString();
}

/**
 * `categoriseBorrowerTransactions` over time-ordered slices. The categoriser's pairing passes compare rows with each
 * other, so one call over a whole history grows quadratically; giant histories (first ingestion of a busy account,
 * the benchmark) are cut into slices of `coreRows`, each categorised together with up to `marginRows` neighbours on
 * either side that fall within `marginDays` (the widest pairing window), so pairs that straddle a cut are still seen.
 * Inputs at or below one slice go through a single call, i.e. exactly the categoriser's own result. Yields to the
 * event loop between slices.
 */
export async function categoriseInWindows(
  accounts: readonly BorrowerAccountTransactions[],
  opts: WindowedCategoriseOptions,
): Promise<NormalisedTransaction[]> {
  const out: NormalisedTransaction[] = [];
  for await (const slice of categoriseSlices(accounts, opts)) out.push(...slice);
  return out;
}

/**
 * The same, slice by slice (oldest first), so a caller can stream each slice's rows to Postgres while the next one is
 * categorised. Yields to the event loop between slices.
 */
export async function* categoriseSlices(
  accounts: readonly BorrowerAccountTransactions[],
  opts: WindowedCategoriseOptions,
): AsyncGenerator<NormalisedTransaction[]> {
  const coreRows = opts.coreRows ?? 2000;
  const marginRows = opts.marginRows ?? 100;
  const marginMs = (opts.marginDays ?? 9) * DAY_MS;
  const categoriseOpts = { dictionaries: opts.dictionaries, ...(opts.asOf ? { asOf: opts.asOf } : {}) };
  const total = accounts.reduce((n, a) => n + a.transactions.length, 0);
  if (total <= coreRows + 2 * marginRows) {
    yield categoriseBorrowerTransactions(accounts, categoriseOpts);
    return;
  }

  const flat: Flat[] = [];
  accounts.forEach((a, account) => {
    for (const tx of a.transactions) flat.push({ account, tx });
  });
  flat.sort((a, b) => (a.tx.postedAt < b.tx.postedAt ? -1 : a.tx.postedAt > b.tx.postedAt ? 1 : 0));

  for (let start = 0; start < flat.length; start += coreRows) {
    const end = Math.min(flat.length, start + coreRows);
    const lo = Math.max(start - marginRows, lowerBound(flat, shift(flat[start].tx.postedAt, -marginMs)));
    const hi = Math.min(end + marginRows, lowerBound(flat, shift(flat[end - 1].tx.postedAt, marginMs + 1)));
    const groups = accounts.map((a) => ({ accountId: a.accountId, holderName: a.holderName, transactions: [] as ParsedMonoTransaction[] }));
    for (let i = Math.min(lo, start); i < Math.max(hi, end); i++) groups[flat[i].account].transactions.push(flat[i].tx);
    const accountOf = new Map<string, Set<string>>();
    for (let i = start; i < end; i++) {
      const accountId = accounts[flat[i].account].accountId;
      let ids = accountOf.get(accountId);
      if (!ids) accountOf.set(accountId, (ids = new Set()));
      ids.add(flat[i].tx.providerId);
    }
    const slice: NormalisedTransaction[] = [];
    for (const t of categoriseBorrowerTransactions(
      groups.filter((g) => g.transactions.length > 0),
      categoriseOpts,
    )) {
      if (accountOf.get(t.accountId)?.has(t.providerId)) slice.push(t);
    }
    yield slice;
    // Let other work on the event loop run between slices, so a giant history does not block the process.
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}
