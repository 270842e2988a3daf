import { describe, expect, it } from '@jest/globals';
import { maskTail } from './dto/borrower-response.dto.js';

describe('maskTail', () => {
  it('should keep only the last four characters of a BVN or phone number', () => {
    expect(maskTail('22212345678')).toBe('*******5678');
    expect(maskTail('+2348031234567')).toBe('**********4567');
  });

  it('should mask short values completely and keep null as null', () => {
    expect(maskTail('1234')).toBe('****');
    expect(maskTail('12345')).toBe('****5');
    expect(maskTail(null)).toBeNull();
    expect(maskTail('')).toBeNull();
  });
});
