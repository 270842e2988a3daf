import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';

import { lagosDate } from './lagos-date.js';
import { extractReference } from './narration.js';

/** The original definitions, verbatim. */
function referenceLagosDate(iso: string): string {
  if (/^\d{4}-\d{2}-\d{2}$/.test(iso)) return iso;
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new RangeError(`not an ISO timestamp: ${iso}`);
  return new Date(ms + 60 * 60 * 1000).toISOString().slice(0, 10);
}

function referenceExtractReference(upper: string): string | null {
  let best: string | null = null;
  for (const token of upper.split(/[^A-Z0-9]+/)) {
    const digits = token.replace(/\D/g, '').length;
    if (digits >= 8 && (best === null || token.length > best.length)) best = token;
  }
  return best;
}

const outcome = (f: () => string | null): string => {
  try {
    return `ok ${f()}`;
  } catch (error) {
    return `throws ${(error as Error).message}`;
  }
};

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

/** Canonical-looking timestamps with fields often out of range (day 29–32, hour 23–24, minute 60…). */
const isoLike = fc
  .record({
    year: fc.integer({ min: 0, max: 9999 }),
    month: fc.integer({ min: 0, max: 13 }),
    day: fc.integer({ min: 0, max: 32 }),
    hour: fc.integer({ min: 0, max: 25 }),
    minute: fc.integer({ min: 0, max: 61 }),
    second: fc.integer({ min: 0, max: 61 }),
    ms: fc.integer({ min: 0, max: 999 }),
    tail: fc.constantFrom('Z', 'Z', 'Z', '+01:00', '', 'z'),
  })
  .map(
    (t) =>
      `${pad(t.year, 4)}-${pad(t.month, 2)}-${pad(t.day, 2)}T${pad(t.hour, 2)}:${pad(t.minute, 2)}:${pad(t.second, 2)}.${pad(t.ms, 3)}${t.tail}`,
  );

describe('normalise fast paths', () => {
  it('should give the Lagos date the Date-based definition gives, or throw the same error', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          isoLike,
          fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
          fc.string({ maxLength: 26 }),
        ),
        (iso) => {
          expect(outcome(() => lagosDate(iso))).toBe(outcome(() => referenceLagosDate(iso)));
        },
      ),
      { numRuns: 5000 },
    );
  });

  it('should extract the same reference as the split-based definition', () => {
    const text = fc
      .array(fc.constantFrom('0', '1', '9', 'A', 'Z', 'a', ' ', '/', '-', '*', 'É', '12345678', 'FT'), { maxLength: 40 })
      .map((p) => p.join(''));
    fc.assert(
      fc.property(fc.oneof(text, fc.string({ maxLength: 40 })), (s) => {
        const upper = s.toUpperCase();
        expect(extractReference(upper)).toBe(referenceExtractReference(upper));
      }),
      { numRuns: 3000 },
    );
  });
});
