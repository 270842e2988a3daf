/**
 * Validation of the admin API's inputs (scenario uploads): lenient about optional Mono fields, strict about what a
 * scenario must get right — integer positive kobo, `debit|credit`, a parsable date. Errors name the offending field.
 */
import { badRequest } from './envelope.js';
import { SETTLED_DATA_STATUSES, type AuthMethod, type RetrievedPart, type SandboxIdentity, type SettledDataStatus } from './types.js';

export interface TransactionInput {
  id: string | null;
  narration: string;
  amount: number;
  type: 'debit' | 'credit';
  balance: number | null;
  date: string;
  category: string;
  currency: string | null;
}

export interface AccountInput {
  id: string | null;
  name: string;
  accountNumber: string | null;
  currency: string;
  balance: number | null;
  type: string;
  bvn: string | null;
  institution: { name: string; bankCode: string; type: 'PERSONAL_BANKING' | 'BUSINESS_BANKING' };
  authMethod: AuthMethod;
  dataStatus: SettledDataStatus | null;
  retrievedData: RetrievedPart[] | null;
}

export interface AccountOptionsInput {
  mfa: boolean;
  dataStatus: SettledDataStatus | null;
  retrievedData: RetrievedPart[] | null;
  ref: string | null;
  persona: string | null;
  customer: { id: string } | { name: string; email: string } | null;
}

type Obj = Record<string, unknown>;

export function isObject(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function optString(o: Obj, key: string, where: string): string | null {
  const v = o[key];
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string') throw badRequest(`${where}.${key} must be a string`);
  return v;
}

function dataStatusOf(v: unknown, where: string): SettledDataStatus | null {
  if (v === undefined || v === null) return null;
  const s = typeof v === 'string' ? v.toUpperCase() : v;
  if (s === 'PROCESSING') return null;
  if (!SETTLED_DATA_STATUSES.includes(s as SettledDataStatus)) throw badRequest(`${where} must be one of ${SETTLED_DATA_STATUSES.join(', ')}`);
  return s as SettledDataStatus;
}

function retrievedOf(v: unknown, where: string): RetrievedPart[] | null {
  if (v === undefined || v === null) return null;
  const allowed = ['identity', 'balance', 'transactions'];
  if (!Array.isArray(v) || !v.every((p) => typeof p === 'string' && allowed.includes(p))) {
    throw badRequest(`${where} must be an array of identity, balance, transactions`);
  }
  return [...new Set(v as RetrievedPart[])];
}

export function parseTransactions(input: unknown, where = 'transactions'): TransactionInput[] {
  if (input === undefined || input === null) return [];
  if (!Array.isArray(input)) throw badRequest(`${where} must be an array`);
  return input.map((raw, i) => {
    const at = `${where}[${i}]`;
    if (!isObject(raw)) throw badRequest(`${at} must be an object`);
    const amount = raw.amount;
    if (typeof amount !== 'number' || !Number.isSafeInteger(amount) || amount <= 0) {
      throw badRequest(`${at}.amount must be a positive integer number of kobo (got ${JSON.stringify(amount)})`);
    }
    const type = raw.type;
    if (type !== 'debit' && type !== 'credit') throw badRequest(`${at}.type must be "debit" or "credit" (got ${JSON.stringify(type)})`);
    const date = raw.date;
    const ms = typeof date === 'string' ? Date.parse(date) : NaN;
    if (typeof date !== 'string' || Number.isNaN(ms)) throw badRequest(`${at}.date must be an ISO-8601 date or timestamp (got ${JSON.stringify(date)})`);
    const balance = raw.balance;
    if (balance !== undefined && balance !== null && (typeof balance !== 'number' || !Number.isSafeInteger(balance))) {
      throw badRequest(`${at}.balance must be an integer number of kobo or null (got ${JSON.stringify(balance)})`);
    }
    const id = raw.id ?? raw._id;
    if (id !== undefined && id !== null && (typeof id !== 'string' || id.length === 0)) throw badRequest(`${at}.id must be a non-empty string`);
    const narration = raw.narration ?? '';
    if (typeof narration !== 'string') throw badRequest(`${at}.narration must be a string`);
    return {
      id: (id as string | undefined) ?? null,
      narration,
      amount,
      type,
      balance: (balance as number | undefined) ?? null,
      date: new Date(ms).toISOString(),
      category: optString(raw, 'category', at) ?? 'unknown',
      currency: optString(raw, 'currency', at),
    };
  });
}

/** Accepts the v2 account-details `data` object (`{account, meta}`) or its inner `account` object. */
export function parseAccount(input: unknown): AccountInput {
  if (input === undefined || input === null) input = {};
  if (!isObject(input)) throw badRequest('account must be an object');
  const nested = isObject(input.account);
  const a: Obj = nested ? (input.account as Obj) : input;
  const meta: Obj = nested && isObject(input.meta) ? input.meta : {};
  const id = a.id ?? a._id;
  if (id !== undefined && id !== null && (typeof id !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(id))) {
    throw badRequest('account.id must be 1–64 letters, digits, _ or -');
  }
  const balance = a.balance;
  if (balance !== undefined && balance !== null && (typeof balance !== 'number' || !Number.isSafeInteger(balance))) {
    throw badRequest(`account.balance must be an integer number of kobo (got ${JSON.stringify(balance)})`);
  }
  const inst: Obj = isObject(a.institution) ? a.institution : {};
  const instType = (typeof inst.type === 'string' ? inst.type : 'PERSONAL_BANKING').toUpperCase();
  if (instType !== 'PERSONAL_BANKING' && instType !== 'BUSINESS_BANKING') throw badRequest('account.institution.type must be PERSONAL_BANKING or BUSINESS_BANKING');
  const authMethod = meta.auth_method ?? a.auth_method ?? 'internet_banking';
  if (authMethod !== 'internet_banking' && authMethod !== 'mobile_banking') throw badRequest('meta.auth_method must be internet_banking or mobile_banking');
  const bvn = optString(a, 'bvn', 'account');
  return {
    id: (id as string | undefined) ?? null,
    name: optString(a, 'name', 'account') ?? 'SANDBOX ACCOUNT HOLDER',
    accountNumber: optString(a, 'account_number', 'account') ?? optString(a, 'accountNumber', 'account'),
    currency: optString(a, 'currency', 'account') ?? 'NGN',
    balance: (balance as number | undefined) ?? null,
    type: optString(a, 'type', 'account') ?? 'SAVINGS_ACCOUNT',
    bvn,
    institution: {
      name: optString(inst, 'name', 'account.institution') ?? 'Sandbox Bank',
      bankCode: optString(inst, 'bank_code', 'account.institution') ?? optString(inst, 'bankCode', 'account.institution') ?? '000',
      type: instType,
    },
    authMethod,
    dataStatus: dataStatusOf(meta.data_status, 'account.meta.data_status'),
    retrievedData: retrievedOf(meta.retrieved_data, 'account.meta.retrieved_data'),
  };
}

export function parseOptions(input: unknown): AccountOptionsInput {
  if (input === undefined || input === null) input = {};
  if (!isObject(input)) throw badRequest('options must be an object');
  const mfa = input.mfa ?? false;
  if (typeof mfa !== 'boolean') throw badRequest('options.mfa must be a boolean');
  let customer: AccountOptionsInput['customer'] = null;
  if (input.customer !== undefined && input.customer !== null) {
    const c = input.customer;
    if (isObject(c) && typeof c.id === 'string') customer = { id: c.id };
    else if (isObject(c) && typeof c.name === 'string' && typeof c.email === 'string') customer = { name: c.name, email: c.email };
    else throw badRequest('options.customer must be {name, email} or {id}');
  }
  return {
    mfa,
    dataStatus: dataStatusOf(input.dataStatus, 'options.dataStatus'),
    retrievedData: retrievedOf(input.retrievedData, 'options.retrievedData'),
    ref: optString(input, 'customerRef', 'options') ?? optString(input, 'ref', 'options'),
    persona: optString(input, 'persona', 'options'),
    customer,
  };
}

export function parseIdentity(input: unknown): SandboxIdentity | null {
  if (input === undefined || input === null) return null;
  if (!isObject(input)) throw badRequest('identity must be an object');
  const s = (k: string, alt?: string): string | null => optString(input, k, 'identity') ?? (alt ? optString(input, alt, 'identity') : null);
  return {
    full_name: s('full_name', 'fullName'),
    first_name: s('first_name'),
    last_name: s('last_name'),
    middle_name: s('middle_name'),
    bvn: s('bvn'),
    email: s('email'),
    phone: s('phone'),
    gender: s('gender'),
    dob: s('dob'),
    address_line1: s('address_line1', 'address_line_1'),
    state_of_origin: s('state_of_origin'),
    lga_of_origin: s('lga_of_origin'),
    marital_status: s('marital_status'),
  };
}

/** `DD-MM-YYYY` (Mono's transaction filter format; day and month may be one digit) → `YYYY-MM-DD`, or null. */
export function parseMonoDate(v: string): string | null {
  const m = /^(\d{1,2})-(\d{1,2})-(\d{4})$/.exec(v.trim());
  if (!m) return null;
  const iso = `${m[3]}-${m[2].padStart(2, '0')}-${m[1].padStart(2, '0')}`;
  const d = new Date(`${iso}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === iso ? iso : null;
}
