import { describe, expect, it } from '@jest/globals';

import type { Direction, TransactionCategory } from '../../common/domain/transaction.js';
import { categoriseBorrowerTransactions } from './categorise.js';
import type { ParsedMonoTransaction } from '../../mono/wire/mono-transaction.js';

const HOLDER = 'ADEBAYO JOHN OLUWASEUN';
let counter = 0;

function tx(
  narration: string,
  direction: Direction,
  amountMinor = 1_500_000,
  postedAt = '2026-09-10T10:00:00.000Z',
): ParsedMonoTransaction {
  counter++;
  return {
    providerId: `tx${String(counter).padStart(4, '0')}`,
    postedAt,
    direction,
    amountMinor,
    balanceMinor: null,
    narration,
    providerCategory: null,
    currency: 'NGN',
  };
}

function categoriseOneRow(narration: string, direction: Direction): { category: TransactionCategory; rule: string } {
  const [row] = categoriseBorrowerTransactions([{ accountId: 'acc-1', holderName: HOLDER, transactions: [tx(narration, direction)] }]);
  return { category: row.category, rule: row.categoryRule };
}

type Case = [TransactionCategory, Direction, string];

const CASES: Case[] = [
  ['salary', 'credit', 'NIP/ZENITH/LAGOS HARBOUR LOGISTICS LTD/SALARY OCT 2026'],
  ['salary', 'credit', 'SUNRISE FOODS NIGERIA LTD SALARY FOR SEPTEMBER 2026'],
  ['salary', 'credit', 'IPPIS/FGN/MINISTRY OF HEALTH/PAYROLL SEP26'],
  ['salary', 'credit', 'SALARY PAYMENT AUG26 - CEDARPOINT SCHOOLS LTD'],
  ['salary', 'credit', 'WAGES WK 42 OKOMU AGRO ALLIED'],
  ['transfer_in', 'credit', '000013231012123456789012345678 NIP TRANSFER FROM CHIOMA OKAFOR'],
  ['transfer_in', 'credit', 'NIP/GTB/EMEKA NWOSU/for goods'],
  ['transfer_in', 'credit', 'TRANSFER FROM AMAKA BELLO'],
  ['transfer_in', 'credit', 'NIP/PROVIDUS/BOLT OPERATIONS NIGERIA LTD/DRIVER PAYOUT 1234567890'],
  ['transfer_in', 'credit', 'POS SETTLEMENT TID 2MPT1234 OKAFOR STORES'],
  ['transfer_out', 'debit', 'NIP/ACCESS/TUNDE BALOGUN/upkeep'],
  ['transfer_out', 'debit', 'MOB TRF TO EMEKA UCHE 0123456789'],
  ['transfer_out', 'debit', '*737*1*5000*0123456789# USSD TRF IFEOMA EZE'],
  ['transfer_out', 'debit', 'TRF FRM ADEBAYO JOHN TO MUSA DANJUMA'],
  ['transfer_out', 'debit', 'NIP/GTB/ABC TRAVELS/return ticket'],
  ['self_transfer', 'debit', 'NIP/OPAY/JOHN ADEBAYO O/savings'],
  ['self_transfer', 'credit', 'TRANSFER FROM ADEBAYO JOHN'],
  ['self_transfer', 'debit', 'OPAY WALLET TOP UP 123456789012'],
  ['self_transfer', 'credit', 'NIP/KUDA MFB/JOHN O ADEBAYO/'],
  ['reversal', 'credit', 'REVERSAL: VC POS Loc-2058LA12--SHOPRITE LEKKI LA NG'],
  ['reversal', 'credit', 'RVSL/123456789012/NIP/EMEKA NWOSU'],
  ['reversal', 'credit', 'REFUND JUMIA ORDER 3345'],
  ['reversal', 'credit', 'REV NIP TRANSFER CHARGE'],
  ['reversal', 'debit', 'RVSL OF ERRONEOUS CREDIT 123456789012'],
  ['loan_disbursement', 'credit', 'NIP/FAIRMONEY MFB/FAIRMONEY MICROFINANCE BANK/LOAN DISBURSEMENT 1234567890'],
  ['loan_disbursement', 'credit', 'NIP/CARBON/CARBON FINANCE/LOAN CREDIT 1234567890'],
  ['loan_disbursement', 'credit', 'TRF/BRANCH INTERNATIONAL FINANCIAL SERVICES/LOAN 1234567890'],
  ['loan_disbursement', 'credit', 'LN DISB 00123 RENMONEY'],
  ['loan_disbursement', 'credit', 'TRF/XYZ MFB/LOAN DISB/REF123'],
  ['loan_repayment', 'debit', 'PAYSTACK/CARBON LOAN REPAYMENT 1234567890'],
  ['loan_repayment', 'debit', 'TRF/BRANCH INTERNATIONAL/REPAYMENT 1234567890'],
  ['loan_repayment', 'debit', 'NIP/PALMPAY/PALMCREDIT/REPAY 1234567890'],
  ['loan_repayment', 'debit', 'KUDA OVERDRAFT REPAYMENT'],
  ['loan_repayment', 'debit', 'LOAN REPAYMENT TO STAFF COOPERATIVE'],
  ['betting_stake', 'debit', 'NIP/OPAY/SPORTYBET NIGERIA LTD/WALLET FUNDING 1234567890'],
  ['betting_stake', 'debit', 'PAYSTACK/BET9JA ONLINE DEPOSIT 1234567890'],
  ['betting_stake', 'debit', 'WEB PURCHASE BETKING.COM 123456'],
  ['betting_stake', 'debit', 'NIP/GTB/NAIRABET/DEPOSIT'],
  ['betting_payout', 'credit', 'NIP/ACCESS/KC GAMING NETWORKS LTD/BET9JA WITHDRAWAL 1234567890'],
  ['betting_payout', 'credit', 'NIP/ZENITH/SPORTY INTERNET LTD/PAYOUT 1234567890'],
  ['betting_payout', 'credit', '1XBET WITHDRAWAL 55512'],
  ['betting_payout', 'credit', 'MSPORT WINNINGS'],
  ['airtime_data', 'debit', 'Airtime//08031234567//MTN'],
  ['airtime_data', 'debit', 'AIRTIME VTU AIRTEL 08021234567'],
  ['airtime_data', 'debit', 'DATA BUNDLE GLO 08051234567'],
  ['airtime_data', 'debit', '9MOBILE RECHARGE 09091234567'],
  ['utilities', 'debit', 'IKEDC PREPAID 04512345678 TOKEN'],
  ['utilities', 'debit', 'QT BILLS/DSTV COMPACT 7023456789'],
  ['utilities', 'debit', 'GOTV MAX SUBSCRIPTION 1234567890'],
  ['utilities', 'debit', 'SPECTRANET RENEWAL 12345'],
  ['utilities', 'debit', 'LAWMA WASTE BILL'],
  ['rent', 'debit', 'NIP/GTB/ALHAJI MUSA BELLO/HOUSE RENT OCT 2026'],
  ['rent', 'debit', 'TRF/MRS OKAFOR LANDLORD/RENT 2026/2027'],
  ['rent', 'debit', 'NIP/ZENITH/GREENFIELD ESTATE/SERVICE CHARGE Q3'],
  ['card_pos', 'debit', 'VC POS Loc-2058LA12--SHOPRITE LEKKI LA NG'],
  ['card_pos', 'debit', 'MC Loc POS Prch-2033ABCD-CHICKEN REPUBLIC IKEJA NG'],
  ['card_pos', 'debit', 'WEB PURCHASE JUMIA NG LAGOS'],
  ['card_pos', 'debit', 'POS PURCHASE TOTAL ENERGIES YABA'],
  ['cash_withdrawal', 'debit', 'ATM WDL @ 10472 GTB IKEJA'],
  ['cash_withdrawal', 'debit', 'CASH WITHDRAWAL FROM ATM 12345678'],
  ['cash_withdrawal', 'debit', 'POS CASH OUT AGENT 1234'],
  ['cash_deposit', 'credit', 'CASH DEPOSIT BY ADEBAYO JOHN'],
  ['cash_deposit', 'credit', 'CSH DEP IKEJA BRANCH'],
  ['cash_deposit', 'credit', 'TELLER DEPOSIT 0012 BY EMEKA'],
  ['bank_charges', 'debit', 'FGN STAMP DUTY 20260901'],
  ['bank_charges', 'debit', 'EMTL-123456789012'],
  ['bank_charges', 'debit', 'Electronic Money Transfer Levy'],
  ['bank_charges', 'debit', 'SMS ALERT CHARGES OCT 2026'],
  ['bank_charges', 'debit', 'VAT ON MAINTENANCE FEE OCT 2026'],
  ['bank_charges', 'debit', 'NIP TRANSFER CHARGE'],
  ['bank_charges', 'debit', 'INSTANT CARD ISSUANCE FEE'],
  ['interest', 'credit', 'CREDIT INTEREST SEP 2026'],
  ['interest', 'credit', 'INT. PAID 30SEP26'],
  ['interest', 'credit', 'SAVINGS INTEREST EARNED Q3'],
  ['failed_debit', 'debit', 'DD RETURN INSUFFICIENT FUNDS CHG CARBON'],
  ['failed_debit', 'debit', 'RETURNED CHEQUE 000123 CHG'],
  ['failed_debit', 'debit', 'FAILED DEBIT - MANDATE 12345'],
  ['other', 'debit', 'ADJUSTMENT ENTRY'],
  ['other', 'credit', 'BAL B/F'],
  ['other', 'debit', 'LIEN PLACED 1234'],
];

describe(categoriseBorrowerTransactions.name, () => {
  it.each(CASES)('should categorise as %s (%s): %s', (expected, direction, narration) => {
    const { category, rule } = categoriseOneRow(narration, direction);
    expect(category).toBe(expected);
    expect(rule).not.toBe('');
  });

  it('should have at least three narrations per category in the table', () => {
    const perCategory = new Map<string, number>();
    for (const [category] of CASES) perCategory.set(category, (perCategory.get(category) ?? 0) + 1);
    for (const count of perCategory.values()) expect(count).toBeGreaterThanOrEqual(3);
    expect(perCategory.size).toBe(19);
  });

  it('should cite the lender id as the rule of a loan disbursement', () => {
    expect(categoriseOneRow('NIP/FAIRMONEY MFB/FAIRMONEY MICROFINANCE BANK/LOAN DISBURSEMENT 1234567890', 'credit').rule).toBe(
      'lender:fairmoney',
    );
  });

  it('should not treat a person who banks with FairMoney MFB as a lender', () => {
    expect(categoriseOneRow('NIP/FAIRMONEY MFB/CHIOMA OKAFOR/for goods', 'credit')).toEqual({
      category: 'transfer_in',
      rule: 'rail.transfer_in',
    });
  });

  it('should detect a self-transfer from the holder name with reordered names and an initial', () => {
    expect(categoriseOneRow('NIP/GTB/JOHN ADEBAYO O/house', 'credit')).toEqual({ category: 'self_transfer', rule: 'self_transfer.name' });
  });

  it('should not treat a relative sharing only the surname as a self-transfer', () => {
    expect(categoriseOneRow('NIP/GTB/ADEBAYO MARY/house', 'credit').category).toBe('transfer_in');
  });

  it('should pair a debit and a credit of the same amount across two linked accounts within two days', () => {
    const out = tx('MOB TRF 1234567890', 'debit', 2_512_300, '2026-09-10T10:00:00.000Z');
    const inn = tx('NIP TRANSFER 000013231012123456789012345678', 'credit', 2_512_300, '2026-09-11T22:00:00.000Z');
    const decoy = tx('NIP TRANSFER 000013231012123456789012345679', 'credit', 2_512_300, '2026-09-11T23:00:00.000Z');
    const rows = categoriseBorrowerTransactions([
      { accountId: 'a', holderName: HOLDER, transactions: [out] },
      { accountId: 'b', holderName: HOLDER, transactions: [inn, decoy] },
    ]);
    const byId = new Map(rows.map((r) => [r.providerId, r]));
    expect(byId.get(out.providerId)?.categoryRule).toBe('self_transfer.pair');
    expect(byId.get(inn.providerId)?.categoryRule).toBe('self_transfer.pair');
    // each leg is used once: the second credit of the same amount stays an ordinary inflow
    expect(byId.get(decoy.providerId)?.category).toBe('transfer_in');
  });

  it('should not pair legs more than two days apart or inside the same account', () => {
    const out = tx('MOB TRF 1234567890', 'debit', 2_000_000, '2026-09-10T10:00:00.000Z');
    const late = tx('NIP TRANSFER 000013231012123456789012345678', 'credit', 2_000_000, '2026-09-13T10:00:00.000Z');
    const same = tx('NIP TRANSFER 000013231012123456789012345670', 'credit', 2_000_000, '2026-09-10T12:00:00.000Z');
    const rows = categoriseBorrowerTransactions([
      { accountId: 'a', holderName: HOLDER, transactions: [out, same] },
      { accountId: 'b', holderName: HOLDER, transactions: [late] },
    ]);
    expect(rows.map((r) => r.category).sort()).toEqual(['transfer_in', 'transfer_in', 'transfer_out']);
  });

  it('should pair a reference-matched credit with the earlier debit it returns within seven days', () => {
    const debit = tx('NIP/GTB/EMEKA NWOSU/school fees 123456789012', 'debit', 1_500_000, '2026-09-10T10:00:00.000Z');
    const credit = tx('NIP/GTB/EMEKA NWOSU/123456789012', 'credit', 1_500_000, '2026-09-12T10:00:00.000Z');
    const rows = categoriseBorrowerTransactions([{ accountId: 'a', holderName: HOLDER, transactions: [credit, debit] }]);
    expect(rows.map((r) => [r.providerId, r.category, r.categoryRule])).toEqual([
      [debit.providerId, 'reversal', 'reversal.reversed_debit'],
      [credit.providerId, 'reversal', 'reversal.pair'],
    ]);
  });

  it('should not pair a credit that arrives more than seven days after the debit', () => {
    const debit = tx('NIP/GTB/EMEKA NWOSU/school fees 123456789012', 'debit', 1_500_000, '2026-09-01T10:00:00.000Z');
    const credit = tx('NIP/GTB/EMEKA NWOSU/123456789012', 'credit', 1_500_000, '2026-09-12T10:00:00.000Z');
    const rows = categoriseBorrowerTransactions([{ accountId: 'a', holderName: HOLDER, transactions: [credit, debit] }]);
    expect(rows.map((r) => r.category)).toEqual(['transfer_out', 'transfer_in']);
  });

  it('should net out both legs of a keyword reversal of a POS purchase', () => {
    const debit = tx('VC POS Loc-2058LA12--SHOPRITE LEKKI LA NG', 'debit', 730_000, '2026-09-10T10:00:00.000Z');
    const credit = tx('REVERSAL: VC POS Loc-2058LA12--SHOPRITE LEKKI LA NG', 'credit', 730_000, '2026-09-11T10:00:00.000Z');
    const rows = categoriseBorrowerTransactions([{ accountId: 'a', holderName: HOLDER, transactions: [credit, debit] }]);
    expect(rows.map((r) => r.category)).toEqual(['reversal', 'reversal']);
  });

  it('should order output by business date, then timestamp, then provider id and use the Lagos date', () => {
    const late = tx('NIP/GTB/EMEKA NWOSU/x', 'credit', 100_000, '2026-09-10T23:30:00.000Z');
    const early = tx('NIP/GTB/EMEKA NWOSU/y', 'credit', 100_000, '2026-09-10T08:00:00.000Z');
    const rows = categoriseBorrowerTransactions([{ accountId: 'a', holderName: HOLDER, transactions: [late, early] }]);
    expect(rows.map((r) => [r.providerId, r.date])).toEqual([
      [early.providerId, '2026-09-10'],
      [late.providerId, '2026-09-11'],
    ]);
  });
});
