import { createHash } from 'node:crypto';
import type { NormalisedTransaction } from '../../common/domain/transaction.js';

/**
 * Canonical JSON: object keys sorted (code-unit order), `undefined` members dropped, arrays kept in order,
 * numbers and strings as `JSON.stringify` writes them. Two equal values always serialise to the same bytes.
 */
export function canonicalJson(value: unknown, memo?: WeakMap<object, string>): string {
  if (value !== null && typeof value === 'object' && memo) {
    const hit = memo.get(value);
    if (hit !== undefined) return hit;
  }
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) throw new RangeError('non-finite number in input');
    return JSON.stringify(value) ?? 'null';
  }
  if (Array.isArray(value)) return `[${value.map((v: unknown) => (v === undefined ? 'null' : canonicalJson(v, memo))).join(',')}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj).filter((k) => obj[k] !== undefined);
  keys.sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k], memo)}`).join(',')}}`;
}

const TX_KEYS = [
  'accountId',
  'amountMinor',
  'balanceMinor',
  'category',
  'categoryRule',
  'counterparty',
  'currency',
  'date',
  'direction',
  'id',
  'memo',
  'narration',
  'postedAt',
  'providerCategory',
  'providerId',
  'rail',
] as const;

/**
 * Canonical serialisation of one transaction: the JSON array of its 16 fields in sorted-key order (one native
 * JSON.stringify call — this runs for every row on every decision). A row with any other shape falls back to
 * canonicalJson of the object, which starts with `{` and so can never collide with an array line.
 */
export function canonicalTransaction(t: NormalisedTransaction): string {
  if (Object.keys(t).length !== TX_KEYS.length) return canonicalJson(t);
  return JSON.stringify([
    t.accountId,
    t.amountMinor,
    t.balanceMinor,
    t.category,
    t.categoryRule,
    t.counterparty,
    t.currency,
    t.date,
    t.direction,
    t.id,
    t.memo,
    t.narration,
    t.postedAt,
    t.providerCategory,
    t.providerId,
    t.rail,
  ]);
}

/** The canonical value of a transaction: its field array (known shape) or a key-sorted copy (any other shape). */
function canonicalValue(t: NormalisedTransaction): unknown {
  if (Object.keys(t).length !== TX_KEYS.length) return JSON.parse(canonicalJson(t)) as unknown;
  return [
    t.accountId,
    t.amountMinor,
    t.balanceMinor,
    t.category,
    t.categoryRule,
    t.counterparty,
    t.currency,
    t.date,
    t.direction,
    t.id,
    t.memo,
    t.narration,
    t.postedAt,
    t.providerCategory,
    t.providerId,
    t.rail,
  ];
}

export interface PreparedTransactions {
  /** De-duplicated, in canonical order: date, postedAt, accountId, providerId. */
  transactions: NormalisedTransaction[];
  duplicatesRemoved: number;
}

/**
 * Drops rows repeated under the same (accountId, providerId) — keeping the canonically smallest, so the
 * choice never depends on input order — and sorts the rest into one canonical order. (accountId,
 * providerId) is unique afterwards, so the order is total.
 */
export function prepareTransactions(input: readonly NormalisedTransaction[]): PreparedTransactions {
  const byAccount = new Map<string, Map<string, NormalisedTransaction>>();
  for (const t of input) {
    // The engine trusts normalisation for everything except what would silently corrupt money or dates.
    if (!Number.isSafeInteger(t.amountMinor) || t.amountMinor < 0)
      throw new RangeError(`transaction ${t.id}: amountMinor must be a non-negative safe integer`);
    if (t.balanceMinor !== null && !Number.isSafeInteger(t.balanceMinor))
      throw new RangeError(`transaction ${t.id}: balanceMinor must be a safe integer or null`);
    if (t.direction !== 'credit' && t.direction !== 'debit') throw new RangeError(`transaction ${t.id}: direction must be credit or debit`);
    let keep = byAccount.get(t.accountId);
    if (keep === undefined) byAccount.set(t.accountId, (keep = new Map<string, NormalisedTransaction>()));
    const prev = keep.get(t.providerId);
    if (prev === undefined) keep.set(t.providerId, t);
    else if (prev !== t && canonicalTransaction(t) < canonicalTransaction(prev)) keep.set(t.providerId, t);
  }
  const rows: NormalisedTransaction[] = [];
  for (const keep of byAccount.values()) for (const t of keep.values()) rows.push(t);
  rows.sort((a, b) => {
    if (a.date !== b.date) return a.date < b.date ? -1 : 1;
    if (a.postedAt !== b.postedAt) return a.postedAt < b.postedAt ? -1 : 1;
    if (a.accountId !== b.accountId) return a.accountId < b.accountId ? -1 : 1;
    return a.providerId < b.providerId ? -1 : a.providerId > b.providerId ? 1 : 0;
  });
  return { transactions: rows, duplicatesRemoved: input.length - rows.length };
}

/**
 * sha256 over the canonical serialisation of an input: the canonical JSON of everything except the
 * transactions, a newline, then the JSON array of the canonical transaction values (de-duplicated, in
 * canonical order). Row order and exact duplicates therefore never change the hash.
 */
export function hashInput(
  rest: Record<string, unknown>,
  prepared: readonly NormalisedTransaction[],
  memo?: WeakMap<object, string>,
): string {
  const h = createHash('sha256');
  h.update(canonicalJson(rest, memo));
  h.update('\n');
  h.update(JSON.stringify(prepared.map(canonicalValue)));
  return h.digest('hex');
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
