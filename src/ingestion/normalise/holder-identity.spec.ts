import { describe, expect, it } from '@jest/globals';

import type { ParsedMonoTransaction } from '../../mono/wire/mono-transaction.js';
import { categoriseBorrowerTransactions, keywordText } from './categorise.js';
import { holderNameMatcher, isSameName, nameSimilarity, nameTokens } from './name-match.js';
import { parseNarration } from './narration.js';

// Invented people only.
const HOLDER = 'OKONKWO CHIDINMA GRACE';
const HYPHENATED = 'TUNDE BELLO-ADEYEMI';

let seq = 0;
function tx(narration: string, direction: 'credit' | 'debit', amountMinor = 500_000, postedAt = '2026-09-10T10:00:00.000Z'): ParsedMonoTransaction {
  seq += 1;
  return { providerId: `t${seq}`, postedAt, direction, amountMinor, balanceMinor: null, narration, providerCategory: null, currency: 'NGN' };
}

function categorise(holder: string, narration: string, direction: 'credit' | 'debit'): { category: string; rule: string } {
  const [row] = categoriseBorrowerTransactions([{ accountId: 'a', holderName: holder, transactions: [tx(narration, direction)] }]);
  return { category: row.category, rule: row.categoryRule };
}

describe('holder identity', () => {
  it.each([
    ['surname first', HOLDER, 'CHIDINMA GRACE OKONKWO'],
    ['middle name as an initial', HOLDER, 'CHIDINMA G OKONKWO'],
    ['middle name missing', HOLDER, 'CHIDINMA OKONKWO'],
    ['an extra middle name the account does not carry', 'CHIDINMA OKONKWO', 'CHIDINMA ADAEZE OKONKWO'],
    ['glued surname', HYPHENATED, 'BELLOADEYEMI TUNDE'],
    ['hyphen as a space', HYPHENATED, 'TUNDE BELLO ADEYEMI'],
    ['the surname printed twice', HOLDER, 'OKONKWO CHIDINMA GRACE/OKONKWO'],
    ['JNR after the name', 'EMEKA NWOSU', 'EMEKA NWOSU JNR'],
    ['a wallet token glued after the name', HOLDER, 'CHIDINMA OKONKWO KUDA'],
    ['a bank token before the name', HOLDER, 'GTB OKONKWO CHIDINMA'],
    ['a spelling variant', 'MOHAMMED SANI DANLADI', 'MUHAMMAD SANI DANLADI'],
    ['honorifics', HOLDER, 'MRS CHIDINMA OKONKWO'],
    ['the surname with an initial for every other name', HOLDER, 'OKONKWO C G'],
    ['an initial and the surname', 'BABAJIDE ADEKUNLE', 'B. ADEKUNLE'],
    ['a truncated long name', 'OLUWAFUNMILAYO ADEBANJO', 'OLUWAFUNMI ADEBANJO'],
  ])('should recognise the holder with %s', (_case, holder, printed) => {
    expect(isSameName(holder, printed)).toBe(true);
  });

  it.each([
    ['a sibling sharing the family names', 'ABDULLAHI MUSA IBRAHIM', 'HAUWA MUSA IBRAHIM'],
    ['a relative sharing the surname only', HOLDER, 'NNAMDI OKONKWO'],
    ['a child with the double-barrelled surname', HYPHENATED, 'KEMI DAMILOLA BELLO-ADEYEMI'],
    ['a different first name of the same family', 'EMEKA NWOSU', 'IFEOMA NWOSU'],
    ['a stranger', HOLDER, 'YAKUBU DANJUMA'],
    ['an extra initial that fits no name', 'EMEKA NWOSU', 'EMEKA T NWOSU K'],
    ['the surname with initials that leave a name uncovered', HOLDER, 'OKONKWO C'],
    ['the surname with a wrong initial', HOLDER, 'OKONKWO C T'],
  ])('should not take %s for the holder', (_case, holder, printed) => {
    expect(isSameName(holder, printed)).toBe(false);
  });

  it('should drop bank, wallet and honorific words and keep each name once', () => {
    expect(nameTokens('Mr OKONKWO, CHIDINMA Okonkwo (OPAY)')).toEqual(['OKONKWO', 'CHIDINMA']);
    expect(nameSimilarity('A B', 'A B')).toBe(0); // initials alone are not a name
  });

  it('should match a counterparty against any of the names the borrower is known by', () => {
    const same = holderNameMatcher(['OKONKWO CHIDINMA GRACE', null, 'CHIDINMA G. OKONKWO-EZE']);
    expect(same('CHIDINMA OKONKWOEZE')).toBe(true);
    expect(same('GRACE CHIDINMA OKONKWO')).toBe(true);
    expect(same('IKENNA OKONKWO')).toBe(false);
  });
});

describe('narration shapes that name the holder', () => {
  it.each([
    ['Zenith outward NIP CR/<name>/<bank code>', 'NIP CR/OKONKWO CHIDINMA/OPAY', 'debit'],
    ['a glued name in a NIP credit', 'NIP/KUDA/TUNDE BELLOADEYEMI/TRANSFER', 'credit', HYPHENATED],
    ['Kuda kip:<bank>/<name>/<memo>', 'kip:palmpay/chidinma okonkwo/transfer from chidin', 'credit'],
    ['a wallet suffix after the sender', 'TRF FROM CHIDINMA GRACE OKONKWO KUDA', 'credit'],
    ['a debit whose memo names both ends', 'TRF/savings/FRM OKONKWO CHIDINMA GRACE TO CHIDINMA G OKONKWO- 7781', 'debit'],
    ['a repeated surname in a free-form credit', 'NIP TRANSFER 000015/000098/NIP FROM OKONKWO CHIDINMA GRACE/NIP FROM OKONKWO', 'credit'],
  ])('should read %s as a self-transfer', (_case, narration, direction, holder = HOLDER) => {
    expect(categorise(holder, narration, direction as 'credit' | 'debit').category).toBe('self_transfer');
  });

  it.each([
    ['a payroll credit worded "… to <holder>"', 'SALARY PAYMENT FOR OCT TO CHIDINMA GRACE OKONKWO', 'salary'],
    ['an employer credit to the holder', 'BRIGHTWAVE LOGISTICS LTD TO OKONKWO CHIDINMA GRACE', 'transfer_in'],
    ['a slash credit whose party segment names the beneficiary', 'CIP/CR//NIP Transfer to OKONKWO CHIDINMA GRACE 0000132512/FRM ADAMU', 'transfer_in'],
  ])('should not read %s as a self-transfer', (_case, narration, expected) => {
    expect(categorise(HOLDER, narration, 'credit').category).toBe(expected);
  });

  it('should take the sender of a credit from the slash segment, not the beneficiary in its memo', () => {
    const parsed = parseNarration('NIP/FCMB/ADEWALE KAREEM/App Transfer To Zenith Bank OKONKWO CHIDINMA', 'credit');
    expect(parsed.counterparty).toBe('ADEWALE KAREEM');
    expect(parsed.bank).toBe('FCMB');
  });

  it('should treat a transfer quoting the number of another of the borrower account as a self-transfer', () => {
    const rows = categoriseBorrowerTransactions([
      { accountId: 'gtb', holderName: HOLDER, accountNumber: '0123456789', transactions: [tx('MOBILE TRF TO 2233445566 VIA APP', 'debit')] },
      { accountId: 'opay', holderName: 'CHIDINMA OKONKWO', accountNumber: '2233445566', transactions: [tx('NIP CHARGE 2233445566', 'debit', 1075)] },
    ]);
    const byAccount = new Map(rows.map((r) => [r.accountId, r]));
    expect(byAccount.get('gtb')).toMatchObject({ category: 'self_transfer', categoryRule: 'self_transfer.own_account_number' });
    // A fee line quoting the number stays a fee; the account's own number is not evidence.
    expect(byAccount.get('opay')?.category).toBe('bank_charges');
  });

  it('should not take a 10-digit run inside a longer session id for an account number', () => {
    const rows = categoriseBorrowerTransactions([
      { accountId: 'gtb', holderName: HOLDER, accountNumber: '0123456789', transactions: [tx('NIP/GTB/YAKUBU DANJUMA/000013260910223344556677889900', 'credit')] },
      { accountId: 'opay', holderName: HOLDER, accountNumber: '2233445566', transactions: [] },
    ]);
    expect(rows[0].category).toBe('transfer_in');
  });
});

describe('fees, collisions and glued words', () => {
  it.each([
    ['*ISO:MC POS Loc Pyt Fee-1234ABCD--FUELING POINT IBADAN NG', 'bank_charges'],
    ['MC Loc ATM Wdl Fee-0044332211--SWTZIBsnk LAGOS NG-', 'bank_charges'],
    ['COMMISSION', 'bank_charges'],
    ['CHARGES+VAT:MOBILE/UNION Transfer to OKONKWO CHIDINMA GRACE - B', 'bank_charges'],
    ['USSD session charge', 'bank_charges'],
    ['USSD Charge Arrears Recovery', 'bank_charges'],
    ['WITHHOLDING TAX ON INTEREST', 'bank_charges'],
    ['WHT ON CREDIT INTEREST', 'bank_charges'],
    ['CARD MAINTENANCE FEE Q3', 'bank_charges'],
    ['June 2026 VERVE Quarterly Fee', 'bank_charges'],
    ['NIP FEE + VAT', 'bank_charges'],
    ['MC Loc Cash Adv-0001112223--PAYCOM NIG LTD LAGOS NG-', 'cash_withdrawal'],
    ['*ISO:ISW Agency CashOut-1122334455-WT|BISOLA STORES IBADAN NG-', 'cash_withdrawal'],
    ['101080525282//2049976557////4622383258GOtv Max -NGN3600', 'utilities'],
    ['Mobile data purchase 1.5GB', 'airtime_data'],
    ['NIP/GTB/YAKUBU DANJUMA/for airtime and food', 'transfer_out'],
    ['SHOPRITE LEKKI      LA           NG-', 'card_pos'],
    ['BILLS PAYMENT-DSTV 1029384756', 'utilities'],
  ])('should categorise the debit %s as %s', (narration, expected) => {
    expect(categorise(HOLDER, narration, 'debit').category).toBe(expected);
  });

  it.each([
    ['WEB TRANSFER FROM YAKUBU DANJUMA', 'transfer_in'],
    ['PAYSTACK SETTLEMENT BRIGHTWAVE STORES', 'transfer_in'],
    ['**Rev MC Loc Web Prch-1144332211--Bolt Lagos NG-', 'reversal'],
    ['JOURNAL ENTRY - NON COT 000013 /00003265 YAKUBU DANJUMA', 'transfer_in'],
    ['BRIGHTWAVE LTD OCTSALARY', 'salary'],
    ['NIP/ACCESS/BRIGHTWAVE LOGISTICS/SALARYOCT2026', 'salary'],
    ['COMMISSION ON SALES - AGENT NETWORK', 'transfer_in'],
    ['R-5465/UNIVERSITY:TELEPHO/YAKUBU DANJUMA/UNIVERSITY100010', 'transfer_in'],
    ['MC 01_07_26 RFND TO PAN 4509', 'reversal'],
    ['BULK PAYMENT BRIGHTWAVE LOGISTICS LTD', 'transfer_in'],
  ])('should categorise the credit %s as %s', (narration, expected) => {
    expect(categorise(HOLDER, narration, 'credit').category).toBe(expected);
  });

  it('should split words glued to long references but keep brand digits', () => {
    expect(keywordText('4622383258GOtv Max')).toBe('4622383258 GOTV MAX');
    expect(keywordText('PAYSTACK/BET9JA 1234')).toBe('PAYSTACK/BET9JA 1234');
  });
});
