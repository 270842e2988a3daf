import 'reflect-metadata';
import { describe, expect, it } from '@jest/globals';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { applicationRequestHash } from './applications.service.js';
import { CreateApplicationDto } from './dto/create-application.dto.js';
import { parseIdempotencyKey } from './dto/idempotency-key.js';

const valid = { borrowerId: '3f0c2a8e-5f1b-4d0a-8a57-1d2b9f1e4c21', amount: 25_000_000, tenorMonths: 6 };
const fields = (body: Record<string, unknown>): string[] =>
  validateSync(plainToInstance(CreateApplicationDto, body), { whitelist: true, forbidNonWhitelisted: true }).map((e) => e.property);

describe(CreateApplicationDto.name, () => {
  it('should accept an integer kobo amount with the default currency', () => {
    expect(fields(valid)).toEqual([]);
    expect(fields({ ...valid, currency: 'NGN', purpose: 'stock' })).toEqual([]);
    expect(fields({ ...valid, amount: Number.MAX_SAFE_INTEGER })).toEqual([]);
  });

  it.each([
    ['fractional', 1.5],
    ['zero', 0],
    ['negative', -1],
    ['a string', '100'],
    ['beyond 2^53', 2 ** 53],
    ['NaN', Number.NaN],
  ])('should reject an amount that is %s', (_what, amount) => {
    expect(fields({ ...valid, amount })).toEqual(['amount']);
  });

  it('should reject other currencies, tenors outside 1..120 and unknown fields', () => {
    expect(fields({ ...valid, currency: 'USD' })).toEqual(['currency']);
    expect(fields({ ...valid, tenorMonths: 121 })).toEqual(['tenorMonths']);
    expect(fields({ ...valid, tenorMonths: 0 })).toEqual(['tenorMonths']);
    expect(fields({ ...valid, rate: '0.04' })).toEqual(['rate']);
  });
});

describe('applicationRequestHash', () => {
  const dto = (body: Record<string, unknown>): CreateApplicationDto => plainToInstance(CreateApplicationDto, body);

  it('should not depend on key order or on spelling out defaults', () => {
    const a = applicationRequestHash(dto({ ...valid }));
    const b = applicationRequestHash(
      dto({ tenorMonths: 6, amount: 25_000_000, borrowerId: valid.borrowerId.toUpperCase(), currency: 'NGN' }),
    );
    expect(a).toBe(b);
    expect(a).toMatch(/^[0-9a-f]{64}$/);
  });

  it('should change with any field', () => {
    const base = applicationRequestHash(dto(valid));
    expect(applicationRequestHash(dto({ ...valid, amount: 25_000_001 }))).not.toBe(base);
    expect(applicationRequestHash(dto({ ...valid, tenorMonths: 7 }))).not.toBe(base);
    expect(applicationRequestHash(dto({ ...valid, purpose: 'x' }))).not.toBe(base);
  });
});

describe('parseIdempotencyKey', () => {
  it('should accept 1–128 printable characters', () => {
    expect(parseIdempotencyKey('a')).toBe('a');
    expect(parseIdempotencyKey('k'.repeat(128))).toBe('k'.repeat(128));
  });

  it.each([undefined, '', 'k'.repeat(129), 'has space', 'naïve', ['a', 'b']])('should reject %p', (value) => {
    expect(() => parseIdempotencyKey(value)).toThrow();
  });
});
