/**
 * Ingestion benchmark (docs/benchmarks.md, "Ingestion").
 *
 *   npm run bench:ingestion [-- --rows 1000000 --accounts 8 --concurrency 1 --naive 5000]
 *
 * Starts its own embedded Postgres in a temporary directory, runs the migrations, generates a deterministic synthetic
 * history and measures, on the same rows:
 *   real   the production path: IngestionService.ingestAccount → normalise + categorise → COPY into a stage table →
 *          set-based reconcile/upsert, revisions, continuity, coverage. The provider is the in-memory BankDataSource,
 *          so Mono HTTP is not measured.
 *   copy   a raw COPY of the same rows straight into bank_transactions (fresh accounts, no normalisation).
 *   naive  one TypeORM save() per row on a sample, extrapolated per row.
 * Targets: real ≥ 0.5 × copy throughput and ≥ 30 × naive.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { PoolClient } from 'pg';
import pgCopyStreams from 'pg-copy-streams';
import { DataSource } from 'typeorm';
import { FixedClock } from '../../src/common/clock.js';
import { AppConfig } from '../../src/config/app-config.js';
import { dataSourceOptions } from '../../src/database/data-source-options.js';
import { startEmbeddedPostgres } from '../../src/database/embedded-postgres.js';
import { copyLine } from '../../src/ingestion/copy-text.js';
import { BankTransactionEntity } from '../../src/ingestion/entities/bank-transaction.entity.js';
import { transactionFingerprint } from '../../src/ingestion/fingerprint.js';
import { IngestionRepository } from '../../src/ingestion/ingestion.repository.js';
import { IngestionService } from '../../src/ingestion/ingestion.service.js';
import { lagosDate, type ParsedMonoTransaction } from '../../src/ingestion/normalise/index.js';
import { ArrayBankDataSource, accountDetails } from '../../src/ingestion/testing/array-bank-data-source.js';
import { syntheticLedger } from '../../src/ingestion/testing/synthetic-ledger.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const TOTAL = arg('rows', 1_000_000);
const ACCOUNTS = arg('accounts', 8);
const CONCURRENCY = arg('concurrency', 1);
const NAIVE = arg('naive', 5_000);
const PER_ACCOUNT = Math.ceil(TOTAL / ACCOUNTS);
const NOW = '2025-11-20T12:00:00.000Z';
const DAY_MS = 86_400_000;

const log = (msg: string): void => void process.stdout.write(`${msg}\n`);
const seconds = (ms: number): string => (ms / 1000).toFixed(2);

/**
 * CPU seconds used so far by this process and by the bench database's Postgres backends (Linux /proc). Wall-clock
 * throughput depends on whatever else the machine runs; CPU per row does not, so both are reported.
 */
async function cpuSeconds(ds: DataSource): Promise<{ node: number; pg: Map<number, number> }> {
  const usage = process.cpuUsage();
  const pg = new Map<number, number>();
  const rows = await ds.query<Array<{ pid: number }>>(`SELECT pid FROM pg_stat_activity WHERE datname = current_database()`);
  for (const { pid } of rows) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      pg.set(pid, (Number(fields[11]) + Number(fields[12])) / 100);
    } catch {
      /* not Linux, or the backend just exited */
    }
  }
  return { node: (usage.user + usage.system) / 1e6, pg };
}

function perRowNum(c: { node: number; pg: number }, n: number): number {
  return (c.node + c.pg) / n;
}

function cpuDelta(
  before: Awaited<ReturnType<typeof cpuSeconds>>,
  after: Awaited<ReturnType<typeof cpuSeconds>>,
): { node: number; pg: number } {
  let pg = 0;
  for (const [pid, t] of after.pg) pg += t - (before.pg.get(pid) ?? 0);
  return { node: after.node - before.node, pg };
}

async function createAccounts(ds: DataSource, label: string, n: number): Promise<Array<{ id: string; mono: string }>> {
  const out: Array<{ id: string; mono: string }> = [];
  for (let i = 0; i < n; i++) {
    const [{ id: borrowerId }] = await ds.query<Array<{ id: string }>>(
      `INSERT INTO borrowers (external_id, full_name, email) VALUES ($1, 'Bench Borrower', 'bench@example.com') RETURNING id`,
      [`${label}-${i}`],
    );
    const mono = `${label}-mono-${i}`;
    const [{ id }] = await ds.query<Array<{ id: string }>>(
      `INSERT INTO bank_accounts (borrower_id, mono_account_id) VALUES ($1, $2) RETURNING id`,
      [borrowerId, mono],
    );
    out.push({ id, mono });
  }
  return out;
}

async function reset(ds: DataSource): Promise<void> {
  await ds.query(`TRUNCATE bank_transactions, transaction_revisions, data_quality_findings, balance_snapshots, ingestion_runs CASCADE`);
  await ds.query(`CHECKPOINT`);
}

/** Baseline: the same rows COPYed straight into bank_transactions, one transaction per account. */
async function rawCopy(ds: DataSource, accountId: string, rows: readonly ParsedMonoTransaction[]): Promise<void> {
  const runner = ds.createQueryRunner();
  try {
    const client = (await runner.connect()) as PoolClient;
    await runner.startTransaction();
    function* lines(): Generator<string> {
      let chunk = '';
      for (const r of rows) {
        chunk += copyLine([
          accountId,
          r.providerId,
          transactionFingerprint(r),
          r.postedAt,
          lagosDate(r.postedAt),
          r.direction,
          r.amountMinor,
          r.balanceMinor,
          r.currency ?? 'NGN',
          r.narration,
          JSON.stringify(r),
        ]);
        if (chunk.length >= 1 << 16) {
          yield chunk;
          chunk = '';
        }
      }
      if (chunk) yield chunk;
    }
    await pipeline(
      Readable.from(lines()),
      client.query(
        pgCopyStreams.from(
          `COPY bank_transactions (account_id, provider_txn_id, fingerprint, posted_at, booking_date, direction, amount_minor, balance_minor, currency, narration, raw) FROM STDIN`,
        ),
      ),
    );
    await runner.commitTransaction();
  } finally {
    await runner.release();
  }
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-ingestion-'));
  // Embedded Postgres runs as the `postgres` OS user when we are root: it must be able to enter the directory.
  fs.chmodSync(dir, 0o777);
  const port = 20000 + Math.floor(Math.random() * 20000);
  log(`embedded Postgres in ${dir} (port ${port})`);
  const pg = await startEmbeddedPostgres({ dataDir: dir, port, database: 'bench' });
  const ds = new DataSource(dataSourceOptions(pg.url, { poolSize: CONCURRENCY + 2, applicationName: 'bench-ingestion' }));
  try {
    await ds.initialize();
    await ds.runMigrations();
    const now = Date.parse(NOW);
    log(`generating ${PER_ACCOUNT * ACCOUNTS} rows (${ACCOUNTS} accounts × ${PER_ACCOUNT}, 360 days)`);
    const ledgers = Array.from({ length: ACCOUNTS }, (_, i) =>
      syntheticLedger({
        seed: 1000 + i,
        count: PER_ACCOUNT,
        from: new Date(now - 360 * DAY_MS).toISOString(),
        to: new Date(now - DAY_MS).toISOString(),
        idPrefix: `acct${i}`,
      }),
    );
    const total = ledgers.reduce((n, l) => n + l.length, 0);

    /** Runs `fn` over the accounts with CONCURRENCY in flight (a work queue, as a deployment would drain one). */
    const drain = async (fn: (i: number) => Promise<void>): Promise<number> => {
      const t0 = performance.now();
      let next = 0;
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (next < ACCOUNTS) await fn(next++);
        }),
      );
      return performance.now() - t0;
    };

    // (a) raw COPY, same concurrency
    const copyAccounts = await createAccounts(ds, 'copy', ACCOUNTS);
    let cpu0 = await cpuSeconds(ds);
    const copyMs = await drain((i) => rawCopy(ds, copyAccounts[i].id, ledgers[i]));
    const copyCpu = cpuDelta(cpu0, await cpuSeconds(ds));
    log(`copy: ${seconds(copyMs)} s`);
    await reset(ds);

    // the real path
    const realAccounts = await createAccounts(ds, 'real', ACCOUNTS);
    const source = new ArrayBankDataSource();
    realAccounts.forEach((a, i) =>
      source.set(a.mono, { details: accountDetails(a.mono, 'BENCH BORROWER'), balanceMinor: null, transactions: ledgers[i] }),
    );
    const service = new IngestionService(
      ds,
      AppConfig.forTest({ LOG_LEVEL: 'warn' }),
      new FixedClock(new Date(NOW)),
      source,
      new IngestionRepository(),
    );
    let inserted = 0;
    cpu0 = await cpuSeconds(ds);
    const realMs = await drain(async (i) => {
      const result = await service.ingestAccount(realAccounts[i].id, { trigger: 'connect' });
      inserted += result.inserted;
    });
    const realCpu = cpuDelta(cpu0, await cpuSeconds(ds));
    log(`real: ${seconds(realMs)} s`);
    if (inserted !== total) throw new Error(`real path inserted ${inserted} rows, expected ${total}`);
    // Idempotency on the same data: a second ingestion of one account re-reads its overlap window only.
    let t = performance.now();
    const again = await service.ingestAccount(realAccounts[0].id, { trigger: 'manual' });
    const againMs = performance.now() - t;
    if (again.inserted + again.modified + again.removed !== 0) throw new Error('re-ingestion changed data');
    await reset(ds);

    // (b) naive: one save() per row
    const [naiveAccount] = await createAccounts(ds, 'naive', 1);
    const repo = ds.getRepository(BankTransactionEntity);
    const sample = ledgers[0].slice(0, NAIVE);
    cpu0 = await cpuSeconds(ds);
    t = performance.now();
    for (const r of sample) {
      await repo.save(
        repo.create({
          accountId: naiveAccount.id,
          providerTxnId: r.providerId,
          fingerprint: transactionFingerprint(r),
          postedAt: new Date(r.postedAt),
          bookingDate: lagosDate(r.postedAt),
          direction: r.direction,
          amountMinor: r.amountMinor,
          balanceMinor: r.balanceMinor,
          currency: r.currency ?? 'NGN',
          narration: r.narration,
          raw: r,
          firstSeenAt: new Date(NOW),
          lastSeenAt: new Date(NOW),
        }),
      );
    }
    const naiveMs = performance.now() - t;
    const naiveCpu = cpuDelta(cpu0, await cpuSeconds(ds));

    const copyRate = total / (copyMs / 1000);
    const realRate = total / (realMs / 1000);
    const naiveRate = sample.length / (naiveMs / 1000);
    const rows = [
      [`real (IngestionService, ${CONCURRENCY} account(s) at a time)`, total, realMs, realRate, realCpu],
      [`raw COPY (${CONCURRENCY} stream(s))`, total, copyMs, copyRate, copyCpu],
      [`naive save() × ${sample.length}`, sample.length, naiveMs, naiveRate, naiveCpu],
    ] as const;
    const perRow = (c: { node: number; pg: number }, n: number): string => ((1e6 * (c.node + c.pg)) / n).toFixed(1);
    log('');
    log(`| method | rows | seconds | rows/s | CPU µs/row (Node + Postgres backends) |`);
    log(`|---|---:|---:|---:|---:|`);
    for (const [name, n, ms, rate, c] of rows) {
      log(
        `| ${name} | ${n} | ${seconds(ms)} | ${Math.round(rate)} | ${perRow(c, n)} (${((1e6 * c.node) / n).toFixed(1)} + ${((1e6 * c.pg) / n).toFixed(1)}) |`,
      );
    }
    log('');
    log(
      `real / COPY  = ${(realRate / copyRate).toFixed(2)}× throughput (target ≥ 0.5×); CPU per row ${(perRowNum(copyCpu, total) / perRowNum(realCpu, total)).toFixed(2)}×`,
    );
    log(
      `real / naive = ${(realRate / naiveRate).toFixed(1)}× throughput (target ≥ 30×); CPU per row ${(perRowNum(naiveCpu, sample.length) / perRowNum(realCpu, total)).toFixed(1)}×; naive extrapolated to ${total} rows: ${seconds((total / naiveRate) * 1000)} s`,
    );
    log(`re-ingestion of one account (overlap window, ${again.fetched} rows, all unchanged): ${seconds(againMs)} s`);
    log(
      `machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, load average ${os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}`,
    );
    const ok = realRate >= 0.5 * copyRate && realRate >= 30 * naiveRate;
    log(ok ? 'targets met' : 'TARGETS NOT MET');
  } finally {
    await ds.destroy().catch(() => undefined);
    await pg.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
