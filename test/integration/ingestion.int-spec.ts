import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { FixedClock } from '../../src/common/clock.js';
import { ConsentGateService } from '../../src/consents/consent-gate.service.js';
import { ConsentsRepository } from '../../src/consents/consents.repository.js';
import { AuditService } from '../../src/common/audit/audit.service.js';
import { AccountEventBus, type AccountEvent } from '../../src/common/events/account-events.js';
import { AppConfig } from '../../src/config/app-config.js';
import { dataSourceOptions } from '../../src/database/data-source-options.js';
import { BorrowerDataService } from '../../src/ingestion/borrower-data.service.js';
import { IngestionEventsHandler } from '../../src/ingestion/ingestion.events.js';
import { IngestionRepository } from '../../src/ingestion/ingestion.repository.js';
import { IngestionService } from '../../src/ingestion/ingestion.service.js';
import type { ParsedMonoTransaction } from '../../src/ingestion/normalise/index.js';
import { ArrayBankDataSource, accountDetails } from '../../src/ingestion/testing/array-bank-data-source.js';
import { syntheticLedger } from '../../src/ingestion/testing/synthetic-ledger.js';
import { TransactionsQueryService } from '../../src/ingestion/transactions-query.service.js';
import { createTestDatabase } from '../support/database.js';

const NOW = new Date('2025-11-20T12:00:00.000Z');

function tx(
  id: string,
  postedAt: string,
  direction: 'credit' | 'debit',
  amountMinor: number,
  balanceMinor: number | null,
  narration: string,
): ParsedMonoTransaction {
  return { providerId: id, postedAt, direction, amountMinor, balanceMinor, narration, providerCategory: null, currency: 'NGN' };
}

describe(IngestionService.name, () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let ds: DataSource;
  let clock: FixedClock;
  let source: ArrayBankDataSource;
  let service: IngestionService;
  let borrowerData: BorrowerDataService;
  let queries: TransactionsQueryService;

  const q = async <T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> => ds.query<T[]>(sql, params);

  async function createAccount(
    opts: { borrowerId?: string; mono?: string } = {},
  ): Promise<{ borrowerId: string; accountId: string; mono: string }> {
    const borrowerId =
      opts.borrowerId ??
      (
        await q<{ id: string }>(
          `INSERT INTO borrowers (external_id, full_name, email) VALUES ($1, 'Ada Obi', 'ada@example.com') RETURNING id`,
          [randomUUID()],
        )
      )[0].id;
    const mono = opts.mono ?? `mono-${randomUUID().slice(0, 8)}`;
    const [{ id }] = await q<{ id: string }>(
      `INSERT INTO bank_accounts (borrower_id, mono_account_id, data_status) VALUES ($1, $2, 'AVAILABLE') RETURNING id`,
      [borrowerId, mono],
    );
    return { borrowerId, accountId: id, mono };
  }

  async function snapshot(accountId: string): Promise<unknown[]> {
    return q(`SELECT * FROM bank_transactions WHERE account_id = $1 ORDER BY provider_txn_id`, [accountId]);
  }

  beforeAll(async () => {
    db = await createTestDatabase();
    ds = new DataSource(dataSourceOptions(db.url, { poolSize: 6 }));
    await ds.initialize();
  });

  afterAll(async () => {
    await ds.destroy();
    await db.drop();
  });

  beforeEach(() => {
    clock = new FixedClock(NOW);
    source = new ArrayBankDataSource();
    service = new IngestionService(ds, AppConfig.forTest(), clock, source, new IngestionRepository());
    borrowerData = new BorrowerDataService(ds);
    queries = new TransactionsQueryService(ds, new AuditService(ds), clock);
  });

  it('should store a first ingestion and change nothing when the same pages are ingested again', async () => {
    const a = await createAccount();
    const rows = syntheticLedger({ seed: 1, count: 60, from: '2025-11-01T08:00:00Z', to: '2025-11-19T20:00:00Z', idPrefix: 'r' });
    source.set(a.mono, {
      details: accountDetails(a.mono, 'ADA OBI'),
      balanceMinor: rows[rows.length - 1].balanceMinor,
      transactions: rows,
    });

    const first = await service.ingestAccount(a.accountId, { trigger: 'connect' });
    expect(first).toMatchObject({
      fetched: 60,
      inserted: 60,
      modified: 0,
      removed: 0,
      unchanged: 0,
      windowStart: '2024-11-20',
      windowEnd: '2025-11-20',
    });
    expect(source.calls.find((c) => c.method === 'getTransactions')).toMatchObject({ start: '2024-11-19', end: '2025-11-20' });
    const before = await snapshot(a.accountId);

    clock.advance(3_600_000);
    const second = await service.ingestAccount(a.accountId, { trigger: 'webhook' });
    // Window: last transaction date (2025-11-19) − 7 days overlap.
    expect(second.windowStart).toBe('2025-11-12');
    expect(second).toMatchObject({ inserted: 0, modified: 0, removed: 0, recategorised: 0 });
    expect(second.unchanged).toBe(second.fetched);
    expect(second.fetched).toBeGreaterThan(10);
    expect(await snapshot(a.accountId)).toEqual(before);
    expect(await q(`SELECT * FROM transaction_revisions WHERE account_id = $1`, [a.accountId])).toEqual([]);
    const runs = await q<{ status: string; inserted: number; unchanged: number }>(
      `SELECT status, inserted, unchanged FROM ingestion_runs WHERE account_id = $1 ORDER BY started_at`,
      [a.accountId],
    );
    expect(runs).toEqual([
      { status: 'succeeded', inserted: 60, unchanged: 0 },
      { status: 'succeeded', inserted: 0, unchanged: second.fetched },
    ]);
    const [account] = await q<{
      last_transaction_date: string;
      coverage: { transactionCount: number; firstDate: string };
      last_synced_at: Date;
    }>(`SELECT last_transaction_date::text, coverage, last_synced_at FROM bank_accounts WHERE id = $1`, [a.accountId]);
    expect(account.last_transaction_date).toBe('2025-11-19');
    expect(account.coverage).toMatchObject({ transactionCount: 60, firstDate: '2025-11-01', lastDate: '2025-11-19' });
    expect(account.last_synced_at.toISOString()).toBe(clock.now().toISOString());
    const snaps = await q(`SELECT balance_minor, source FROM balance_snapshots WHERE account_id = $1`, [a.accountId]);
    expect(snaps).toHaveLength(2);
  });

  it('should mark a run whose heartbeat lapsed as failed when the account is next ingested, and leave a live one', async () => {
    const a = await createAccount();
    const rows = syntheticLedger({ seed: 7, count: 10, from: '2025-11-10T08:00:00Z', to: '2025-11-19T20:00:00Z', idPrefix: 'z' });
    source.set(a.mono, {
      details: accountDetails(a.mono, 'ADA OBI'),
      balanceMinor: rows[rows.length - 1].balanceMinor,
      transactions: rows,
    });
    // Started 5 minutes ago, last heartbeat 2 minutes ago: its process died.
    const [{ id: abandoned }] = await q<{ id: string }>(
      `INSERT INTO ingestion_runs (account_id, trigger, status, started_at, heartbeat_at)
       VALUES ($1, 'webhook', 'running', $2::timestamptz - interval '5 minutes', $2::timestamptz - interval '2 minutes') RETURNING id`,
      [a.accountId, NOW],
    );
    // Started 2 hours ago but beating 20 s ago: a long run that is alive.
    const [{ id: alive }] = await q<{ id: string }>(
      `INSERT INTO ingestion_runs (account_id, trigger, status, started_at, heartbeat_at)
       VALUES ($1, 'webhook', 'running', $2::timestamptz - interval '2 hours', $2::timestamptz - interval '20 seconds') RETURNING id`,
      [a.accountId, NOW],
    );
    await service.ingestAccount(a.accountId, { trigger: 'manual' });
    const runs = await q<{ id: string; status: string }>(`SELECT id, status FROM ingestion_runs WHERE id = ANY($1::uuid[])`, [
      [abandoned, alive],
    ]);
    expect(Object.fromEntries(runs.map((r) => [r.id, r.status]))).toEqual({ [abandoned]: 'failed', [alive]: 'running' });
    const [own] = await q<{ heartbeat_at: Date; started_at: Date }>(
      `SELECT heartbeat_at, started_at FROM ingestion_runs WHERE account_id = $1 AND trigger = 'manual'`,
      [a.accountId],
    );
    expect(own.heartbeat_at).toEqual(own.started_at);
  });

  it('should close abandoned runs of every account in one sweep (what ingestion-runs-sweep runs each minute)', async () => {
    const a = await createAccount();
    const b = await createAccount();
    const insert = (accountId: string, beat: string) =>
      q<{ id: string }>(
        `INSERT INTO ingestion_runs (account_id, trigger, status, started_at, heartbeat_at)
         VALUES ($1, 'webhook', 'running', $2::timestamptz - interval '10 minutes', $2::timestamptz - $3::interval) RETURNING id`,
        [accountId, NOW, beat],
      );
    const [[deadA], [deadB], [live]] = [
      await insert(a.accountId, '61 seconds'),
      await insert(b.accountId, '3 minutes'),
      await insert(b.accountId, '5 seconds'),
    ];
    expect(await service.closeAbandonedRuns()).toBe(2);
    const runs = await q<{ id: string; status: string; error: { reason: string } | null }>(
      `SELECT id, status, error FROM ingestion_runs WHERE id = ANY($1::uuid[])`,
      [[deadA.id, deadB.id, live.id]],
    );
    expect(Object.fromEntries(runs.map((r) => [r.id, [r.status, r.error?.reason ?? null]]))).toEqual({
      [deadA.id]: ['failed', 'abandoned: the process stopped before the run finished'],
      [deadB.id]: ['failed', 'abandoned: the process stopped before the run finished'],
      [live.id]: ['running', null],
    });
    expect(await service.closeAbandonedRuns()).toBe(0);
  });

  it('should reflect one modified and one removed transaction exactly, with revisions, and restore a row that comes back', async () => {
    const a = await createAccount();
    const rows = [
      tx('t1', '2025-11-15T09:00:00.000Z', 'credit', 500_000, 1_500_000, 'NIP/GTB/EMEKA OBI/gift'),
      tx('t2', '2025-11-16T09:00:00.000Z', 'debit', 100_000, 1_400_000, 'POS PURCHASE SHOPRITE'),
      tx('t3', '2025-11-17T09:00:00.000Z', 'debit', 200_000, 1_200_000, 'ATM WDL GTB ALLEN'),
    ];
    source.set(a.mono, { details: accountDetails(a.mono, 'ADA OBI'), balanceMinor: 1_200_000, transactions: rows });
    await service.ingestAccount(a.accountId, { trigger: 'connect' });
    const [t2Before] = await q<{ id: string; version: number }>(
      `SELECT id, version FROM bank_transactions WHERE provider_txn_id = 't2' AND account_id = $1`,
      [a.accountId],
    );

    // The bank rewrites t2's narration and withdraws t3.
    source.set(a.mono, {
      details: accountDetails(a.mono, 'ADA OBI'),
      balanceMinor: 1_400_000,
      transactions: [rows[0], { ...rows[1], narration: 'POS PURCHASE SHOPRITE LEKKI NG' }],
    });
    clock.advance(60_000);
    const result = await service.ingestAccount(a.accountId, { trigger: 'sync' });
    expect(result).toMatchObject({ fetched: 2, inserted: 0, modified: 1, removed: 1, unchanged: 1 });

    const stored = await q<{ provider_txn_id: string; status: string; version: number; narration: string; removed_at: Date | null }>(
      `SELECT provider_txn_id, status, version, narration, removed_at FROM bank_transactions WHERE account_id = $1 ORDER BY provider_txn_id`,
      [a.accountId],
    );
    expect(stored.map((r) => [r.provider_txn_id, r.status, r.version, r.narration])).toEqual([
      ['t1', 'active', 1, 'NIP/GTB/EMEKA OBI/gift'],
      ['t2', 'active', 2, 'POS PURCHASE SHOPRITE LEKKI NG'],
      ['t3', 'removed', 2, 'ATM WDL GTB ALLEN'],
    ]);
    const revisions = await q<{
      transaction_id: string;
      change: string;
      previous: Record<string, unknown>;
      current: Record<string, unknown> | null;
      ingestion_run_id: string;
    }>(
      `SELECT transaction_id, change, previous, current, ingestion_run_id FROM transaction_revisions WHERE account_id = $1 ORDER BY change`,
      [a.accountId],
    );
    expect(revisions).toHaveLength(2);
    expect(revisions[0]).toMatchObject({
      transaction_id: t2Before.id,
      change: 'modified',
      previous: { narration: 'POS PURCHASE SHOPRITE', version: 1, status: 'active' },
      current: { narration: 'POS PURCHASE SHOPRITE LEKKI NG', version: 2 },
      ingestion_run_id: result.ingestionRunId,
    });
    expect(revisions[1]).toMatchObject({
      change: 'removed',
      previous: { providerTxnId: 't3', status: 'active' },
      current: { status: 'removed' },
    });

    const input = await borrowerData.loadEngineInput(a.borrowerId, clock.now());
    expect(input.transactions.map((t) => [t.providerId, t.narration])).toEqual([
      ['t1', 'NIP/GTB/EMEKA OBI/gift'],
      ['t2', 'POS PURCHASE SHOPRITE LEKKI NG'],
    ]);
    expect(input.accounts[0].findings.map((f) => f.kind).sort()).toEqual(['modified_transaction', 'removed_transaction']);

    // t3 comes back unchanged: restored, not duplicated.
    source.set(a.mono, {
      details: accountDetails(a.mono, 'ADA OBI'),
      balanceMinor: 1_200_000,
      transactions: [rows[0], { ...rows[1], narration: 'POS PURCHASE SHOPRITE LEKKI NG' }, rows[2]],
    });
    clock.advance(60_000);
    const again = await service.ingestAccount(a.accountId, { trigger: 'manual' });
    expect(again).toMatchObject({ inserted: 0, modified: 1, restored: 1, removed: 0, unchanged: 2 });
    const [t3] = await q<{ status: string; version: number; removed_at: Date | null }>(
      `SELECT status, version, removed_at FROM bank_transactions WHERE account_id = $1 AND provider_txn_id = 't3'`,
      [a.accountId],
    );
    expect(t3).toEqual({ status: 'active', version: 3, removed_at: null });
  });

  it('should report a balance break as a finding that cites the transaction, and resolve it when the row is corrected', async () => {
    const a = await createAccount();
    const rows = [
      tx('b1', '2025-11-10T09:00:00.000Z', 'credit', 1_000_000, 1_000_000, 'NIP/GTB/EMEKA OBI/gift'),
      tx('b2', '2025-11-11T09:00:00.000Z', 'debit', 100_000, 900_000, 'POS PURCHASE SHOPRITE'),
      // 300_000 missing between b2 and b3: 900_000 − 50_000 ≠ 550_000.
      tx('b3', '2025-11-12T09:00:00.000Z', 'debit', 50_000, 550_000, 'Airtime//08031234567//MTN'),
    ];
    source.set(a.mono, { details: accountDetails(a.mono, 'ADA OBI'), balanceMinor: 550_000, transactions: rows });
    const result = await service.ingestAccount(a.accountId, { trigger: 'connect' });
    const [b3] = await q<{ id: string }>(`SELECT id FROM bank_transactions WHERE account_id = $1 AND provider_txn_id = 'b3'`, [
      a.accountId,
    ]);
    expect(result.findings).toEqual([
      expect.objectContaining({
        kind: 'balance_break',
        transactionId: b3.id,
        date: '2025-11-12',
        details: expect.objectContaining({ expectedMinor: 850_000, actualMinor: 550_000 }),
      }),
    ]);
    const stored = await q(
      `SELECT kind, transaction_id, booking_date::text, resolved_at FROM data_quality_findings WHERE account_id = $1`,
      [a.accountId],
    );
    expect(stored).toEqual([{ kind: 'balance_break', transaction_id: b3.id, booking_date: '2025-11-12', resolved_at: null }]);

    // Same data again: the finding is kept as is, not duplicated.
    await service.ingestAccount(a.accountId, { trigger: 'manual' });
    expect(await q(`SELECT kind FROM data_quality_findings WHERE account_id = $1`, [a.accountId])).toHaveLength(1);

    // The missing row appears: the break is resolved.
    source.set(a.mono, {
      details: accountDetails(a.mono, 'ADA OBI'),
      balanceMinor: 550_000,
      transactions: [...rows, tx('b2b', '2025-11-11T18:00:00.000Z', 'debit', 300_000, 600_000, 'NIP/UBA/LANDLORD/rent')],
    });
    const fixed = await service.ingestAccount(a.accountId, { trigger: 'manual' });
    expect(fixed.findings).toEqual([]);
    const after = await q<{ resolved_at: Date | null }>(
      `SELECT resolved_at FROM data_quality_findings WHERE account_id = $1 AND kind = 'balance_break'`,
      [a.accountId],
    );
    expect(after).toEqual([{ resolved_at: clock.now() }]);
  });

  it('should re-key a row whose provider id changed but whose content did not (unstable ids)', async () => {
    const a = await createAccount();
    const rows = [
      tx('u1', '2025-11-15T09:00:00.000Z', 'credit', 500_000, 500_000, 'NIP/GTB/EMEKA OBI/gift'),
      tx('u2', '2025-11-16T09:00:00.000Z', 'debit', 100_000, 400_000, 'POS PURCHASE SHOPRITE'),
    ];
    source.set(a.mono, { details: accountDetails(a.mono, 'ADA OBI'), balanceMinor: 400_000, transactions: rows });
    await service.ingestAccount(a.accountId, { trigger: 'connect' });
    const [u2] = await q<{ id: string }>(`SELECT id FROM bank_transactions WHERE account_id = $1 AND provider_txn_id = 'u2'`, [
      a.accountId,
    ]);

    source.set(a.mono, {
      details: accountDetails(a.mono, 'ADA OBI'),
      balanceMinor: 400_000,
      transactions: [rows[0], { ...rows[1], providerId: 'u2-new' }],
    });
    const result = await service.ingestAccount(a.accountId, { trigger: 'manual' });
    expect(result).toMatchObject({ inserted: 0, removed: 0, rekeyed: 1, modified: 1, unchanged: 1 });
    const stored = await q<{ id: string; provider_txn_id: string; status: string; version: number }>(
      `SELECT id, provider_txn_id, status, version FROM bank_transactions WHERE account_id = $1 ORDER BY provider_txn_id`,
      [a.accountId],
    );
    expect(stored).toEqual([
      { id: expect.any(String), provider_txn_id: 'u1', status: 'active', version: 1 },
      { id: u2.id, provider_txn_id: 'u2-new', status: 'active', version: 2 },
    ]);
    const [revision] = await q<{ change: string; previous: { providerTxnId: string }; current: { providerTxnId: string } }>(
      `SELECT change, previous, current FROM transaction_revisions WHERE transaction_id = $1`,
      [u2.id],
    );
    expect(revision).toMatchObject({ change: 'modified', previous: { providerTxnId: 'u2' }, current: { providerTxnId: 'u2-new' } });
  });

  it("should pair a self-transfer across the borrower's linked accounts and never overwrite an analyst category", async () => {
    const a = await createAccount();
    const b = await createAccount({ borrowerId: a.borrowerId });
    source.set(a.mono, {
      details: accountDetails(a.mono, 'ADA OBI'),
      balanceMinor: 700_000,
      transactions: [
        tx('a1', '2025-11-10T09:00:00.000Z', 'credit', 1_000_000, 1_000_000, 'NIP/ZENITH/ACME LOGISTICS LTD/SALARY NOV'),
        tx('a2', '2025-11-12T09:00:00.000Z', 'debit', 300_000, 700_000, 'NIP/KUDA/MOVE FUNDS 123456789012/savings'),
      ],
    });
    source.set(b.mono, {
      details: accountDetails(b.mono, 'ADA OBI'),
      balanceMinor: 300_000,
      transactions: [tx('b1', '2025-11-12T09:05:00.000Z', 'credit', 300_000, 300_000, 'NIP/GTB/INWARD 998877665544/savings')],
    });
    await service.ingestAccount(a.accountId, { trigger: 'connect' });
    const [a2Before] = await q<{ category: string }>(
      `SELECT category FROM bank_transactions WHERE account_id = $1 AND provider_txn_id = 'a2'`,
      [a.accountId],
    );
    expect(a2Before.category).toBe('transfer_out');

    const result = await service.ingestAccount(b.accountId, { trigger: 'connect' });
    expect(result.recategorised).toBe(1);
    const cats = await q<{ provider_txn_id: string; category: string; category_rule: string }>(
      `SELECT provider_txn_id, category, category_rule FROM bank_transactions
        WHERE account_id IN ($1, $2) AND provider_txn_id IN ('a2', 'b1') ORDER BY provider_txn_id`,
      [a.accountId, b.accountId],
    );
    expect(cats).toEqual([
      { provider_txn_id: 'a2', category: 'self_transfer', category_rule: 'self_transfer.pair' },
      { provider_txn_id: 'b1', category: 'self_transfer', category_rule: 'self_transfer.pair' },
    ]);

    // An analyst relabels the salary; re-ingesting keeps it.
    const [a1] = await q<{ id: string }>(`SELECT id FROM bank_transactions WHERE account_id = $1 AND provider_txn_id = 'a1'`, [
      a.accountId,
    ]);
    const overridden = await queries.recategorise(a1.id, 'transfer_in', 'analyst:jo', 'one-off payment, not salary');
    expect(overridden).toMatchObject({ category: 'transfer_in', categoryRule: 'analyst_override', categorySource: 'analyst' });
    await service.ingestAccount(a.accountId, { trigger: 'manual' });
    const [a1After] = await q<{ category: string; category_source: string }>(
      `SELECT category, category_source FROM bank_transactions WHERE id = $1`,
      [a1.id],
    );
    expect(a1After).toEqual({ category: 'transfer_in', category_source: 'analyst' });
    const audit = await q(`SELECT actor, action, entity_id, reason FROM audit_log WHERE entity_id = $1`, [a1.id]);
    expect(audit).toEqual([
      { actor: 'analyst:jo', action: 'transaction.recategorised', entity_id: a1.id, reason: 'one-off payment, not salary' },
    ]);
  });

  it('should leave nothing written when the source fails mid-fetch, and succeed on retry', async () => {
    const a = await createAccount();
    const rows = syntheticLedger({ seed: 2, count: 40, from: '2025-10-01T08:00:00Z', to: '2025-11-19T20:00:00Z', idPrefix: 'f' });
    source.set(a.mono, { details: accountDetails(a.mono, 'ADA OBI'), balanceMinor: 1, transactions: rows });
    source.failTransactions = new Error('page 3: connection reset');
    await expect(service.ingestAccount(a.accountId, { trigger: 'connect' })).rejects.toThrow('page 3');
    expect(await q(`SELECT count(*)::int AS n FROM bank_transactions WHERE account_id = $1`, [a.accountId])).toEqual([{ n: 0 }]);
    expect(await q(`SELECT status, error->>'message' AS message FROM ingestion_runs WHERE account_id = $1`, [a.accountId])).toEqual([
      { status: 'failed', message: 'page 3: connection reset' },
    ]);

    source.failTransactions = null;
    const retry = await service.ingestAccount(a.accountId, { trigger: 'connect' });
    expect(retry).toMatchObject({ inserted: 40 });
  });

  it('should roll back every write when a constraint fails after the rows were upserted, and succeed on retry', async () => {
    const a = await createAccount();
    const rows = syntheticLedger({ seed: 3, count: 30, from: '2025-10-01T08:00:00Z', to: '2025-11-19T20:00:00Z', idPrefix: 'c' });
    source.set(a.mono, { details: accountDetails(a.mono, 'ADA OBI'), balanceMinor: 1_000, transactions: rows });
    await service.ingestAccount(a.accountId, { trigger: 'connect' });
    const before = await snapshot(a.accountId);

    // Modified + removed rows, then the balance snapshot (written after them) violates a constraint.
    source.set(a.mono, {
      details: accountDetails(a.mono, 'ADA OBI'),
      balanceMinor: -5,
      transactions: [...rows.slice(0, 28), { ...rows[28], narration: 'CHANGED' }],
    });
    await ds.query(`ALTER TABLE balance_snapshots ADD CONSTRAINT test_positive_balance CHECK (balance_minor >= 0)`);
    try {
      await expect(service.ingestAccount(a.accountId, { trigger: 'manual' })).rejects.toThrow(/test_positive_balance/);
      expect(await snapshot(a.accountId)).toEqual(before);
      expect(await q(`SELECT * FROM transaction_revisions WHERE account_id = $1`, [a.accountId])).toEqual([]);
    } finally {
      await ds.query(`ALTER TABLE balance_snapshots DROP CONSTRAINT test_positive_balance`);
    }
    const retry = await service.ingestAccount(a.accountId, { trigger: 'manual' });
    expect(retry).toMatchObject({ modified: 1, removed: 1 });
  });

  it('should serialise concurrent ingestions of one account on its advisory lock', async () => {
    const a = await createAccount();
    const rows = syntheticLedger({ seed: 4, count: 50, from: '2025-11-01T08:00:00Z', to: '2025-11-19T20:00:00Z', idPrefix: 'k' });
    source.set(a.mono, { details: accountDetails(a.mono, 'ADA OBI'), balanceMinor: 1, transactions: rows });

    // Hold the account's lock from outside: the ingestion must wait for it, with nothing visible meanwhile.
    const holder = new pg.Client({ connectionString: db.url });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query(`SELECT pg_advisory_xact_lock(hashtextextended('ingestion:' || $1, 0))`, [a.accountId]);
      const pending = service.ingestAccount(a.accountId, { trigger: 'manual' });
      for (let i = 0; i < 200; i++) {
        const [{ n }] = await q<{ n: number }>(`SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted`);
        if (n > 0) break;
        await new Promise((r) => setTimeout(r, 25));
      }
      expect(await q(`SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted`)).toEqual([{ n: 1 }]);
      expect(await q(`SELECT count(*)::int AS n FROM bank_transactions WHERE account_id = $1`, [a.accountId])).toEqual([{ n: 0 }]);
      await holder.query('COMMIT');
      expect(await pending).toMatchObject({ inserted: 50 });
    } finally {
      await holder.end();
    }

    // Two at once: one stores the new rows, the other finds them unchanged; no duplicates.
    source.set(a.mono, {
      details: accountDetails(a.mono, 'ADA OBI'),
      balanceMinor: 1,
      transactions: [...rows, tx('k-new', '2025-11-19T21:00:00.000Z', 'debit', 100, 1, 'POS PURCHASE')],
    });
    const results = await Promise.all([
      service.ingestAccount(a.accountId, { trigger: 'manual' }),
      service.ingestAccount(a.accountId, { trigger: 'manual' }),
    ]);
    expect(results.map((r) => r.inserted).sort()).toEqual([0, 1]);
    expect(await q(`SELECT count(*)::int AS n FROM bank_transactions WHERE account_id = $1`, [a.accountId])).toEqual([{ n: 51 }]);
  });

  it("should paginate a borrower's transactions with an opaque keyset cursor", async () => {
    const a = await createAccount();
    const rows = syntheticLedger({ seed: 5, count: 25, from: '2025-11-01T08:00:00Z', to: '2025-11-19T20:00:00Z', idPrefix: 'p' });
    source.set(a.mono, { details: accountDetails(a.mono, 'ADA OBI'), balanceMinor: 1, transactions: rows });
    await service.ingestAccount(a.accountId, { trigger: 'connect' });
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await queries.listForBorrower(a.borrowerId, { limit: 10, ...(cursor ? { cursor } : {}) });
      seen.push(...page.items.map((i) => i.providerId));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual(rows.map((r) => r.providerId).reverse());
    const filtered = await queries.listForBorrower(a.borrowerId, { from: '2025-11-10', to: '2025-11-12' });
    expect(filtered.items.every((i) => i.date >= '2025-11-10' && i.date <= '2025-11-12')).toBe(true);
    await expect(queries.listForBorrower(a.borrowerId, { cursor: 'garbage' })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(queries.listForBorrower(a.borrowerId, { limit: 501 })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });
});

describe(IngestionEventsHandler.name, () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let ds: DataSource;

  beforeAll(async () => {
    db = await createTestDatabase();
    ds = new DataSource(dataSourceOptions(db.url, { poolSize: 4 }));
    await ds.initialize();
  });

  afterAll(async () => {
    await ds.destroy();
    await db.drop();
  });

  /** An account ready for data_available events: its IngestionEventsHandler on a bus, and the ingested events it publishes. */
  async function eventHandler(tag: string, seed: number, count: number) {
    const [{ id: borrowerId }] = await ds.query<Array<{ id: string }>>(
      `INSERT INTO borrowers (external_id, full_name, email) VALUES ($1, 'Ada Obi', 'a@example.com') RETURNING id`,
      [tag],
    );
    const mono = `mono-${tag}`;
    const [{ id: accountId }] = await ds.query<Array<{ id: string }>>(`INSERT INTO bank_accounts (borrower_id, mono_account_id) VALUES ($1, $2) RETURNING id`, [
      borrowerId,
      mono,
    ]);
    const source = new ArrayBankDataSource().set(mono, {
      details: accountDetails(mono, 'ADA OBI'),
      balanceMinor: 1,
      transactions: syntheticLedger({ seed, count, from: '2025-11-01T08:00:00Z', to: '2025-11-19T20:00:00Z', idPrefix: tag }),
    });
    const bus = new AccountEventBus();
    const clock = new FixedClock(NOW);
    const handler = new IngestionEventsHandler(
      bus,
      new IngestionService(ds, AppConfig.forTest(), clock, source, new IngestionRepository()),
      new ConsentGateService(new ConsentsRepository(ds)),
      clock,
      { getSyncRun: async () => null },
    );
    handler.onModuleInit();
    const published: AccountEvent[] = [];
    bus.subscribe('test', async (e) => {
      if (e.type === 'account.ingested') published.push(e);
    });
    const grantUnderwriting = () =>
      ds.query(`INSERT INTO consents (borrower_id, purpose, notice_version, channel, granted_at) VALUES ($1, 'underwriting', 'test-notice', 'test', $2)`, [
        borrowerId,
        NOW,
      ]);
    return { borrowerId, accountId, source, bus, clock, published, grantUnderwriting };
  }

  it('should ingest on AVAILABLE or PARTIAL with transactions, skip PARTIAL without, and publish account.ingested', async () => {
    const { accountId, bus, published, grantUnderwriting } = await eventHandler('ev', 9, 10);
    const event = (dataStatus: string, retrievedData: string[], syncRunId: string | null = null): AccountEvent => ({
      type: 'account.data_available',
      accountId,
      dataStatus,
      retrievedData,
      syncRunId,
      hasNewData: true,
    });

    // No consent yet: the event is handled, nothing is fetched.
    await bus.publish(event('AVAILABLE', ['balance', 'transactions']));
    expect(await ds.query(`SELECT count(*)::int AS n FROM ingestion_runs`)).toEqual([{ n: 0 }]);
    await grantUnderwriting();

    await bus.publish(event('PARTIAL', ['balance']));
    expect(await ds.query(`SELECT count(*)::int AS n FROM ingestion_runs`)).toEqual([{ n: 0 }]);
    expect(published).toEqual([]);

    await bus.publish(event('PARTIAL', ['balance', 'transactions']));
    await bus.publish(event('AVAILABLE', ['balance', 'transactions']));
    expect(published).toEqual([
      { type: 'account.ingested', accountId, ingestionRunId: expect.any(String), syncRunId: null, changed: true },
      { type: 'account.ingested', accountId, ingestionRunId: expect.any(String), syncRunId: null, changed: false },
    ]);
    expect(await ds.query(`SELECT trigger, inserted FROM ingestion_runs ORDER BY started_at, inserted DESC`)).toEqual([
      { trigger: 'webhook', inserted: 10 },
      { trigger: 'webhook', inserted: 0 },
    ]);
  });
  it('should answer data_available events that an ingestion started after their webhook already covered without fetching again', async () => {
    const { accountId, source, bus, clock, published, grantUnderwriting } = await eventHandler('burst', 11, 12);
    await grantUnderwriting();
    const updated = (announcedAt: Date | null, syncRunId: string | null = null): AccountEvent => ({
      type: 'account.data_available',
      accountId,
      dataStatus: 'AVAILABLE',
      retrievedData: ['balance', 'transactions'],
      syncRunId,
      hasNewData: true,
      announcedAt,
    });
    const runs = async (): Promise<number> => (await ds.query<Array<{ n: number }>>(`SELECT count(*)::int AS n FROM ingestion_runs WHERE account_id = $1`, [accountId]))[0].n;
    const transactionFetches = (): number => source.calls.filter((c) => c.method === 'getTransactions').length;

    // A backlog: five webhooks stored at NOW, worked after the clock moved on. The first one's ingestion starts after
    // all five arrived, so it answers the other four (each still gets its own account.ingested, its own sync run).
    clock.set(new Date(NOW.getTime() + 1_000));
    const syncRun = randomUUID();
    for (const e of [updated(NOW), updated(NOW), updated(NOW, syncRun), updated(NOW), updated(NOW)]) await bus.publish(e);
    expect(await runs()).toBe(1);
    expect(transactionFetches()).toBe(1);
    const [first, ...covered] = published;
    expect(first).toMatchObject({ changed: true });
    expect(covered).toEqual([null, syncRun, null, null].map((id) => ({ type: 'account.ingested', accountId, ingestionRunId: first.type === 'account.ingested' ? first.ingestionRunId : '', syncRunId: id, changed: false })));

    // A webhook that arrived after that ingestion started is not covered by it: a new ingestion.
    await bus.publish(updated(new Date(NOW.getTime() + 2_000)));
    expect(await runs()).toBe(2);
    // Same instant as the ingestion's start (a frozen or coarse clock): not provably later, so not covered either.
    clock.set(new Date(NOW.getTime() + 5_000));
    await bus.publish(updated(new Date(NOW.getTime() + 5_000)));
    await bus.publish(updated(new Date(NOW.getTime() + 5_000)));
    expect(await runs()).toBe(4);
    // An event from no webhook (the link, a sync's own answer) is never skipped.
    await bus.publish(updated(null));
    expect(await runs()).toBe(5);
  });
});
