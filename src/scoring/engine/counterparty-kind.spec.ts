import { describe, expect, it } from '@jest/globals';
import { counterpartyKind, hasBusinessWord, isPersonPayer } from './counterparty-kind.js';

describe(counterpartyKind.name, () => {
  it.each([
    'ADA OKAFOR',
    'OKAFOR ADA CHIOMA',
    'BELLO MUSA IBRAHIM',
    'ADEYEMI T FOLASADE', // an initial is set aside
    'OPAY TUNDE BAKARE', // wallet word beside the name
    'CHINEDU EZE KUDA',
    'MRS NGOZI OBI',
    'EMEKA NWOSU JNR',
    'ADA OKAFOR GIFT', // a memo word beside the name
    'IBRAHIM-MUSA FATIMA',
  ])('should read %s as a person', (key) => {
    expect(counterpartyKind(key)).toBe('person');
  });

  it.each([
    'CEDARPOINT SCHOOLS LTD',
    'SUNRISE FOODS NIGERIA LTD',
    'ADEBAYO AND SONS ENTERPRISES',
    'MAMA TOLU KITCHEN',
    'GRACE CHAPEL',
    'BOLT PAYOUT WEEKLY',
    'BOLT TECHNOLOGY OU PAYOUT',
    'PAYSTACK SETTLEMENT',
    'KINGDOM LIFE CHURCH',
    "OKON INT'L",
    'BRIGHTSTAR CONCEPTS',
    'EKO TECHNOLOGIES',
    'FAITH STORES',
    'LAGOS STATE GOVERNMENT',
  ])('should read %s as a business', (key) => {
    expect(counterpartyKind(key)).toBe('business');
  });

  it.each([
    '',
    'UNKNOWN',
    'OKAFOR', // one name token is not enough
    'CASH DEPOSIT',
    'AIRTIME REFUND',
    'ADA OKAFOR 0123456789',
    'ONE TWO THREE FOUR FIVE', // more than four name tokens
    'OPAY',
    'MOBILE TRANSFER',
  ])('should leave %s unknown', (key) => {
    expect(counterpartyKind(key)).toBe('unknown');
  });

  it('should give the same answer for the same key (memoised, pure)', () => {
    expect(counterpartyKind('ADA OKAFOR')).toBe(counterpartyKind('ADA OKAFOR'));
    expect(counterpartyKind('ada okafor')).toBe('person');
  });
});

describe(isPersonPayer.name, () => {
  it('should not take a business for a person when its key lost the legal-form words', () => {
    expect(isPersonPayer('EMEKA OBI', 'EMEKA OBI SERVICES')).toBe(false);
    expect(isPersonPayer('OKON ADEBAYO', 'OKON ADEBAYO NIGERIA LTD')).toBe(false);
    expect(isPersonPayer('CHIDI OKONKWO', 'NIP TRANSFER FROM CHIDI OKONKWO')).toBe(true);
    expect(isPersonPayer('CHIDI OKONKWO', 'CHIDI OKONKWO')).toBe(true);
    expect(hasBusinessWord('TRF/BRIGHT FUTURE SCHOOLS/FEES')).toBe(true);
  });
});
