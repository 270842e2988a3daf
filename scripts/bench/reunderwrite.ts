import 'reflect-metadata';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import pgCopyStreams from 'pg-copy-streams';
import { DataSource } from 'typeorm';
import type { EngineAccount } from '../../src/common/domain/account.js';
import type { NormalisedTransaction } from '../../src/common/domain/transaction.js';
import { dataSourceOptions } from '../../src/database/data-source-options.js';
import { startEmbeddedPostgres } from '../../src/database/embedded-postgres.js';
import { copyLine } from '../../src/ingestion/copy-text.js';
import { startSandbox } from '../../src/sandbox/sandbox-server.js';
import { buildTransactions, rng, type TxSpec } from '../../src/scoring/engine/testing/builders.js';
import { underwrite } from '../../src/scoring/engine/index.js';
import { DEFAULT_POLICY } from '../../src/scoring/policy/index.js';

/**
 * `npm run bench:reunderwrite [-- --borrowers N --transactions N --workers 1,2 --concurrency N --budget N]`
 *
 * A fresh embedded Postgres in a temp dir and the Mono sandbox in this process (no added latency). Seeds N borrowers ×
 * M transactions with COPY, one linked account each (also linked in the sandbox with its recent activity, so
 * budgeted syncs really go through SyncService → sandbox → ingestion), and an origination decision 40 days old.
 * Then for each worker count runs `scripts/reunderwrite.ts --workers W` (a fresh cycle each time) and reports total
 * time, throughput, peak RSS per process and the scaling.
 */
const BENCH_KEY = 'test_sk_reunderwrite_bench';
const BENCH_WEBHOOK_SECRET = 'reunderwrite-bench-webhook';
const DAY = 86_400_000;

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

const BORROWERS = Number(arg('borrowers', '10000'));
const TXNS = Number(arg('transactions', '500'));
const WORKERS = arg('workers', '1,2').split(',').map(Number);
const CONCURRENCY = Number(arg('concurrency', '4'));
const BUDGET = Number(arg('budget', '1000'));
const SCRIPT = path.resolve('scripts/reunderwrite.ts');
/** `--cpu-prof DIR`: V8 CPU profiles of every worker process (the CLI and its children) into DIR. */
const CPU_PROF = arg('cpu-prof', '');
/** `--pg-stats`: pg_stat_statements in the bench's Postgres; the top statements of each cycle go to stderr. */
const PG_STATS = process.argv.includes('--pg-stats');

function ymd(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** ~M transactions over the last 12 months: salary, rent, utilities, airtime, card spend, transfers in. */
function specsFor(i: number, now: number): TxSpec[] {
  const r = rng(i + 7);
  const salary = 15_000_000 + Math.floor(r() * 45) * 1_000_000;
  const specs: TxSpec[] = [];
  const start = now - 365 * DAY;
  for (let m = 0; m < 12; m++) {
    const base = new Date(start + m * 30.5 * DAY);
    const month = base.toISOString().slice(0, 7);
    specs.push({
      date: `${month}-25`,
      direction: 'credit',
      amountMinor: salary,
      category: 'salary',
      counterparty: 'ACME NIGERIA LTD',
      narration: `NIP/ZENITH/ACME NIGERIA LTD/SALARY ${month}`,
    });
    specs.push({
      date: `${month}-02`,
      direction: 'debit',
      amountMinor: Math.round(salary * 0.25),
      category: 'rent',
      counterparty: 'LANDLORD',
      narration: 'NIP/RENT/LANDLORD',
    });
    specs.push({
      date: `${month}-27`,
      direction: 'debit',
      amountMinor: 1_500_000,
      category: 'utilities',
      counterparty: 'IKEDC',
      rail: 'BILLS',
      narration: 'BILLS/IKEDC',
    });
  }
  const rest = Math.max(0, TXNS - specs.length);
  const daily = Math.round((salary * 0.55) / 30);
  for (let k = 0; k < rest; k++) {
    const date = ymd(start + Math.floor(((k + 0.5) / rest) * 364 * DAY));
    if (k % 9 === 0)
      specs.push({
        date,
        direction: 'debit',
        amountMinor: 100_000 + Math.floor(r() * 10) * 50_000,
        category: 'airtime_data',
        counterparty: 'MTN',
        rail: 'AIRTIME',
        narration: 'AIRTIME/MTN',
      });
    else if (k % 23 === 0)
      specs.push({
        date,
        direction: 'credit',
        amountMinor: 500_000 + Math.floor(r() * 40) * 100_000,
        category: 'transfer_in',
        counterparty: `FRIEND ${k % 5}`,
        narration: `NIP/FRIEND ${k % 5}/gift`,
      });
    else
      specs.push({
        date,
        direction: 'debit',
        amountMinor: Math.max(10_000, Math.round(daily * (0.3 + r()))),
        category: 'card_pos',
        counterparty: 'SHOPRITE',
        rail: 'POS',
        narration: 'POS PURCHASE SHOPRITE LEKKI',
      });
  }
  return specs.filter((s) => s.date < ymd(now)).slice(0, TXNS);
}

interface Seeded {
  borrowerId: string;
  accountId: string;
  monoAccountId: string;
  txs: NormalisedTransaction[];
}

/** Deterministic uuid per (kind, i), so borrowers and accounts can be copied before their transactions. */
function uuidFor(kind: string, i: number): string {
  const h = createHash('sha256').update(`${kind}:${i}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function seededBorrower(i: number, now: number): Seeded {
  const borrowerId = uuidFor('borrower', i);
  const accountId = uuidFor('account', i);
  const txs = buildTransactions(specsFor(i, now), { accountId, openingBalanceMinor: 20_000_000 }).map((t, k) => ({
    ...t,
    providerId: `bench-${i}-${k}`,
  }));
  return { borrowerId, accountId, monoAccountId: `bench${String(i).padStart(8, '0')}`, txs };
}

async function copy(client: pg.Client, sql: string, lines: AsyncIterable<string> | Iterable<string>): Promise<void> {
  await pipeline(Readable.from(lines), client.query(pgCopyStreams.from(sql)));
}

async function seed(url: string, now: number, sandbox: Awaited<ReturnType<typeof startSandbox>>): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => undefined);
  await client.connect();
  const t0 = performance.now();
  const ingestedAt = new Date(now - 2 * DAY).toISOString();
  let first: Seeded | null = null;
  const windowStart = ymd(now - 21 * DAY);
  await copy(
    client,
    `COPY borrowers (id, external_id, full_name, email) FROM STDIN`,
    Array.from({ length: BORROWERS }, (_, i) => copyLine([uuidFor('borrower', i), `bench-${i}`, 'Ada Okafor', `ada${i}@example.com`])),
  );
  await copy(
    client,
    `COPY bank_accounts (id, borrower_id, mono_account_id, institution_name, account_name, currency, data_status, retrieved_data,
       last_synced_at, last_ingested_at, last_transaction_date) FROM STDIN`,
    Array.from({ length: BORROWERS }, (_, i) =>
      copyLine([
        uuidFor('account', i),
        uuidFor('borrower', i),
        `bench${String(i).padStart(8, '0')}`,
        'GTBank',
        'ADA OKAFOR',
        'NGN',
        'AVAILABLE',
        '{identity,balance,transactions}',
        ingestedAt,
        ingestedAt,
        // Ingestion's overlap window is anchored on the last stored transaction (the sandbox holds the last 21 days).
        ymd(now - 3 * DAY),
      ]),
    ),
  );
  // Transactions stream borrower by borrower (never all 5M rows in memory).
  await copy(
    client,
    `COPY bank_transactions (account_id, provider_txn_id, fingerprint, posted_at, booking_date, direction, amount_minor, balance_minor, currency,
       narration, category, category_rule, rail, counterparty, raw) FROM STDIN`,
    (function* () {
      for (let i = 0; i < BORROWERS; i++) {
        const s = seededBorrower(i, now);
        if (i === 0) first = s;
        const last = s.txs[s.txs.length - 1];
        // The sandbox holds the same account with its recent activity (what an overlap-window sync fetches).
        const created = sandbox.state.bank.createAccount({
          account: {
            id: s.monoAccountId,
            name: 'ADA OKAFOR',
            currency: 'NGN',
            balance: last?.balanceMinor ?? 0,
            type: 'SAVINGS',
            institution: { name: 'GTBank', bankCode: '058', type: 'PERSONAL_BANKING' },
          },
          transactions: s.txs
            .filter((t) => t.date >= windowStart)
            .map((t) => ({
              id: t.providerId,
              narration: t.narration,
              amount: t.amountMinor,
              type: t.direction,
              balance: t.balanceMinor,
              date: t.postedAt,
              category: 'unknown',
              currency: 'NGN',
            })),
          options: { mfa: false },
        });
        sandbox.state.bank.exchangeCode({ code: created.code }); // linked, as after the widget
        let chunk = '';
        for (const t of s.txs) {
          chunk += copyLine([
            s.accountId,
            t.providerId,
            t.providerId.padEnd(64, '0').slice(0, 64),
            t.postedAt,
            t.date,
            t.direction,
            t.amountMinor,
            t.balanceMinor,
            'NGN',
            t.narration,
            t.category,
            'bench.seed',
            t.rail,
            t.counterparty,
            '{}',
          ]);
        }
        yield chunk;
        if (i % 1000 === 999) process.stderr.write(`\rseeded ${i + 1}/${BORROWERS} borrowers`);
      }
    })(),
  );
  process.stderr.write('\n');
  // Origination decisions, 40 days old: one engine result stored as the template for every borrower (same shape).
  const s0 = first as Seeded | null;
  if (!s0) throw new Error('nothing seeded');
  const asOf = new Date(now - 40 * DAY).toISOString();
  const account: EngineAccount = {
    accountId: s0.accountId,
    institution: 'GTBank',
    holderName: 'ADA OKAFOR',
    currency: 'NGN',
    balanceMinor: null,
    coverage: {
      accountId: s0.accountId,
      transactionCount: 0,
      firstDate: null,
      lastDate: null,
      daysAvailable: 0,
      completeMonths: 0,
      completeMonthList: [],
      longestGapDays: 0,
      daysWithoutTransactions: 0,
      lastSuccessfulSyncAt: null,
      freshnessHours: 1,
    },
    findings: [],
    reauthRequired: false,
  };
  const result = underwrite({
    borrowerId: s0.borrowerId,
    accounts: [account],
    transactions: s0.txs.filter((t) => t.date < asOf.slice(0, 10)),
    asOf,
    policy: DEFAULT_POLICY,
  });
  // Every borrower consented to monitoring (docs/privacy.md): scheduled syncs need it.
  await client.query(
    `INSERT INTO consents (borrower_id, purpose, notice_version, channel, granted_at) SELECT id, 'monitoring', 'bench-notice-v1', 'bench', now() - interval '60 days' FROM borrowers`,
  );
  await client.query(`INSERT INTO decision_inputs (inputs_hash, payload) VALUES ($1, '{"bench":true}'::jsonb)`, [result.inputsHash]);
  await client.query(
    `INSERT INTO decisions (borrower_id, trigger, decision, recommended_limit_minor, instalment_minor, currency, binding_constraint, post_loan_dsr, reasons,
       flags, income, obligations, cash_flow, coverage, features, result, inputs_hash, policy_version, engine_version, data_as_of, actor, created_at)
     SELECT b.id, 'application', $1, $2, $3, 'NGN', $4, $5, $6::jsonb, $7, $8::jsonb, $9::jsonb, $10::jsonb, $11::jsonb, '[]'::jsonb, $12::jsonb, $13, $14, $15, $16, 'bench', $16
     FROM borrowers b`,
    [
      result.decision === 'decline' ? 'approve' : result.decision === 'refer' ? 'approve' : result.decision,
      result.limit.recommendedMinor,
      result.limit.instalmentMinor,
      result.limit.bindingConstraint,
      result.limit.postLoanDsr,
      JSON.stringify(result.reasons),
      result.flags,
      JSON.stringify(result.income),
      JSON.stringify(result.obligations),
      JSON.stringify(result.cashFlow),
      JSON.stringify(result.coverage),
      JSON.stringify({ ...result, features: [] }),
      result.inputsHash,
      result.policyVersion,
      result.engineVersion,
      asOf,
    ],
  );
  await client.query('ANALYZE');
  await client.end();
  process.stderr.write(
    `seeded ${BORROWERS} borrowers × ${TXNS} transactions in ${((performance.now() - t0) / 1000).toFixed(1)} s (baseline limit ${result.limit.recommendedMinor} kobo, ${result.decision})\n`,
  );
}

/** CPU seconds (user + system) of the Postgres server: the postmaster, its reaped children and its live children. */
function postgresCpuSeconds(pgDir: string): number | null {
  try {
    const pid = Number(fs.readFileSync(path.join(pgDir, 'postgres', 'postmaster.pid'), 'utf8').split('\n')[0]);
    const tick = 100; // USER_HZ on Linux
    const fields = (p: number) => fs.readFileSync(`/proc/${p}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
    const own = fields(pid);
    // After "pid (comm) ": state=0 … utime=11 stime=12 cutime=13 cstime=14 (0-based).
    let ticks = Number(own[11]) + Number(own[12]) + Number(own[13]) + Number(own[14]);
    for (const entry of fs.readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const f = fields(Number(entry));
        if (Number(f[1]) === pid) ticks += Number(f[11]) + Number(f[12]);
      } catch {
        /* gone */
      }
    }
    return ticks / tick;
  } catch {
    return null;
  }
}

interface CliOut {
  progress: { cycleId: string; status: string; monoCallsSpent: number; budget: number; counters: Record<string, number> };
  seconds: number;
  workers: Array<{ name: string; processed: number; maxRssKb: number; cpuSeconds?: number }>;
}

function runCli(url: string, sandboxUrl: string, workers: number): Promise<CliOut> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        '--no-warnings',
        ...(CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', path.resolve(CPU_PROF)] : []),
        '--import',
        '@swc-node/register/esm-register',
        SCRIPT,
        '--workers',
        String(workers),
        '--concurrency',
        String(CONCURRENCY),
        '--budget',
        String(BUDGET),
        '--json',
      ],
      {
        env: {
          ...process.env,
          NODE_OPTIONS: '',
          DATABASE_URL: url,
          MONO_SECRET_KEY: BENCH_KEY,
          MONO_BASE_URL: sandboxUrl,
          MONO_WEBHOOK_SECRET: BENCH_WEBHOOK_SECRET,
          MONO_SYNC_STRATEGY: 'legacy',
          JOBS_ENABLED: 'false',
          LOG_LEVEL: 'error',
          REVIEW_MAX_AGE_DAYS: '30',
          APPLICATION_SYNC_DEADLINE_SECONDS: '10',
        },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`reunderwrite exited with ${code}: ${out.slice(-500)}`));
      resolve(JSON.parse(out.trim().split('\n').pop() ?? '{}') as CliOut);
    });
  });
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reunderwrite-bench-'));
  fs.chmodSync(dir, 0o777); // embedded Postgres runs as the postgres OS user when started as root
  const port = 56000 + (process.pid % 4000);
  process.stderr.write(`embedded Postgres in ${dir} on port ${port}\n`);
  let pgHandle = await startEmbeddedPostgres({ dataDir: path.join(dir, 'pg'), port });
  if (PG_STATS) {
    const c = new pg.Client({ connectionString: pgHandle.url });
    await c.connect();
    await c.query(`ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'`);
    await c.end();
    await pgHandle.stop();
    pgHandle = await startEmbeddedPostgres({ dataDir: path.join(dir, 'pg'), port });
  }
  const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };
  const sandbox = await startSandbox({
    port: 0,
    secretKey: BENCH_KEY,
    webhookSecret: BENCH_WEBHOOK_SECRET,
    syncMinIntervalMs: 120_000,
    linkProcessingMs: [0, 0],
    webhookDelayMs: [0, 0],
    logger: silent,
  });
  try {
    const ds = new DataSource(dataSourceOptions(pgHandle.url, { poolSize: 2, applicationName: 'bench' }));
    await ds.initialize();
    await ds.runMigrations();
    const now = Date.now();
    await seed(pgHandle.url, now, sandbox);
    if (PG_STATS) await ds.query(`CREATE EXTENSION IF NOT EXISTS pg_stat_statements`);
    const results: Array<{ workers: number; out: CliOut }> = [];
    const cpuTimes: Array<{ sandbox: number; postgres: number | null }> = [];
    for (const [k, w] of WORKERS.entries()) {
      if (k > 0) {
        // A fresh cycle over the same borrowers: new data since their last decision makes every one due again.
        await ds.query(`UPDATE bank_accounts SET last_ingested_at = now(), last_synced_at = now() - interval '1 day'`);
      }
      process.stderr.write(`cycle with ${w} worker process(es)…\n`);
      if (PG_STATS) await ds.query(`SELECT pg_stat_statements_reset()`);
      // Backends of the seed or of the previous cycle must be gone (reaped) before the Postgres CPU baseline: a
      // backend that exits after it would bring all its CPU into this cycle's figure.
      for (let i = 0; i < 100; i++) {
        const [{ n }] = await ds.query<Array<{ n: number }>>(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE backend_type = 'client backend' AND application_name <> 'bench'`,
        );
        if (n === 0) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      await new Promise((r) => setTimeout(r, 500));
      const cpu0 = process.cpuUsage();
      const pgCpu0 = postgresCpuSeconds(path.join(dir, 'pg'));
      const out = await runCli(pgHandle.url, sandbox.url, w);
      if (PG_STATS) {
        const top = await ds.query<Array<{ ms: string; calls: string; mean: string; query: string }>>(
          `SELECT round(total_exec_time)::text AS ms, calls::text, round(mean_exec_time::numeric, 3)::text AS mean,
                  left(regexp_replace(query, '\\s+', ' ', 'g'), 140) AS query
           FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT 15`,
        );
        process.stderr.write(`top statements (total ms, calls, mean ms):\n${top.map((r) => `${r.ms.padStart(8)} ${r.calls.padStart(7)} ${r.mean.padStart(8)}  ${r.query}`).join('\n')}\n`);
      }
      const cpu = process.cpuUsage(cpu0);
      const pgCpu1 = postgresCpuSeconds(path.join(dir, 'pg'));
      const pgCpu = pgCpu0 !== null && pgCpu1 !== null ? pgCpu1 - pgCpu0 : null;
      cpuTimes.push({ sandbox: (cpu.user + cpu.system) / 1e6, postgres: pgCpu });
      process.stderr.write(
        `CPU during the cycle: Postgres ${pgCpu?.toFixed(1) ?? '?'} s, bench process (sandbox) ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}\n`,
      );
      results.push({ workers: w, out });
      const runs = await ds.query(`SELECT status, mono_code, count(*)::int AS n FROM sync_runs GROUP BY 1, 2 ORDER BY 1, 2`);
      const sample = await ds.query(
        `SELECT result->'sync' AS sync FROM review_items WHERE cycle_id = $1 AND NOT (result->'sync'->>'overBudget')::boolean LIMIT 2`,
        [out.progress.cycleId],
      );
      process.stderr.write(`${JSON.stringify({ counters: out.progress.counters, seconds: out.seconds, syncRuns: runs, sample })}\n`);
    }
    await ds.destroy();
    const base = results[0];
    const lines = [
      `| worker processes × concurrency | borrowers reviewed | total time | throughput | peak RSS per process | CPU: workers / Postgres / sandbox | Mono calls (budget) | scaling vs 1 |`,
      `|---|---|---|---|---|---|---|---|`,
      ...results.map(({ workers, out }, k) => {
        const cpu = cpuTimes[k];
        const workerCpu = out.workers.reduce((a, x) => a + (x.cpuSeconds ?? 0), 0);
        const c = out.progress.counters;
        const tput = c.done / out.seconds;
        const scale = base ? tput / (base.out.progress.counters.done / base.out.seconds) : 1;
        return `| ${workers} × ${CONCURRENCY} | ${c.done} (${c.failed} failed) | ${out.seconds.toFixed(1)} s | ${tput.toFixed(1)} borrowers/s | ${out.workers.map((x) => `${(x.maxRssKb / 1024).toFixed(0)} MiB`).join(', ')} | ${workerCpu.toFixed(0)} s / ${cpu?.postgres?.toFixed(0) ?? '?'} s / ${cpu?.sandbox.toFixed(0) ?? '?'} s | ${out.progress.monoCallsSpent} (${out.progress.budget}) | ${scale.toFixed(2)}× |`;
      }),
    ];
    process.stdout.write(
      `\nRe-underwriting: ${BORROWERS} borrowers × ${TXNS} transactions, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'}), node ${process.version}, load average at the end ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}, ${new Date().toISOString()}\n${lines.join('\n')}\n`,
    );
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : JSON.stringify(err)}\n`);
    process.exitCode = 1;
  } finally {
    await sandbox.close();
    await pgHandle.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
