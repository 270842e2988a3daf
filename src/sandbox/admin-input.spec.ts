import { describe, expect, it } from '@jest/globals';
import { parseAccount, parseMonoDate, parseTransactions } from './admin-input.js';

describe(parseMonoDate.name, () => {
  it('should read DD-MM-YYYY (one-digit day and month allowed) and refuse impossible dates', () => {
    expect(parseMonoDate('05-08-2026')).toBe('2026-08-05');
    expect(parseMonoDate('1-10-2020')).toBe('2020-10-01');
    expect(parseMonoDate('31-02-2026')).toBeNull();
    expect(parseMonoDate('2026-08-05')).toBeNull();
  });
});

describe(parseTransactions.name, () => {
  it('should accept v2 transaction objects and name the first bad field', () => {
    expect(parseTransactions([{ id: 't1', amount: 100, type: 'debit', date: '2026-10-01', narration: 'POS' }])).toEqual([
      { id: 't1', narration: 'POS', amount: 100, type: 'debit', balance: null, date: '2026-10-01T00:00:00.000Z', category: 'unknown', currency: null },
    ]);
    expect(() => parseTransactions([{ amount: 100, type: 'debit', date: '2026-10-01' }, { amount: 1.5, type: 'debit', date: '2026-10-01' }])).toThrow(
      'transactions[1].amount must be a positive integer number of kobo (got 1.5)',
    );
  });
});

describe(parseAccount.name, () => {
  it('should accept the {account, meta} details object or the inner account', () => {
    const nested = parseAccount({ account: { id: 'a1', name: 'ADA', bvn: '22212345678', institution: { bank_code: '058' } }, meta: { data_status: 'partial' } });
    expect(nested).toMatchObject({ id: 'a1', name: 'ADA', bvn: '22212345678', institution: { bankCode: '058' }, dataStatus: 'PARTIAL' });
    expect(parseAccount({ id: 'a2', name: 'OBI' })).toMatchObject({ id: 'a2', name: 'OBI', currency: 'NGN', dataStatus: null });
  });
});
