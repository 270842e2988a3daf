import { Decimal } from 'decimal.js';
import { formatNaira } from '../../common/money.js';
import type { ChainUnit } from '../model/limit-chain.js';

/** Lagos is UTC+1 all year (no DST). */
const LAGOS_OFFSET_MS = 3_600_000;

/** An instant as Lagos wall-clock time with its zone: "2026-12-02 18:05 WAT (Africa/Lagos)"; `missing` when absent. */
export function lagosTime(isoInstant: string | null | undefined, missing = '—'): string {
  if (!isoInstant) return missing;
  const t = Date.parse(isoInstant);
  if (Number.isNaN(t)) return isoInstant;
  const s = new Date(t + LAGOS_OFFSET_MS).toISOString();
  return `${s.slice(0, 10)} ${s.slice(11, 16)} WAT (Africa/Lagos)`;
}

/** A chain figure in its unit: kobo as naira, ratios as a percentage with the decimal, factors as they are. */
export function chainValue(unit: ChainUnit, value: number | string | null, naira: (kobo: number) => string = formatNaira): string {
  if (value === null) return '—';
  switch (unit) {
    case 'kobo':
      return naira(Number(value));
    case 'ratio':
      return `${new Decimal(value).times(100).toDecimalPlaces(2).toString()}% (${String(value)})`;
    case 'rate':
      return `${new Decimal(value).times(100).toDecimalPlaces(4).toString()}% a month`;
    case 'months':
      return `${String(value)} month${Number(value) === 1 ? '' : 's'}`;
    case 'count':
      return String(value);
    case 'factor':
      return `× ${String(value)}`;
  }
}
