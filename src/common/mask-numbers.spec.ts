import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { maskNumbersInText } from './mask-numbers.js';

describe(maskNumbersInText.name, () => {
  it('should keep the last four digits of account, phone, BVN and card numbers in free text', () => {
    expect(maskNumbersInText('TRF TO 0123456789 OBI')).toBe('TRF TO ******6789 OBI');
    expect(maskNumbersInText('Airtime//08031234567//MTN')).toBe('Airtime//*******4567//MTN');
    expect(maskNumbersInText('call +2348031234567 now')).toBe('call +*********4567 now');
    expect(maskNumbersInText('MOB 0803 123 4567 REF')).toBe('MOB **** *** 4567 REF');
    expect(maskNumbersInText('POS 5399831234567890 PURCHASE')).toBe('POS ************7890 PURCHASE');
    expect(maskNumbersInText('NIP/0123456789/KUDA/0987654321')).toBe('NIP/******6789/KUDA/******4321');
  });

  it('should leave amounts, dates, short references and 30-digit session ids alone', () => {
    for (const text of [
      'SALARY FEB 2026',
      'POS TID 2MPT1234 45000.00',
      'REF 123456789',
      '000015260310123456789012345678 NIP',
      'EMT 50.00 20260227',
    ]) {
      expect(maskNumbersInText(text)).toBe(text);
    }
  });

  it('should never leave a 10–16 digit run readable and never change the text outside digit runs', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.stringMatching(/^[A-Z/ ]{0,6}$/), fc.stringMatching(/^\d{1,20}$/)), { maxLength: 8 }), (parts) => {
        const text = parts.join(' ');
        const masked = maskNumbersInText(text);
        expect(masked.replace(/[\d*]/g, '#')).toBe(text.replace(/\d/g, '#'));
        for (const run of masked.match(/[\d*]+/g) ?? []) if (run.length >= 10 && run.length <= 16) expect(/\d{5}/.test(run)).toBe(false);
      }),
      { numRuns: 500 },
    );
  });
});
