/**
 * PDF account statements (API reference §5.1): `GET …/statement?output=pdf` starts a job that is `BUILDING` for
 * `jobDurationMs`, then `BUILT` with a `path` to download the PDF — a real document built from the account's visible
 * ledger (holder, bank, period, opening and closing balance, every transaction oldest first with debit, credit and
 * running balance). The status enum beyond BUILDING/BUILT is undocumented by Mono (§8); `FAILED` is used when the
 * build fails. Jobs live in memory: a sandbox restart forgets them (their downloads then answer 404).
 */
import { randomBytes } from 'node:crypto';
import { Router } from 'express';
import PDFDocument from 'pdfkit';
import { formatNaira } from '../common/money.js';
import { lagosDate } from '../ingestion/normalise/lagos-date.js';
import type { SandboxContext } from './sandbox-context.js';
import type { BankTransaction, SandboxAccount } from './types.js';

export type StatementJobStatus = 'BUILDING' | 'BUILT' | 'FAILED';

export interface StatementJob {
  id: string;
  accountId: string;
  status: StatementJobStatus;
  /** Download URL once BUILT, else null. */
  path: string | null;
  createdAt: string;
}

/** What the API answers for a job (legacy bare, v2 in the envelope). */
export function statementJobBody(job: StatementJob): { id: string; status: StatementJobStatus; path: string | null } {
  return { id: job.id, status: job.status, path: job.path };
}

/** Mono's job ids look like `QEP34KCSynTZgYXQr4e1`: 20 letters and digits. */
export function statementJobId(): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  return Array.from(randomBytes(20), (b) => alphabet[b % alphabet.length]).join('');
}

/** Kobo as naira with two decimals (decimal.js, no float); the PDF's standard font has no ₦ glyph. */
const naira = (kobo: number): string => formatNaira(kobo).replace('₦', '');

/** The statement PDF for `rows` (newest first, as the API lists them) of the last `months` months. */
export function renderStatementPdf(acc: SandboxAccount, rows: BankTransaction[], period: { from: string; to: string }): Promise<Buffer> {
  // Uncompressed content streams: a few kB more, and the text can be read back by tests and by hand.
  const doc = new PDFDocument({
    size: 'A4',
    margin: 40,
    compress: false,
    info: { Title: `Statement ${acc.accountNumber}`, Producer: 'Mono sandbox' },
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  const chronological = [...rows].sort((a, b) => (a.date === b.date ? a.seq - b.seq : a.date < b.date ? -1 : 1));
  const first = chronological[0];
  const last = chronological[chronological.length - 1];
  const opening = first ? first.balance + (first.type === 'debit' ? first.amount : -first.amount) : null;
  const closing = last ? last.balance : null;
  doc.fontSize(16).text(acc.institution.name, { continued: false });
  doc.fontSize(11).text('Statement of account');
  doc.moveDown(0.5);
  doc.fontSize(9);
  for (const [k, v] of [
    ['Account name', acc.name],
    ['Account number', acc.accountNumber],
    ['Account type', acc.type],
    ['Currency', acc.currency],
    ['Period', `${period.from} to ${period.to}`],
    ['Opening balance', opening === null ? '—' : naira(opening)],
    ['Closing balance', closing === null ? '—' : naira(closing)],
    ['Transactions', String(chronological.length)],
  ] as const) {
    doc.text(`${k}: ${v}`);
  }
  doc.moveDown(0.5);
  const cols = [
    { title: 'Date', x: 40, w: 60 },
    { title: 'Narration', x: 100, w: 245 },
    { title: 'Debit', x: 345, w: 65, right: true },
    { title: 'Credit', x: 410, w: 65, right: true },
    { title: 'Balance', x: 475, w: 80, right: true },
  ];
  const header = (): void => {
    const y = doc.y;
    doc.font('Helvetica-Bold');
    for (const c of cols) doc.text(c.title, c.x, y, { width: c.w, align: c.right ? 'right' : 'left' });
    doc.font('Helvetica');
    doc.moveDown(0.3);
  };
  header();
  for (const t of chronological) {
    if (doc.y > doc.page.height - 60) {
      doc.addPage();
      header();
    }
    const y = doc.y;
    const cells = [
      lagosDate(t.date),
      t.narration,
      t.type === 'debit' ? naira(t.amount) : '',
      t.type === 'credit' ? naira(t.amount) : '',
      naira(t.balance),
    ];
    let bottom = y;
    cols.forEach((c, i) => {
      doc.text(cells[i], c.x, y, { width: c.w, align: c.right ? 'right' : 'left' });
      bottom = Math.max(bottom, doc.y);
    });
    doc.y = bottom + 2;
  }
  doc.end();
  return done;
}

/** `GET /statements/{jobId}.pdf`: the built document (a download link, like Mono's `path`; no key needed). */
export function statementsRouter(ctx: SandboxContext): Router {
  const r = Router();
  r.get('/:file', (req, res) => {
    const m = /^([A-Za-z0-9]{20})\.pdf$/.exec(String(req.params.file));
    const pdf = m ? ctx.bank.statementPdf(m[1]) : null;
    if (!pdf) return res.status(404).json({ message: 'No such statement' });
    res.type('application/pdf').setHeader('Content-Disposition', `attachment; filename="statement-${m![1]}.pdf"`);
    res.send(pdf);
  });
  return r;
}
