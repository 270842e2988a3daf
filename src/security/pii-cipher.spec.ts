import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from '@jest/globals';
import { configurePiiKeys, decryptPii, encryptPii, isEncrypted, maskTail } from './pii-cipher.js';

describe('PII cipher', () => {
  const k1 = { id: 'k1', key: randomBytes(32) };
  const k2 = { id: 'k2', key: randomBytes(32) };

  afterEach(() => configurePiiKeys([{ id: 'test', key: Buffer.alloc(32, 7) }]));

  it('should round-trip and never store the plain value', () => {
    configurePiiKeys([k1]);
    const stored = encryptPii('22212345678');
    expect(isEncrypted(stored)).toBe(true);
    expect(stored).not.toContain('22212345678');
    expect(decryptPii(stored)).toBe('22212345678');
    expect(encryptPii('22212345678')).not.toBe(stored); // random IV per value
  });

  it('should decrypt values written with an older key after rotation and encrypt with the newest', () => {
    configurePiiKeys([k1]);
    const old = encryptPii('0123456789');
    configurePiiKeys([k2, k1]);
    expect(decryptPii(old)).toBe('0123456789');
    expect(encryptPii('x').startsWith('enc:v1:k2:')).toBe(true);
  });

  it('should refuse to decrypt without the key and detect tampering', () => {
    configurePiiKeys([k1]);
    const stored = encryptPii('08031234567');
    configurePiiKeys([k2]);
    expect(() => decryptPii(stored)).toThrow(/k1 is not configured/);
    configurePiiKeys([k1]);
    const raw = Buffer.from(stored.split(':')[3], 'base64');
    raw[raw.length - 1] = raw[raw.length - 1] ^ 1;
    expect(() => decryptPii(`enc:v1:k1:${raw.toString('base64')}`)).toThrow();
  });

  it('should mask all but the last four characters', () => {
    expect(maskTail('22212345678')).toBe('*******5678');
    expect(maskTail('123')).toBe('***');
    expect(maskTail(null)).toBeNull();
  });
});
