import 'reflect-metadata';
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { AppConfig } from '../src/config/app-config.js';
import { startEmbeddedPostgres } from '../src/database/embedded-postgres.js';
import os from 'node:os';
import { runBacktest, type BacktestRunResult } from '../src/backtests/backtest-runner.js';
import { storedPolicy, type BacktestQuery } from '../src/backtests/backtest-source.js';
import { backtestPage } from '../src/reports/views/backtest-pages.js';
import type { BacktestSummary } from '../src/scoring/backtest.js';
import { validatePolicy, type Policy } from '../src/scoring/engine/index.js';
import { loadPolicyFile } from '../src/scoring/policy/index.js';

const USAGE = `usage: npm run backtest -- --policy FILE [--from YYYY-MM-DD] [--to YYYY-MM-DD]
       [--baseline stored|current|FILE|VERSION] [--as-of YYYY-MM-DD] [--workers N] [--no-reuse-inputs] [--out FILE] [--format json|csv|html]
Replays the stored engine input of every decision made in [from, to) (Lagos days; default: all) under the candidate
policy and the baseline, on this engine, and reports decision flips, limit changes, reason-code shifts, risk grades
and, for decisions that became loans, 30+ DPD and default rates by band and grade, the approval/bad-rate curve and
Gini/KS (docs/scoring.md "Backtest"). Baseline: stored = each decision's own policy as decided (default); current =
the engine's configured policy (POLICY_FILE or the shipped default); FILE = a policy file; VERSION = the policy stored
with decisions of that version (e.g. default@1.2.0+bf19264ff338). Loan outcomes are read as of --as-of (default: now).
Connects to DATABASE_URL or the embedded Postgres in DATA_DIR.
`;

function fail(message: string): never {
  process.stderr.write(`${message}\n${USAGE}`);
  process.exit(2);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      policy: { type: 'string' },
      baseline: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      'as-of': { type: 'string' },
      workers: { type: 'string' },
      'no-reuse-inputs': { type: 'boolean' },
      out: { type: 'string' },
      format: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  if (!values.policy) fail('--policy FILE is required');
  const format = values.format ?? (values.out?.endsWith('.csv') ? 'csv' : values.out?.endsWith('.html') ? 'html' : 'json');
  if (format !== 'json' && format !== 'csv' && format !== 'html') fail('--format must be json, csv or html');
  for (const d of [values.from, values.to, values['as-of']])
    if (d !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(d)) fail('--from, --to and --as-of are dates YYYY-MM-DD');
  if (values.workers !== undefined && !/^\d{1,2}$/.test(values.workers)) fail('--workers must be an integer 0–99');
  const workers = values.workers !== undefined ? Number(values.workers) : Math.min(4, os.availableParallelism());
  const config = AppConfig.fromEnvironment();
  let candidate: Policy;
  let baselineArg: Policy | 'stored' | { version: string } = 'stored';
  try {
    candidate = loadPolicyFile(values.policy);
    const b = values.baseline ?? 'stored';
    if (b === 'current') baselineArg = config.policy;
    else if (b !== 'stored') baselineArg = fs.existsSync(b) ? loadPolicyFile(b) : { version: b };
  } catch (err) {
    fail(err instanceof Error ? err.message : String(err));
  }

  const embedded = config.database.url
    ? null
    : await startEmbeddedPostgres({ dataDir: config.database.dataDir, port: config.database.embeddedPort, attach: true });
  const client = new pg.Client({ connectionString: config.database.url ?? embedded!.url, application_name: 'backtest-cli' });
  const started = performance.now();
  let result: BacktestRunResult;
  try {
    await client.connect();
    const query: BacktestQuery = async <T>(sql: string, params: unknown[]) => (await client.query(sql, params)).rows as T[];
    let baseline: Policy | null = null;
    if (baselineArg !== 'stored' && 'version' in baselineArg) {
      const stored = await storedPolicy(query, baselineArg.version);
      if (stored === null) fail(`no stored decision was made under policy ${baselineArg.version} (and no such file)`);
      baseline = validatePolicy(stored);
    } else if (baselineArg !== 'stored') baseline = baselineArg;
    let lastShown = 0;
    result = await runBacktest({
      query,
      candidate,
      baseline,
      from: values.from ?? null,
      to: values.to ?? null,
      asOf: values['as-of'] ? new Date(`${values['as-of']}T00:00:00+01:00`) : new Date(),
      workers,
      // Decisions sharing one stored input are replayed once unless asked otherwise (the benchmark's worst case).
      reuseInputs: values['no-reuse-inputs'] !== true,
      onProgress: ({ done, total }) => {
        if (process.stderr.isTTY && done - lastShown >= 5000) {
          lastShown = done;
          process.stderr.write(`backtest: ${done}/${total}\r`);
        }
      },
    });
  } finally {
    await client.end().catch(() => undefined);
    await embedded?.stop();
  }
  // Peak RSS of this process (the replay workers are its threads): the bounded-memory claim, measured.
  const summary = { ...result, seconds: Math.round(performance.now() - started) / 1000, peakRssBytes: process.resourceUsage().maxRSS * 1024 };
  const body =
    format === 'csv'
      ? toCsv(summary)
      : format === 'html'
        ? backtestPage(
            {
              id: null,
              status: 'succeeded',
              requestedBy: 'npm run backtest',
              createdAt: new Date().toISOString(),
              finishedAt: new Date().toISOString(),
              progress: { done: summary.decisions, total: summary.decisions },
              window: summary.window,
              candidatePolicy: summary.candidatePolicy,
              baselinePolicy: summary.baselinePolicy,
              error: null,
              result: summary,
            },
            null,
            { standalone: true },
          )
        : `${JSON.stringify(summary, null, 2)}\n`;
  if (values.out) fs.writeFileSync(values.out, body);
  else process.stdout.write(body);
  process.stderr.write(
    `backtest: ${summary.decisions} decisions (${summary.erasedSkipped} erased skipped) in ${summary.seconds} s (${workers} worker(s)); ${summary.flipped} flipped; limits ${summary.limits.deltaMinor >= 0 ? '+' : ''}${summary.limits.deltaMinor} kobo; ${summary.outcomes.withOutcome} with loan outcomes\n`,
  );
}

/** section, key, value rows (RFC 4180, no field needs quoting here but every field is quoted). */
function toCsv(s: BacktestSummary & { erasedSkipped: number }): string {
  const rows: Array<[string, string, string | number]> = [
    ['summary', 'decisions', s.decisions],
    ['summary', 'flipped', s.flipped],
    ['summary', 'erased_skipped', s.erasedSkipped],
    ['summary', 'engine_version_mismatches', s.engineVersionMismatches],
    ['summary', 'baseline_from_stored', s.baselineFromStored],
    ['outcomes', 'with_outcome', s.outcomes.withOutcome],
    ['outcomes', 'immature', s.outcomes.immature],
    ...(['baseline', 'candidate'] as const).flatMap((side) => [
      ['operating_point', `${side}.approval_rate`, s.outcomes.operatingPoint[side].approvalRate] as [string, string, string],
      ['operating_point', `${side}.bad30_rate`, s.outcomes.operatingPoint[side].bad30Rate ?? ''] as [string, string, string],
      ['operating_point', `${side}.default_rate`, s.outcomes.operatingPoint[side].defaultRate ?? ''] as [string, string, string],
      ['ranking_power', `${side}.gini`, s.outcomes.rankingPower[side].gini ?? ''] as [string, string, string],
      ['ranking_power', `${side}.ks`, s.outcomes.rankingPower[side].ks ?? ''] as [string, string, string],
      ...Object.entries(s.outcomes.byDecision[side]).flatMap(([d, c]) => [
        ['bad30_rate_by_decision', `${side}.${d}`, c.bad30Rate ?? ''] as [string, string, string],
        ['default_rate_by_decision', `${side}.${d}`, c.defaultRate ?? ''] as [string, string, string],
      ]),
      ...Object.entries(s.outcomes.byGrade[side]).flatMap(([g, c]) => [
        ['bad30_rate_by_grade', `${side}.${g}`, c.bad30Rate ?? ''] as [string, string, string],
        ['default_rate_by_grade', `${side}.${g}`, c.defaultRate ?? ''] as [string, string, string],
      ]),
    ]),
    ['approval_rate', 'baseline', s.approvalRate.baseline],
    ['approval_rate', 'candidate', s.approvalRate.candidate],
    ...Object.entries(s.limits).flatMap(([k, v]) => (typeof v === 'number' ? [['limits', k, v] as [string, string, number]] : [])),
    ...s.limits.changeBands.map((b) => ['limit_change', b.band, b.count] as [string, string, number]),
    ...Object.entries(s.flips).flatMap(([from, row]) =>
      Object.entries(row).map(([to, n]) => ['flips', `${from}->${to}`, n] as [string, string, number]),
    ),
    ...s.reasonShifts.flatMap(
      (r) =>
        [
          ['reason_baseline', r.code, r.baseline],
          ['reason_candidate', r.code, r.candidate],
        ] as Array<[string, string, number]>,
    ),
    ...Object.entries(s.grades.baseline).map(([g, n]) => ['grade_baseline', g, n] as [string, string, number]),
    ...Object.entries(s.grades.candidate).map(([g, n]) => ['grade_candidate', g, n] as [string, string, number]),
  ];
  const q = (v: string | number): string => `"${String(v).replace(/"/g, '""')}"`;
  return ['section,key,value', ...rows.map((r) => r.map(q).join(','))].join('\r\n') + '\r\n';
}

main().catch((err: unknown) => {
  process.stderr.write(`backtest failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
