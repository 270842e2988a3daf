import { describe, expect, it } from '@jest/globals';

import type { Direction, PaymentRail } from '../../common/domain/transaction.js';
import { extractReference, normaliseCounterparty, parseNarration } from './narration.js';

type Row = [string, Direction | undefined, PaymentRail, string | null, string | null];

// narration, direction, rail, counterparty, memo
const TABLE: Row[] = [
  ['NIP/GTB/ADEBAYO JOHN/rent for june', 'credit', 'NIP', 'ADEBAYO JOHN', 'rent for june'],
  ['NIP/ZENITH/LAGOS HARBOUR LOGISTICS LTD/SALARY OCT 2026', 'credit', 'NIP', 'LAGOS HARBOUR LOGISTICS LTD', 'SALARY OCT 2026'],
  ['TRF/BRANCH INTERNATIONAL/REPAYMENT 1234567890', 'debit', 'NIP', 'BRANCH INTERNATIONAL', 'REPAYMENT 1234567890'],
  ['000013231012123456789012345678 NIP TRANSFER FROM CHIOMA OKAFOR', 'credit', 'NIP', 'CHIOMA OKAFOR', null],
  ['FT 1234567890 BOLT OPERATIONS', 'credit', 'NIP', 'BOLT OPERATIONS', null],
  ['MOB TRF TO EMEKA UCHE 0123456789', 'debit', 'NIP', 'EMEKA UCHE', null],
  ['Received from CHIOMA OKAFOR', 'credit', 'NIP', 'CHIOMA OKAFOR', null],
  ['Sent to EMEKA UCHE | OPay', 'debit', 'NIP', 'EMEKA UCHE', 'OPAY'],
  ['NIBSS INSTANT PAYMENT IFO JOHN DOE', 'credit', 'NIP', 'JOHN DOE', null],
  ['TRANSFER BETWEEN CUSTOMERS Via GTWORLD FROM JOHN DOE TO MARY EZE', 'credit', 'NIP', 'JOHN DOE', null],
  ['TRF FRM ADEBAYO JOHN TO MUSA DANJUMA', 'debit', 'NIP', 'MUSA DANJUMA', null],
  ['TRF FRM MUSA DANJUMA TO ADEBAYO JOHN', 'credit', 'NIP', 'MUSA DANJUMA', null],
  ['VC POS Loc-2058LA12--SHOPRITE LEKKI LA NG', 'debit', 'POS', 'SHOPRITE LEKKI', null],
  ['MC Loc POS Prch-2033ABCD-CHICKEN REPUBLIC IKEJA NG', 'debit', 'POS', 'CHICKEN REPUBLIC IKEJA', null],
  ['WEB PURCHASE JUMIA NG LAGOS', 'debit', 'WEB', 'JUMIA LAGOS', null],
  ['Airtime//08031234567//MTN', 'debit', 'AIRTIME', 'MTN', '08031234567'],
  ['*737*1*5000*0123456789# USSD TRF IFEOMA EZE', 'debit', 'USSD', 'IFEOMA EZE', null],
  ['ATM WDL @ 10472 GTB IKEJA', 'debit', 'ATM', null, 'ATM WDL @ 10472 GTB IKEJA'],
  ['FGN STAMP DUTY 20260901', 'debit', 'CHARGE', null, 'FGN STAMP DUTY 20260901'],
  ['EMTL-123456789012', 'debit', 'CHARGE', null, 'EMTL-123456789012'],
  ['Electronic Money Transfer Levy', 'debit', 'CHARGE', null, 'ELECTRONIC MONEY TRANSFER LEVY'],
  ['SMS ALERT CHARGES OCT 2026', 'debit', 'CHARGE', null, 'SMS ALERT CHARGES OCT 2026'],
  ['VAT ON MAINTENANCE FEE OCT 2026', 'debit', 'CHARGE', null, 'VAT ON MAINTENANCE FEE OCT 2026'],
  ['IKEDC PREPAID 04512345678 TOKEN', 'debit', 'BILLS', 'IKEDC PREPAID TOKEN', null],
  ['CREDIT INTEREST SEP 2026', 'credit', 'INTERNAL', 'CREDIT INTEREST', null],
  ['RETURNED CHEQUE 000123 CHG', 'debit', 'CHEQUE', 'RETURNED CHEQUE CHG', null],
];

describe(parseNarration.name, () => {
  it.each(TABLE)('should parse %s', (narration, direction, rail, counterparty, memo) => {
    const parsed = parseNarration(narration, direction);
    expect({ rail: parsed.rail, counterparty: parsed.counterparty, memo: parsed.memo }).toEqual({ rail, counterparty, memo });
  });

  it('should keep the bank segment of a NIP narration separately from the counterparty', () => {
    expect(parseNarration('NIP/FAIRMONEY MFB/CHIOMA OKAFOR/for goods').bank).toBe('FAIRMONEY MFB');
  });

  it.each([
    'REVERSAL: VC POS Loc-2058LA12--SHOPRITE LEKKI LA NG',
    'RVSL/123456789012/NIP/EMEKA NWOSU',
    'REV-NIP/GTB/X',
    'REFUND JUMIA ORDER',
    'RETURN OF FUNDS 12345678',
  ])('should flag %s as a reversal', (narration) => {
    expect(parseNarration(narration).isReversal).toBe(true);
  });

  it.each(['RETURNED CHEQUE 000123', 'NIP/GTB/REVENUE SERVICES/tax', 'PREVIEW LTD/ORDER'])(
    'should not flag %s as a reversal',
    (narration) => {
      expect(parseNarration(narration).isReversal).toBe(false);
    },
  );
});

describe(normaliseCounterparty.name, () => {
  it('should strip references, dates, account numbers, rail tokens and month names', () => {
    expect(normaliseCounterparty('NIP TRF FROM Chioma-Okafor 0123456789 REF:88812345 12/09/2026 OCT')).toBe('CHIOMA OKAFOR');
  });

  it('should return null when nothing name-like survives', () => {
    expect(normaliseCounterparty('MOB TRF 1234567890')).toBeNull();
  });
});

describe(extractReference.name, () => {
  it('should pick the longest token with at least eight digits', () => {
    expect(extractReference('RVSL/123456789012/NIP/000013231012123456789012345678')).toBe('000013231012123456789012345678');
    expect(extractReference('NIP/GTB/EMEKA/1234567')).toBeNull();
  });
});
