/**
 * `npm run backtest:book -- [--borrowers 5000] [--seed 1] [--candidate default,looser,tighter | --policy FILE]
 *  [--workers N]`
 *
 * Generates the seeded, simulated loan book (scripts/backtest/book.ts: sandbox personas, the sandbox's loan outcome
 * simulator) in memory and backtests each candidate against the shipped policy as the book was decided. Prints one
 * JSON object `{ borrowers, seed, seconds, summaries: { <candidate>: BacktestSummary } }`. No database: the figures
 * for the demo and for `scripts/backtest/book.spec.ts`. Borrowers are split over worker threads by index (each
 * borrower depends only on the seed and its index), and their accumulators merged exactly.
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { BacktestAccumulator, type BacktestState } from '../../src/scoring/backtest.js';
import type { Policy } from '../../src/scoring/engine/index.js';
import { DEFAULT_POLICY, loadPolicyFile } from '../../src/scoring/policy/index.js';
import { bookBorrower, bookCase } from './book.js';
import { looserPolicy, tighterPolicy } from './policies.js';

interface Job {
  borrowers: number;
  seed: number;
  worker: number;
  workers: number;
  candidates: Array<[string, Policy]>;
}

function accumulate(job: Job): Record<string, BacktestState> {
  const accs = job.candidates.map(([name, p]) => [name, new BacktestAccumulator(p)] as const);
  for (let i = job.worker; i < job.borrowers; i += job.workers) {
    const c = bookCase(bookBorrower(i, { borrowers: job.borrowers, seed: job.seed }));
    for (const [, acc] of accs) acc.add(c);
  }
  return Object.fromEntries(accs.map(([name, acc]) => [name, acc.state()]));
}

if (!isMainThread) {
  parentPort!.postMessage(accumulate(workerData as Job));
} else {
  const USAGE =
    'usage: npm run backtest:book -- [--borrowers N] [--seed N] [--candidate default,looser,tighter | --policy FILE] [--workers N]\n';
  const { values } = parseArgs({
    options: {
      borrowers: { type: 'string', default: '5000' },
      seed: { type: 'string', default: '1' },
      candidate: { type: 'string', default: 'default,looser,tighter' },
      policy: { type: 'string' },
      workers: { type: 'string', default: String(Math.max(1, Math.min(4, os.availableParallelism()))) },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    process.exit(0);
  }
  const int = (v: string, flag: string): number => {
    if (!/^[1-9]\d*$/.test(v)) {
      process.stderr.write(`${flag} must be a positive integer\n${USAGE}`);
      process.exit(2);
    }
    return Number(v);
  };
  const borrowers = int(values.borrowers, '--borrowers');
  const seed = int(values.seed, '--seed');
  const workers = Math.min(int(values.workers, '--workers'), borrowers);
  const named: Record<string, () => Policy> = {
    default: () => DEFAULT_POLICY,
    looser: () => looserPolicy(DEFAULT_POLICY),
    tighter: () => tighterPolicy(DEFAULT_POLICY),
  };
  let candidates: Array<[string, Policy]>;
  try {
    candidates = values.policy
      ? [[values.policy, loadPolicyFile(values.policy)]]
      : values.candidate.split(',').map((n) => {
          if (!named[n]) throw new Error(`unknown candidate '${n}' (default, looser, tighter)`);
          return [n, named[n]()] as [string, Policy];
        });
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n${USAGE}`);
    process.exit(2);
  }
  const started = performance.now();
  const states = await Promise.all(
    Array.from(
      { length: workers },
      (_, worker) =>
        new Promise<Record<string, BacktestState>>((resolve, reject) => {
          const w = new Worker(new URL(import.meta.url), { workerData: { borrowers, seed, worker, workers, candidates } satisfies Job });
          w.once('message', resolve);
          w.once('error', reject);
          w.once('exit', (code) => code !== 0 && reject(new Error(`worker ${worker} exited with ${code}`)));
        }),
    ),
  );
  const summaries = Object.fromEntries(
    candidates.map(([name, policy]) => {
      const acc = new BacktestAccumulator(policy);
      for (const s of states) acc.merge(s[name]);
      return [name, acc.summary()];
    }),
  );
  const seconds = Math.round(performance.now() - started) / 1000;
  process.stdout.write(`${JSON.stringify({ borrowers, seed, workers, seconds, summaries }, null, 2)}\n`);
  process.stderr.write(`backtest:book: ${borrowers} borrowers, ${candidates.length} candidate(s), ${workers} worker(s), ${seconds} s\n`);
}
