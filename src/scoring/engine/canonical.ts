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

export interface PreparedTransactions {
  /** De-duplicated, in canonical order: date, postedAt, accountId, providerId. */
  transactions: NormalisedTransaction[];
  duplicatesRemoved: number;
}

const NOT_SEEN = Symbol('not seen');

/** Canonical row order: date, postedAt, accountId, providerId. */
function canonicalOrder(a: NormalisedTransaction, b: NormalisedTransaction): number {
  if (a.date !== b.date) return a.date < b.date ? -1 : 1;
  if (a.postedAt !== b.postedAt) return a.postedAt < b.postedAt ? -1 : 1;
  if (a.accountId !== b.accountId) return a.accountId < b.accountId ? -1 : 1;
  return a.providerId < b.providerId ? -1 : a.providerId > b.providerId ? 1 : 0;
}

/**
 * Drops rows repeated under the same (accountId, providerId) — keeping the canonically smallest, so the
 * choice never depends on input order — and sorts the rest into one canonical order. (accountId,
 * providerId) is unique afterwards, so the order is total.
 */
export function prepareTransactions(input: readonly NormalisedTransaction[]): PreparedTransactions {
  // Usual case first: no providerId appears twice (one Set insertion per row), so nothing to drop.
  const providerIds = new Set<string>();
  for (const t of input) {
    validateRow(t);
    providerIds.add(t.providerId);
  }
  if (providerIds.size === input.length) return { transactions: inCanonicalOrder(input.slice()), duplicatesRemoved: 0 };
  const byAccount = new Map<string, Map<string, NormalisedTransaction>>();
  let keepAccount: unknown = NOT_SEEN;
  let keep = new Map<string, NormalisedTransaction>();
  for (const t of input) {
    // Rows of one account usually come together: re-use the previous row's map.
    if (t.accountId !== keepAccount) {
      keepAccount = t.accountId;
      const known = byAccount.get(t.accountId);
      if (known) keep = known;
      else byAccount.set(t.accountId, (keep = new Map<string, NormalisedTransaction>()));
    }
    const prev = keep.get(t.providerId);
    if (prev === undefined) keep.set(t.providerId, t);
    else if (prev !== t && canonicalTransaction(t) < canonicalTransaction(prev)) keep.set(t.providerId, t);
  }
  const rows: NormalisedTransaction[] = [];
  for (const keep of byAccount.values()) for (const t of keep.values()) rows.push(t);
  return { transactions: inCanonicalOrder(rows), duplicatesRemoved: input.length - rows.length };
}

/** The engine trusts normalisation for everything except what would silently corrupt money or dates. */
function validateRow(t: NormalisedTransaction): void {
  if (!Number.isSafeInteger(t.amountMinor) || t.amountMinor < 0)
    throw new RangeError(`transaction ${t.id}: amountMinor must be a non-negative safe integer`);
  if (t.balanceMinor !== null && !Number.isSafeInteger(t.balanceMinor))
    throw new RangeError(`transaction ${t.id}: balanceMinor must be a safe integer or null`);
  if (t.direction !== 'credit' && t.direction !== 'debit') throw new RangeError(`transaction ${t.id}: direction must be credit or debit`);
}

/**
 * Sorts rows (a fresh array, sorted in place) into canonical order. (accountId, providerId) is unique here, so
 * the order is total and the result does not depend on the order rows came in. Inputs usually arrive in this
 * order already (by date): checked in one pass before sorting.
 */
function inCanonicalOrder(rows: NormalisedTransaction[]): NormalisedTransaction[] {
  let ordered = true;
  for (let k = 1; k < rows.length && ordered; k += 1) ordered = canonicalOrder(rows[k - 1], rows[k]) <= 0;
  if (!ordered) rows.sort(canonicalOrder);
  return rows;
}

/** Tag that opens the hashed bytes: names the encoding, so a future encoding can never collide with this one. */
export const INPUTS_HASH_ENCODING = 'underwrite-inputs/v2';

/** References per row in the binary part: one per field except the two numbers (sorted-key order). */
const REFS_PER_ROW = 14;
/** balanceMinor null: 0.5 is not an integer, so it can never be a (validated, safe-integer) balance. */
const NULL_BALANCE = 0.5;
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * sha256 (hex) of the canonical encoding of an input (encoding `underwrite-inputs/v2`, documented in
 * docs/scoring.md "Versions, hashing and replay"). The bytes hashed, in order:
 *
 * 1. the text `underwrite-inputs/v2\n` + canonical JSON of everything except the transactions + `\n` + the row
 *    count + ` ` + the reference width w (2 or 4 bytes) + `\n`;
 * 2. the string table, as a JSON array of strings, then `\n`;
 * 3. per row (de-duplicated, in canonical order), 14 references as little-endian unsigned integers of w bytes,
 *    one per field in sorted-key order: accountId, category, categoryRule, counterparty, currency, date,
 *    direction, id, memo, narration, postedAt, providerCategory, providerId, rail. A reference is 0 for null,
 *    else 1 + the table index of the value; direction is 0 (credit) or 1 (debit) instead;
 * 4. per row, amountMinor and balanceMinor as little-endian float64 (exact for safe integers; a null balance
 *    is 0.5, which no balance can be).
 *
 * The table lists values in the order rows first reference them: id, postedAt and providerId get an entry in
 * every row, the other strings re-use the entry of an equal earlier value. A row of any other shape (an extra,
 * missing or renamed field, or a field of another type) has direction 2 and its first reference points at its
 * canonical JSON in the table; its other references and numbers are 0. The encoding is a deterministic function
 * of the canonical row sequence and decodable (the rows can be rebuilt from the bytes), so equal inputs give
 * equal hashes and any change to an input changes the bytes; since rows are de-duplicated and ordered first,
 * row order and exact duplicates never change the hash. w = 2 while the table has fewer than 65,535 entries.
 */
export function hashInput(
  input: object,
  prepared: readonly NormalisedTransaction[],
  memo?: WeakMap<object, string>,
): string {
  const n = prepared.length;
  // Sized up front for the three per-row entries (id, postedAt, providerId) plus shared values, so the
  // table is allocated once instead of grown by copying; trimmed to its real length before use.
  const table = new Array<string>(4 * n + 256);
  let entries = 0;
  const add = (v: string): number => {
    table[entries] = v;
    entries += 1;
    return entries;
  };
  const index = new Map<string, number>();
  // A row adds at most 13 table entries, so small inputs are known to fit 2-byte references up front.
  // The binary parts are views of one reused scratch buffer (hashing is synchronous), not fresh allocations
  // per decision: every slot of the first n rows is written below.
  const narrow = 13 * n + 1 < 0xffff;
  const refsBytes = align8(n * REFS_PER_ROW * (narrow ? 2 : 4));
  const buffer = scratchBuffer(refsBytes + 16 * n + 4 * (13 * n + 1));
  const refs = narrow ? new Uint16Array(buffer, 0, n * REFS_PER_ROW) : new Uint32Array(buffer, 0, n * REFS_PER_ROW);
  const nums = new Float64Array(buffer, refsBytes, 2 * n);
  /** 0 for null, else 1 + the table index of the value (added on first sight). */
  const ref = (v: string | null): number => {
    if (v === null) return 0;
    let k = index.get(v);
    if (k === undefined) {
      k = add(v);
      index.set(v, k);
    }
    return k;
  };
  /**
   * ref() through a small per-field cache of recent values (compared with ===) before the shared map: fields
   * with a handful of distinct values that alternate (category, rail) skip most map lookups. The reference
   * of a value never depends on how it was found, so the bytes are the same.
   */
  const smallRef = (v: string | null, vals: (string | null)[], refsOf: number[]): number => {
    for (let k = 0; k < vals.length; k += 1) if (vals[k] === v) return refsOf[k];
    const r = ref(v);
    if (vals.length < 8) {
      vals.push(v);
      refsOf.push(r);
    }
    return r;
  };
  const categoryVals: (string | null)[] = [];
  const categoryRefs: number[] = [];
  const railVals: (string | null)[] = [];
  const railRefs: number[] = [];
  // Consecutive rows often share a value (same day, account, currency, rule): skip the map for a repeat.
  let pAccount: string | null = null;
  let rAccount = 0;
  let pCategory: string | null = null;
  let rCategory = 0;
  let pRule: string | null = null;
  let rRule = 0;
  let pCounterparty: string | null = null;
  let rCounterparty = 0;
  let pCurrency: string | null = null;
  let rCurrency = 0;
  let pDate: string | null = null;
  let rDate = 0;
  let pMemo: string | null = null;
  let rMemo = 0;
  let pNarration: string | null = null;
  let rNarration = 0;
  let pProviderCategory: string | null = null;
  let rProviderCategory = 0;
  let pRail: string | null = null;
  let rRail = 0;
  for (let i = 0, o = 0; i < n; i += 1, o += REFS_PER_ROW) {
    const t = prepared[i];
    if (!isPlainRow(t)) {
      refs.fill(0, o, o + REFS_PER_ROW);
      refs[o] = add(canonicalJson(t));
      refs[o + 6] = 2;
      nums[2 * i] = 0;
      nums[2 * i + 1] = 0;
      continue;
    }
    if (t.accountId !== pAccount) rAccount = ref((pAccount = t.accountId));
    if (t.category !== pCategory) rCategory = smallRef((pCategory = t.category), categoryVals, categoryRefs);
    if (t.categoryRule !== pRule) rRule = ref((pRule = t.categoryRule));
    if (t.counterparty !== pCounterparty) rCounterparty = ref((pCounterparty = t.counterparty));
    if (t.currency !== pCurrency) rCurrency = ref((pCurrency = t.currency));
    if (t.date !== pDate) rDate = ref((pDate = t.date));
    if (t.memo !== pMemo) rMemo = ref((pMemo = t.memo));
    if (t.narration !== pNarration) rNarration = ref((pNarration = t.narration));
    if (t.providerCategory !== pProviderCategory) rProviderCategory = ref((pProviderCategory = t.providerCategory));
    if (t.rail !== pRail) rRail = smallRef((pRail = t.rail), railVals, railRefs);
    refs[o] = rAccount;
    refs[o + 1] = rCategory;
    refs[o + 2] = rRule;
    refs[o + 3] = rCounterparty;
    refs[o + 4] = rCurrency;
    refs[o + 5] = rDate;
    refs[o + 6] = t.direction === 'credit' ? 0 : 1;
    refs[o + 7] = add(t.id);
    refs[o + 8] = rMemo;
    refs[o + 9] = rNarration;
    refs[o + 10] = add(t.postedAt);
    refs[o + 11] = rProviderCategory;
    refs[o + 12] = add(t.providerId);
    refs[o + 13] = rRail;
    // `+ 0` turns −0 into 0 (JSON, and so the engine, cannot tell them apart).
    nums[2 * i] = t.amountMinor + 0;
    nums[2 * i + 1] = t.balanceMinor === null ? NULL_BALANCE : t.balanceMinor + 0;
  }
  table.length = entries;
  const width = table.length < 0xffff ? 2 : 4;
  const joined = table.join('');
  const raw = isWellFormed(joined);
  const h = createHash('sha256');
  h.update(`${INPUTS_HASH_ENCODING}\n${canonicalJsonWithout(input as Record<string, unknown>, 'transactions', memo)}\n${n} ${width} ${table.length} ${raw ? 'raw' : 'json'}\n`);
  if (raw) {
    const lengths = new Uint32Array(buffer, refsBytes + 16 * n, table.length);
    for (let k = 0; k < table.length; k += 1) lengths[k] = table[k].length;
    h.update(littleEndianBytes(lengths));
    h.update(joined);
  } else {
    h.update(JSON.stringify(table));
  }
  h.update(littleEndianBytes(width === 2 && refs instanceof Uint32Array ? Uint16Array.from(refs) : refs));
  h.update(littleEndianBytes(nums));
  return h.digest('hex');
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** canonicalJson of an object without one of its members (no copy of the object). */
function canonicalJsonWithout(value: Record<string, unknown>, omit: string, memo?: WeakMap<object, string>): string {
  const keys = Object.keys(value).filter((k) => k !== omit && value[k] !== undefined);
  keys.sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k], memo)}`).join(',')}}`;
}

/** No lone surrogates, so the UTF-8 bytes `update` hashes decode back to exactly this string. */
function isWellFormed(s: string): boolean {
  const native = (s as unknown as { isWellFormed?: () => boolean }).isWellFormed;
  return native ? native.call(s) : !LONE_SURROGATE.test(s);
}

let scratch = new ArrayBuffer(0);

/** A scratch buffer of at least `bytes` bytes: the shared one (grown as needed, kept up to 16 MiB) or a fresh one. */
function scratchBuffer(bytes: number): ArrayBuffer {
  if (bytes <= scratch.byteLength) return scratch;
  const fresh = new ArrayBuffer(Math.max(bytes, 2 * scratch.byteLength));
  if (fresh.byteLength <= 16 * 1024 * 1024) scratch = fresh;
  return fresh;
}

function align8(bytes: number): number {
  return Math.ceil(bytes / 8) * 8;
}

/** The bytes of a typed array in little-endian order (a copy, byte-swapped, on a big-endian machine only). */
function littleEndianBytes(a: Uint16Array | Uint32Array | Float64Array): Uint8Array {
  const bytes = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  if (LITTLE_ENDIAN) return bytes;
  const out = new Uint8Array(bytes.length);
  const w = a.BYTES_PER_ELEMENT;
  for (let i = 0; i < bytes.length; i += w) for (let b = 0; b < w; b += 1) out[i + b] = bytes[i + w - 1 - b];
  return out;
}

const str = (v: unknown): boolean => typeof v === 'string';
const strOrNull = (v: unknown): boolean => v === null || typeof v === 'string';

/**
 * The row shape the compact encoding covers: exactly the 16 fields with their declared types (a row with an
 * extra, missing or renamed field, or a field of another type, is hashed as its canonical JSON instead).
 */
function isPlainRow(t: NormalisedTransaction): boolean {
  let keys = 0;
  for (const k in t) if (Object.prototype.hasOwnProperty.call(t, k)) keys += 1;
  return (
    keys === TX_KEYS.length &&
    str(t.accountId) &&
    str(t.category) &&
    str(t.categoryRule) &&
    strOrNull(t.counterparty) &&
    str(t.currency) &&
    str(t.date) &&
    str(t.direction) &&
    str(t.id) &&
    strOrNull(t.memo) &&
    str(t.narration) &&
    str(t.postedAt) &&
    strOrNull(t.providerCategory) &&
    str(t.providerId) &&
    str(t.rail) &&
    typeof t.amountMinor === 'number' &&
    (t.balanceMinor === null || typeof t.balanceMinor === 'number')
  );
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
