/**
 * Lenient, strict-where-it-matters parsers for Mono wire objects (transactions and account details).
 *
 * Mono's shapes drift between REST v2 (snake_case, `id`), webhooks / legacy (camelCase, `_id`) and the interim
 * `/v1` API (lowercase enums, `currency: "ngn"`). We accept all of them, but money is never guessed: an amount
 * that is not a non-negative safe integer number of kobo is a `MonoDataError`, never a silent 0.
 */
import type { Direction } from '../../common/domain/transaction.js';

/** Raised when a provider payload cannot be trusted. `path` names the offending field (`transactions[3].amount`). */
export class MonoDataError extends Error {
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`${path}: ${reason}`);
    this.name = 'MonoDataError';
  }
}

export interface ParsedMonoTransaction {
  providerId: string;
  /** ISO-8601 UTC (re-serialised with `toISOString`, so ordering by string is ordering by time). */
  postedAt: string;
  direction: Direction;
  amountMinor: number;
  balanceMinor: number | null;
  narration: string;
  providerCategory: string | null;
  /** Upper-case ISO code when the row carries one. */
  currency: string | null;
}

export interface ParsedMonoInstitution {
  name: string | null;
  bankCode: string | null;
  type: string | null;
}

export interface ParsedMonoAccount {
  accountId: string;
  holderName: string | null;
  accountNumber: string | null;
  currency: string;
  balanceMinor: number | null;
  accountType: string | null;
  bvnLast4: string | null;
  institution: ParsedMonoInstitution | null;
  /** Upper-cased `meta.data_status` (AVAILABLE, PARTIAL, …) or null. */
  dataStatus: string | null;
  authMethod: string | null;
  retrievedData: string[];
  /** `meta.sync_status` upper-cased, e.g. REAUTHORISATION_REQUIRED (webhook payloads). */
  syncStatus: string | null;
}

type Obj = Record<string, unknown>;

export function isObject(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function firstDefined(obj: Obj, keys: readonly string[]): unknown {
  for (const key of keys) {
    if (obj[key] !== undefined) return obj[key];
  }
  return undefined;
}

function requireString(obj: Obj, keys: readonly string[], path: string): string {
  const value = firstDefined(obj, keys);
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value !== 'string' || value.trim() === '') {
    throw new MonoDataError(`${path}.${keys[0]}`, `expected a non-empty string, got ${describe(value)}`);
  }
  return value.trim();
}

function optionalString(obj: Obj, keys: readonly string[]): string | null {
  const value = firstDefined(obj, keys);
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : null;
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (typeof value === 'string') return `"${value.length > 40 ? `${value.slice(0, 40)}…` : value}"`;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return Array.isArray(value) ? 'an array' : 'an object';
}

/**
 * Integer minor units. Numbers must be safe integers; digit strings are accepted because some community
 * proxies stringify money, but "1500.50" (naira with decimals) is rejected rather than reinterpreted.
 */
export function parseMinorUnits(value: unknown, path: string, opts: { allowNegative: boolean }): number {
  let n: number;
  if (typeof value === 'number') {
    n = value;
  } else if (typeof value === 'string' && /^-?\d+$/.test(value.trim())) {
    n = Number(value.trim());
  } else {
    throw new MonoDataError(path, `expected integer minor units, got ${describe(value)}`);
  }
  if (!Number.isFinite(n)) throw new MonoDataError(path, `expected a finite amount, got ${describe(value)}`);
  if (!Number.isSafeInteger(n)) throw new MonoDataError(path, `expected integer kobo, got ${describe(value)}`);
  if (!opts.allowNegative && n < 0) throw new MonoDataError(path, `expected a non-negative amount, got ${n}`);
  return n;
}

function parseDirection(value: unknown, path: string): Direction {
  const text = typeof value === 'string' ? value.trim().toLowerCase() : '';
  if (text === 'debit' || text === 'dr' || text === 'd') return 'debit';
  if (text === 'credit' || text === 'cr' || text === 'c') return 'credit';
  throw new MonoDataError(path, `expected "debit" or "credit", got ${describe(value)}`);
}

function parseTimestamp(value: unknown, path: string): string {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}/.test(value.trim())) {
    throw new MonoDataError(path, `expected an ISO-8601 date, got ${describe(value)}`);
  }
  const ms = Date.parse(value.trim());
  if (Number.isNaN(ms)) throw new MonoDataError(path, `unparseable date ${describe(value)}`);
  return new Date(ms).toISOString();
}

/** 'Naira', 'ngn', '₦' → 'NGN'; other codes upper-cased. */
export function normaliseCurrency(value: unknown): string | null {
  if (typeof value !== 'string' || value.trim() === '') return null;
  const text = value.trim().toUpperCase();
  if (text === 'NAIRA' || text === '₦' || text === 'NGN') return 'NGN';
  if (text === 'GHC' || text === 'CEDI' || text === 'CEDIS') return 'GHS';
  if (text === 'KSH') return 'KES';
  return text;
}

export function parseMonoTransaction(raw: unknown, path = 'transaction'): ParsedMonoTransaction {
  if (!isObject(raw)) throw new MonoDataError(path, `expected an object, got ${describe(raw)}`);
  const amountMinor = parseMinorUnits(raw.amount, `${path}.amount`, { allowNegative: false });
  // Zero is legitimate (card verification holds, informational rows); one such row must not fail a whole sync.
  const balanceRaw = raw.balance;
  const balanceMinor =
    balanceRaw === null || balanceRaw === undefined || balanceRaw === ''
      ? null
      : parseMinorUnits(balanceRaw, `${path}.balance`, { allowNegative: true });
  return {
    providerId: requireString(raw, ['id', '_id'], path),
    postedAt: parseTimestamp(raw.date, `${path}.date`),
    direction: parseDirection(raw.type, `${path}.type`),
    amountMinor,
    balanceMinor,
    narration: typeof raw.narration === 'string' ? raw.narration.trim() : '',
    providerCategory: optionalString(raw, ['category']),
    currency: normaliseCurrency(raw.currency),
  };
}

/** Accepts an array, a v2 envelope `{ data: [...] }`, legacy `{ paging, data }` and interim `{ data: { transactions } }`. */
export function parseMonoTransactions(raw: unknown, path = 'transactions'): ParsedMonoTransaction[] {
  let list: unknown = raw;
  if (isObject(list) && list.data !== undefined) list = list.data;
  if (isObject(list) && Array.isArray(list.transactions)) list = list.transactions;
  if (list === null) return [];
  if (!Array.isArray(list)) throw new MonoDataError(path, `expected an array of transactions, got ${describe(raw)}`);
  return list.map((item, i) => parseMonoTransaction(item, `${path}[${i}]`));
}

function parseInstitution(raw: unknown): ParsedMonoInstitution | null {
  if (typeof raw === 'string') return { name: raw, bankCode: null, type: null };
  if (!isObject(raw)) return null;
  const type = optionalString(raw, ['type']);
  return {
    name: optionalString(raw, ['name']),
    bankCode: optionalString(raw, ['bank_code', 'bankCode']),
    type: type === null ? null : type.toUpperCase(),
  };
}

/**
 * Mono account details in any of its shapes: REST v2 `data` (`{account, meta}`), the enveloped response, the webhook /
 * legacy camelCase `{account: {_id, accountNumber, institution: {bankCode}}}`, or the interim flat `/v1` object.
 */
export function parseMonoAccountDetails(raw: unknown, path = 'account'): ParsedMonoAccount {
  let root: unknown = raw;
  if (isObject(root) && isObject(root.data) && root.status !== undefined) root = root.data;
  if (!isObject(root)) throw new MonoDataError(path, `expected an object, got ${describe(raw)}`);
  const account = isObject(root.account) ? root.account : root;
  const accountPath = isObject(root.account) ? `${path}.account` : path;
  const meta = isObject(root.meta) ? root.meta : {};
  const flatStatus = optionalString(account, ['data_status', 'dataStatus']);
  const balanceRaw = account.balance;
  const bvn = optionalString(account, ['bvn']);
  const retrieved = Array.isArray(meta.retrieved_data) ? meta.retrieved_data : [];
  return {
    accountId: requireString(account, ['id', '_id'], accountPath),
    holderName: optionalString(account, ['name', 'account_name', 'accountName']),
    accountNumber: optionalString(account, ['account_number', 'accountNumber']),
    currency: normaliseCurrency(account.currency) ?? 'NGN',
    balanceMinor:
      balanceRaw === null || balanceRaw === undefined
        ? null
        : parseMinorUnits(balanceRaw, `${accountPath}.balance`, { allowNegative: true }),
    accountType: optionalString(account, ['type']),
    bvnLast4: bvn === null ? null : bvn.slice(-4),
    institution: parseInstitution(account.institution),
    dataStatus: (optionalString(meta, ['data_status', 'dataStatus']) ?? flatStatus)?.toUpperCase() ?? null,
    authMethod: optionalString(meta, ['auth_method', 'authMethod']) ?? optionalString(account, ['auth_method', 'authMethod']),
    retrievedData: retrieved.filter((x): x is string => typeof x === 'string').map((x) => x.toLowerCase()),
    syncStatus: optionalString(meta, ['sync_status', 'syncStatus'])?.toUpperCase() ?? null,
  };
}
