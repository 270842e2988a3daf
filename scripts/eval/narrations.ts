/**
 * Narration accuracy: a labelled narration table (the shipped corpus, or the real-statement dev file when present)
 * run through the production path — one statement per account through `normaliseMonoExport` — and compared with the
 * analyst's labels. Pure: no database, no clock.
 *
 * Strict accuracy counts the label only; lenient also accepts the row's `alt` label. Recall and precision are per
 * label, strict.
 */
import { readFileSync } from 'node:fs';

import { TRANSACTION_CATEGORIES, type TransactionCategory } from '../../src/common/domain/transaction.js';
import { normaliseMonoExport } from '../../src/ingestion/normalise/index.js';

export interface LabelledNarration {
  /** Row id in its file (line number when the file has none). */
  id: string;
  statement: string;
  holder: string;
  direction: 'credit' | 'debit';
  amountMinor: number;
  date: string;
  narration: string;
  label: TransactionCategory;
  /** Other acceptable labels (the file's `alt` column, `|`-separated). */
  alts: TransactionCategory[];
  income: 'yes' | 'no' | 'maybe';
  /** Free columns of the file (bank, split, shape, …). */
  extra: Record<string, string>;
}

export interface Prediction {
  row: LabelledNarration;
  category: TransactionCategory;
  rule: string;
}

export interface LabelFigures {
  label: TransactionCategory;
  support: number;
  predicted: number;
  correct: number;
  recall: number | null;
  precision: number | null;
}

export interface NarrationMetrics {
  rows: number;
  strict: number;
  lenient: number;
  perLabel: LabelFigures[];
  /** confusion[label][predicted] = count. */
  confusion: Map<TransactionCategory, Map<TransactionCategory, number>>;
  misses: Prediction[];
  predictions: Prediction[];
}

const CATEGORY_SET: ReadonlySet<string> = new Set(TRANSACTION_CATEGORIES);

function category(value: string, where: string): TransactionCategory {
  if (!CATEGORY_SET.has(value)) throw new Error(`${where}: unknown category '${value}'`);
  return value as TransactionCategory;
}

/** Naira with up to 2 decimals → integer kobo, exactly (string arithmetic, no floats). */
export function nairaToKobo(text: string, where: string): number {
  const m = /^(\d+)(?:\.(\d{1,2}))?$/.exec(text.trim().replace(/,/g, ''));
  if (!m) throw new Error(`${where}: amount '${text}' is not a naira amount`);
  return Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
}

/**
 * Reads a labelled TSV: a header row naming at least statement, holder, direction, amount_naira, date, narration,
 * label, alt, income; other columns go to `extra`.
 */
export function parseLabelledTsv(text: string, file: string): LabelledNarration[] {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  if (lines.length === 0) return [];
  const header = lines[0].split('\t').map((h) => h.trim());
  const col = (name: string): number => {
    const i = header.indexOf(name);
    if (i < 0) throw new Error(`${file}: missing column '${name}'`);
    return i;
  };
  const c = {
    statement: col('statement'),
    holder: col('holder'),
    direction: col('direction'),
    amount: col('amount_naira'),
    date: col('date'),
    narration: col('narration'),
    label: col('label'),
    alt: col('alt'),
    income: col('income'),
  };
  const known = new Set(Object.values(c));
  const idCol = header.indexOf('id');
  return lines.slice(1).map((line, k): LabelledNarration => {
    const f = line.split('\t');
    const where = `${file}:${k + 2}`;
    const direction = f[c.direction]?.trim();
    if (direction !== 'credit' && direction !== 'debit') throw new Error(`${where}: direction '${direction}'`);
    const income = (f[c.income] ?? '').trim() || 'no';
    if (income !== 'yes' && income !== 'no' && income !== 'maybe') throw new Error(`${where}: income '${income}'`);
    const alts = (f[c.alt] ?? '')
      .split('|')
      .map((a) => a.trim())
      .filter((a) => a !== '')
      .map((a) => category(a, where));
    const extra: Record<string, string> = {};
    header.forEach((h, i) => {
      if (!known.has(i)) extra[h] = (f[i] ?? '').trim();
    });
    return {
      id: idCol >= 0 ? f[idCol].trim() : String(k + 2),
      statement: f[c.statement].trim(),
      holder: (f[c.holder] ?? '').trim(),
      direction,
      amountMinor: nairaToKobo(f[c.amount], where),
      date: f[c.date].trim(),
      narration: f[c.narration] ?? '',
      label: category(f[c.label].trim(), where),
      alts,
      income,
      extra,
    };
  });
}

export function readLabelledTsv(path: string): LabelledNarration[] {
  return parseLabelledTsv(readFileSync(path, 'utf8'), path);
}

/** The statement's own account number and the holder's other accounts (numbers), when the file set gives them. */
export interface StatementAccounts {
  accountNumber: string;
  otherAccountNumbers: string[];
}

/** `statement<TAB>account_number<TAB>other_accounts` with other accounts as `bank:number` separated by spaces. */
export function readStatementAccounts(path: string): Map<string, StatementAccounts> {
  const out = new Map<string, StatementAccounts>();
  const lines = readFileSync(path, 'utf8').split(/\r?\n/).filter((l) => l.trim() !== '');
  for (const line of lines.slice(1)) {
    const [statement, accountNumber, others = ''] = line.split('\t');
    out.set(statement.trim(), {
      accountNumber: accountNumber.trim(),
      otherAccountNumbers: others
        .split(/\s+/)
        .filter((x) => x !== '')
        .map((x) => x.slice(x.indexOf(':') + 1)),
    });
  }
  return out;
}

/**
 * Categorises every row the production way: each statement is one account with its holder's name (and, when known,
 * its number, with the holder's other accounts linked beside it as a lender would have them).
 */
export function categoriseRows(rows: readonly LabelledNarration[], accounts: ReadonlyMap<string, StatementAccounts> = new Map()): Prediction[] {
  const byStatement = new Map<string, LabelledNarration[]>();
  for (const r of rows) {
    const list = byStatement.get(r.statement);
    if (list) list.push(r);
    else byStatement.set(r.statement, [r]);
  }
  const out: Prediction[] = [];
  for (const [statement, list] of byStatement) {
    const ids = list.map((_, k) => `${statement}-${k}`);
    const latest = list.reduce((m, r) => (r.date > m ? r.date : m), list[0].date);
    const known = accounts.get(statement);
    const name = list[0].holder === '' ? null : list[0].holder;
    const linked = (known?.otherAccountNumbers ?? []).map((n, k) => ({
      account: { id: `eval-${statement}-linked-${k}`, name, account_number: n, currency: 'NGN', balance: null, type: 'SAVINGS_ACCOUNT' },
      transactions: [],
    }));
    const exported = {
      account: {
        id: `eval-${statement}`,
        name,
        account_number: known?.accountNumber ?? null,
        currency: 'NGN',
        balance: null,
        type: 'SAVINGS_ACCOUNT',
      },
      transactions: list.map((r, k) => ({
        id: ids[k],
        narration: r.narration,
        amount: r.amountMinor,
        type: r.direction,
        balance: null,
        date: r.date,
        currency: 'NGN',
      })),
    };
    const { transactions } = normaliseMonoExport(linked.length > 0 ? [exported, ...linked] : exported, latest);
    const byId = new Map(transactions.map((t) => [t.id, t]));
    list.forEach((row, k) => {
      const t = byId.get(ids[k]);
      if (!t) throw new Error(`row ${row.id} lost in normalisation`);
      out.push({ row, category: t.category, rule: t.categoryRule });
    });
  }
  return out;
}

export function measure(predictions: readonly Prediction[]): NarrationMetrics {
  const confusion = new Map<TransactionCategory, Map<TransactionCategory, number>>();
  let strict = 0;
  let lenient = 0;
  const misses: Prediction[] = [];
  for (const p of predictions) {
    const row = confusion.get(p.row.label) ?? new Map<TransactionCategory, number>();
    row.set(p.category, (row.get(p.category) ?? 0) + 1);
    confusion.set(p.row.label, row);
    if (p.category === p.row.label) strict++;
    if (p.category === p.row.label || p.row.alts.includes(p.category)) lenient++;
    else misses.push(p);
  }
  const perLabel: LabelFigures[] = [];
  for (const label of TRANSACTION_CATEGORIES) {
    const support = predictions.filter((p) => p.row.label === label).length;
    const predicted = predictions.filter((p) => p.category === label).length;
    if (support === 0 && predicted === 0) continue;
    const correct = predictions.filter((p) => p.row.label === label && p.category === label).length;
    perLabel.push({
      label,
      support,
      predicted,
      correct,
      recall: support === 0 ? null : correct / support,
      precision: predicted === 0 ? null : correct / predicted,
    });
  }
  const n = predictions.length;
  return {
    rows: n,
    strict: n === 0 ? 0 : strict / n,
    lenient: n === 0 ? 0 : lenient / n,
    perLabel,
    confusion,
    misses,
    predictions: [...predictions],
  };
}

export function evaluateNarrations(
  rows: readonly LabelledNarration[],
  accounts: ReadonlyMap<string, StatementAccounts> = new Map(),
): NarrationMetrics {
  return measure(categoriseRows(rows, accounts));
}

const pct = (x: number | null): string => (x === null ? 'n/a' : `${(x * 100).toFixed(1)}%`);

/** Markdown tables: headline, per label, confusion. `misses` adds the missed rows (never for files with real names). */
export function formatNarrationMetrics(title: string, m: NarrationMetrics, opts: { misses?: boolean } = {}): string {
  const lines = [`### ${title}`, '', `${m.rows} rows · strict **${pct(m.strict)}** · lenient **${pct(m.lenient)}**`, ''];
  lines.push('| label | support | predicted | recall | precision |', '|---|---:|---:|---:|---:|');
  for (const l of m.perLabel) lines.push(`| ${l.label} | ${l.support} | ${l.predicted} | ${pct(l.recall)} | ${pct(l.precision)} |`);
  const labels = m.perLabel.map((l) => l.label);
  lines.push('', 'Confusion (rows: label, columns: predicted; only labels that occur):', '');
  lines.push(`| label \\ predicted | ${labels.join(' | ')} |`, `|---|${labels.map(() => '---:').join('|')}|`);
  for (const a of labels) {
    const row = m.confusion.get(a);
    lines.push(`| ${a} | ${labels.map((b) => String(row?.get(b) ?? 0)).join(' | ')} |`);
  }
  if (opts.misses) {
    lines.push('', `Misses (${m.misses.length}):`, '');
    for (const p of m.misses) lines.push(`- ${p.row.id} ${p.row.direction} label=${p.row.label} got=${p.category} (${p.rule}): ${p.row.narration}`);
  }
  return lines.join('\n');
}
