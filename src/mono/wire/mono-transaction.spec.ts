import { describe, expect, it } from '@jest/globals';

import {
  MonoDataError,
  normaliseCurrency,
  parseMonoAccountDetails,
  parseMonoTransaction,
  parseMonoTransactions,
} from './mono-transaction.js';

const v2 = {
  id: '65a1f0c2b3d4e5f6a7b8c9d0',
  narration: 'NIP/GTB/EMEKA/x',
  amount: 150000,
  type: 'debit',
  balance: 20000,
  date: '2026-09-10T10:00:00.500Z',
  category: 'transfer',
};

describe(parseMonoTransaction.name, () => {
  it('should parse a v2 transaction', () => {
    expect(parseMonoTransaction(v2)).toEqual({
      providerId: v2.id,
      postedAt: '2026-09-10T10:00:00.500Z',
      direction: 'debit',
      amountMinor: 150000,
      balanceMinor: 20000,
      narration: 'NIP/GTB/EMEKA/x',
      providerCategory: 'transfer',
      currency: null,
    });
  });

  it('should accept the legacy _id, upper-case type, null balance and a Naira currency', () => {
    const parsed = parseMonoTransaction({
      _id: 'legacy1',
      narration: 'x',
      amount: '5000',
      type: 'CREDIT',
      balance: null,
      date: '2026-09-10T10:00:00Z',
      currency: 'Naira',
    });
    expect(parsed).toMatchObject({ providerId: 'legacy1', direction: 'credit', amountMinor: 5000, balanceMinor: null, currency: 'NGN' });
  });

  it.each([
    [{ ...v2, amount: 1500.5 }, 'transaction.amount'],
    [{ ...v2, amount: -100 }, 'transaction.amount'],
    [{ ...v2, amount: Number.NaN }, 'transaction.amount'],
    [{ ...v2, amount: Number.POSITIVE_INFINITY }, 'transaction.amount'],
    [{ ...v2, amount: '1,500.00' }, 'transaction.amount'],
    [{ ...v2, amount: undefined }, 'transaction.amount'],
    [{ ...v2, balance: 10.25 }, 'transaction.balance'],
    [{ ...v2, type: 'transfer' }, 'transaction.type'],
    [{ ...v2, date: 'yesterday' }, 'transaction.date'],
    [{ ...v2, id: undefined }, 'transaction.id'],
  ])('should reject %o naming the field %s', (raw, path) => {
    expect(() => parseMonoTransaction(raw)).toThrow(MonoDataError);
    expect(() => parseMonoTransaction(raw)).toThrow(`${path}:`);
  });

  it('should accept zero-value rows (card verification holds, informational entries) rather than fail the sync', () => {
    expect(parseMonoTransaction({ ...v2, amount: 0 }).amountMinor).toBe(0);
  });

  it('should name the array index of the bad row', () => {
    expect(() => parseMonoTransactions({ data: [v2, { ...v2, amount: 12.5 }] })).toThrow('transactions[1].amount');
  });

  it('should unwrap v2, legacy paging and interim /v1 envelopes and treat data: null as empty', () => {
    expect(parseMonoTransactions({ status: 'successful', data: [v2], meta: { total: 1 } })).toHaveLength(1);
    expect(parseMonoTransactions({ paging: { total: 1 }, data: [v2] })).toHaveLength(1);
    expect(parseMonoTransactions({ data: { paging: {}, transactions: [v2] } })).toHaveLength(1);
    expect(parseMonoTransactions({ data: null })).toEqual([]);
  });
});

describe(parseMonoAccountDetails.name, () => {
  it('should parse the v2 REST data object', () => {
    const parsed = parseMonoAccountDetails({
      account: {
        id: 'acc1',
        name: 'OKAFOR CHIOMA AMAKA',
        account_number: '0123456789',
        currency: 'NGN',
        balance: 1234500,
        type: 'SAVINGS_ACCOUNT',
        bvn: '1234',
        institution: { name: 'Guaranty Trust Bank', bank_code: '058', type: 'PERSONAL_BANKING' },
      },
      meta: { data_status: 'AVAILABLE', auth_method: 'mobile_banking', retrieved_data: ['identity', 'balance', 'transactions'] },
    });
    expect(parsed).toMatchObject({
      accountId: 'acc1',
      holderName: 'OKAFOR CHIOMA AMAKA',
      accountNumber: '0123456789',
      balanceMinor: 1234500,
      institution: { name: 'Guaranty Trust Bank', bankCode: '058', type: 'PERSONAL_BANKING' },
      dataStatus: 'AVAILABLE',
      retrievedData: ['identity', 'balance', 'transactions'],
    });
  });

  it('should parse the webhook / legacy camelCase shape with _id, bankCode and a Naira currency', () => {
    const parsed = parseMonoAccountDetails({
      account: {
        _id: 'acc2',
        name: 'X Y',
        accountNumber: '0987654321',
        currency: 'Naira',
        balance: 100,
        institution: { name: 'Kuda', bankCode: '50211', type: 'personal_banking' },
      },
      meta: { data_status: 'available', sync_status: 'reauthorisation_required' },
    });
    expect(parsed).toMatchObject({
      accountId: 'acc2',
      accountNumber: '0987654321',
      currency: 'NGN',
      dataStatus: 'AVAILABLE',
      syncStatus: 'REAUTHORISATION_REQUIRED',
      institution: { bankCode: '50211', type: 'PERSONAL_BANKING' },
    });
  });

  it('should parse the interim flat /v1 account inside an envelope', () => {
    const parsed = parseMonoAccountDetails({
      status: 'successful',
      data: { id: 'acc3', name: 'A B', account_number: '1', balance: 0, currency: 'ngn', data_status: 'available' },
    });
    expect(parsed).toMatchObject({ accountId: 'acc3', currency: 'NGN', dataStatus: 'AVAILABLE' });
  });

  it('should reject a fractional balance and a missing id', () => {
    expect(() => parseMonoAccountDetails({ account: { id: 'a', balance: 10.5 } })).toThrow('account.account.balance');
    expect(() => parseMonoAccountDetails({ account: { name: 'x' } })).toThrow('account.account.id');
  });
});

describe(normaliseCurrency.name, () => {
  it('should map naira spellings to NGN and upper-case other codes', () => {
    expect(['Naira', 'ngn', '₦', 'NGN', 'ghc', 'kes', ''].map(normaliseCurrency)).toEqual(['NGN', 'NGN', 'NGN', 'NGN', 'GHS', 'KES', null]);
  });
});
