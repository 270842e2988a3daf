/**
 * Prints the population report (markdown) for a generated population:
 *
 *   node --import @swc-node/register/esm-register scripts/eval/population/run.ts [--count 300] [--seed 1]
 *        [--as-of 2026-11-30] [--worst 25] [--json]
 *
 * `--json` prints the full report (metrics and one row per borrower) instead.
 */
import { parseArgs } from 'node:util';
import { formatPopulationReport, runPopulationEval } from './index.js';

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: {
    count: { type: 'string', default: '300' },
    seed: { type: 'string', default: '1' },
    'as-of': { type: 'string', default: '2026-11-30' },
    worst: { type: 'string', default: '25' },
    json: { type: 'boolean', default: false },
  },
  strict: true,
});

const int = (v: string, flag: string): number => {
  if (!/^\d+$/.test(v)) throw new Error(`${flag} must be a non-negative integer, got '${v}'`);
  return Number(v);
};

const opts = { count: int(values.count, '--count'), seed: int(values.seed, '--seed'), asOf: values['as-of'] };
const { report } = runPopulationEval(opts);
if (values.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
else
  process.stdout.write(
    `## Population: ${opts.count} borrowers, seed ${opts.seed}, as of ${opts.asOf}\n\n${formatPopulationReport(report, { worst: int(values.worst, '--worst') })}\n`,
  );
