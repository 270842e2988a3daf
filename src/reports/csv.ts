/**
 * RFC 4180 CSV: CRLF line ends, every field that contains a comma, quote, CR or LF is quoted and quotes are
 * doubled. Text cells that a spreadsheet would run as a formula (leading `=`, `+`, `-`, `@`, tab, CR) get a
 * leading `'` (OWASP CSV injection); numeric cells are written as plain numbers.
 */
export type CsvCell = string | number | boolean | null | undefined;

export interface CsvColumn<T> {
  header: string;
  value: (row: T) => CsvCell;
  /** Text columns get formula-injection protection; numbers never do. */
  text?: boolean;
}

export function csvField(cell: CsvCell, text = false): string {
  if (cell === null || cell === undefined) return '';
  let s = String(cell);
  if (text && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * One CSV line, CRLF included, typed by value rather than by column: numbers are written as plain numbers, every
 * other cell is text and gets the formula protection. For writers that stream rows (the data subject export).
 */
export function csvLine(cells: readonly CsvCell[]): string {
  return `${cells.map((c) => csvField(c, typeof c !== 'number')).join(',')}\r\n`;
}

export function toCsv<T>(columns: readonly CsvColumn<T>[], rows: readonly T[]): string {
  const lines = [columns.map((c) => csvField(c.header)).join(',')];
  for (const row of rows) lines.push(columns.map((c) => csvField(c.value(row), c.text ?? false)).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

/** Kobo → naira with two decimals by integer arithmetic (`-123456` → `-1234.56`). */
export function nairaDecimal(kobo: number | null): string | null {
  if (kobo === null) return null;
  const neg = kobo < 0;
  const abs = Math.abs(kobo);
  return `${neg ? '-' : ''}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/** Parses RFC 4180 text back into rows of strings (used by tests and the CLI's self-check). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
        i += 1;
        continue;
      }
      field += c;
      i += 1;
      continue;
    }
    if (c === '"' && field === '') {
      quoted = true;
      i += 1;
    } else if (c === ',') {
      row.push(field);
      field = '';
      i += 1;
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i += 2;
    } else if (c === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i += 1;
    } else {
      field += c;
      i += 1;
    }
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}
