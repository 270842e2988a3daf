/**
 * What Mono puts on the wire, per family (API reference §3, §4, §5.2, §7.2): v2 REST is snake_case with `id`,
 * legacy REST and webhooks are camelCase with `_id`. Amounts are integer kobo everywhere.
 */
import { visibleBalance } from './bank-ledger.js';
import type { BankTransaction, DataStatus, RetrievedPart, SandboxAccount } from './types.js';

export function apiDataStatus(account: SandboxAccount): DataStatus {
  return account.state === 'processing' ? 'PROCESSING' : account.dataStatus;
}

export function apiRetrievedData(account: SandboxAccount): RetrievedPart[] {
  return account.state === 'processing' ? [] : [...account.retrievedData];
}

/** Whether the API may show this part of the account's data now. */
export function canShow(account: SandboxAccount, part: RetrievedPart): boolean {
  return account.state === 'linked' && account.retrievedData.includes(part);
}

export function v2AccountDetails(account: SandboxAccount): Record<string, unknown> {
  return {
    account: {
      id: account.id,
      name: account.name,
      account_number: account.accountNumber,
      currency: account.currency,
      balance: canShow(account, 'balance') ? visibleBalance(account) : null,
      type: account.type,
      bvn: account.bvnLast4,
      institution: { name: account.institution.name, bank_code: account.institution.bankCode, type: account.institution.type },
    },
    customer: { id: account.customerId },
    meta: {
      data_status: apiDataStatus(account),
      auth_method: account.authMethod,
      retrieved_data: apiRetrievedData(account),
      ...(account.ref ? { ref: account.ref } : {}),
    },
  };
}

export function v2Balance(account: SandboxAccount): Record<string, unknown> {
  return {
    id: account.id,
    name: account.name,
    account_number: account.accountNumber,
    balance: visibleBalance(account),
    currency: account.currency,
  };
}

export function v2ListItem(account: SandboxAccount): Record<string, unknown> {
  return {
    id: account.id,
    name: account.name,
    account_number: account.accountNumber,
    currency: account.currency,
    balance: canShow(account, 'balance') ? visibleBalance(account) : null,
    auth_method: account.authMethod,
    status: apiDataStatus(account),
    bvn: account.bvnLast4,
    type: account.type,
    institution: {
      id: account.institution.id,
      name: account.institution.name,
      bank_code: account.institution.bankCode,
      type: account.institution.type,
    },
    customer: account.customerId,
  };
}

export function v2Transaction(t: BankTransaction): Record<string, unknown> {
  return { id: t.id, narration: t.narration, amount: t.amount, type: t.type, balance: t.balance, date: t.date, category: t.category };
}

export function legacyTransaction(t: BankTransaction): Record<string, unknown> {
  return {
    _id: t.id,
    type: t.type,
    amount: t.amount,
    narration: t.narration,
    date: t.date,
    balance: t.balance,
    currency: t.currency,
    category: t.category,
  };
}

export function legacyAccount(account: SandboxAccount): Record<string, unknown> {
  return {
    meta: { data_status: apiDataStatus(account), auth_method: account.authMethod },
    account: {
      _id: account.id,
      institution: { name: account.institution.name, bankCode: account.institution.bankCode, type: account.institution.type },
      name: account.name,
      accountNumber: account.accountNumber,
      type: account.type,
      balance: canShow(account, 'balance') ? visibleBalance(account) : null,
      currency: account.currency,
      bvn: account.bvnLast4,
    },
  };
}

export function v2Identity(account: SandboxAccount, nowIso: string): Record<string, unknown> | null {
  const id = account.identity;
  if (!id) return null;
  return {
    full_name: id.full_name,
    bvn: id.bvn,
    email: id.email,
    phone: id.phone,
    gender: id.gender,
    dob: id.dob,
    address_line1: id.address_line1,
    state_of_origin: id.state_of_origin,
    lga_of_origin: id.lga_of_origin,
    marital_status: id.marital_status,
    created_at: account.linkedAt ?? account.createdAt,
    updated_at: nowIso,
  };
}

/** Legacy identity: camelCase, `dob` as DD-MM-YYYY. */
export function legacyIdentity(account: SandboxAccount): Record<string, unknown> | null {
  const id = account.identity;
  if (!id) return null;
  const dob = id.dob && /^\d{4}-\d{2}-\d{2}$/.test(id.dob) ? `${id.dob.slice(8, 10)}-${id.dob.slice(5, 7)}-${id.dob.slice(0, 4)}` : id.dob;
  return {
    fullName: id.full_name,
    email: id.email,
    phone: id.phone,
    gender: id.gender,
    dob,
    bvn: id.bvn,
    maritalStatus: id.marital_status,
    addressLine1: id.address_line1,
    addressLine2: null,
  };
}

/** The account object of `mono.events.account_updated` (camelCase, `_id`). */
export function webhookAccount(account: SandboxAccount): Record<string, unknown> {
  return {
    _id: account.id,
    name: account.name,
    accountNumber: account.accountNumber,
    currency: account.currency,
    balance: canShow(account, 'balance') ? visibleBalance(account) : null,
    type: account.type,
    bvn: account.bvnLast4,
    authMethod: account.authMethod,
    institution: { name: account.institution.name, bankCode: account.institution.bankCode, type: account.institution.type },
    scope: ['financial_data'],
    liveMode: false,
    accessType: account.mfa ? 'NON_PERSISTENT' : 'PERSISTENT',
    created_at: account.createdAt,
    updated_at: account.updatedAt,
  };
}
