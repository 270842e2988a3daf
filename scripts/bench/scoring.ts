/**
 * Scoring benchmark: median time to underwrite one borrower with 2,000 transactions, beside the time to
 * JSON.parse the same input in the same run (target: ≤ 2 ms and ≤ 3× the parse).
 *
 *   npm run bench:scoring [-- --transactions 2000 --iterations 400]
 *
 * Synthetic, deterministic data (seeded PRNG); warm-up first; process.hrtime.bigint; prints a table and JSON.
 */
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import type { NormalisedTransaction } from '../../src/common/domain/transaction.js';
import { underwrite, type EngineInput } from '../../src/scoring/engine/index.js';
import { buildTransactions, engineAccount, monthlyDates, rng, type TxSpec } from '../../src/scoring/engine/testing/builders.js';
import { DEFAULT_POLICY } from '../../src/scoring/policy/index.js';

const { values } = parseArgs({
  options: {
    transactions: { type: 'string', default: '2000' },
    iterations: { type: 'string', default: '400' },
    warmup: { type: 'string', default: '100' },
  },
});
const target = Number(values.transactions);
const iterations = Number(values.iterations);
const warmup = Number(values.warmup);
const asOf = '2026-10-31';

/** A salaried borrower who also trades: salary, many small transfers in and out, POS, bills, two loan apps, a little betting. */
function borrower(n: number): NormalisedTransaction[] {
  const r = rng(20261031);
  const specs: TxSpec[] = [];
  for (const date of monthlyDates('2025-11', '2026-10', 25)) {
    specs.push({
      date,
      direction: 'credit',
      amountMinor: 45_000_000,
      category: 'salary',
      counterparty: 'OKOMU AGRO ALLIED LTD',
      narration: `NIP/ZENITH/OKOMU AGRO ALLIED LTD/SALARY ${date.slice(0, 7)}`,
    });
  }
  for (const date of monthlyDates('2025-11', '2026-10', 5, false)) {
    specs.push({
      date,
      direction: 'debit',
      amountMinor: 4_500_000,
      category: 'loan_repayment',
      counterparty: 'CARBON',
      narration: 'PAYSTACK/CARBON LOAN REPAYMENT',
    });
  }
  const people = Array.from({ length: 300 }, (_, i) => `CUSTOMER ${['ADA', 'BOLA', 'CHIDI', 'DAYO', 'EMEKA', 'FUNMI'][i % 6]} ${i}`);
  const merchants = ['SHOPRITE LEKKI', 'SPAR GARKI', 'CHICKEN REPUBLIC', 'MEDPLUS YABA', 'TOTAL ENERGIES', 'JUMIA'];
  const start = Date.UTC(2025, 10, 1) / 86_400_000;
  while (specs.length < n) {
    const date = new Date((start + Math.floor(r() * 364)) * 86_400_000).toISOString().slice(0, 10);
    const u = r();
    if (u < 0.3)
      specs.push({
        date,
        direction: 'credit',
        amountMinor: 50_000 + Math.floor(r() * 3_000_000),
        category: 'transfer_in',
        counterparty: people[Math.floor(r() * people.length)],
      });
    else if (u < 0.55)
      specs.push({
        date,
        direction: 'debit',
        amountMinor: 20_000 + Math.floor(r() * 2_000_000),
        category: 'card_pos',
        counterparty: merchants[Math.floor(r() * merchants.length)],
        rail: 'POS',
      });
    else if (u < 0.75)
      specs.push({
        date,
        direction: 'debit',
        amountMinor: 50_000 + Math.floor(r() * 2_500_000),
        category: 'transfer_out',
        counterparty: people[Math.floor(r() * people.length)],
      });
    else if (u < 0.85)
      specs.push({
        date,
        direction: 'debit',
        amountMinor: 5_000,
        category: 'bank_charges',
        counterparty: null,
        rail: 'CHARGE',
        narration: 'Electronic Money Transfer Levy',
      });
    else if (u < 0.92)
      specs.push({
        date,
        direction: 'debit',
        amountMinor: 10_000 + Math.floor(r() * 500_000),
        category: 'airtime_data',
        counterparty: 'MTN',
        rail: 'AIRTIME',
      });
    else if (u < 0.97)
      specs.push({
        date,
        direction: 'debit',
        amountMinor: 100_000 + Math.floor(r() * 2_000_000),
        category: 'utilities',
        counterparty: 'IKEDC PREPAID TOKEN',
        rail: 'BILLS',
      });
    else
      specs.push({
        date,
        direction: 'debit',
        amountMinor: 100_000 + Math.floor(r() * 500_000),
        category: 'betting_stake',
        counterparty: 'SPORTYBET',
      });
  }
  return buildTransactions(specs, { openingBalanceMinor: 50_000_000 });
}

function median(xs: bigint[]): number {
  const s = [...xs].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return Number(s[s.length >> 1]) / 1e6;
}

function time(fn: () => unknown): bigint[] {
  for (let i = 0; i < warmup; i += 1) fn();
  const out: bigint[] = [];
  let sink = 0;
  for (let i = 0; i < iterations; i += 1) {
    const t0 = process.hrtime.bigint();
    const v = fn();
    out.push(process.hrtime.bigint() - t0);
    if (v) sink += 1;
  }
  if (sink < 0) process.stdout.write('');
  return out;
}

const transactions = borrower(target);
const input: EngineInput = {
  borrowerId: 'bench',
  accounts: [engineAccount('acc-1', transactions, asOf)],
  transactions,
  asOf,
  policy: DEFAULT_POLICY,
};
const text = JSON.stringify(input);
if (process.env.BENCH_DUMP) (await import('node:fs')).writeFileSync(process.env.BENCH_DUMP, text);
const scoreMs = median(time(() => underwrite(input)));
const parseMs = median(time(() => JSON.parse(text) as unknown));
const result = underwrite(input);
const ratio = scoreMs / parseMs;
const figures = {
  benchmark: 'scoring',
  transactions: transactions.length,
  inputBytes: Buffer.byteLength(text),
  iterations,
  warmup,
  medianScoreMs: Number(scoreMs.toFixed(3)),
  medianJsonParseMs: Number(parseMs.toFixed(3)),
  ratio: Number(ratio.toFixed(2)),
  targetMs: 2,
  targetRatio: 3,
  pass: scoreMs <= 2 && ratio <= 3,
  decision: result.decision,
  node: process.version,
  cpus: cpus().length,
  cpuModel: cpus()[0]?.model ?? 'unknown',
};
const row = (k: string, v: string): string => `| ${k.padEnd(28)} | ${v.padStart(14)} |`;
process.stdout.write(
  [
    row('measure', 'value'),
    `|${'-'.repeat(30)}|${'-'.repeat(16)}|`,
    row('transactions / borrower', String(figures.transactions)),
    row('input JSON size', `${(figures.inputBytes / 1024).toFixed(0)} KiB`),
    row('underwrite (median)', `${figures.medianScoreMs.toFixed(3)} ms`),
    row('JSON.parse same input', `${figures.medianJsonParseMs.toFixed(3)} ms`),
    row('ratio score / parse', `${figures.ratio.toFixed(2)}×`),
    row('target', '≤ 2 ms, ≤ 3×'),
    row('result', figures.pass ? 'PASS' : 'FAIL'),
    '',
    JSON.stringify(figures),
    '',
  ].join('\n'),
);
