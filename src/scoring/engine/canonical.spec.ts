import { describe, expect, it } from '@jest/globals';
import { canonicalJson, canonicalTransaction, hashInput, prepareTransactions } from './canonical.js';
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
