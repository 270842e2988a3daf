import { describe, expect, it } from '@jest/globals';
import { canonicalJson, canonicalTransaction, hashInput, prepareTransactions } from './canonical.js';
import type { NormalisedTransaction } from '../../common/domain/transaction.js';
import { buildTransactions, monthlyDates } from './testing/builders.js';

const txs = buildTransactions(
  monthlyDates('2026-04', '2026-09', 25).map((date) => ({
    date,
    direction: 'credit' as const,
    amountMinor: 1_000_000,
    category: 'salary' as const,
    counterparty: 'ACME',
  })),
);

describe(canonicalJson.name, () => {
  it('should sort keys, drop undefined and keep array order', () => {
    expect(canonicalJson({ b: 1, a: [2, { d: undefined, c: 'x' }] })).toBe('{"a":[2,{"c":"x"}],"b":1}');
  });

  it('should write a transaction as the array of its fields in sorted-key order', () => {
    const t = txs[0];
    const viaObject = JSON.parse(canonicalJson(t)) as Record<string, unknown>;
    expect(JSON.parse(canonicalTransaction(t))).toEqual(Object.keys(viaObject).map((k) => viaObject[k]));
    expect(canonicalTransaction({ ...t, extra: 1 } as typeof t)).toBe(canonicalJson({ ...t, extra: 1 }));
  });
});

describe(prepareTransactions.name, () => {
  it('should drop exact duplicates and ignore input order', () => {
    const shuffled = [txs[3], txs[0], txs[5], txs[0], txs[1], txs[4], txs[2], txs[3]];
    const a = prepareTransactions(txs);
    const b = prepareTransactions(shuffled);
    expect(b.duplicatesRemoved).toBe(2);
    expect(b.transactions).toEqual(a.transactions);
    expect(hashInput({ asOf: '2026-10-01' }, b.transactions)).toBe(hashInput({ asOf: '2026-10-01' }, a.transactions));
  });

  it('should keep the canonically smallest of two rows sharing an account and provider id', () => {
    const altered = { ...txs[2], narration: 'AAA' };
    expect(prepareTransactions([txs[2], altered]).transactions[0]).toBe(altered);
    expect(prepareTransactions([altered, txs[2]]).transactions[0]).toBe(altered);
  });

  it('should reject amounts that are not safe non-negative integers of kobo', () => {
    expect(() => prepareTransactions([{ ...txs[0], amountMinor: 10.5 }])).toThrow(/amountMinor/);
    expect(() => prepareTransactions([{ ...txs[0], amountMinor: -1 }])).toThrow(/amountMinor/);
    expect(() => prepareTransactions([{ ...txs[0], balanceMinor: 2 ** 60 }])).toThrow(/balanceMinor/);
  });
});

describe(hashInput.name, () => {
  const rest = { asOf: '2026-10-01', accounts: [{ accountId: 'acc-1' }] };
  const base = prepareTransactions(txs).transactions;
  const hashOf = (rows: readonly NormalisedTransaction[], r: Record<string, unknown> = rest): string => hashInput(r, rows);

  it('should be a stable sha256 of the v2 encoding (pinned: changing the encoding needs an engine version bump)', () => {
    expect(hashOf(base)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashOf(base)).toBe(hashOf(base.map((t) => ({ ...t }))));
    expect(hashOf(base)).toBe('ce549b57d0e8e097808def89effdf9c4fefa6c5e21139aff3b7c87dd9cd88bd5');
  });

  it('should change when any field of any row changes', () => {
    const h = hashOf(base);
    const seen = new Set([h]);
    const variants: Partial<NormalisedTransaction>[] = [
      { accountId: 'acc-2' },
      { amountMinor: base[2].amountMinor + 1 },
      { balanceMinor: null },
      { balanceMinor: 0 },
      { category: 'transfer_in' },
      { categoryRule: 'other' },
      { counterparty: null },
      { counterparty: '' },
      { currency: 'USD' },
      { date: '2026-06-26' },
      { direction: 'debit' },
      { id: 'x' },
      { memo: 'note' },
      { memo: '' },
      { narration: 'NIP/ACME' },
      { postedAt: '2026-06-25T10:00:00.000Z' },
      { providerCategory: 'income' },
      { providerId: 'p-other' },
      { rail: 'POS' },
    ];
    for (const v of variants) {
      const rows = base.map((t, i) => (i === 2 ? { ...t, ...v } : t));
      const k = hashOf(rows);
      expect(seen.has(k)).toBe(false);
      seen.add(k);
    }
    // Values moving between fields, or between rows, are changes too.
    const swapped = base.map((t, i) => (i === 1 ? { ...t, id: base[1].providerId, providerId: base[1].id } : t));
    expect(seen.has(hashOf(swapped))).toBe(false);
    const moved = base.map((t, i) => (i === 1 ? { ...t, narration: base[2].narration } : i === 2 ? { ...t, narration: base[1].narration } : t));
    expect(base[1].narration === base[2].narration || !seen.has(hashOf(moved))).toBe(true);
    expect(seen.has(hashOf(base.slice(1)))).toBe(false);
    expect(seen.has(hashOf(base, { ...rest, asOf: '2026-10-02' }))).toBe(false);
  });

  it('should not confuse string boundaries, null and empty strings, or -0 and 0', () => {
    const a = base.map((t, i) => (i === 0 ? { ...t, id: 'ab', postedAt: 'c' } : t));
    const b = base.map((t, i) => (i === 0 ? { ...t, id: 'a', postedAt: 'bc' } : t));
    expect(hashOf(a)).not.toBe(hashOf(b));
    const nul = base.map((t, i) => (i === 0 ? { ...t, memo: null } : t));
    const empty = base.map((t, i) => (i === 0 ? { ...t, memo: '' } : t));
    expect(hashOf(nul)).not.toBe(hashOf(empty));
    const zero = base.map((t, i) => (i === 0 ? { ...t, balanceMinor: 0 } : t));
    const negZero = base.map((t, i) => (i === 0 ? { ...t, balanceMinor: -0 } : t));
    expect(hashOf(zero)).toBe(hashOf(negZero));
  });

  it('should hash rows of another shape by their canonical JSON, distinct from plain rows', () => {
    const extra = base.map((t, i) => (i === 0 ? ({ ...t, extra: 1 } as NormalisedTransaction) : t));
    const extra2 = base.map((t, i) => (i === 0 ? ({ ...t, extra: 2 } as NormalisedTransaction) : t));
    expect(hashOf(extra)).not.toBe(hashOf(base));
    expect(hashOf(extra)).not.toBe(hashOf(extra2));
    const { memo: _memo, ...withoutMemo } = base[0];
    const missing = [withoutMemo as NormalisedTransaction, ...base.slice(1)];
    expect(hashOf(missing)).not.toBe(hashOf(base));
    expect(hashOf(missing)).not.toBe(hashOf(extra));
  });

  it('should hash strings with lone surrogates exactly (no lossy UTF-8 replacement)', () => {
    const a = base.map((t, i) => (i === 0 ? { ...t, narration: 'x\uD800' } : t));
    const b = base.map((t, i) => (i === 0 ? { ...t, narration: 'x\uD801' } : t));
    const emoji = base.map((t, i) => (i === 0 ? { ...t, narration: 'pay 😀' } : t));
    expect(hashOf(a)).not.toBe(hashOf(b));
    expect(hashOf(emoji)).not.toBe(hashOf(base));
    expect(hashOf(a)).toBe(hashOf(a.map((t) => ({ ...t }))));
  });
});
