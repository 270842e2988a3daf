import 'reflect-metadata';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { gzipSync } from 'node:zlib';
import pg from 'pg';
import pgCopyStreams from 'pg-copy-streams';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/database/data-source-options.js';
import { startEmbeddedPostgres } from '../../src/database/embedded-postgres.js';
import { copyLine } from '../../src/ingestion/copy-text.js';
import { DEFAULT_POLICY } from '../../src/scoring/policy/index.js';
import { bookBorrower, type BookBorrower } from '../backtest/book.js';
import { looserPolicy } from '../backtest/policies.js';

/**
 * `npm run bench:backtest [-- --decisions 100000 --distinct 5000 --workers 1,2]`
 *
 * A fresh embedded Postgres in a temp dir, seeded with COPY: `--distinct` simulated borrowers of the backtest book
 * (scripts/backtest/book.ts: sandbox personas, underwritten, lent to and repaid by the sandbox's outcome simulator),
 * each decided `decisions / distinct` times over six months (one decision row each, all pointing at the borrower's
 * one stored input, as re-underwriting without new data does), each decision with its loan, schedule and repayments.
 * Then `npm run backtest` (the real CLI, its own process) replays every decision under a looser candidate, once per
 * worker count, and this prints rows/s and the CLI's peak RSS (its own `process.resourceUsage().maxRSS`: the replay
 * workers are threads of that process, so their memory is in it).
 *
 * Each worker count runs twice: first with `--no-reuse-inputs` (nothing shared between decisions: each decision's
 * input is fetched, gunzipped, parsed and underwritten on its own, so the per-decision work is what distinct inputs
 * would cost; only Postgres's page cache sees repeated pages), then as the engine runs by default (a stored input
 * shared by several decisions read, decoded and replayed once, its decisions routed to one worker).
 */
function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}
const DECISIONS = Number(arg('decisions', '100000'));
const DISTINCT = Number(arg('distinct', '5000'));
const WORKERS = arg('workers', '1,2').split(',').map(Number);
const PER = Math.ceil(DECISIONS / DISTINCT);
/**
 * `--cli dist` (default): the built CLI (`nest build` first, as production runs it: its replay workers load compiled
 * JS); `--cli ts`: the TypeScript CLI through the swc loader as `npm run backtest` runs it in a checkout (every worker
 * thread then loads the loader and the TypeScript compiler too, which costs memory, not replay speed).
 */
const CLI_MODE = arg('cli', 'dist');
const CLI_ARGS =
  CLI_MODE === 'ts' ? ['--no-warnings', '--import', '@swc-node/register/esm-register', path.resolve('scripts/backtest.ts')] : [path.resolve('dist/scripts/backtest.js')];

function uuidFor(kind: string, i: number): string {
  const h = createHash('sha256').update(`${kind}:${i}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

async function copy(client: pg.Client, sql: string, lines: Iterable<string>): Promise<void> {
  await pipeline(Readable.from(lines), client.query(pgCopyStreams.from(sql)));
}

async function seed(url: string): Promise<{ loans: number }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const t0 = performance.now();
  const book: BookBorrower[] = [];
  for (let i = 0; i < DISTINCT; i++) book.push(bookBorrower(i, { borrowers: DISTINCT, seed: 1 }));
  process.stderr.write(`book of ${DISTINCT} generated in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
  const apiKeyId = uuidFor('api-key', 0);
  await copy(
    client,
    `COPY borrowers (id, external_id, full_name, email) FROM STDIN`,
    book.map((b) => copyLine([uuidFor('borrower', b.index), `bench-${b.index}`, `Bench Borrower ${b.index}`, `bench${b.index}@example.com`])),
  );
  await copy(
    client,
    `COPY decision_inputs (inputs_hash, payload_gzip) FROM STDIN`,
    book.map((b) => copyLine([b.result.inputsHash, `\\x${gzipSync(JSON.stringify(b.input), { level: 1 }).toString('hex')}`])), // bytea hex input `\x…`
  );
  const decisionRow = (b: BookBorrower, k: number): string => {
    const r = b.result;
    const at = new Date(Date.parse(`${b.appliedOn}T09:00:00Z`) - k * 3_600_000).toISOString();
    return copyLine([
      uuidFor('decision', b.index * PER + k),
      uuidFor('borrower', b.index),
      'application',
      r.decision,
      r.limit.recommendedMinor,
      r.limit.instalmentMinor,
      'NGN',
      r.limit.bindingConstraint,
      r.limit.postLoanDsr,
      JSON.stringify(r.reasons),
      `{${r.flags.join(',')}}`,
      JSON.stringify(r.income),
      JSON.stringify(r.obligations),
      JSON.stringify(r.cashFlow),
      JSON.stringify(r.coverage),
      JSON.stringify(r.features),
      JSON.stringify(r),
      r.inputsHash,
      r.policyVersion,
      r.engineVersion,
      at,
      at,
    ]);
  };
  await copy(
    client,
    `COPY decisions (id, borrower_id, trigger, decision, recommended_limit_minor, instalment_minor, currency, binding_constraint, post_loan_dsr,
       reasons, flags, income, obligations, cash_flow, coverage, features, result, inputs_hash, policy_version, engine_version, data_as_of, created_at) FROM STDIN`,
    (function* () {
      for (let k = 0; k < PER; k++) for (const b of book) if (b.index * PER + k < DECISIONS) yield decisionRow(b, k);
    })(),
  );
  let loans = 0;
  const lent = book.filter((b) => b.loan);
  const ids = (b: BookBorrower): Array<{ loanId: string; decisionId: string }> =>
    Array.from({ length: PER }, (_, k) => b.index * PER + k)
      .filter((n) => n < DECISIONS)
      .map((n) => ({ loanId: uuidFor('loan', n), decisionId: uuidFor('decision', n) }));
  await copy(
    client,
    `COPY loans (id, borrower_id, decision_id, principal_minor, currency, disbursed_at, tenor_months, monthly_rate, schedule_kind, status,
       api_key_id, idempotency_key, request_hash) FROM STDIN`,
    (function* () {
      for (const b of lent)
        for (const { loanId, decisionId } of ids(b)) {
          loans += 1;
          const l = b.loan!;
          yield copyLine([loanId, uuidFor('borrower', b.index), decisionId, l.principalMinor, 'NGN', l.disbursedAt, l.tenorMonths, l.monthlyRate, 'amortised', 'current', apiKeyId, loanId, '0'.repeat(64)]);
        }
    })(),
  );
  await copy(
    client,
    `COPY loan_instalments (loan_id, seq, due_date, principal_minor, interest_minor, paid_principal_minor, paid_interest_minor) FROM STDIN`,
    (function* () {
      for (const b of lent)
        for (const { loanId } of ids(b))
          for (const i of b.loan!.instalments) yield copyLine([loanId, i.seq, i.dueDate, i.principalMinor, i.interestMinor, i.paidPrincipalMinor, i.paidInterestMinor]);
    })(),
  );
  await copy(
    client,
    `COPY loan_repayments (loan_id, reference, amount_minor, paid_at, allocation, outstanding_principal_after_minor) FROM STDIN`,
    (function* () {
      for (const b of lent)
        for (const { loanId } of ids(b)) for (const r of b.loan!.repayments) yield copyLine([loanId, `r${r.seq}`, r.amountMinor, r.paidAt, JSON.stringify(r.allocation), 0]);
    })(),
  );
  await client.query('ANALYZE');
  await client.end();
  process.stderr.write(`seeded ${DECISIONS} decisions (${DISTINCT} borrowers) and ${loans} loans in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
  return { loans };
}

interface Run {
  workers: number;
  /** Decisions sharing a stored input replayed once (the engine's default) or each on its own (worst case). */
  reuseInputs: boolean;
  seconds: number;
  rowsPerSecond: number;
  peakRssMiB: number;
  flipped: number;
  withOutcome: number;
}

function runCli(url: string, policyFile: string, workers: number, reuseInputs: boolean): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [...CLI_ARGS, '--policy', policyFile, '--workers', String(workers), '--as-of', '2026-12-01', ...(reuseInputs ? [] : ['--no-reuse-inputs'])],
      { env: { ...process.env, NODE_OPTIONS: '', DATABASE_URL: url }, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`backtest CLI exited with ${code}`));
      const s = JSON.parse(out) as { decisions: number; seconds: number; flipped: number; peakRssBytes: number; outcomes: { withOutcome: number } };
      resolve({
        workers,
        reuseInputs,
        seconds: s.seconds,
        rowsPerSecond: Math.round(s.decisions / s.seconds),
        peakRssMiB: Math.round(s.peakRssBytes / 1024 / 1024),
        flipped: s.flipped,
        withOutcome: s.outcomes.withOutcome,
      });
    });
  });
}

async function main(): Promise<void> {
  if (CLI_MODE !== 'ts') {
    process.stderr.write('nest build…\n');
    await new Promise<void>((resolve, reject) =>
      spawn('npx', ['nest', 'build'], { stdio: 'inherit' }).on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`nest build exited with ${code}`)))),
    );
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'backtest-bench-'));
  fs.chmodSync(dir, 0o777); // embedded Postgres runs as the postgres OS user when started as root
  const port = 57000 + (process.pid % 4000);
  const handle = await startEmbeddedPostgres({ dataDir: path.join(dir, 'pg'), port });
  try {
    const ds = new DataSource(dataSourceOptions(handle.url, { poolSize: 2, applicationName: 'bench' }));
    await ds.initialize();
    await ds.runMigrations();
    await ds.destroy();
    const { loans } = await seed(handle.url);
    const policyFile = path.join(dir, 'looser.json');
    fs.writeFileSync(policyFile, JSON.stringify(looserPolicy(DEFAULT_POLICY)));
    const runs: Run[] = [];
    // Worst case first (every decision decoded and replayed on its own: what distinct inputs cost), then the
    // engine's default (a stored input shared by several decisions replayed once).
    for (const reuse of [false, true]) {
      for (const w of WORKERS) {
        process.stderr.write(`replaying with ${w} worker(s), ${reuse ? 'shared inputs replayed once' : 'every decision on its own'}…\n`);
        runs.push(await runCli(handle.url, policyFile, w, reuse));
      }
    }
    const base = runs[0];
    process.stdout.write(
      `${JSON.stringify(
        {
          decisions: DECISIONS,
          distinctBorrowers: DISTINCT,
          loans,
          node: process.version,
          cli: CLI_MODE,
          cpus: os.availableParallelism(),
          load: os.loadavg().map((l) => l.toFixed(2)),
          runs: runs.map((r) => ({ ...r, speedupVsFirst: (r.rowsPerSecond / base.rowsPerSecond).toFixed(2) })),
        },
        null,
        2,
      )}\n`,
    );
  } finally {
    await handle.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
