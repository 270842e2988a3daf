import { Decimal } from 'decimal.js';
import type { ValueTransformer } from 'typeorm';

/**
 * Money is integer minor units (kobo for NGN) everywhere: API, CLI, database. JS numbers hold them exactly
 * up to 2^53 (≈ ₦90 trillion); anything beyond is refused rather than silently rounded.
 * Ratios, rates and interest use decimal.js. One rounding mode for money: ROUND_DOWN (never overstate a limit).
 */
export const MONEY_ROUNDING = Decimal.ROUND_DOWN;

export function assertKobo(value: number, field = 'amount'): number {
  if (!Number.isSafeInteger(value)) throw new RangeError(`${field} must be an integer number of kobo within 2^53, got ${value}`);
  return value;
}

/**
 * The one reader of amounts coming from the database (bigint columns arrive as text): exact integer kobo, or a
 * RangeError naming the column — never a silently rounded float.
 */
export function readKobo(value: string | number, field = 'amount'): number {
  const n = typeof value === 'number' ? value : /^-?\d+$/.test(value) ? Number(value) : Number.NaN;
  return assertKobo(n, field);
}

/** As readKobo, null for a NULL column. */
export function readKoboOrNull(value: string | number | null | undefined, field = 'amount'): number | null {
  return value === null || value === undefined ? null : readKobo(value, field);
}

/** Decimal → integer kobo, rounded with the single documented mode. */
export function toKobo(value: Decimal.Value): number {
  return assertKobo(new Decimal(value).toDecimalPlaces(0, MONEY_ROUNDING).toNumber());
}

/** Formats kobo as naira for humans: 12345678 → "₦123,456.78". */
export function formatNaira(kobo: number, currency = 'NGN'): string {
  const sign = kobo < 0 ? '-' : '';
  const abs = new Decimal(Math.abs(kobo)).dividedBy(100);
  const [whole, frac] = abs.toFixed(2).split('.');
  const symbol = currency === 'NGN' ? '₦' : `${currency} `;
  return `${sign}${symbol}${(whole ?? '0').replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${frac ?? '00'}`;
}

/** TypeORM transformer for bigint kobo columns: Postgres returns strings; refuse unsafe integers. */
export const koboTransformer: ValueTransformer = {
  to: (value: number | null | undefined) => (value === null || value === undefined ? value : assertKobo(value)),
  from: (value: string | null) => {
    if (value === null || value === undefined) return null;
    const n = Number(value);
    if (!Number.isSafeInteger(n)) throw new RangeError(`bigint column value ${value} exceeds the safe integer range`);
    return n;
  },
};

/** TypeORM transformer for numeric ratio columns: keep them as decimal strings end to end. */
export const decimalStringTransformer: ValueTransformer = {
  to: (value: string | null | undefined) => value,
  from: (value: string | null) => value,
};
