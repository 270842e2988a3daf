import { Readable } from 'node:stream';
import { Zip, ZipDeflate } from 'fflate';
import { readKobo } from '../common/money.js';
import { csvLine, type CsvCell } from '../reports/csv.js';
import type { BorrowerExport } from './data-export.service.js';

/**
 * The data subject export as a ZIP (docs/privacy.md "Access"): one CSV per section of the JSON document, the JSON
 * document itself (export.json) and a README.txt saying what each file holds. Written as a stream (fflate): rows are
 * turned into CSV text and deflated a batch at a time as the client reads, so neither the CSV text nor the archive is
 * ever held whole in memory — only the export document, which is read in one snapshot like the JSON answer.
 *
 * CSV: RFC 4180 through src/reports/csv.ts (quoting, CRLF, formula neutralisation of text cells starting with
 * = + - @ tab CR), a header row named like the JSON keys, UTF-8. Numbers (amounts: integer kobo, next to a
 * `currency` column) are plain numbers; times are ISO 8601 UTC; nested values (reasons, flags, account ids) are
 * JSON text in one cell; null is an empty cell.
 */
export const EXPORT_ZIP_CONTENT_TYPE = 'application/zip';

type Row = Record<string, unknown>;

interface Section {
  file: string;
  /** What the file holds, for README.txt. */
  holds: string;
  /** Columns in order; a key the JSON rows carry beyond these is appended, so no field is ever dropped. */
  columns: readonly string[];
  /** JSON keys held in another file (the loans' schedules and repayments). */
  omit?: readonly string[];
  rows: (doc: BorrowerExport) => readonly Row[];
}

/** Each loan's nested instalments or repayments, one row each, with the loan id and the loan's currency. */
function loanChildren(doc: BorrowerExport, key: 'instalments' | 'repayments', amounts: readonly string[]): Row[] {
  return doc.loans.flatMap((loan) => {
    const children = Array.isArray(loan[key]) ? (loan[key] as Row[]) : [];
    return children.map((child) => {
      const row: Row = { loan_id: loan.id, ...child, currency: loan.currency };
      // json_build_object gives the bigint amounts as text; in the CSV they are integer kobo like every other amount.
      for (const a of amounts) if (typeof row[a] === 'string' || typeof row[a] === 'number') row[a] = readKobo(row[a], a);
      return row;
    });
  });
}

export const EXPORT_SECTIONS: readonly Section[] = [
  {
    file: 'profile.csv',
    holds: 'your profile: the lender’s reference for you, name, email, phone, BVN and when it was created',
    columns: ['id', 'externalId', 'fullName', 'email', 'phone', 'bvn', 'createdAt'],
    rows: (doc) => [doc.borrower],
  },
  {
    file: 'consents.csv',
    holds:
      'every consent you gave for access to your bank data (underwriting, monitoring), its status at export time, expiry and revocation',
    columns: [
      'id',
      'borrowerId',
      'purpose',
      'status',
      'noticeVersion',
      'channel',
      'grantedAt',
      'expiresAt',
      'revokedAt',
      'revokedReason',
      'accountIds',
      'applicationId',
      'createdAt',
    ],
    rows: (doc) => doc.consents,
  },
  {
    file: 'accounts.csv',
    holds: 'the bank accounts you linked through Mono: bank, account name and number, type, last known balance, when linked and unlinked',
    columns: [
      'id',
      'monoAccountId',
      'institution',
      'accountName',
      'accountNumber',
      'accountType',
      'currency',
      'balanceMinor',
      'linkedAt',
      'unlinkedAt',
    ],
    rows: (doc) => doc.accounts,
  },
  {
    file: 'transactions.csv',
    holds:
      'every bank transaction stored from your linked accounts, as stored: date, direction, amount, balance, narration, category, counterparty, status',
    columns: [
      'id',
      'account_id',
      'provider_txn_id',
      'posted_at',
      'booking_date',
      'direction',
      'amount_minor',
      'balance_minor',
      'currency',
      'narration',
      'category',
      'category_source',
      'counterparty',
      'status',
      'first_seen_at',
      'removed_at',
    ],
    rows: (doc) => doc.transactions,
  },
  {
    file: 'decisions.csv',
    holds:
      'every credit decision made about you: outcome, recommended limit, binding constraint, reasons and flags (JSON), policy and engine version',
    columns: [
      'id',
      'created_at',
      'trigger',
      'application_id',
      'decision',
      'recommended_limit_minor',
      'currency',
      'binding_constraint',
      'reasons',
      'flags',
      'policy_version',
      'engine_version',
      'data_as_of',
      'actor',
      'overrides',
    ],
    rows: (doc) => doc.decisions,
  },
  {
    file: 'applications.csv',
    holds: 'your loan applications: amount, tenor, purpose, status and the decision each one got',
    columns: [
      'id',
      'created_at',
      'status',
      'status_reason',
      'amount_minor',
      'currency',
      'tenor_months',
      'purpose',
      'decision_id',
      'stale_data',
    ],
    rows: (doc) => doc.applications,
  },
  {
    file: 'loans.csv',
    holds:
      'the loans the lender gave you: principal, tenor, monthly rate, status; their schedules and repayments are in the next two files',
    columns: [
      'id',
      'application_id',
      'principal_minor',
      'currency',
      'disbursed_at',
      'tenor_months',
      'monthly_rate',
      'status',
      'closed_at',
      'written_off_at',
    ],
    omit: ['instalments', 'repayments'],
    rows: (doc) => doc.loans,
  },
  {
    file: 'loan-instalments.csv',
    holds:
      'the repayment schedule of each loan (the `instalments` of each loan in export.json): due date, principal and interest due and paid',
    columns: ['loan_id', 'seq', 'dueDate', 'principalMinor', 'interestMinor', 'paidPrincipalMinor', 'paidInterestMinor', 'currency'],
    rows: (doc) => loanChildren(doc, 'instalments', ['principalMinor', 'interestMinor', 'paidPrincipalMinor', 'paidInterestMinor']),
  },
  {
    file: 'loan-repayments.csv',
    holds:
      'the repayments recorded on each loan (the `repayments` of each loan in export.json): reference, amount, when paid, when reversed',
    columns: ['loan_id', 'reference', 'amountMinor', 'paidAt', 'reversedAt', 'currency'],
    rows: (doc) => loanChildren(doc, 'repayments', ['amountMinor']),
  },
  {
    file: 'income-checks.csv',
    holds:
      "Mono's estimate of your income, when the lender asked Mono to cross-check its own (figures only): account, status, monthly, annual and total income",
    columns: [
      'id',
      'account_id',
      'decision_id',
      'status',
      'reason',
      'requested_at',
      'settled_at',
      'monthly_income_minor',
      'annual_income_minor',
      'total_income_minor',
      'currency',
    ],
    rows: (doc) => doc.incomeChecks.map((c) => ({ ...c, currency: 'NGN' })),
  },
  {
    file: 'shadow-decisions.csv',
    holds:
      'what a candidate policy the lender was testing would have decided beside each decision above (computed, never used to decide about you)',
    columns: ['decision_id', 'created_at', 'policy_version', 'decision', 'recommended_limit_minor', 'currency', 'grade', 'reason_codes'],
    rows: (doc) => doc.shadowDecisions,
  },
  {
    file: 'audit.csv',
    holds: 'the audit trail of the records above: when, by whom (an API key id or a system job), what was done and why',
    columns: ['created_at', 'actor', 'action', 'entity_type', 'entity_id', 'reason'],
    rows: (doc) => doc.audit,
  },
];

export const EXPORT_ZIP_FILES = ['README.txt', ...EXPORT_SECTIONS.map((s) => s.file), 'export.json'] as const;

/** A JSON value as one CSV cell: numbers stay numbers, times become ISO 8601, lists and objects JSON text. */
function cell(value: unknown): CsvCell {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'string') return value;
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'bigint') return Number(value);
  return JSON.stringify(value);
}

function columnsOf(section: Section, rows: readonly Row[]): string[] {
  const columns = [...section.columns];
  const seen = new Set([...columns, ...(section.omit ?? [])]);
  for (const row of rows) {
    for (const key of Object.keys(row)) {
      if (!seen.has(key)) {
        seen.add(key);
        columns.push(key);
      }
    }
  }
  return columns;
}

/** The section as CSV lines: the header, then one line per row. */
function* sectionCsv(section: Section, rows: readonly Row[]): Generator<string> {
  const columns = columnsOf(section, rows);
  yield csvLine(columns);
  for (const row of rows) yield csvLine(columns.map((c) => cell(row[c])));
}

/** JSON.stringify(doc), a top-level field or one array element at a time. */
export function* exportJsonText(doc: BorrowerExport): Generator<string> {
  let sep = '{';
  for (const [key, value] of Object.entries(doc as unknown as Record<string, unknown>)) {
    if (value === undefined) continue;
    yield `${sep}${JSON.stringify(key)}:`;
    sep = ',';
    if (Array.isArray(value)) {
      yield '[';
      for (let i = 0; i < value.length; i++) yield `${i > 0 ? ',' : ''}${JSON.stringify(value[i]) ?? 'null'}`;
      yield ']';
    } else {
      yield JSON.stringify(value);
    }
  }
  yield sep === '{' ? '{}' : '}';
}

function readme(doc: BorrowerExport, rowCounts: ReadonlyMap<string, number>): string {
  const width = Math.max(...EXPORT_ZIP_FILES.map((f) => f.length)) + 2;
  const line = (file: string, text: string) => `  ${file.padEnd(width)}${text}`;
  const rows = (n: number) => `${n} row${n === 1 ? '' : 's'}`;
  const text = [
    `Borrower data export: everything the lender's underwriting engine holds about borrower ${String(doc.borrower.id)}`,
    `Format ${doc.format}, generated ${doc.generatedAt} (UTC).`,
    '',
    'Files',
    line('README.txt', 'this file'),
    ...EXPORT_SECTIONS.map((s) => line(s.file, `${rows(rowCounts.get(s.file) ?? 0)}: ${s.holds}`)),
    line('export.json', 'all of the above as one JSON document, the same as the JSON export of the API; values exactly as stored'),
    '',
    'Reading the CSV files',
    '  - RFC 4180: comma-separated, CRLF line ends, one header row naming the columns as in export.json. A field with a',
    '    comma, a double quote or a line break is in double quotes, a double quote inside it doubled ("").',
    '  - UTF-8 text. In a spreadsheet, import it as UTF-8 (e.g. Data > From Text/CSV) so ₦ and accents show right.',
    '  - Amounts are integer kobo (minor units) with their currency in the `currency` column: 25000000 NGN is ₦250,000.00.',
    '  - Times are ISO 8601 in UTC (2026-03-01T09:00:00.000Z), dates YYYY-MM-DD. An empty cell is no value.',
    '  - Lists and objects (decision reasons and flags, consented account ids) are JSON text in one cell.',
    "  - A text cell starting with =, +, -, @, a tab or a carriage return is written with a leading apostrophe (')",
    '    so that a spreadsheet shows it as text instead of running it as a formula. export.json has it unchanged.',
    '',
  ];
  return text.join('\r\n');
}

/** Joins small strings into pieces of about `size` characters (fewer, larger pushes into the compressor). */
function* batched(pieces: Iterable<string>, size = 64 * 1024): Generator<string> {
  let buf: string[] = [];
  let length = 0;
  for (const piece of pieces) {
    buf.push(piece);
    length += piece.length;
    if (length >= size) {
      yield buf.join('');
      buf = [];
      length = 0;
    }
  }
  if (length > 0) yield buf.join('');
}

interface ZipEntry {
  name: string;
  text: () => Iterable<string>;
}

/** The archive's bytes, produced as they are pulled: each pull deflates at most one batch of one file. */
function* zipBytes(entries: readonly ZipEntry[], mtime: Date): Generator<Uint8Array> {
  const out: Uint8Array[] = [];
  const state: { error: Error | null } = { error: null };
  const zip = new Zip((err, chunk) => {
    if (err) state.error = err;
    else out.push(chunk);
  });
  const encoder = new TextEncoder();
  function* drain(): Generator<Uint8Array> {
    if (state.error) throw state.error;
    yield* out.splice(0, out.length);
  }
  for (const entry of entries) {
    const file = new ZipDeflate(entry.name, { level: 6 });
    file.mtime = mtime;
    zip.add(file);
    for (const piece of batched(entry.text())) {
      file.push(encoder.encode(piece));
      yield* drain();
    }
    file.push(new Uint8Array(0), true);
    yield* drain();
  }
  zip.end();
  yield* drain();
}

/** The export as a readable ZIP stream (pull-driven: backpressure from the response paces the compression). */
export function borrowerExportZip(doc: BorrowerExport): Readable {
  const sections = EXPORT_SECTIONS.map((s) => ({ section: s, rows: s.rows(doc) }));
  const rowCounts = new Map(sections.map(({ section, rows }) => [section.file, rows.length]));
  const entries: ZipEntry[] = [
    { name: 'README.txt', text: () => [readme(doc, rowCounts)] },
    ...sections.map(({ section, rows }) => ({ name: section.file, text: () => sectionCsv(section, rows) })),
    { name: 'export.json', text: () => exportJsonText(doc) },
  ];
  return Readable.from(zipBytes(entries, new Date(doc.generatedAt)), { objectMode: false });
}
