import { describe, expect, it } from '@jest/globals';

import { MonoDataError, normaliseMonoExport } from './index.js';

const account = (id: string, name = 'OKAFOR CHIOMA AMAKA') => ({
  account: {
    id,
    name,
    account_number: '0123456789',
    currency: 'NGN',
    balance: 7_500_00,
    type: 'SAVINGS_ACCOUNT',
    bvn: '1234',
    institution: { name: 'Guaranty Trust Bank', bank_code: '058', type: 'PERSONAL_BANKING' },
  },
  meta: { data_status: 'AVAILABLE', auth_method: 'mobile_banking', retrieved_data: ['identity', 'balance', 'transactions'] },
});

const transactions = [
  {
    id: 't3',
    narration: 'VC POS Loc-2058LA12--SHOPRITE LEKKI LA NG',
    amount: 2_500_00,
    type: 'debit',
    balance: 7_500_00,
    date: '2026-09-26T12:00:00.000Z',
    category: 'online_transactions',
  },
  {
    id: 't2',
    narration: 'EMTL-123456789012',
    amount: 50_00,
    type: 'debit',
    balance: 10_000_00,
    date: '2026-09-25T08:00:00.000Z',
    category: 'bank_charges',
  },
  {
    id: 't1',
    narration: 'NIP/ZENITH/LAGOS HARBOUR LOGISTICS LTD/SALARY SEP 2026',
    amount: 10_050_00,
    type: 'credit',
    balance: 10_050_00,
    date: '2026-09-25T08:00:00.000Z',
    category: 'transfer',
  },
];

describe(normaliseMonoExport.name, () => {
  it('should normalise one account into engine accounts, categorised transactions and the dictionary version', () => {
    const out = normaliseMonoExport({ account: account('acc1'), transactions }, '2026-10-31');
    expect(out.dictionaryVersion).toMatch(/^[0-9a-f]{12}$/);
    expect(out.transactions.map((t) => [t.id, t.accountId, t.date, t.category])).toEqual([
      ['t1', 'acc1', '2026-09-25', 'salary'],
      ['t2', 'acc1', '2026-09-25', 'bank_charges'],
      ['t3', 'acc1', '2026-09-26', 'card_pos'],
    ]);
    expect(out.accounts).toHaveLength(1);
    expect(out.accounts[0]).toMatchObject({
      accountId: 'acc1',
      institution: 'Guaranty Trust Bank',
      holderName: 'OKAFOR CHIOMA AMAKA',
      currency: 'NGN',
      balanceMinor: 7_500_00,
      findings: [],
      reauthRequired: false,
    });
    expect(out.accounts[0].coverage).toMatchObject({
      transactionCount: 3,
      firstDate: '2026-09-25',
      completeMonths: 0,
      lastSuccessfulSyncAt: null,
      freshnessHours: null,
    });
  });

  it('should accept several accounts of one borrower and flag future-dated and duplicate rows', () => {
    const future = { ...transactions[0], id: 't9', date: '2026-11-05T10:00:00.000Z', balance: null };
    const dup = { ...transactions[0], id: 't3-dup' };
    const out = normaliseMonoExport(
      [
        { account: account('acc1'), transactions: [future, dup, ...transactions] },
        { account: account('acc2'), transactions: [] },
      ],
      '2026-10-31',
    );
    expect(out.accounts.map((a) => a.accountId)).toEqual(['acc1', 'acc2']);
    const kinds = out.accounts[0].findings.map((f) => f.kind);
    expect(kinds).toEqual(expect.arrayContaining(['future_dated', 'duplicate_row', 'missing_balance']));
  });

  it.each<[unknown, string]>([
    [{ transactions: [] }, '$.account: is required'],
    [{ account: account('a') }, '$.transactions: is required'],
    [{ account: account('a'), transactions: [{ ...transactions[0], amount: 25.5 }] }, '$.transactions[0].amount'],
    [
      [
        { account: account('a'), transactions: [] },
        { account: account('a'), transactions: [] },
      ],
      '[1].account.id: duplicate account id a',
    ],
    [[], '$: expected at least one account'],
    ['nonsense', '$: expected an object'],
  ])('should reject malformed input with a path-qualified MonoDataError (%#)', (input, message) => {
    expect(() => normaliseMonoExport(input, '2026-10-31')).toThrow(MonoDataError);
    expect(() => normaliseMonoExport(input, '2026-10-31')).toThrow(message);
  });
});
