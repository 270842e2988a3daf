import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';

import type { Direction, NormalisedTransaction, TransactionCategory } from '../../common/domain/transaction.js';
import { categoriseBorrowerTransactions, categoriseOne } from './categorise.js';
import { dayNumber, diffDays, lagosDate } from './lagos-date.js';
import { loadDictionaries } from './load-dictionaries.js';
import { parseNarration, type ParsedNarration } from './narration.js';
import { pairReversals, pairReversalsSimple, pairSelfTransfers, pairSelfTransfersSimple, type PairRow } from './pairing.js';

// ---- Reference: the categoriser's pairing passes, written the straightforward way (quadratic, array copy per row).
// Since dictionary 2026-12-02 a leg already known to be the borrower's own (self_transfer.name, own wallet, own account
// number) anchors a pair and keeps its rule; unknown credits (rail.credit_other) and gateway credits pair too. ----

const PAIRABLE_SELF: ReadonlySet<string> = new Set([
  'rail.transfer_in',
  'rail.transfer_out',
  'rail.other',
  'rail.credit_other',
  'rail.gateway_credit',
  'rail.pos_credit',
  'income.platform_payout',
]);
const PAIRABLE_REVERSAL_CREDIT: ReadonlySet<string> = new Set([
  'rail.transfer_in',
  'rail.other',
  'rail.credit_other',
  'rail.gateway_credit',
  'rail.pos_credit',
]);
const isAnchor = (rule: string): boolean => rule.startsWith('self_transfer.') && rule !== 'self_transfer.pair';
const selfLeg = (rule: string): boolean => PAIRABLE_SELF.has(rule) || isAnchor(rule);

interface Row {
  tx: NormalisedTransaction;
  parsed: ParsedNarration;
}

function referencePairSelfTransfers(rows: Row[], windowDays: number): void {
  const debits = rows.filter((r) => r.tx.direction === 'debit' && selfLeg(r.tx.categoryRule));
  const credits = rows.filter((r) => r.tx.direction === 'credit' && selfLeg(r.tx.categoryRule));
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
        if (isAnchor(leg.tx.categoryRule)) continue;
        leg.tx.category = 'self_transfer';
        leg.tx.categoryRule = 'self_transfer.pair';
      }
    }
  }
}

function referencesMatch(debit: Row, credit: Row): boolean {
  const ref = debit.parsed.reference;
  if (ref === null) return false;
  return (
    credit.parsed.reference === ref ||
    credit.tx.narration
      .toUpperCase()
      .split(/[^A-Z0-9]+/)
      .includes(ref)
  );
}

function referencePairReversals(rows: Row[], windowDays: number): void {
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

function sortKey(a: NormalisedTransaction, b: NormalisedTransaction): number {
  if (a.date !== b.date) return a.date < b.date ? -1 : 1;
  if (a.postedAt !== b.postedAt) return a.postedAt < b.postedAt ? -1 : 1;
  if (a.providerId !== b.providerId) return a.providerId < b.providerId ? -1 : 1;
  return a.accountId < b.accountId ? -1 : a.accountId > b.accountId ? 1 : 0;
}

// ---- Random rows: few accounts, amounts, references and names, so that pairs, ties and reuse are frequent. ----

const RULES: Array<[TransactionCategory, string]> = [
  ['transfer_in', 'rail.transfer_in'],
  ['transfer_out', 'rail.transfer_out'],
  ['other', 'rail.other'],
  ['transfer_in', 'rail.pos_credit'],
  ['transfer_in', 'income.platform_payout'],
  ['reversal', 'reversal.keyword'],
  ['salary', 'salary.keyword'],
  ['card_pos', 'rail.card_pos'],
  ['transfer_in', 'rail.credit_other'],
  ['self_transfer', 'self_transfer.name'],
  ['self_transfer', 'self_transfer.own_wallet:opay'],
];
const REFS = [null, '123456789012', '987654321098', '5555555555'];
const NAMES = [null, 'EMEKA OBI', 'TUNDE BALOGUN'];
const BASE_MS = Date.UTC(2026, 8, 1, 20, 0);

const rowArb = fc.record({
  account: fc.constantFrom('a', 'b', 'c'),
  direction: fc.constantFrom<Direction>('credit', 'debit'),
  amount: fc.constantFrom(100, 200, 300),
  // Whole hours over 8 days, a coarse grid so equal instants (ties) are common; the 23:xx UTC hour crosses Lagos days.
  minute: fc.integer({ min: 0, max: 8 * 24 }).map((h) => h * 60),
  rule: fc.integer({ min: 0, max: RULES.length - 1 }),
  ref: fc.constantFrom(...REFS),
  narrationRef: fc.constantFrom(...REFS),
  name: fc.constantFrom(...NAMES),
  // Occasionally a non-canonical timestamp (no milliseconds): sorted order then need not follow the instant.
  format: fc.constantFrom('iso', 'iso', 'iso', 'iso', 'iso', 'iso', 'iso', 'short'),
});

type Spec = typeof rowArb extends fc.Arbitrary<infer T> ? T : never;

function buildRows(specs: Spec[]): Row[] {
  const rows = specs.map((s, i): Row => {
    const iso = new Date(BASE_MS + s.minute * 60_000).toISOString();
    const postedAt = s.format === 'short' ? iso.replace('.000Z', 'Z') : iso;
    const [category, categoryRule] = RULES[s.rule];
    return {
      tx: {
        id: `p${i}`,
        accountId: s.account,
        providerId: `p${String(i).padStart(3, '0')}`,
        postedAt,
        date: lagosDate(postedAt),
        direction: s.direction,
        amountMinor: s.amount,
        balanceMinor: null,
        currency: 'NGN',
        narration: `NIP/GTB/${s.name ?? 'X'}/${s.narrationRef ?? ''}`,
        rail: 'NIP',
        counterparty: s.name,
        memo: null,
        category,
        categoryRule,
        providerCategory: null,
      },
      parsed: { rail: 'NIP', bank: null, counterparty: s.name, memo: null, reference: s.ref, isReversal: false },
    };
  });
  return rows.sort((a, b) => sortKey(a.tx, b.tx));
}

const clone = (rows: readonly Row[]): Row[] => rows.map((r) => ({ tx: { ...r.tx }, parsed: { ...r.parsed } }));
const toPairRows = (rows: readonly Row[]): PairRow[] =>
  rows.map((r) => ({ ...r, day: dayNumber(r.tx.date), ms: Date.parse(r.tx.postedAt) }));
const labels = (rows: readonly Row[]): string[] => rows.map((r) => `${r.tx.providerId} ${r.tx.category} ${r.tx.categoryRule}`);

describe('categoriser pairing', () => {
  it('should pair exactly like the original quadratic passes, on random rows', () => {
    fc.assert(
      fc.property(
        fc.array(rowArb, { minLength: 2, maxLength: 150, size: 'max' }),
        fc.constantFrom(0, 1, 2, 7),
        fc.constantFrom(0, 2, 7),
        (specs, selfWindow, revWindow) => {
          const rows = buildRows(specs);
          const expected = clone(rows);
          referencePairSelfTransfers(expected, selfWindow);
          referencePairReversals(expected, revWindow);

          const fast = clone(rows);
          const fastRows = toPairRows(fast);
          pairSelfTransfers(fastRows, selfWindow);
          pairReversals(fastRows, revWindow);
          expect(labels(fast)).toEqual(labels(expected));

          const simple = clone(rows);
          const simpleRows = toPairRows(simple);
          pairSelfTransfersSimple(simpleRows, selfWindow);
          pairReversalsSimple(simpleRows, revWindow);
          expect(labels(simple)).toEqual(labels(expected));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('should pair a debit with the closest credit, the earlier one on a tie, each credit once', () => {
    const rows = buildRows([
      { account: 'a', direction: 'debit', amount: 100, minute: 600, rule: 1, ref: null, narrationRef: null, name: null, format: 'iso' },
      { account: 'b', direction: 'credit', amount: 100, minute: 540, rule: 0, ref: null, narrationRef: null, name: null, format: 'iso' },
      { account: 'c', direction: 'credit', amount: 100, minute: 660, rule: 0, ref: null, narrationRef: null, name: null, format: 'iso' },
      { account: 'a', direction: 'debit', amount: 100, minute: 600, rule: 1, ref: null, narrationRef: null, name: null, format: 'iso' },
    ]);
    const fast = toPairRows(rows);
    pairSelfTransfers(fast, 2);
    expect(fast.map((r) => r.tx.categoryRule)).toEqual([
      'self_transfer.pair',
      'self_transfer.pair',
      'self_transfer.pair',
      'self_transfer.pair',
    ]);
  });
});

// ---- The precompiled dictionary matchers decide exactly like `categoriseOne` on the raw dictionaries. ----

const FRAGMENTS = [
  'NIP/GTB/',
  'NIP/FAIRMONEY MFB/FAIRMONEY MICROFINANCE BANK/',
  'TRF FRM ',
  'TRANSFER TO ',
  'POS PURCHASE ',
  'ADEBAYO JOHN',
  'JOHN O ADEBAYO',
  'EMEKA OBI',
  'SPORTYBET',
  'BET9JA ',
  'CARBON ',
  'OPAY ',
  'KUDA ',
  'WALLET TOP UP ',
  'SAVINGS PLAN',
  'LOAN REPAYMENT ',
  'SALARY ',
  'REVERSAL ',
  'EMTL ',
  'ATM WDL ',
  'AIRTIME ',
  'IKEDC ',
  'RENT ',
  'PAYOUT ',
  'CASH DEPOSIT ',
  'INTEREST ',
  'UNPAID ',
  '/',
  ' - ',
  '123456789012 ',
  'Airtime//08031234567//MTN',
];

describe('categoriser dictionary matching', () => {
  it('should choose the same category and rule as categoriseOne on random narrations', () => {
    const dictionaries = loadDictionaries();
    const holder = 'ADEBAYO JOHN OLUWASEUN';
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...FRAGMENTS), { minLength: 1, maxLength: 6 }),
        fc.constantFrom<Direction>('credit', 'debit'),
        (parts, direction) => {
          const narration = parts.join('');
          const [row] = categoriseBorrowerTransactions([
            {
              accountId: 'a',
              holderName: holder,
              transactions: [
                {
                  providerId: 'p1',
                  postedAt: '2026-09-10T10:00:00.000Z',
                  direction,
                  amountMinor: 100,
                  balanceMinor: null,
                  narration,
                  providerCategory: null,
                  currency: 'NGN',
                },
              ],
            },
          ]);
          const expected = categoriseOne({ narration, direction }, parseNarration(narration, direction), holder, dictionaries);
          expect({ category: row.category, rule: row.categoryRule }).toEqual(expected);
        },
      ),
      { numRuns: 1000 },
    );
  });
});
