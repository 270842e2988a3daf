/**
 * Rule-based categorisation of one borrower's transactions across all of their linked accounts.
 *
 * Every category carries the id of the rule that chose it (`categoryRule`), so reports can cite it and analysts can
 * override it. Order of precedence (first match wins), per underwriting-research §4c:
 *   1. keyword rules of phase `pre` (failed debits, bank charges, reversals, interest, cash) — what the bank did;
 *   2. lender dictionary → loan_disbursement / loan_repayment;
 *   3. betting dictionary → betting_payout / betting_stake;
 *   4. self-transfer by holder-name match (including own wallets) or a wallet top-up;
 *   5. keyword rules of phase `post` (salary, rent, utilities, airtime, generic loan words, payouts);
 *   6. a rail fallback (POS → card_pos, NIP → transfer_in/out, …).
 * Then two pairing passes that look across rows: cross-account self-transfer pairs (±2 days, same amount) and
 * reversal pairs (a credit equal to an earlier debit within 7 days with a matching reference).
 */
import type { NormalisedTransaction, PaymentRail, TransactionCategory } from '../../common/domain/transaction.js';
import { dayNumber, lagosDate } from './lagos-date.js';
import { loadDictionaries, matchEntry, type DictionaryEntry, type Dictionaries, type KeywordRule } from './load-dictionaries.js';
import type { ParsedMonoTransaction } from '../../mono/wire/mono-transaction.js';
import { holderNameMatcher } from './name-match.js';
import { parseNarration, type ParsedNarration } from './narration.js';
import { pairReversals, pairSelfTransfers, type PairRow } from './pairing.js';

export interface BorrowerAccountTransactions {
  accountId: string;
  holderName: string | null;
  /** The account's number (NUBAN) when known: a narration on another of the borrower's accounts quoting it is a move between own accounts. */
  accountNumber?: string | null;
  transactions: ParsedMonoTransaction[];
  /** Account currency, used for rows that do not carry their own. Defaults to NGN. */
  currency?: string;
}

export interface CategoriseOptions {
  dictionaries?: Dictionaries;
  /** Accepted for symmetry with the other pure functions; categorisation itself does not depend on time. */
  asOf?: string;
  /** Max days between the two legs of a cross-account self-transfer. */
  selfTransferWindowDays?: number;
  /** Max days between a debit and the credit that reverses it. */
  reversalWindowDays?: number;
}

interface Row extends PairRow {
  tx: NormalisedTransaction;
}

const LETTER_DIGIT = /([A-Z])(?=\d{4})|(\d{4})(?=[A-Z])/g;
const FOUR_DIGITS = /\d{4}/;

/**
 * The text keyword rules read: the narration upper-cased with letters and digits that are glued together split
 * apart where a run of 4+ digits (a reference, an account or phone number) touches a word ("4622383258GOTV MAX" →
 * "4622383258 GOTV MAX"), so the word still stands alone; short brand digits ("BET9JA", "9MOBILE") are left alone.
 */
export function keywordText(narration: string): string {
  const up = narration.toUpperCase();
  return FOUR_DIGITS.test(up) ? up.replace(LETTER_DIGIT, '$1$2 ') : up;
}

const NETWORK_RE = /\b(?:MTN|AIRTEL|GLO|GLOBACOM|9MOBILE|ETISALAT|NTEL|SMILE)\b/;

/**
 * A keyword rule read into a transfer's memo rather than its purpose: "airtime" written in the memo of a transfer to
 * a person is still a transfer (a network named as the payee is an airtime purchase).
 */
function memoOnly(rule: KeywordRule, parsed: ParsedNarration): boolean {
  return rule.category === 'airtime_data' && parsed.rail === 'NIP' && parsed.counterparty !== null && !NETWORK_RE.test(parsed.counterparty);
}

function firstRule(
  rules: readonly KeywordRule[],
  phase: 'pre' | 'post',
  up: string,
  direction: 'credit' | 'debit',
  parsed?: ParsedNarration,
): KeywordRule | null {
  return (
    rules.find(
      (r) =>
        r.phase === phase &&
        (r.direction === null || r.direction === direction) &&
        r.patterns.some((p) => p.test(up)) &&
        !(parsed && memoOnly(r, parsed)),
    ) ?? null
  );
}

/** Text a lender / betting pattern is matched against: the bank segment is excluded because FairMoney, Carbon… are also banks. */
function partyText(parsed: ParsedNarration, up: string): string {
  if (parsed.bank === null) return up;
  // = [counterparty, memo?.toUpperCase()].filter((x) => x != null).join(' '), without the array.
  const memo = parsed.memo == null ? null : parsed.memo.toUpperCase();
  if (parsed.counterparty == null) return memo ?? '';
  return memo === null ? parsed.counterparty : `${parsed.counterparty} ${memo}`;
}

const CARD_PURCHASE_RE = /\b(?:PRCH|PURCHASE|PYT|POS|MC|VC|VISA|MASTERCARD|VERVE|CARD)\b/;

function railFallback(rail: PaymentRail, direction: 'credit' | 'debit', up: string): { category: TransactionCategory; rule: string } {
  const credit = direction === 'credit';
  switch (rail) {
    case 'POS':
      return credit ? { category: 'transfer_in', rule: 'rail.pos_credit' } : { category: 'card_pos', rule: 'rail.card_pos' };
    case 'WEB':
    case 'CARD':
      // A card-network credit is a merchant refund; a gateway credit (Paystack, Flutterwave, "WEB" transfers) is a
      // payment to the holder, as any transfer in.
      return credit
        ? CARD_PURCHASE_RE.test(up)
          ? { category: 'reversal', rule: 'rail.card_credit' }
          : { category: 'transfer_in', rule: 'rail.gateway_credit' }
        : { category: 'card_pos', rule: 'rail.card_pos' };
    case 'ATM':
      return credit ? { category: 'reversal', rule: 'rail.atm_credit' } : { category: 'cash_withdrawal', rule: 'rail.atm' };
    case 'AIRTIME':
      // A credit is only an airtime reversal when it says so (the reversal keyword rules run first); "airtime money"
      // from a person is a transfer in.
      return credit ? { category: 'transfer_in', rule: 'rail.airtime_credit' } : { category: 'airtime_data', rule: 'rail.airtime' };
    case 'CHARGE':
      return credit ? { category: 'reversal', rule: 'rail.charge_credit' } : { category: 'bank_charges', rule: 'rail.charge' };
    case 'BILLS':
      return credit ? { category: 'transfer_in', rule: 'rail.transfer_in' } : { category: 'utilities', rule: 'rail.bills' };
    case 'NIP':
    case 'USSD':
    case 'INTERNAL':
    case 'CHEQUE':
      return credit ? { category: 'transfer_in', rule: 'rail.transfer_in' } : { category: 'transfer_out', rule: 'rail.transfer_out' };
    case 'OTHER':
      // Money in that no rule recognises is still money in from someone: an analyst reads it as an inbound transfer.
      return credit ? { category: 'transfer_in', rule: 'rail.credit_other' } : { category: 'other', rule: 'rail.other' };
  }
}

/** Single-row decision (steps 1–6 above). */
export function categoriseOne(
  tx: Pick<NormalisedTransaction, 'narration' | 'direction'>,
  parsed: ParsedNarration,
  holderName: string | null | readonly (string | null)[],
  dictionaries: Dictionaries,
): { category: TransactionCategory; rule: string } {
  const up = keywordText(tx.narration);
  const credit = tx.direction === 'credit';
  const pre = firstRule(dictionaries.keywords, 'pre', up, tx.direction);
  if (pre) return { category: pre.category, rule: pre.id };
  const party = partyText(parsed, up);
  const lender = matchEntry(dictionaries.lenders, party);
  if (lender) return { category: credit ? 'loan_disbursement' : 'loan_repayment', rule: `lender:${lender.id}` };
  const bookie = matchEntry(dictionaries.betting, party);
  if (bookie) return { category: credit ? 'betting_payout' : 'betting_stake', rule: `betting:${bookie.id}` };
  const wallet = matchEntry(dictionaries.wallets, up);
  if (holderNameMatcher(holderName)(parsed.counterparty)) {
    return { category: 'self_transfer', rule: wallet ? `self_transfer.own_wallet:${wallet.id}` : 'self_transfer.name' };
  }
  if (wallet && dictionaries.walletTopupPatterns.some((p) => p.test(up))) {
    return { category: 'self_transfer', rule: `self_transfer.wallet_topup:${wallet.id}` };
  }
  const post = firstRule(dictionaries.keywords, 'post', up, tx.direction, parsed);
  if (post) return { category: post.category, rule: post.id };
  return railFallback(parsed.rail, tx.direction, up);
}

/** Dictionary lists pre-filtered the way the categoriser walks them, each with one combined pattern to rule it out fast. */
interface Matcher<T> {
  items: readonly T[];
  /** Alternation of every pattern of `items`: when it does not match, none does. Null when it cannot be built exactly. */
  any: RegExp | null;
}

interface CompiledDictionaries {
  /** The arrays this was compiled from; a dictionaries object whose lists were swapped is recompiled. */
  from: readonly unknown[];
  pre: Record<'credit' | 'debit', Matcher<KeywordRule>>;
  post: Record<'credit' | 'debit', Matcher<KeywordRule>>;
  lenders: Matcher<DictionaryEntry>;
  betting: Matcher<DictionaryEntry>;
  wallets: Matcher<DictionaryEntry>;
  topup: Matcher<RegExp>;
}

// Combining is exact for case-insensitive patterns without backreferences or named groups (their numbering and names
// would clash); every shipped pattern is such. Stateful flags (g, y) keep the rule-by-rule path, state included.
const UNCOMBINABLE = /\\[1-9]|\\k<|\(\?<(?![=!])/;

function combine(patterns: readonly RegExp[]): RegExp | null {
  if (patterns.length === 0 || patterns.some((p) => UNCOMBINABLE.test(p.source))) return null;
  try {
    return new RegExp(patterns.map((p) => `(?:${p.source})`).join('|'), 'i');
  } catch {
    return null;
  }
}

function matcher<T>(items: readonly T[], patternsOf: (item: T) => readonly RegExp[]): Matcher<T> {
  return { items, any: combine(items.flatMap(patternsOf)) };
}

const compiledCache = new WeakMap<Dictionaries, CompiledDictionaries | null>();

function sourcesOf(d: Dictionaries): unknown[] {
  return [d.keywords, d.lenders, d.betting, d.wallets, d.walletTopupPatterns];
}

/** Precompiled matchers for `dictionaries`, or null when some pattern is stateful (then `categoriseOne` runs as is). */
function compileDictionaries(d: Dictionaries): CompiledDictionaries | null {
  const cached = compiledCache.get(d);
  const from = sourcesOf(d);
  if (cached !== undefined && (cached === null || cached.from.every((x, i) => x === from[i]))) return cached;
  const all = [...d.keywords.flatMap((r) => r.patterns), ...[d.lenders, d.betting, d.wallets].flatMap((l) => l.flatMap((e) => e.patterns))];
  all.push(...d.walletTopupPatterns);
  let compiled: CompiledDictionaries | null = null;
  if (all.every((p) => p.flags === 'i')) {
    const rules = (phase: 'pre' | 'post', direction: 'credit' | 'debit'): Matcher<KeywordRule> =>
      matcher(
        d.keywords.filter((r) => r.phase === phase && (r.direction === null || r.direction === direction)),
        (r) => r.patterns,
      );
    const entries = (list: readonly DictionaryEntry[]): Matcher<DictionaryEntry> => matcher(list, (e) => e.patterns);
    compiled = {
      from,
      pre: { credit: rules('pre', 'credit'), debit: rules('pre', 'debit') },
      post: { credit: rules('post', 'credit'), debit: rules('post', 'debit') },
      lenders: entries(d.lenders),
      betting: entries(d.betting),
      wallets: entries(d.wallets),
      topup: matcher(d.walletTopupPatterns, (p) => [p]),
    };
  }
  compiledCache.set(d, compiled);
  return compiled;
}

function anyPattern(patterns: readonly RegExp[], text: string): boolean {
  for (const p of patterns) if (p.test(text)) return true;
  return false;
}

/** First rule / entry whose patterns match, as `rules.find(…)` would, after the combined pattern's quick check. */
function firstMatch<T extends { patterns: RegExp[] }>(m: Matcher<T>, text: string, skip?: (item: T) => boolean): T | null {
  if (m.any !== null && !m.any.test(text)) return null;
  for (const item of m.items) if (anyPattern(item.patterns, text) && !(skip && skip(item))) return item;
  return null;
}

/** `categoriseOne` on precompiled dictionaries with a memoised holder-name test: same decisions. */
function categoriseCompiled(
  tx: Pick<NormalisedTransaction, 'narration' | 'direction'>,
  parsed: ParsedNarration,
  sameName: (counterparty: string | null) => boolean,
  d: CompiledDictionaries,
): { category: TransactionCategory; rule: string } {
  const up = keywordText(tx.narration);
  const credit = tx.direction === 'credit';
  const pre = firstMatch(d.pre[tx.direction], up);
  if (pre) return { category: pre.category, rule: pre.id };
  const party = partyText(parsed, up);
  const lender = firstMatch(d.lenders, party);
  if (lender) return { category: credit ? 'loan_disbursement' : 'loan_repayment', rule: `lender:${lender.id}` };
  const bookie = firstMatch(d.betting, party);
  if (bookie) return { category: credit ? 'betting_payout' : 'betting_stake', rule: `betting:${bookie.id}` };
  if (sameName(parsed.counterparty)) {
    const wallet = firstMatch(d.wallets, up);
    return { category: 'self_transfer', rule: wallet ? `self_transfer.own_wallet:${wallet.id}` : 'self_transfer.name' };
  }
  if (d.topup.any === null ? anyPattern(d.topup.items, up) : d.topup.any.test(up)) {
    const wallet = firstMatch(d.wallets, up);
    if (wallet) return { category: 'self_transfer', rule: `self_transfer.wallet_topup:${wallet.id}` };
  }
  const post = firstMatch(d.post[tx.direction], up, (r) => memoOnly(r, parsed));
  if (post) return { category: post.category, rule: post.id };
  return railFallback(parsed.rail, tx.direction, up);
}

const NUBAN_RE = /^\d{10}$/;

/** The borrower's linked-account numbers (10-digit NUBANs), by account id. */
function ownAccountNumbers(accounts: readonly BorrowerAccountTransactions[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const a of accounts) {
    const n = a.accountNumber?.replace(/\s+/g, '') ?? '';
    if (NUBAN_RE.test(n)) out.set(a.accountId, n);
  }
  return out;
}

/**
 * A transfer whose narration quotes the number of *another* of the borrower's linked accounts is a move between their
 * own accounts, whatever names it prints. Fees and failed debits keep their own category (a "NIP CHARGE" line may
 * quote the destination account too). The account's own number is not evidence: many banks print it on every line.
 */
function quotesOwnAccount(
  tx: NormalisedTransaction,
  accountId: string,
  numbers: ReadonlyMap<string, string>,
  compiled: CompiledDictionaries | null,
  dictionaries: Dictionaries,
): { category: TransactionCategory; rule: string } | null {
  if (numbers.size === 0 || (numbers.size === 1 && numbers.has(accountId))) return null;
  let quoted = false;
  for (const [id, n] of numbers) {
    if (id === accountId) continue;
    const at = tx.narration.indexOf(n);
    // Whole number only: not inside a longer digit run (a 30-digit NIP session id contains many 10-digit strings).
    if (at >= 0 && !/\d/.test(tx.narration[at - 1] ?? '') && !/\d/.test(tx.narration[at + n.length] ?? '')) {
      quoted = true;
      break;
    }
  }
  if (!quoted) return null;
  const up = keywordText(tx.narration);
  const pre = compiled ? firstMatch(compiled.pre[tx.direction], up) : firstRule(dictionaries.keywords, 'pre', up, tx.direction);
  if (pre && (pre.category === 'bank_charges' || pre.category === 'failed_debit' || pre.category === 'reversal')) return null;
  return { category: 'self_transfer', rule: 'self_transfer.own_account_number' };
}

function sortKey(a: NormalisedTransaction, b: NormalisedTransaction): number {
  if (a.date !== b.date) return a.date < b.date ? -1 : 1;
  if (a.postedAt !== b.postedAt) return a.postedAt < b.postedAt ? -1 : 1;
  if (a.providerId !== b.providerId) return a.providerId < b.providerId ? -1 : 1;
  return a.accountId < b.accountId ? -1 : a.accountId > b.accountId ? 1 : 0;
}

export function toNormalised(
  accountId: string,
  tx: ParsedMonoTransaction,
  parsed: ParsedNarration,
  defaultCurrency: string = 'NGN',
): NormalisedTransaction {
  return {
    id: tx.providerId,
    accountId,
    providerId: tx.providerId,
    postedAt: tx.postedAt,
    date: lagosDate(tx.postedAt),
    direction: tx.direction,
    amountMinor: tx.amountMinor,
    balanceMinor: tx.balanceMinor,
    currency: tx.currency ?? defaultCurrency,
    narration: tx.narration,
    rail: parsed.rail,
    counterparty: parsed.counterparty,
    memo: parsed.memo,
    category: 'other',
    categoryRule: 'rail.other',
    providerCategory: tx.providerCategory,
  };
}

export function categoriseBorrowerTransactions(
  accounts: readonly BorrowerAccountTransactions[],
  opts: CategoriseOptions = {},
): NormalisedTransaction[] {
  const dictionaries = opts.dictionaries ?? loadDictionaries();
  const compiled = compileDictionaries(dictionaries);
  const rows: Row[] = [];
  // Rows arrive roughly in time order, so consecutive rows mostly share a date: parse each date once per run of it.
  let lastDate = '';
  let lastDay = NaN;
  // Any name the borrower's banks print for them identifies them on every account (one bank writes the surname first,
  // another drops a middle name).
  const borrowerNames = accounts.map((a) => a.holderName);
  const sameName = holderNameMatcher(borrowerNames);
  const numbers = ownAccountNumbers(accounts);
  for (const account of accounts) {
    for (const raw of account.transactions) {
      const parsed = parseNarration(raw.narration, raw.direction);
      const tx = toNormalised(account.accountId, raw, parsed, account.currency);
      const decision =
        quotesOwnAccount(tx, account.accountId, numbers, compiled, dictionaries) ??
        (compiled ? categoriseCompiled(tx, parsed, sameName, compiled) : categoriseOne(tx, parsed, borrowerNames, dictionaries));
      tx.category = decision.category;
      tx.categoryRule = decision.rule;
      if (tx.date !== lastDate) {
        lastDate = tx.date;
        lastDay = dayNumber(tx.date);
      }
      rows.push({ tx, parsed, day: lastDay, ms: Date.parse(tx.postedAt) });
    }
  }
  rows.sort((a, b) => sortKey(a.tx, b.tx));
  if (accounts.length > 1) pairSelfTransfers(rows, opts.selfTransferWindowDays ?? 2);
  pairReversals(rows, opts.reversalWindowDays ?? 7);
  const out = new Array<NormalisedTransaction>(rows.length);
  for (let i = 0; i < rows.length; i++) out[i] = rows[i].tx;
  return out;
}
