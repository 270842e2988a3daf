/**
 * `npm run eval` — the engine's accuracy, measured three ways, pure (no database, no network):
 *
 *   1. real narrations: `../shared/real-narrations-dev.tsv` (real statements, real names: read, never copied; only
 *      figures are printed unless --misses is given, and misses go to stdout, never to a file in the repository);
 *   2. the labelled narration corpus the repository ships (scripts/eval/corpus/narrations.tsv), tune and holdout parts;
 *   3. an independently generated borrower population (scripts/eval/population) with true incomes and decisions.
 *
 *   npm run eval -- [--real FILE] [--corpus FILE] [--count 300] [--seed 1] [--as-of 2026-11-30] [--misses] [--json]
 *                   [--only real,corpus,population]
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';

import { loadDictionaries } from '../../src/ingestion/normalise/index.js';
import { ENGINE_VERSION } from '../../src/scoring/engine/index.js';
import { DEFAULT_POLICY_VERSION } from '../../src/scoring/policy/index.js';
import {
  evaluateNarrations,
  formatNarrationMetrics,
  readLabelledTsv,
  readStatementAccounts,
  type LabelledNarration,
  type NarrationMetrics,
} from './narrations.js';
import { DEFAULT_CORPUS_FILE, DEFAULT_REAL_FILE } from './paths.js';
import { formatPopulationReport, runPopulationEval } from './population/index.js';


const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;

function bySplit(rows: readonly LabelledNarration[]): Map<string, LabelledNarration[]> {
  const out = new Map<string, LabelledNarration[]>();
  for (const r of rows) {
    const key = r.extra.split || 'all';
    const list = out.get(key);
    if (list) list.push(r);
    else out.set(key, [r]);
  }
  return out;
}

function perBank(m: NarrationMetrics): string {
  const banks = new Map<string, { n: number; ok: number; lenient: number }>();
  for (const p of m.predictions) {
    const bank = p.row.extra.bank || p.row.statement;
    const b = banks.get(bank) ?? { n: 0, ok: 0, lenient: 0 };
    b.n++;
    if (p.category === p.row.label) b.ok++;
    if (p.category === p.row.label || p.row.alts.includes(p.category)) b.lenient++;
    banks.set(bank, b);
  }
  const lines = ['| bank | rows | strict | lenient |', '|---|---:|---:|---:|'];
  for (const [bank, b] of [...banks].sort((x, y) => (x[0] < y[0] ? -1 : 1))) lines.push(`| ${bank} | ${b.n} | ${pct(b.ok / b.n)} | ${pct(b.lenient / b.n)} |`);
  return lines.join('\n');
}

function main(): void {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      real: { type: 'string', default: DEFAULT_REAL_FILE },
      corpus: { type: 'string', default: DEFAULT_CORPUS_FILE },
      count: { type: 'string', default: '300' },
      seed: { type: 'string', default: '1' },
      'as-of': { type: 'string', default: '2026-11-30' },
      misses: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      only: { type: 'string', default: 'real,corpus,population' },
    },
    strict: true,
  });
  const only = new Set(values.only.split(','));
  const int = (v: string, flag: string): number => {
    if (!/^\d+$/.test(v) || Number(v) <= 0) throw new Error(`${flag} must be a positive integer, got '${v}'`);
    return Number(v);
  };
  const json: Record<string, unknown> = {
    engineVersion: ENGINE_VERSION,
    policyVersion: DEFAULT_POLICY_VERSION,
    dictionaryVersion: loadDictionaries().dictionaryVersion,
  };
  const out: string[] = [
    `# Accuracy evaluation`,
    '',
    `engine ${ENGINE_VERSION} · policy ${DEFAULT_POLICY_VERSION} · dictionaries ${String(json.dictionaryVersion)} · node ${process.version}`,
    '',
  ];

  if (only.has('real')) {
    out.push('## Real narrations (dev file)', '');
    if (!existsSync(values.real)) {
      out.push(`skipped: ${values.real} does not exist (it is kept outside the repository; pass --real FILE)`, '');
      json.real = null;
    } else {
      const m = evaluateNarrations(readLabelledTsv(values.real));
      out.push(formatNarrationMetrics(`${m.rows} rows, one statement per account`, m, { misses: values.misses }), '');
      json.real = summary(m);
    }
  }

  if (only.has('corpus')) {
    out.push('## Shipped corpus', '');
    if (!existsSync(values.corpus)) {
      out.push(`skipped: ${values.corpus} does not exist`, '');
    } else {
      const rows = readLabelledTsv(values.corpus);
      const accountsFile = join(dirname(values.corpus), 'accounts.tsv');
      const accounts = existsSync(accountsFile) ? readStatementAccounts(accountsFile) : new Map();
      const parts: Record<string, unknown> = {};
      const all = evaluateNarrations(rows, accounts);
      for (const [split, list] of [...bySplit(rows)].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
        const m = evaluateNarrations(list, accounts);
        out.push(formatNarrationMetrics(`split ${split}: ${m.rows} rows`, m, { misses: values.misses }), '');
        parts[split] = summary(m);
      }
      out.push(`### Per bank (all ${all.rows} rows)`, '', perBank(all), '');
      json.corpus = { all: summary(all), ...parts };
    }
  }

  if (only.has('population')) {
    const opts = { count: int(values.count, '--count'), seed: int(values.seed, '--seed'), asOf: values['as-of'] };
    const { report } = runPopulationEval(opts);
    out.push(`## Population: ${opts.count} borrowers, seed ${opts.seed}, as of ${opts.asOf}`, '', formatPopulationReport(report, { worst: values.misses ? 25 : 0 }), '');
    json.population = { overall: report.overall, byArchetype: report.byArchetype };
  }

  process.stdout.write(values.json ? `${JSON.stringify(json, null, 2)}\n` : `${out.join('\n')}\n`);
}

function summary(m: NarrationMetrics): Record<string, unknown> {
  return {
    rows: m.rows,
    strict: Number(m.strict.toFixed(4)),
    lenient: Number(m.lenient.toFixed(4)),
    perLabel: m.perLabel.map((l) => ({ label: l.label, support: l.support, recall: l.recall, precision: l.precision })),
  };
}

main();
