import { describe, expect, it } from '@jest/globals';
import { categoriseInWindows } from './categorise-in-windows.js';
import { categoriseBorrowerTransactions, loadDictionaries } from './normalise/index.js';
import { syntheticLedger } from './testing/synthetic-ledger.js';

describe('categoriseInWindows', () => {
  const dictionaries = loadDictionaries();

  it('should equal the categoriser itself on inputs that fit one slice', async () => {
    const rows = syntheticLedger({ seed: 3, count: 400, from: '2025-01-01T08:00:00Z', to: '2025-06-01T08:00:00Z', idPrefix: 's' });
    const accounts = [{ accountId: 'a', holderName: 'ADA OBI', transactions: rows }];
    expect(await categoriseInWindows(accounts, { dictionaries })).toEqual(categoriseBorrowerTransactions(accounts, { dictionaries }));
  });

  it('should categorise every row exactly once when slicing, and keep pairs that straddle a cut', async () => {
    const rows = syntheticLedger({ seed: 4, count: 3000, from: '2025-01-01T08:00:00Z', to: '2025-06-01T08:00:00Z', idPrefix: 's' });
    // A debit and its reversal 3 days later, placed around the first slice boundary (row 100 of 3000 with coreRows 100).
    const debitAt = rows[98].postedAt;
    const creditAt = new Date(Date.parse(debitAt) + 3 * 86_400_000).toISOString();
    const pair = [
      {
        providerId: 'dr',
        postedAt: debitAt,
        direction: 'debit' as const,
        amountMinor: 777_700,
        balanceMinor: null,
        narration: 'NIP/GTB/JOHN SHOP/REF 123456789012',
        providerCategory: null,
        currency: 'NGN',
      },
      {
        providerId: 'cr',
        postedAt: creditAt,
        direction: 'credit' as const,
        amountMinor: 777_700,
        balanceMinor: null,
        narration: 'REVERSAL NIP/GTB/JOHN SHOP/REF 123456789012',
        providerCategory: null,
        currency: 'NGN',
      },
    ];
    const accounts = [{ accountId: 'a', holderName: 'ADA OBI', transactions: [...rows, ...pair] }];
    const sliced = await categoriseInWindows(accounts, { dictionaries, coreRows: 100, marginRows: 200 });
    expect(sliced.map((t) => t.providerId).sort()).toEqual(accounts[0].transactions.map((t) => t.providerId).sort());
    const whole = new Map(categoriseBorrowerTransactions(accounts, { dictionaries }).map((t) => [t.providerId, t.category]));
    expect(sliced.find((t) => t.providerId === 'dr')?.category).toBe(whole.get('dr'));
    expect(sliced.find((t) => t.providerId === 'cr')?.category).toBe('reversal');
  });
});
