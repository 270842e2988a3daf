/**
 * The categoriser's two pairing passes (cross-account self-transfers, reversals), on rows already sorted the
 * categoriser's way (date, postedAt, providerId, accountId).
 *
 * `pairSelfTransfers` / `pairReversals` index candidate legs by amount (per account for reversals) and only look at
 * the candidates inside the time window, found by binary search: O(n log n + candidates in the window) instead of
 * comparing every row with every other. They give exactly the result of the straightforward definitions
 * (`pairSelfTransfersSimple` / `pairReversalsSimple`, below) — greedy, each leg used once, same tie-breaks — which
 * the fast path relies on only when the sorted rows are also non-decreasing in `day`, `ms` and `postedAt` (always
 * true for provider rows, whose `postedAt` is canonical ISO UTC); otherwise the simple versions run. Property-tested
 * against a verbatim copy of the original implementation in `pairing.spec.ts`.
 */
import type { NormalisedTransaction } from '../../common/domain/transaction.js';
import type { ParsedNarration } from './narration.js';

export interface PairRow {
  tx: NormalisedTransaction;
  parsed: ParsedNarration;
  /** `dayNumber(tx.date)`. */
  day: number;
  /** `Date.parse(tx.postedAt)`. */
  ms: number;
  /** Upper-case narration split on non-alphanumerics, as a set; computed on first use. */
  tokens?: ReadonlySet<string>;
}

interface Bucket {
  rows: PairRow[];
  /** Legs already paired in this pass, by index in `rows`; allocated on first use. */
  used: Uint8Array | null;
}

/** Categories whose rows may still be re-labelled by the pairing passes (i.e. not chosen by a strong rule). */
export const PAIRABLE_SELF: ReadonlySet<string> = new Set([
  'rail.transfer_in',
  'rail.transfer_out',
  'rail.other',
  'rail.credit_other',
  'rail.gateway_credit',
  'rail.pos_credit',
  'income.platform_payout',
]);
/**
 * A leg the categoriser already knows is a move between the borrower's own accounts (by name, own wallet, own account
 * number): it anchors a pair, so the other leg — a credit of the same amount on another linked account within the
 * window, whatever name that bank prints ("FROM B. ADEGOKE") — is a self-transfer too. Anchors keep their own rule.
 */
export function isSelfAnchor(rule: string): boolean {
  return rule.startsWith('self_transfer.') && rule !== 'self_transfer.pair';
}

function selfCandidate(rule: string): boolean {
  return PAIRABLE_SELF.has(rule) || isSelfAnchor(rule);
}

export const PAIRABLE_REVERSAL_CREDIT: ReadonlySet<string> = new Set([
  'rail.transfer_in',
  'rail.other',
  'rail.credit_other',
  'rail.gateway_credit',
  'rail.pos_credit',
]);

const NON_ALNUM = /[^A-Z0-9]+/;

function narrationTokens(row: PairRow): ReadonlySet<string> {
  row.tokens ??= new Set(row.tx.narration.toUpperCase().split(NON_ALNUM));
  return row.tokens;
}

function referencesMatch(debit: PairRow, credit: PairRow): boolean {
  const ref = debit.parsed.reference;
  if (ref === null) return false;
  // Whole-token equality: NIP session ids are long digit runs that contain many shorter numbers by accident.
  return credit.parsed.reference === ref || narrationTokens(credit).has(ref);
}

function reversalMatch(debit: PairRow, credit: PairRow, isKeyword: boolean): boolean {
  return (
    referencesMatch(debit, credit) ||
    (isKeyword && debit.parsed.counterparty !== null && debit.parsed.counterparty === credit.parsed.counterparty)
  );
}

function markSelfPair(debit: PairRow, credit: PairRow): void {
  for (const leg of [debit, credit]) {
    if (isSelfAnchor(leg.tx.categoryRule)) continue;
    leg.tx.category = 'self_transfer';
    leg.tx.categoryRule = 'self_transfer.pair';
  }
}

function markReversal(debit: PairRow, credit: PairRow, isKeyword: boolean): void {
  if (!isKeyword) {
    credit.tx.category = 'reversal';
    credit.tx.categoryRule = 'reversal.pair';
  }
  debit.tx.category = 'reversal';
  debit.tx.categoryRule = 'reversal.reversed_debit';
}

/** Sorted rows also non-decreasing in day, instant and `postedAt` text, with no NaN: the fast passes' precondition. */
export function isTimeMonotone(rows: readonly PairRow[]): boolean {
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    if (Number.isNaN(r.day) || Number.isNaN(r.ms)) return false;
    if (i === 0) continue;
    const p = rows[i - 1];
    if (p.day > r.day || p.ms > r.ms || p.tx.postedAt > r.tx.postedAt) return false;
  }
  return true;
}

/** First index in [lo, hi) where `pred` holds, for a predicate that is false then true along the range. */
function firstTrue(lo: number, hi: number, pred: (i: number) => boolean): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (pred(mid)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * Cross-account pairing: a debit in one linked account and a credit of the same amount in another within ±window
 * days. Greedy over debits in order, each taking the unused credit closest in time (earliest on ties).
 */
export function pairSelfTransfers(rows: readonly PairRow[], windowDays: number): void {
  if (!isTimeMonotone(rows)) {
    pairSelfTransfersSimple(rows, windowDays);
    return;
  }
  const debits: PairRow[] = [];
  const buckets = new Map<number, Bucket>();
  for (const row of rows) {
    if (!selfCandidate(row.tx.categoryRule)) continue;
    if (row.tx.direction === 'debit') debits.push(row);
    else if (row.tx.direction === 'credit') {
      const amount = row.tx.amountMinor;
      if (Number.isNaN(amount)) continue; // NaN never equals anything
      const bucket = buckets.get(amount);
      if (bucket) bucket.rows.push(row);
      else buckets.set(amount, { rows: [row], used: null });
    }
  }
  if (buckets.size === 0) return;
  for (const debit of debits) {
    const bucket = buckets.get(debit.tx.amountMinor);
    if (!bucket) continue;
    const credits = bucket.rows;
    const used = (bucket.used ??= new Uint8Array(credits.length));
    const { day, ms, tx } = debit;
    // Credits within ±window days form one run of the bucket (days are non-decreasing along it) …
    const lo = firstTrue(0, credits.length, (i) => credits[i].day - day >= -windowDays);
    const hi = firstTrue(lo, credits.length, (i) => credits[i].day - day > windowDays);
    if (lo >= hi) continue;
    // … and inside it instants are non-decreasing: the closest valid credit is the first one at or after the debit's
    // instant, or the last one before it (its earliest equal-instant twin: ties go to the earlier row).
    const split = firstTrue(lo, hi, (i) => credits[i].ms >= ms);
    const valid = (i: number): boolean => used[i] === 0 && credits[i].tx.accountId !== tx.accountId;
    let right = -1;
    for (let i = split; i < hi; i++) {
      if (valid(i)) {
        right = i;
        break;
      }
    }
    let left = -1;
    for (let i = split - 1; i >= lo; i--) {
      if (left >= 0 && credits[i].ms !== credits[left].ms) break;
      if (valid(i)) left = i;
    }
    let best = right;
    if (left >= 0 && (right < 0 || ms - credits[left].ms <= credits[right].ms - ms)) best = left;
    if (best < 0) continue;
    used[best] = 1;
    markSelfPair(debit, credits[best]);
  }
}

/** The straightforward definition of `pairSelfTransfers` (quadratic), for inputs that are not time-monotone. */
export function pairSelfTransfersSimple(rows: readonly PairRow[], windowDays: number): void {
  const debits = rows.filter((r) => r.tx.direction === 'debit' && selfCandidate(r.tx.categoryRule));
  const credits = rows.filter((r) => r.tx.direction === 'credit' && selfCandidate(r.tx.categoryRule));
  const used = new Set<PairRow>();
  for (const debit of debits) {
    let best: PairRow | null = null;
    let bestDistance = Infinity;
    for (const credit of credits) {
      if (used.has(credit) || credit.tx.accountId === debit.tx.accountId || credit.tx.amountMinor !== debit.tx.amountMinor) continue;
      const distance = Math.abs(credit.ms - debit.ms);
      if (Math.abs(credit.day - debit.day) <= windowDays && distance < bestDistance) {
        best = credit;
        bestDistance = distance;
      }
    }
    if (best) {
      used.add(best);
      markSelfPair(debit, best);
    }
  }
}

function reversalCandidate(credit: PairRow): boolean | null {
  const isKeyword = credit.tx.category === 'reversal';
  if (credit.tx.direction !== 'credit' || (!isKeyword && !PAIRABLE_REVERSAL_CREDIT.has(credit.tx.categoryRule))) return null;
  return isKeyword;
}

/**
 * A credit that returns an earlier debit of the same amount on the same account within the window, with a matching
 * reference (or, for a keyword reversal, the same counterparty). Credits in order, each taking the earliest unused
 * matching debit. Keyword reversals already carry `reversal`; here we also re-label their debit leg so both legs net
 * out.
 */
export function pairReversals(rows: readonly PairRow[], windowDays: number): void {
  if (!isTimeMonotone(rows)) {
    pairReversalsSimple(rows, windowDays);
    return;
  }
  // Debits by account, then amount, in row order; credits are visited in row order, which is the order within each
  // account (accounts are independent: a debit only pairs with a credit of its own account).
  const debits = new Map<string, Map<number, Bucket>>();
  let anyCredit = false;
  for (const row of rows) {
    if (row.tx.direction !== 'debit') {
      anyCredit ||= row.tx.direction === 'credit';
      continue;
    }
    const amount = row.tx.amountMinor;
    if (Number.isNaN(amount)) continue;
    let byAmount = debits.get(row.tx.accountId);
    if (!byAmount) debits.set(row.tx.accountId, (byAmount = new Map<number, Bucket>()));
    const bucket = byAmount.get(amount);
    if (bucket) bucket.rows.push(row);
    else byAmount.set(amount, { rows: [row], used: null });
  }
  if (!anyCredit || debits.size === 0) return;
  for (const credit of rows) {
    const isKeyword = reversalCandidate(credit);
    if (isKeyword === null) continue;
    const bucket = debits.get(credit.tx.accountId)?.get(credit.tx.amountMinor);
    if (!bucket) continue;
    const list = bucket.rows;
    const used = (bucket.used ??= new Uint8Array(list.length));
    const { day, tx } = credit;
    // Debits no more than `windowDays` before the credit's day, up to (and including) the credit's instant.
    const lo = firstTrue(0, list.length, (i) => day - list[i].day <= windowDays);
    const hi = firstTrue(lo, list.length, (i) => list[i].tx.postedAt > tx.postedAt);
    for (let i = lo; i < hi; i++) {
      if (used[i] !== 0 || !reversalMatch(list[i], credit, isKeyword)) continue;
      used[i] = 1;
      markReversal(list[i], credit, isKeyword);
      break;
    }
  }
}

/** The straightforward definition of `pairReversals` (quadratic per account), for inputs that are not time-monotone. */
export function pairReversalsSimple(rows: readonly PairRow[], windowDays: number): void {
  const usedDebits = new Set<PairRow>();
  const byAccount = new Map<string, PairRow[]>();
  for (const row of rows) {
    const list = byAccount.get(row.tx.accountId);
    if (list) list.push(row);
    else byAccount.set(row.tx.accountId, [row]);
  }
  for (const accountRows of byAccount.values()) {
    for (const credit of accountRows) {
      const isKeyword = reversalCandidate(credit);
      if (isKeyword === null) continue;
      const debit = accountRows.find(
        (d) =>
          d.tx.direction === 'debit' &&
          !usedDebits.has(d) &&
          d.tx.amountMinor === credit.tx.amountMinor &&
          d.tx.postedAt <= credit.tx.postedAt &&
          credit.day - d.day <= windowDays &&
          reversalMatch(d, credit, isKeyword),
      );
      if (!debit) continue;
      usedDebits.add(debit);
      markReversal(debit, credit, isKeyword);
    }
  }
}
