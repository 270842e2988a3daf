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
import { diffDays, lagosDate } from './lagos-date.js';
import { loadDictionaries, matchEntry, type Dictionaries, type KeywordRule } from './load-dictionaries.js';
import type { ParsedMonoTransaction } from './mono-transaction.js';
import { isSameName } from './name-match.js';
import { parseNarration, type ParsedNarration } from './narration.js';

export interface BorrowerAccountTransactions {
  accountId: string;
  holderName: string | null;
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

/** Categories whose rows may still be re-labelled by the pairing passes (i.e. not chosen by a strong rule). */
const PAIRABLE_SELF: ReadonlySet<string> = new Set([
  'rail.transfer_in',
  'rail.transfer_out',
  'rail.other',
  'rail.pos_credit',
  'income.platform_payout',
]);
const PAIRABLE_REVERSAL_CREDIT: ReadonlySet<string> = new Set(['rail.transfer_in', 'rail.other', 'rail.pos_credit']);

interface Row {
  tx: NormalisedTransaction;
  parsed: ParsedNarration;
}

function firstRule(rules: readonly KeywordRule[], phase: 'pre' | 'post', up: string, direction: 'credit' | 'debit'): KeywordRule | null {
  return (
    rules.find((r) => r.phase === phase && (r.direction === null || r.direction === direction) && r.patterns.some((p) => p.test(up))) ??
    null
  );
}

/** Text a lender / betting pattern is matched against: the bank segment is excluded because FairMoney, Carbon… are also banks. */
function partyText(parsed: ParsedNarration, up: string): string {
  if (parsed.bank === null) return up;
  return [parsed.counterparty, parsed.memo?.toUpperCase()].filter((x) => x != null).join(' ');
}

function railFallback(rail: PaymentRail, direction: 'credit' | 'debit'): { category: TransactionCategory; rule: string } {
  const credit = direction === 'credit';
  switch (rail) {
    case 'POS':
      return credit ? { category: 'transfer_in', rule: 'rail.pos_credit' } : { category: 'card_pos', rule: 'rail.card_pos' };
    case 'WEB':
    case 'CARD':
      return credit ? { category: 'reversal', rule: 'rail.card_credit' } : { category: 'card_pos', rule: 'rail.card_pos' };
    case 'ATM':
      return credit ? { category: 'reversal', rule: 'rail.atm_credit' } : { category: 'cash_withdrawal', rule: 'rail.atm' };
    case 'AIRTIME':
      return credit ? { category: 'reversal', rule: 'rail.airtime_credit' } : { category: 'airtime_data', rule: 'rail.airtime' };
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
      return { category: 'other', rule: 'rail.other' };
  }
}

/** Single-row decision (steps 1–6 above). */
export function categoriseOne(
  tx: Pick<NormalisedTransaction, 'narration' | 'direction'>,
  parsed: ParsedNarration,
  holderName: string | null,
  dictionaries: Dictionaries,
): { category: TransactionCategory; rule: string } {
  const up = tx.narration.toUpperCase();
  const credit = tx.direction === 'credit';
  const pre = firstRule(dictionaries.keywords, 'pre', up, tx.direction);
  if (pre) return { category: pre.category, rule: pre.id };
  const party = partyText(parsed, up);
  const lender = matchEntry(dictionaries.lenders, party);
  if (lender) return { category: credit ? 'loan_disbursement' : 'loan_repayment', rule: `lender:${lender.id}` };
  const bookie = matchEntry(dictionaries.betting, party);
  if (bookie) return { category: credit ? 'betting_payout' : 'betting_stake', rule: `betting:${bookie.id}` };
  const wallet = matchEntry(dictionaries.wallets, up);
  if (isSameName(holderName, parsed.counterparty)) {
    return { category: 'self_transfer', rule: wallet ? `self_transfer.own_wallet:${wallet.id}` : 'self_transfer.name' };
  }
  if (wallet && dictionaries.walletTopupPatterns.some((p) => p.test(up))) {
    return { category: 'self_transfer', rule: `self_transfer.wallet_topup:${wallet.id}` };
  }
  const post = firstRule(dictionaries.keywords, 'post', up, tx.direction);
  if (post) return { category: post.category, rule: post.id };
  return railFallback(parsed.rail, tx.direction);
}

function sortKey(a: NormalisedTransaction, b: NormalisedTransaction): number {
  if (a.date !== b.date) return a.date < b.date ? -1 : 1;
  if (a.postedAt !== b.postedAt) return a.postedAt < b.postedAt ? -1 : 1;
  if (a.providerId !== b.providerId) return a.providerId < b.providerId ? -1 : 1;
  return a.accountId < b.accountId ? -1 : a.accountId > b.accountId ? 1 : 0;
}

/**
 * Cross-account pairing: a debit in one linked account and a credit of the same amount in another within ±window
 * days. Greedy by closeness in time, each leg used once; deterministic because rows are pre-sorted.
 */
function pairSelfTransfers(rows: Row[], windowDays: number): void {
  const debits = rows.filter((r) => r.tx.direction === 'debit' && PAIRABLE_SELF.has(r.tx.categoryRule));
  const credits = rows.filter((r) => r.tx.direction === 'credit' && PAIRABLE_SELF.has(r.tx.categoryRule));
  const used = new Set<Row>();
  for (const debit of debits) {
    let best: Row | null = null;
    let bestDistance = Infinity;
    for (const credit of credits) {
      if (used.has(credit) || credit.tx.accountId === debit.tx.accountId || credit.tx.amountMinor !== debit.tx.amountMinor) continue;
      const distance = Math.abs(Date.parse(credit.tx.postedAt) - Date.parse(debit.tx.postedAt));
      if (Math.abs(diffDays(credit.tx.date, debit.tx.date)) <= windowDays && distance < bestDistance) {
        best = credit;
        bestDistance = distance;
      }
    }
    if (best) {
      used.add(best);
      for (const leg of [debit, best]) {
        leg.tx.category = 'self_transfer';
        leg.tx.categoryRule = 'self_transfer.pair';
      }
    }
  }
}

function referencesMatch(debit: Row, credit: Row): boolean {
  const ref = debit.parsed.reference;
  if (ref === null) return false;
  // Whole-token equality: NIP session ids are long digit runs that contain many shorter numbers by accident.
  return (
    credit.parsed.reference === ref ||
    credit.tx.narration
      .toUpperCase()
      .split(/[^A-Z0-9]+/)
      .includes(ref)
  );
}

/**
 * A credit that returns an earlier debit of the same amount on the same account within the window, with a matching
 * reference. Keyword reversals already carry `reversal`; here we also re-label their debit leg so both legs net out.
 */
function pairReversals(rows: Row[], windowDays: number): void {
  const usedDebits = new Set<Row>();
  const byAccount = new Map<string, Row[]>();
  for (const row of rows) byAccount.set(row.tx.accountId, [...(byAccount.get(row.tx.accountId) ?? []), row]);
  for (const accountRows of byAccount.values()) {
    for (const credit of accountRows) {
      const isKeyword = credit.tx.category === 'reversal';
      if (credit.tx.direction !== 'credit' || (!isKeyword && !PAIRABLE_REVERSAL_CREDIT.has(credit.tx.categoryRule))) continue;
      const debit = accountRows.find(
        (d) =>
          d.tx.direction === 'debit' &&
          !usedDebits.has(d) &&
          d.tx.amountMinor === credit.tx.amountMinor &&
          d.tx.postedAt <= credit.tx.postedAt &&
          diffDays(credit.tx.date, d.tx.date) <= windowDays &&
          (referencesMatch(d, credit) ||
            (isKeyword && d.parsed.counterparty !== null && d.parsed.counterparty === credit.parsed.counterparty)),
      );
      if (!debit) continue;
      usedDebits.add(debit);
      if (!isKeyword) {
        credit.tx.category = 'reversal';
        credit.tx.categoryRule = 'reversal.pair';
      }
      debit.tx.category = 'reversal';
      debit.tx.categoryRule = 'reversal.reversed_debit';
    }
  }
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
  const rows: Row[] = [];
  for (const account of accounts) {
    for (const raw of account.transactions) {
      const parsed = parseNarration(raw.narration, raw.direction);
      const tx = toNormalised(account.accountId, raw, parsed, account.currency);
      const decision = categoriseOne(tx, parsed, account.holderName, dictionaries);
      tx.category = decision.category;
      tx.categoryRule = decision.rule;
      rows.push({ tx, parsed });
    }
  }
  rows.sort((a, b) => sortKey(a.tx, b.tx));
  if (accounts.length > 1) pairSelfTransfers(rows, opts.selfTransferWindowDays ?? 2);
  pairReversals(rows, opts.reversalWindowDays ?? 7);
  return rows.map((r) => r.tx);
}
