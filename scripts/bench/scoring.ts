/**
 * Scoring benchmark: median time to underwrite one borrower with 2,000 transactions, beside the time to
 * JSON.parse the same input in the same run (target: ≤ 2 ms and ≤ 3× the parse).
 *
 *   npm run bench:scoring [-- --transactions 2000 --iterations 400]
 *
 * Synthetic, deterministic data (seeded PRNG); warm-up first; process.hrtime.bigint; prints a table and JSON.
 */
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { underwrite, type EngineInput } from '../../src/scoring/engine/index.js';
import { benchInput } from './scoring-input.js';

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

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[(s.length >> 1) - 1] + s[s.length >> 1]) / 2;
}

interface Sample {
  wallMs: number;
  cpuMs: number;
}

function measure(fn: () => unknown): Sample {
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  fn();
  const wall = Number(process.hrtime.bigint() - t0) / 1e6;
  const c = process.cpuUsage(c0);
  return { wallMs: wall, cpuMs: (c.user + c.system) / 1000 };
}

/** Score and parse are measured alternately in the same loop, so machine load affects both alike. */
function run(score: () => unknown, parse: () => unknown): { score: Sample[]; parse: Sample[] } {
  for (let i = 0; i < warmup; i += 1) {
    score();
    parse();
  }
  const out = { score: [] as Sample[], parse: [] as Sample[] };
  for (let i = 0; i < iterations; i += 1) {
    if (i % 2 === 0) {
      out.score.push(measure(score));
      out.parse.push(measure(parse));
    } else {
      out.parse.push(measure(parse));
      out.score.push(measure(score));
    }
  }
  return out;
}

const input: EngineInput = benchInput(target);
const transactions = input.transactions;
const text = JSON.stringify(input);
if (process.env.BENCH_DUMP) writeFileSync(process.env.BENCH_DUMP, text);
const samples = run(
  () => underwrite(input),
  () => JSON.parse(text) as unknown,
);
const scoreMs = median(samples.score.map((x) => x.wallMs));
const parseMs = median(samples.parse.map((x) => x.wallMs));
const scoreCpuMs = median(samples.score.map((x) => x.cpuMs));
const parseCpuMs = median(samples.parse.map((x) => x.cpuMs));
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
  medianScoreCpuMs: Number(scoreCpuMs.toFixed(3)),
  medianJsonParseCpuMs: Number(parseCpuMs.toFixed(3)),
  cpuRatio: Number((scoreCpuMs / parseCpuMs).toFixed(2)),
  loadAverage1m: Number(loadavg()[0].toFixed(2)),
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
    row('underwrite CPU (median)', `${figures.medianScoreCpuMs.toFixed(3)} ms`),
    row('JSON.parse CPU (median)', `${figures.medianJsonParseCpuMs.toFixed(3)} ms`),
    row('CPU ratio', `${figures.cpuRatio.toFixed(2)}×`),
    row('load average (1 min)', figures.loadAverage1m.toFixed(2)),
    row('target', '≤ 2 ms, ≤ 3×'),
    row('result', figures.pass ? 'PASS' : 'FAIL'),
    '',
    JSON.stringify(figures),
    '',
  ].join('\n'),
);
