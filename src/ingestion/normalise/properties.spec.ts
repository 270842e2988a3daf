import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';

import { checkBalanceContinuity, type LedgerRow } from './continuity.js';
import { normaliseCounterparty } from './narration.js';

const stamp = (minute: number): string => new Date(Date.UTC(2026, 8, 1, 8, 0) + minute * 60_000).toISOString();

const ledgerRow = (i: number, minute: number, direction: 'credit' | 'debit', amountMinor: number, balanceMinor: number): LedgerRow => ({
  providerId: `p${i}`,
  postedAt: stamp(minute),
  direction,
  amountMinor,
  balanceMinor,
});

/** A consistent ledger of up to 40 rows on few distinct timestamps, then shuffled the way a provider might list it. */
const ledgerArb = fc
  .array(fc.record({ credit: fc.boolean(), amount: fc.integer({ min: 1, max: 5_000_000 }), minute: fc.integer({ min: 0, max: 5 }) }), {
    minLength: 1,
    maxLength: 40,
  })
  .chain((specs) => {
    const sorted = [...specs].sort((a, b) => a.minute - b.minute);
    let balance = 10_000_000;
    const rows: LedgerRow[] = sorted.map((s, i) => {
      balance += s.credit ? s.amount : -s.amount;
      return {
        providerId: `p${i}`,
        postedAt: stamp(s.minute),
        direction: s.credit ? 'credit' : 'debit',
        amountMinor: s.amount,
        balanceMinor: balance,
      };
    });
    return fc.shuffledSubarray(rows, { minLength: rows.length, maxLength: rows.length });
  });

describe('normalise properties', () => {
  it('should find no balance break in any consistent ledger, whatever the order of same-timestamp rows', () => {
    fc.assert(
      fc.property(ledgerArb, (rows) => {
        const newestFirst = [...rows].sort((a, b) => (a.postedAt < b.postedAt ? 1 : a.postedAt > b.postedAt ? -1 : 0));
        expect(checkBalanceContinuity('a', newestFirst, { emtl: false })).toEqual([]);
      }),
      {
        numRuns: 1000,
        // Shapes that broke a greedy per-group order: a first group that chains two ways (within the 1-kobo tolerance,
        // or a credit/debit pair of one amount) where only one way lets the next group chain on.
        examples: [
          [[ledgerRow(0, 0, 'debit', 1, 9_999_999), ledgerRow(1, 0, 'credit', 2, 10_000_001), ledgerRow(2, 1, 'debit', 1, 10_000_000)]],
          [[ledgerRow(0, 0, 'credit', 1, 10_000_001), ledgerRow(2, 1, 'debit', 1, 9_999_998), ledgerRow(3, 1, 'debit', 1, 9_999_997), ledgerRow(1, 0, 'debit', 2, 9_999_999)]],
          [[ledgerRow(0, 0, 'credit', 700, 10_000_700), ledgerRow(1, 0, 'debit', 700, 10_000_000), ledgerRow(2, 1, 'debit', 300, 9_999_700)]],
        ],
      },
    );
  });

  it('should be idempotent when normalising a counterparty key', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (text) => {
        const once = normaliseCounterparty(text);
        expect(normaliseCounterparty(once)).toBe(once);
      }),
    );
  });
});
