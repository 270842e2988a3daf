import 'reflect-metadata';
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { AppConfig } from '../src/config/app-config.js';
import { startEmbeddedPostgres } from '../src/database/embedded-postgres.js';
import { BacktestAccumulator, type BacktestSummary } from '../src/scoring/backtest.js';
import { loadPolicyFile } from '../src/scoring/policy/index.js';
import { decodeDecisionInput } from '../src/scoring/scoring.service.js';

const USAGE = `usage: npm run backtest -- --policy FILE [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--baseline stored|FILE] [--out FILE] [--format json|csv]
Replays the stored engine input of every decision made in [from, to) (default: all) under the candidate policy and the
baseline (stored: each decision's own policy), on this engine, and reports decision flips, limit changes, reason-code
shifts and risk grades (docs/scoring.md "Backtest"). Connects to DATABASE_URL or the embedded Postgres in DATA_DIR.
`;

const BATCH = 200;

interface StoredRow {
  id: string;
  created_at: Date;
  engine_version: string;
  payload: unknown;
  payload_gzip: Buffer | null;
}

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
  const format = values.format ?? (values.out?.endsWith('.csv') ? 'csv' : 'json');
  if (format !== 'json' && format !== 'csv') fail('--format must be json or csv');
  for (const d of [values.from, values.to])
    if (d !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(d)) fail('--from and --to are dates YYYY-MM-DD');
  let candidate;
  let baseline = null;
  try {
    candidate = loadPolicyFile(values.policy);
    if (values.baseline && values.baseline !== 'stored') baseline = loadPolicyFile(values.baseline);
  } catch (err) {
    fail(err instanceof Error ? err.message : String(err));
  }

  const config = AppConfig.fromEnvironment();
  const embedded = config.database.url
    ? null
    : await startEmbeddedPostgres({ dataDir: config.database.dataDir, port: config.database.embeddedPort, attach: true });
  const client = new pg.Client({ connectionString: config.database.url ?? embedded!.url, application_name: 'backtest-cli' });
  const acc = new BacktestAccumulator(candidate, baseline);
  let erased = 0;
  const started = performance.now();
  try {
    await client.connect();
    // Keyset over (created_at, id): bounded memory, one batch of decisions and their inputs at a time.
    let after: { createdAt: Date; id: string } | null = null;
    for (;;) {
      const res = await client.query<StoredRow>(
        `SELECT d.id, d.created_at, d.engine_version, i.payload, i.payload_gzip
           FROM decisions d JOIN decision_inputs i ON i.inputs_hash = d.inputs_hash
          WHERE ($1::date IS NULL OR d.created_at >= ($1::date::timestamp AT TIME ZONE 'Africa/Lagos'))
            AND ($2::date IS NULL OR d.created_at < ($2::date::timestamp AT TIME ZONE 'Africa/Lagos'))
            AND ($3::timestamptz IS NULL OR (d.created_at, d.id) > ($3::timestamptz, $4::uuid))
          ORDER BY d.created_at, d.id
          LIMIT $5`,
        [values.from ?? null, values.to ?? null, after?.createdAt ?? null, after?.id ?? null, BATCH],
      );
      const rows: StoredRow[] = res.rows;
      for (const r of rows) {
        if (!r.payload_gzip && (r.payload as { erased?: boolean } | null)?.erased === true) {
          erased += 1;
          continue;
        }
        acc.add({
          decisionId: r.id,
          engineVersion: r.engine_version,
          input: decodeDecisionInput({ payload: r.payload as never, payloadGzip: r.payload_gzip }),
        });
      }
      if (rows.length < BATCH) break;
      const last: StoredRow = rows[rows.length - 1];
      after = { createdAt: last.created_at, id: last.id };
    }
  } finally {
    await client.end().catch(() => undefined);
    await embedded?.stop();
  }
  const summary = { ...acc.summary(), erasedSkipped: erased, seconds: Math.round(performance.now() - started) / 1000 };
  const body = format === 'csv' ? toCsv(summary) : `${JSON.stringify(summary, null, 2)}\n`;
  if (values.out) fs.writeFileSync(values.out, body);
  else process.stdout.write(body);
  process.stderr.write(
    `backtest: ${summary.decisions} decisions (${erased} erased skipped) in ${summary.seconds} s; ${summary.flipped} flipped; limits ${summary.limits.deltaMinor >= 0 ? '+' : ''}${summary.limits.deltaMinor} kobo\n`,
  );
}

/** section, key, value rows (RFC 4180, no field needs quoting here but every field is quoted). */
function toCsv(s: BacktestSummary & { erasedSkipped: number }): string {
  const rows: Array<[string, string, string | number]> = [
    ['summary', 'decisions', s.decisions],
    ['summary', 'flipped', s.flipped],
    ['summary', 'erased_skipped', s.erasedSkipped],
    ['summary', 'engine_version_mismatches', s.engineVersionMismatches],
    ['approval_rate', 'baseline', s.approvalRate.baseline],
    ['approval_rate', 'candidate', s.approvalRate.candidate],
    ...Object.entries(s.limits).map(([k, v]) => ['limits', k, v] as [string, string, number]),
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
