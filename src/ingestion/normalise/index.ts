/**
 * Public API of transaction normalisation: lenient Mono parsing, narration parsing, categorisation, coverage and
 * data-quality checks, plus `normaliseMonoExport` for the offline CLI (a Mono export file → engine input).
 */
import type { DataQualityFinding, EngineAccount } from '../../common/domain/account.js';
import type { NormalisedTransaction } from '../../common/domain/transaction.js';
import { categoriseBorrowerTransactions } from './categorise.js';
import { checkBalanceContinuity, type ContinuityOptions } from './continuity.js';
import { computeCoverage } from './coverage.js';
import { lagosDate } from './lagos-date.js';
import { loadDictionaries, type Dictionaries } from './load-dictionaries.js';
import {
  MonoDataError,
  isObject,
  parseMonoAccountDetails,
  parseMonoTransactions,
  type ParsedMonoAccount,
  type ParsedMonoTransaction,
} from '../../mono/wire/mono-transaction.js';

export * from './categorise.js';
export * from './continuity.js';
export * from './coverage.js';
export * from './lagos-date.js';
export * from './load-dictionaries.js';
export * from '../../mono/wire/mono-transaction.js';
export * from './name-match.js';
export * from './narration.js';

export interface NormalisedExport {
  accounts: EngineAccount[];
  transactions: NormalisedTransaction[];
  dictionaryVersion: string;
}

export interface NormaliseExportOptions {
  dictionaries?: Dictionaries;
  continuity?: ContinuityOptions;
}

interface ParsedExportAccount {
  account: ParsedMonoAccount;
  transactions: ParsedMonoTransaction[];
}

function parseExportItem(item: unknown, path: string): ParsedExportAccount {
  if (!isObject(item)) throw new MonoDataError(path, 'expected an object with "account" and "transactions"');
  if (item.account === undefined) throw new MonoDataError(`${path}.account`, 'is required');
  if (item.transactions === undefined) throw new MonoDataError(`${path}.transactions`, 'is required');
  // `account` is the v2 `data` object ({account, meta}) or the bare account; keep `meta` when it sits beside it.
  const accountInput = isObject(item.account) && isObject(item.account.account) ? item.account : { account: item.account, meta: item.meta };
  return {
    account: parseMonoAccountDetails(accountInput, `${path}.account`),
    transactions: parseMonoTransactions(item.transactions, `${path}.transactions`),
  };
}

function futureDated(accountId: string, transactions: readonly NormalisedTransaction[], asOfDate: string): DataQualityFinding[] {
  return transactions
    .filter((t) => t.date > asOfDate)
    .map((t) => ({ accountId, kind: 'future_dated' as const, transactionId: t.id, date: t.date, details: { asOf: asOfDate } }));
}

/** Same content (instant, direction, amount, balance, narration) under different provider ids. */
function duplicateRows(accountId: string, transactions: readonly NormalisedTransaction[]): DataQualityFinding[] {
  const seen = new Map<string, string>();
  const findings: DataQualityFinding[] = [];
  for (const t of transactions) {
    const key = JSON.stringify([t.postedAt, t.direction, t.amountMinor, t.balanceMinor, t.narration]);
    const first = seen.get(key);
    if (first === undefined) seen.set(key, t.id);
    else findings.push({ accountId, kind: 'duplicate_row', transactionId: t.id, date: t.date, details: { duplicateOf: first } });
  }
  return findings;
}

/**
 * Offline entry point: `{ account, transactions }` or an array of them (several accounts of one borrower), as written
 * by `scripts/generate-personas.ts` or saved from Mono's API. Throws `MonoDataError` with a path-qualified message.
 */
export function normaliseMonoExport(input: unknown, asOf: string, opts: NormaliseExportOptions = {}): NormalisedExport {
  const items = Array.isArray(input) ? input.map((item, i) => parseExportItem(item, `[${i}]`)) : [parseExportItem(input, '$')];
  if (items.length === 0) throw new MonoDataError('$', 'expected at least one account');
  const ids = new Set<string>();
  for (const [i, item] of items.entries()) {
    if (ids.has(item.account.accountId)) throw new MonoDataError(`[${i}].account.id`, `duplicate account id ${item.account.accountId}`);
    ids.add(item.account.accountId);
  }
  const dictionaries = opts.dictionaries ?? loadDictionaries();
  const transactions = categoriseBorrowerTransactions(
    items.map((item) => ({
      accountId: item.account.accountId,
      holderName: item.account.holderName,
      accountNumber: item.account.accountNumber,
      transactions: item.transactions,
      currency: item.account.currency,
    })),
    { dictionaries, asOf },
  );
  const asOfDate = lagosDate(asOf);
  const accounts: EngineAccount[] = items.map(({ account, transactions: raw }) => {
    const own = transactions.filter((t) => t.accountId === account.accountId);
    const ledger = raw.map((t) => ({ ...t, id: t.providerId }));
    return {
      accountId: account.accountId,
      institution: account.institution?.name ?? null,
      holderName: account.holderName,
      currency: account.currency,
      balanceMinor: account.balanceMinor,
      coverage: computeCoverage(account.accountId, own, asOf, null),
      findings: [
        ...checkBalanceContinuity(account.accountId, ledger, opts.continuity),
        ...futureDated(account.accountId, own, asOfDate),
        ...duplicateRows(account.accountId, own),
      ],
      reauthRequired: account.syncStatus === 'REAUTHORISATION_REQUIRED',
    };
  });
  return { accounts, transactions, dictionaryVersion: dictionaries.dictionaryVersion };
}
