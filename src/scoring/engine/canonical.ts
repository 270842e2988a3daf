import { createHash } from 'node:crypto';
import type { NormalisedTransaction } from '../../common/domain/transaction.js';

/**
 * Canonical JSON: object keys sorted (code-unit order), `undefined` members dropped, arrays kept in order,
 * numbers and strings as `JSON.stringify` writes them. Two equal values always serialise to the same bytes.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) throw new RangeError('non-finite number in input');
    return JSON.stringify(value) ?? 'null';
  }
  if (Array.isArray(value)) return `[${value.map((v: unknown) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj).filter((k) => obj[k] !== undefined);
  keys.sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
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

const j = JSON.stringify;

/** Canonical JSON of one transaction; a hand-unrolled fast path for the known shape (same bytes as canonicalJson). */
export function canonicalTransaction(t: NormalisedTransaction): string {
  const keys = Object.keys(t);
  if (keys.length !== TX_KEYS.length || keys.some((k) => (t as unknown as Record<string, unknown>)[k] === undefined)) {
    return canonicalJson(t);
  }
  return (
    `{"accountId":${j(t.accountId)},"amountMinor":${j(t.amountMinor)},"balanceMinor":${j(t.balanceMinor)},` +
    `"category":${j(t.category)},"categoryRule":${j(t.categoryRule)},"counterparty":${j(t.counterparty)},` +
    `"currency":${j(t.currency)},"date":${j(t.date)},"direction":${j(t.direction)},"id":${j(t.id)},` +
    `"memo":${j(t.memo)},"narration":${j(t.narration)},"postedAt":${j(t.postedAt)},` +
    `"providerCategory":${j(t.providerCategory)},"providerId":${j(t.providerId)},"rail":${j(t.rail)}}`
  );
}

export interface PreparedTransactions {
  /** De-duplicated, in canonical order: date, postedAt, then canonical bytes. */
  transactions: NormalisedTransaction[];
  /** Canonical line of each transaction, parallel to `transactions`. */
  lines: string[];
  duplicatesRemoved: number;
}

/**
 * Drops rows repeated under the same (accountId, providerId) — keeping the canonically smallest, so the
 * choice never depends on input order — and sorts the rest into one canonical order.
 */
export function prepareTransactions(input: readonly NormalisedTransaction[]): PreparedTransactions {
  const byKey = new Map<string, { t: NormalisedTransaction; line: string }>();
  for (const t of input) {
    const key = `${t.accountId}\u0000${t.providerId}`;
    const line = canonicalTransaction(t);
    const prev = byKey.get(key);
    if (!prev || line < prev.line) byKey.set(key, { t, line });
  }
  const rows = [...byKey.values()];
  rows.sort((a, b) => {
    if (a.t.date !== b.t.date) return a.t.date < b.t.date ? -1 : 1;
    if (a.t.postedAt !== b.t.postedAt) return a.t.postedAt < b.t.postedAt ? -1 : 1;
    return a.line < b.line ? -1 : a.line > b.line ? 1 : 0;
  });
  return {
    transactions: rows.map((r) => r.t),
    lines: rows.map((r) => r.line),
    duplicatesRemoved: input.length - rows.length,
  };
}

/**
 * sha256 over the canonical serialisation of an input: the canonical JSON of everything except the
 * transactions, a newline, then the canonical transaction lines (de-duplicated, canonical order) joined by
 * newlines. Order of rows and exact duplicates therefore never change the hash.
 */
export function hashInput(rest: Record<string, unknown>, lines: readonly string[]): string {
  const h = createHash('sha256');
  h.update(canonicalJson(rest));
  h.update('\n');
  h.update(lines.join('\n'));
  return h.digest('hex');
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
