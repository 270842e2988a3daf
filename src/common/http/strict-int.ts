import { Transform } from 'class-transformer';

/** A decimal integer as a query string sends it: optional minus, 1–15 digits. `0x10`, `1e3`, `1.0`, ` 5` are not. */
const DECIMAL_INTEGER = /^-?\d{1,15}$/;

export function parseStrictInt(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  return DECIMAL_INTEGER.test(value) ? Number(value) : value;
}

/**
 * Converts a query-string integer strictly (unlike `Number()`/`@Type(() => Number)`, which accept hex, exponents and
 * whitespace); anything else stays a string so `@IsInt()` rejects it with a 400.
 */
export const StrictInt = (): PropertyDecorator => Transform(({ value }: { value: unknown }) => parseStrictInt(value));
