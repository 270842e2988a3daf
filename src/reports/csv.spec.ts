import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { csvField, nairaDecimal, parseCsv, toCsv } from './csv.js';

describe(toCsv.name, () => {
  it('should quote fields with commas, quotes and line breaks and end lines with CRLF', () => {
    const csv = toCsv([{ header: 'a', value: (r: string) => r, text: true }], ['plain', 'a,b', 'say "hi"', 'two\nlines']);
    expect(csv).toBe('a\r\nplain\r\n"a,b"\r\n"say ""hi"""\r\n"two\nlines"\r\n');
  });

  it('should defuse spreadsheet formulas in text cells only', () => {
    expect(csvField('=SUM(A1)', true)).toBe("'=SUM(A1)");
    expect(csvField('@cmd', true)).toBe("'@cmd");
    expect(csvField(-1500, true)).toBe("'-1500");
    expect(csvField(-1500)).toBe('-1500');
    expect(csvField(null)).toBe('');
  });

  it('should parse back to the same rows for any text', () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.string(), { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 6 }), (rows) => {
        const width = Math.max(...rows.map((r) => r.length));
        const padded = rows.map((r) => [...r, ...new Array<string>(width - r.length).fill('x')]);
        const columns = Array.from({ length: width }, (_, k) => ({ header: `c${k}`, value: (r: string[]) => r[k] }));
        const parsed = parseCsv(toCsv(columns, padded));
        expect(parsed).toEqual([columns.map((c) => c.header), ...padded]);
      }),
    );
  });
});

describe(nairaDecimal.name, () => {
  it('should convert kobo by integer arithmetic', () => {
    expect(nairaDecimal(12_345_678)).toBe('123456.78');
    expect(nairaDecimal(5)).toBe('0.05');
    expect(nairaDecimal(-100)).toBe('-1.00');
    expect(nairaDecimal(null)).toBeNull();
  });
});
