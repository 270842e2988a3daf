/**
 * Per-stage time of the scoring engine (a development aid beside bench:scoring): median µs per call of each
 * stage. Without arguments it scores the benchmark's own borrower object, as bench:scoring does; with a file
 * (e.g. one written by `BENCH_DUMP=file npm run bench:scoring`) it scores a fresh JSON.parse of it each round,
 * as the service scores rows it has just read.
 *
 *   node --import @swc-node/register/esm-register scripts/bench/stages.ts [FILE] [ROUNDS]
 */
import { readFileSync } from 'node:fs';
import { hashInput, prepareTransactions } from '../../src/scoring/engine/canonical.js';
import { buildFrame } from '../../src/scoring/engine/frame.js';
import { detectIncome } from '../../src/scoring/engine/income.js';
import { computeCashFlow } from '../../src/scoring/engine/cashflow.js';
import { computeRisk } from '../../src/scoring/engine/risk.js';
import { computeObligations } from '../../src/scoring/engine/obligations.js';
import { underwrite } from '../../src/scoring/engine/underwrite.js';
import { toDay } from '../../src/scoring/engine/dates.js';
import type { EngineInput } from '../../src/scoring/engine/types.js';
import { benchInput } from './scoring-input.js';

const file = process.argv[2];
const rounds = Number(process.argv[3] ?? 600);
const text = file ? readFileSync(file, 'utf8') : null;
const own = benchInput(2000);
const fresh = (): EngineInput => (text === null ? own : (JSON.parse(text) as EngineInput));

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

const stages: Record<string, number[]> = {};
function time<T>(name: string, f: () => T): T {
  const t0 = process.hrtime.bigint();
  const v = f();
  (stages[name] ??= []).push(Number(process.hrtime.bigint() - t0) / 1000);
  return v;
}

for (let r = 0; r < rounds; r += 1) {
  const input = fresh();
  const asOfDay = toDay(input.asOf.slice(0, 10));
  const prepared = time('prepare', () => prepareTransactions(input.transactions));
  time('hash', () => hashInput(input, prepared.transactions));
  const frame = time('frame', () => buildFrame(prepared.transactions, input.accounts, asOfDay, input.policy.coverage.lookbackMonths));
  const risk = time('risk', () =>
    computeRisk({ frame, policy: input.policy, completeMonths: frame.completeMonths.length, staleFromContext: false, applicantName: undefined }),
  );
  const ob = time('obligations', () => computeObligations(frame));
  const inc = time('income', () => detectIncome(frame, input.policy, risk.passThrough.detected));
  time('cashflow', () => computeCashFlow(frame, input.policy, inc.qualifyingByMonth, ob.monthlyTotalMinor));
  const again = fresh();
  time('underwrite (all)', () => underwrite(again));
}
const warm = Math.floor(rounds / 4);
for (const [k, v] of Object.entries(stages)) console.log(k.padEnd(18), median(v.slice(warm)).toFixed(1).padStart(8), 'µs');
