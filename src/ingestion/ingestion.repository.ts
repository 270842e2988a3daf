import { Readable } from 'node:stream';
import { readKobo, readKoboOrNull } from '../common/money.js';
import { pipeline } from 'node:stream/promises';
import { Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import pgCopyStreams from 'pg-copy-streams';
import type { DataQualityFinding } from '../common/domain/account.js';
import type { Direction } from '../common/domain/transaction.js';
import { decryptPii } from '../security/pii-cipher.js';
import { copyField } from './copy-text.js';

/** One provider row ready for the stage table (already normalised, categorised and fingerprinted). */
export interface StagedTransaction {
  /** Our row id, generated up front so a first ingestion can COPY straight into bank_transactions. */
  id: string;
  providerTxnId: string;
  fingerprint: string;
  postedAt: string;
  bookingDate: string;
  direction: Direction;
  amountMinor: number;
  balanceMinor: number | null;
  currency: string;
  narration: string;
  providerCategory: string | null;
  category: string;
  categoryRule: string;
  rail: string;
  counterparty: string | null;
  memo: string | null;
  /** JSON text of the provider row as parsed. */
  raw: string;
}

/** Rows to COPY, in batches (an async source lets categorisation of the next batch overlap the COPY of this one). */
export type StagedRows = AsyncIterable<readonly StagedTransaction[]> | Iterable<readonly StagedTransaction[]>;

export interface AccountForIngestion {
  id: string;
  borrowerId: string;
  monoAccountId: string;
  currency: string;
  accountName: string | null;
  identityFullName: string | null;
  lastTransactionDate: string | null;
  lastIngestedAt: Date | null;
  lastSyncedAt: Date | null;
  unlinkedAt: Date | null;
}

/** A stored row as the categoriser needs it (plus what tells whether its category may change). */
export interface StoredTransactionForCategorising {
  id: string;
  accountId: string;
  providerTxnId: string;
  postedAt: string;
  bookingDate: string;
  direction: Direction;
  amountMinor: number;
  balanceMinor: number | null;
  currency: string;
  narration: string;
  providerCategory: string | null;
  category: string;
  categoryRule: string;
  categorySource: 'rule' | 'analyst';
}

export interface LedgerRow {
  id: string;
  providerId: string;
  fingerprint: string;
  postedAt: string;
  date: string;
  direction: Direction;
  amountMinor: number;
  balanceMinor: number | null;
  narration: string;
}

export interface CategoryChange {
  id: string;
  category: string;
  categoryRule: string;
}

const STAGE_COLUMNS = [
  'provider_txn_id',
  'fingerprint',
  'posted_at',
  'booking_date',
  'direction',
  'amount_minor',
  'balance_minor',
  'currency',
  'narration',
  'provider_category',
  'category',
  'category_rule',
  'rail',
  'counterparty',
  'memo',
  'raw',
] as const;

/** Snapshot of a stored row for transaction_revisions.previous/current. */
const ROW_SNAPSHOT = (t: string) => `jsonb_build_object(
  'providerTxnId', ${t}.provider_txn_id, 'postedAt', ${t}.posted_at, 'bookingDate', ${t}.booking_date, 'direction', ${t}.direction,
  'amountMinor', ${t}.amount_minor, 'balanceMinor', ${t}.balance_minor, 'currency', ${t}.currency, 'narration', ${t}.narration,
  'category', ${t}.category, 'categoryRule', ${t}.category_rule, 'status', ${t}.status, 'version', ${t}.version, 'fingerprint', ${t}.fingerprint)`;


/** Findings kinds this module recomputes from the ledger on every ingestion (the rest are events, never replaced). */
export const CONTINUITY_KINDS = ['balance_break', 'missing_balance', 'emtl_mismatch', 'duplicate_row'] as const;

/** A running ingestion refreshes its `heartbeat_at` this often. */
export const INGESTION_HEARTBEAT_SECONDS = 10;
/** A `running` ingestion whose heartbeat lapsed this long (six missed beats) was abandoned by a dead process. */
export const INGESTION_ABANDONED_SECONDS = 60;

const ABANDONED_ERROR = '{"reason":"abandoned: the process stopped before the run finished"}';

/**
 * All SQL of ingestion. Methods take the pg client of the caller's transaction: ingestion stages rows with COPY on
 * the same connection, then applies set-based statements; nothing here commits.
 */
@Injectable()
export class IngestionRepository {
  async findAccount(client: PoolClient, accountId: string): Promise<AccountForIngestion | null> {
    const { rows } = await client.query<{
      id: string;
      borrower_id: string;
      mono_account_id: string;
      currency: string;
      account_name: string | null;
      identity_full_name: string | null;
      last_transaction_date: string | null;
      last_ingested_at: Date | null;
      last_synced_at: Date | null;
      unlinked_at: Date | null;
    }>(
      `SELECT id, borrower_id, mono_account_id, currency, account_name, identity_full_name, last_transaction_date::text,
              last_ingested_at, last_synced_at, unlinked_at
         FROM bank_accounts WHERE id = $1`,
      [accountId],
    );
    const r = rows[0];
    if (!r) return null;
    return {
      id: r.id,
      borrowerId: r.borrower_id,
      monoAccountId: r.mono_account_id,
      currency: r.currency,
      accountName: r.account_name,
      identityFullName: r.identity_full_name,
      lastTransactionDate: r.last_transaction_date,
      lastIngestedAt: r.last_ingested_at,
      lastSyncedAt: r.last_synced_at,
      unlinkedAt: r.unlinked_at,
    };
  }

  /** Transaction-scoped advisory lock: concurrent ingestions of one account run one after the other. */
  async lockAccount(client: PoolClient, accountId: string): Promise<void> {
    await client.query(`SELECT pg_advisory_xact_lock(hashtextextended('ingestion:' || $1, 0))`, [accountId]);
  }

  /** The newest succeeded run of the account that started strictly after `after` (it fetched what was announced then). */
  async succeededRunStartedAfter(client: PoolClient, accountId: string, after: Date): Promise<string | null> {
    const { rows } = await client.query<{ id: string }>(
      `SELECT id FROM ingestion_runs WHERE account_id = $1 AND status = 'succeeded' AND started_at > $2 ORDER BY started_at DESC LIMIT 1`,
      [accountId, after],
    );
    return rows[0]?.id ?? null;
  }

  async startRun(
    client: PoolClient,
    run: { accountId: string; trigger: string; syncRunId: string | null; windowStart: string; windowEnd: string; now: Date },
  ): Promise<string> {
    // A run of this account left `running` by a process that died (kill -9): its heartbeat has lapsed.
    await client.query(
      `UPDATE ingestion_runs SET status = 'failed', finished_at = $2, error = $4::jsonb
        WHERE account_id = $1 AND status = 'running' AND coalesce(heartbeat_at, started_at) < $2::timestamptz - make_interval(secs => $3)`,
      [run.accountId, run.now, INGESTION_ABANDONED_SECONDS, ABANDONED_ERROR],
    );
    const { rows } = await client.query<{ id: string }>(
      `INSERT INTO ingestion_runs (account_id, sync_run_id, trigger, status, window_start, window_end, started_at, heartbeat_at)
       VALUES ($1, $2, $3, 'running', $4, $5, $6, $6) RETURNING id`,
      [run.accountId, run.syncRunId, run.trigger, run.windowStart, run.windowEnd, run.now],
    );
    return rows[0].id;
  }

  async completeRun(
    client: PoolClient,
    runId: string,
    counts: { fetched: number; inserted: number; modified: number; removed: number; unchanged: number },
    now: Date,
  ): Promise<void> {
    await client.query(
      `UPDATE ingestion_runs SET status = 'succeeded', fetched = $2, inserted = $3, modified = $4, removed = $5, unchanged = $6, finished_at = $7
        WHERE id = $1`,
      [runId, counts.fetched, counts.inserted, counts.modified, counts.removed, counts.unchanged, now],
    );
  }

  /** The run is still being worked (called every INGESTION_HEARTBEAT_SECONDS while it fetches and stores). */
  async beat(client: PoolClient, runId: string, now: Date): Promise<void> {
    await client.query(`UPDATE ingestion_runs SET heartbeat_at = $2 WHERE id = $1 AND status = 'running'`, [runId, now]);
  }

  /** Closes every run, of any account, whose heartbeat lapsed: their process died. Returns how many. */
  async closeAbandoned(client: PoolClient, now: Date): Promise<number> {
    const { rowCount } = await client.query(
      `UPDATE ingestion_runs SET status = 'failed', finished_at = $1, error = $3::jsonb
        WHERE status = 'running' AND coalesce(heartbeat_at, started_at) < $1::timestamptz - make_interval(secs => $2)`,
      [now, INGESTION_ABANDONED_SECONDS, ABANDONED_ERROR],
    );
    return rowCount ?? 0;
  }

  async failRun(client: PoolClient, runId: string, error: Record<string, unknown>, now: Date): Promise<void> {
    await client.query(`UPDATE ingestion_runs SET status = 'failed', error = $2, finished_at = $3 WHERE id = $1`, [
      runId,
      JSON.stringify(error),
      now,
    ]);
  }

  /**
   * Active rows of the borrower's linked accounts dated on or after `from`: the categoriser's context (cross-account
   * self-transfer pairing, reversal pairing across the window edge).
   */
  async findBorrowerRowsSince(client: PoolClient, borrowerId: string, from: string): Promise<StoredTransactionForCategorising[]> {
    const { rows } = await client.query<{
      id: string;
      account_id: string;
      provider_txn_id: string;
      posted_at: Date;
      booking_date: string;
      direction: Direction;
      amount_minor: string;
      balance_minor: string | null;
      currency: string;
      narration: string;
      provider_category: string | null;
      category: string;
      category_rule: string;
      category_source: 'rule' | 'analyst';
    }>(
      `SELECT t.id, t.account_id, t.provider_txn_id, t.posted_at, t.booking_date::text, t.direction, t.amount_minor, t.balance_minor,
              t.currency, t.narration, t.provider_category, t.category, t.category_rule, t.category_source
         FROM bank_transactions t JOIN bank_accounts a ON a.id = t.account_id
        WHERE a.borrower_id = $1 AND a.unlinked_at IS NULL AND t.status = 'active' AND t.booking_date >= $2::date`,
      [borrowerId, from],
    );
    return rows.map((r) => ({
      id: r.id,
      accountId: r.account_id,
      providerTxnId: r.provider_txn_id,
      postedAt: r.posted_at.toISOString(),
      bookingDate: r.booking_date,
      direction: r.direction,
      amountMinor: readKobo(r.amount_minor, 'amount_minor'),
      balanceMinor: readKoboOrNull(r.balance_minor, 'balance_minor'),
      currency: r.currency,
      narration: r.narration,
      providerCategory: r.provider_category,
      category: r.category,
      categoryRule: r.category_rule,
      categorySource: r.category_source,
    }));
  }

  /** Holder names of the borrower's other linked accounts (bank account name, else the verified identity name). */
  /** Every linked account of the borrower with the name its bank prints and its (decrypted) number, for self-transfer detection. */
  async findBorrowerHolderNames(client: PoolClient, borrowerId: string): Promise<Map<string, { name: string | null; accountNumber: string | null }>> {
    const { rows } = await client.query<{ id: string; name: string | null; account_number: string | null }>(
      `SELECT id, coalesce(account_name, identity_full_name) AS name, account_number FROM bank_accounts WHERE borrower_id = $1 AND unlinked_at IS NULL`,
      [borrowerId],
    );
    return new Map(
      rows.map((r) => [r.id, { name: r.name, accountNumber: r.account_number === null ? null : decryptPii(r.account_number) }]),
    );
  }

  /** Whether the account has any stored row (active or removed): without one, ingestion is a pure insert. */
  async hasStoredTransactions(client: PoolClient, accountId: string): Promise<boolean> {
    const { rows } = await client.query<{ any: boolean }>(`SELECT EXISTS (SELECT 1 FROM bank_transactions WHERE account_id = $1) AS any`, [
      accountId,
    ]);
    return rows[0].any;
  }

  /**
   * First ingestion of an account (no stored rows, under the account lock): nothing to reconcile, so the rows are
   * COPYed straight into bank_transactions with their pre-generated ids.
   */
  async copyNewTransactions(client: PoolClient, accountId: string, rows: StagedRows, now: Date): Promise<void> {
    const seen = now.toISOString();
    const copy = client.query(
      pgCopyStreams.from(`COPY bank_transactions (id, account_id, first_seen_at, last_seen_at, ${STAGE_COLUMNS.join(', ')}) FROM STDIN`),
    );
    await pipeline(Readable.from(copyChunks(rows, [accountId, seen, seen])), copy);
  }

  /** COPY the fetched rows into a transaction-local stage table (dropped on commit or rollback). */
  async stageFetched(client: PoolClient, rows: StagedRows): Promise<void> {
    await client.query(`
      CREATE TEMP TABLE ingest_stage (
        provider_txn_id varchar(128) NOT NULL,
        fingerprint char(64) NOT NULL,
        posted_at timestamptz NOT NULL,
        booking_date date NOT NULL,
        direction varchar(6) NOT NULL,
        amount_minor bigint NOT NULL,
        balance_minor bigint,
        currency char(3) NOT NULL,
        narration text NOT NULL,
        provider_category varchar(64),
        category varchar(32) NOT NULL,
        category_rule varchar(64) NOT NULL,
        rail varchar(16) NOT NULL,
        counterparty varchar(256),
        memo text,
        raw jsonb NOT NULL
      ) ON COMMIT DROP`);
    const copy = client.query(pgCopyStreams.from(`COPY ingest_stage (${STAGE_COLUMNS.join(', ')}) FROM STDIN`));
    await pipeline(Readable.from(copyChunks(rows)), copy);
    await client.query(`CREATE UNIQUE INDEX ON ingest_stage (provider_txn_id)`);
    await client.query(`ANALYZE ingest_stage`);
  }

  /**
   * Unstable provider ids: a staged row whose id is new but whose fingerprint matches an active stored row of the
   * window that this fetch no longer returns is that row re-keyed. Pairs are matched 1:1 in time order per fingerprint.
   */
  async rekeyByFingerprint(
    client: PoolClient,
    p: { accountId: string; from: string; to: string; runId: string; now: Date },
  ): Promise<number> {
    const { rows } = await client.query<{ n: number }>(
      `WITH orphans AS (
         SELECT b.id, b.provider_txn_id, b.fingerprint,
                row_number() OVER (PARTITION BY b.fingerprint ORDER BY b.posted_at, b.provider_txn_id) AS rn
           FROM bank_transactions b
          WHERE b.account_id = $1 AND b.status = 'active' AND b.booking_date BETWEEN $2::date AND $3::date
            AND NOT EXISTS (SELECT 1 FROM ingest_stage s WHERE s.provider_txn_id = b.provider_txn_id)
       ), fresh AS (
         SELECT s.provider_txn_id, s.fingerprint,
                row_number() OVER (PARTITION BY s.fingerprint ORDER BY s.posted_at, s.provider_txn_id) AS rn
           FROM ingest_stage s
          WHERE s.fingerprint IN (SELECT fingerprint FROM orphans)
            AND NOT EXISTS (SELECT 1 FROM bank_transactions b WHERE b.account_id = $1 AND b.provider_txn_id = s.provider_txn_id)
       ), pairs AS (
         SELECT o.id, o.provider_txn_id AS old_id, f.provider_txn_id AS new_id
           FROM orphans o JOIN fresh f ON f.fingerprint = o.fingerprint AND f.rn = o.rn
       ), revisions AS (
         INSERT INTO transaction_revisions (transaction_id, account_id, change, previous, current, ingestion_run_id, actor, reason, detected_at)
         SELECT b.id, $1, 'modified', ${ROW_SNAPSHOT('b')}, ${ROW_SNAPSHOT('b')} || jsonb_build_object('providerTxnId', p.new_id, 'version', b.version + 1),
                $4, 'ingestion', 'provider id changed; same content (fingerprint)', $5
           FROM pairs p JOIN bank_transactions b ON b.id = p.id
       ), updated AS (
         UPDATE bank_transactions b SET provider_txn_id = p.new_id, version = b.version + 1, modified_at = $5, last_seen_at = $5
           FROM pairs p WHERE b.id = p.id RETURNING b.id
       )
       SELECT count(*)::int AS n FROM updated`,
      [p.accountId, p.from, p.to, p.runId, p.now],
    );
    return rows[0].n;
  }

  /**
   * Revisions for stored rows the fetch changed (same id, different fingerprint) or brought back after a removal,
   * written before the upsert overwrites them; modified rows also become `modified_transaction` findings.
   */
  async recordChangedRevisions(
    client: PoolClient,
    p: { accountId: string; runId: string; now: Date },
  ): Promise<{ modified: number; restored: number }> {
    const { rows } = await client.query<{ modified: number; restored: number }>(
      `WITH changed AS (
         SELECT b.id, b.booking_date, CASE WHEN b.status = 'removed' THEN 'restored' ELSE 'modified' END AS change,
                ${ROW_SNAPSHOT('b')} AS previous,
                jsonb_build_object(
                  'providerTxnId', s.provider_txn_id, 'postedAt', s.posted_at, 'bookingDate', s.booking_date, 'direction', s.direction,
                  'amountMinor', s.amount_minor, 'balanceMinor', s.balance_minor, 'currency', s.currency, 'narration', s.narration,
                  'category', CASE WHEN b.category_source = 'analyst' THEN b.category ELSE s.category END,
                  'categoryRule', CASE WHEN b.category_source = 'analyst' THEN b.category_rule ELSE s.category_rule END,
                  'status', 'active', 'version', b.version + 1, 'fingerprint', s.fingerprint) AS current
           FROM ingest_stage s JOIN bank_transactions b ON b.account_id = $1 AND b.provider_txn_id = s.provider_txn_id
          WHERE b.fingerprint <> s.fingerprint OR b.status = 'removed'
       ), revisions AS (
         INSERT INTO transaction_revisions (transaction_id, account_id, change, previous, current, ingestion_run_id, actor, detected_at)
         SELECT id, $1, change, previous, current, $2, 'ingestion', $3 FROM changed
       ), findings AS (
         INSERT INTO data_quality_findings (account_id, kind, transaction_id, booking_date, details, ingestion_run_id, detected_at)
         SELECT $1, 'modified_transaction', id, booking_date, jsonb_build_object('previousVersion', previous -> 'version'), $2, $3
           FROM changed WHERE change = 'modified'
       )
       SELECT count(*) FILTER (WHERE change = 'modified')::int AS modified, count(*) FILTER (WHERE change = 'restored')::int AS restored
         FROM changed`,
      [p.accountId, p.runId, p.now],
    );
    return rows[0];
  }

  /**
   * The upsert: new ids are inserted; rows whose content changed (or that come back after a removal) are updated
   * with version + 1; identical rows are not touched at all. Analyst categories are never overwritten.
   */
  async upsertStaged(client: PoolClient, p: { accountId: string; now: Date }): Promise<{ inserted: number; updated: number }> {
    const { rows } = await client.query<{ inserted: number; updated: number }>(
      `WITH up AS (
         INSERT INTO bank_transactions AS b (account_id, provider_txn_id, fingerprint, posted_at, booking_date, direction, amount_minor,
                balance_minor, currency, narration, provider_category, category, category_rule, rail, counterparty, memo, raw,
                first_seen_at, last_seen_at)
         SELECT $1, s.provider_txn_id, s.fingerprint, s.posted_at, s.booking_date, s.direction, s.amount_minor, s.balance_minor, s.currency,
                s.narration, s.provider_category, s.category, s.category_rule, s.rail, s.counterparty, s.memo, s.raw, $2, $2
           FROM ingest_stage s
         ON CONFLICT (account_id, provider_txn_id) DO UPDATE SET
                fingerprint = EXCLUDED.fingerprint, posted_at = EXCLUDED.posted_at, booking_date = EXCLUDED.booking_date,
                direction = EXCLUDED.direction, amount_minor = EXCLUDED.amount_minor, balance_minor = EXCLUDED.balance_minor,
                currency = EXCLUDED.currency, narration = EXCLUDED.narration, provider_category = EXCLUDED.provider_category,
                category = CASE WHEN b.category_source = 'analyst' THEN b.category ELSE EXCLUDED.category END,
                category_rule = CASE WHEN b.category_source = 'analyst' THEN b.category_rule ELSE EXCLUDED.category_rule END,
                rail = EXCLUDED.rail, counterparty = EXCLUDED.counterparty, memo = EXCLUDED.memo, raw = EXCLUDED.raw,
                status = 'active', removed_at = NULL, version = b.version + 1, modified_at = $2, last_seen_at = $2
          WHERE b.fingerprint <> EXCLUDED.fingerprint OR b.status = 'removed'
         RETURNING (xmax = 0) AS inserted
       )
       SELECT count(*) FILTER (WHERE inserted)::int AS inserted, count(*) FILTER (WHERE NOT inserted)::int AS updated FROM up`,
      [p.accountId, p.now],
    );
    return rows[0];
  }

  /** Unchanged rows whose rule-based category changed (new pairing context, new dictionaries): update + revision. */
  async applyStagedCategories(client: PoolClient, p: { accountId: string; runId: string; now: Date }): Promise<number> {
    const { rows } = await client.query<{ n: number }>(
      `WITH changed AS (
         SELECT b.id, s.category, s.category_rule, ${ROW_SNAPSHOT('b')} AS previous
           FROM ingest_stage s JOIN bank_transactions b ON b.account_id = $1 AND b.provider_txn_id = s.provider_txn_id
          WHERE b.category_source = 'rule' AND (b.category <> s.category OR b.category_rule <> s.category_rule)
       ), revisions AS (
         INSERT INTO transaction_revisions (transaction_id, account_id, change, previous, current, ingestion_run_id, actor, reason, detected_at)
         SELECT id, $1, 'recategorised', previous, previous || jsonb_build_object('category', category, 'categoryRule', category_rule), $2,
                'ingestion', 'rules re-applied', $3
           FROM changed
       ), updated AS (
         UPDATE bank_transactions b SET category = c.category, category_rule = c.category_rule FROM changed c WHERE b.id = c.id RETURNING b.id
       )
       SELECT count(*)::int AS n FROM updated`,
      [p.accountId, p.runId, p.now],
    );
    return rows[0].n;
  }

  /** Category changes of already-stored rows of the borrower's other accounts (cross-account self-transfer pairs). */
  async applyCategoryChanges(client: PoolClient, changes: readonly CategoryChange[], p: { runId: string; now: Date }): Promise<number> {
    if (changes.length === 0) return 0;
    const { rows } = await client.query<{ n: number }>(
      `WITH input AS (
         SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[]) AS i(id, category, category_rule)
       ), changed AS (
         SELECT b.id, b.account_id, i.category, i.category_rule, ${ROW_SNAPSHOT('b')} AS previous
           FROM input i JOIN bank_transactions b ON b.id = i.id
          WHERE b.category_source = 'rule' AND b.status = 'active' AND (b.category <> i.category OR b.category_rule <> i.category_rule)
       ), revisions AS (
         INSERT INTO transaction_revisions (transaction_id, account_id, change, previous, current, ingestion_run_id, actor, reason, detected_at)
         SELECT id, account_id, 'recategorised', previous, previous || jsonb_build_object('category', category, 'categoryRule', category_rule),
                $4, 'ingestion', 'rules re-applied across linked accounts', $5
           FROM changed
       ), updated AS (
         UPDATE bank_transactions b SET category = c.category, category_rule = c.category_rule FROM changed c WHERE b.id = c.id RETURNING b.id
       )
       SELECT count(*)::int AS n FROM updated`,
      [changes.map((c) => c.id), changes.map((c) => c.category), changes.map((c) => c.categoryRule), p.runId, p.now],
    );
    return rows[0].n;
  }

  /** Active rows dated inside [from, to] that the fetch no longer returns: status removed, with a revision and a finding. */
  async markMissingRemoved(
    client: PoolClient,
    p: { accountId: string; from: string; to: string; runId: string; now: Date },
  ): Promise<number> {
    const { rows } = await client.query<{ n: number }>(
      `WITH gone AS (
         SELECT b.id, b.booking_date, ${ROW_SNAPSHOT('b')} AS previous
           FROM bank_transactions b
          WHERE b.account_id = $1 AND b.status = 'active' AND b.booking_date BETWEEN $2::date AND $3::date
            AND NOT EXISTS (SELECT 1 FROM ingest_stage s WHERE s.provider_txn_id = b.provider_txn_id)
       ), revisions AS (
         INSERT INTO transaction_revisions (transaction_id, account_id, change, previous, current, ingestion_run_id, actor, detected_at)
         SELECT id, $1, 'removed', previous, previous || jsonb_build_object('status', 'removed', 'version', (previous ->> 'version')::int + 1),
                $4, 'ingestion', $5
           FROM gone
       ), findings AS (
         INSERT INTO data_quality_findings (account_id, kind, transaction_id, booking_date, details, ingestion_run_id, detected_at)
         SELECT $1, 'removed_transaction', id, booking_date, jsonb_build_object('providerTxnId', previous ->> 'providerTxnId'), $4, $5 FROM gone
       ), updated AS (
         UPDATE bank_transactions b SET status = 'removed', removed_at = $5, version = b.version + 1 FROM gone g WHERE b.id = g.id RETURNING b.id
       )
       SELECT count(*)::int AS n FROM updated`,
      [p.accountId, p.from, p.to, p.runId, p.now],
    );
    return rows[0].n;
  }

  async countActiveBetween(client: PoolClient, accountId: string, from: string, to: string): Promise<number> {
    const { rows } = await client.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM bank_transactions WHERE account_id = $1 AND status = 'active' AND booking_date BETWEEN $2::date AND $3::date`,
      [accountId, from, to],
    );
    return rows[0].n;
  }

  async insertBalanceSnapshot(
    client: PoolClient,
    s: { accountId: string; balanceMinor: number; currency: string; source: 'account' | 'balance'; runId: string; now: Date },
  ): Promise<void> {
    await client.query(
      `INSERT INTO balance_snapshots (account_id, balance_minor, currency, source, ingestion_run_id, captured_at) VALUES ($1, $2, $3, $4, $5, $6)`,
      [s.accountId, s.balanceMinor, s.currency, s.source, s.runId, s.now],
    );
  }

  /** The account's active ledger, newest first (Mono's order), for continuity and coverage. */
  async findActiveLedger(client: PoolClient, accountId: string): Promise<LedgerRow[]> {
    const { rows } = await client.query<{
      id: string;
      provider_txn_id: string;
      fingerprint: string;
      posted_at: string;
      booking_date: string;
      direction: Direction;
      amount_minor: string;
      balance_minor: string | null;
      narration: string;
    }>(
      // ISO text straight from Postgres (no Date round trip per row); provider ids in byte order, as JS sorts them.
      `SELECT id, provider_txn_id, fingerprint, to_char(posted_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS posted_at,
              booking_date::text, direction, amount_minor, balance_minor, narration
         FROM bank_transactions WHERE account_id = $1 AND status = 'active'
        ORDER BY posted_at DESC, provider_txn_id COLLATE "C" DESC`,
      [accountId],
    );
    return rows.map((r) => ({
      id: r.id,
      providerId: r.provider_txn_id,
      fingerprint: r.fingerprint,
      postedAt: r.posted_at,
      date: r.booking_date,
      direction: r.direction,
      amountMinor: readKobo(r.amount_minor, 'amount_minor'),
      balanceMinor: readKoboOrNull(r.balance_minor, 'balance_minor'),
      narration: r.narration,
    }));
  }

  /**
   * Makes the account's unresolved ledger findings equal `findings`: identical ones are kept (so re-ingesting changes
   * nothing), vanished ones are resolved, new ones inserted.
   */
  async replaceLedgerFindings(
    client: PoolClient,
    p: { accountId: string; findings: readonly DataQualityFinding[]; runId: string; now: Date },
  ): Promise<{ added: number; resolved: number }> {
    const { rows } = await client.query<{
      id: string;
      kind: string;
      transaction_id: string | null;
      booking_date: string | null;
      details: unknown;
    }>(
      `SELECT id, kind, transaction_id, booking_date::text, details FROM data_quality_findings
        WHERE account_id = $1 AND resolved_at IS NULL AND kind = ANY($2::text[])`,
      [p.accountId, [...CONTINUITY_KINDS]],
    );
    const existing = new Map<string, string[]>();
    for (const r of rows) {
      const key = findingKey(r.kind, r.transaction_id, r.booking_date, r.details);
      existing.set(key, [...(existing.get(key) ?? []), r.id]);
    }
    const toInsert: DataQualityFinding[] = [];
    for (const f of p.findings) {
      const ids = existing.get(findingKey(f.kind, f.transactionId ?? null, f.date ?? null, f.details));
      if (ids && ids.length > 0) ids.pop();
      else toInsert.push(f);
    }
    const toResolve = [...existing.values()].flat();
    if (toResolve.length > 0) {
      await client.query(`UPDATE data_quality_findings SET resolved_at = $2 WHERE id = ANY($1::uuid[])`, [toResolve, p.now]);
    }
    if (toInsert.length > 0) {
      await client.query(
        `INSERT INTO data_quality_findings (account_id, kind, transaction_id, booking_date, details, ingestion_run_id, detected_at)
         SELECT $1, i.kind, i.transaction_id, i.booking_date, i.details, $5, $6
           FROM unnest($2::text[], $3::uuid[], $4::date[], $7::jsonb[]) AS i(kind, transaction_id, booking_date, details)`,
        [
          p.accountId,
          toInsert.map((f) => f.kind),
          toInsert.map((f) => f.transactionId ?? null),
          toInsert.map((f) => f.date ?? null),
          p.runId,
          p.now,
          toInsert.map((f) => JSON.stringify(f.details)),
        ],
      );
    }
    return { added: toInsert.length, resolved: toResolve.length };
  }

  async updateAccountAfterIngestion(
    client: PoolClient,
    p: {
      accountId: string;
      coverage: object;
      lastTransactionDate: string | null;
      now: Date;
      /**
       * When the fetch of this ingestion began: the data is at least this fresh, and no fresher (last_ingested_at).
       * A slow ingestion that fetched before a sync was requested must not pass for that sync's fresh data.
       */
      dataAsOf: Date;
      syncedAt: Date | null;
      accountName: string | null;
      identityFullName: string | null;
      balanceMinor: number | null;
      currency: string | null;
      institution: { name: string | null; bankCode: string | null; type: string | null } | null;
      accountType: string | null;
    },
  ): Promise<void> {
    await client.query(
      `UPDATE bank_accounts SET coverage = $2, last_transaction_date = $3, last_ingested_at = greatest(last_ingested_at, $14::timestamptz),
              last_synced_at = CASE WHEN $5::timestamptz IS NULL THEN last_synced_at ELSE greatest(last_synced_at, $5::timestamptz) END,
              account_name = coalesce($6, account_name), identity_full_name = coalesce($7, identity_full_name),
              balance_minor = coalesce($8, balance_minor), currency = coalesce($9, currency),
              institution_name = coalesce($10, institution_name), institution_bank_code = coalesce($11, institution_bank_code),
              institution_type = coalesce($12, institution_type), account_type = coalesce($13, account_type), updated_at = $4
        WHERE id = $1`,
      [
        p.accountId,
        JSON.stringify(p.coverage),
        p.lastTransactionDate,
        p.now,
        p.syncedAt,
        p.accountName,
        p.identityFullName,
        p.balanceMinor,
        p.currency,
        p.institution?.name ?? null,
        p.institution?.bankCode ?? null,
        p.institution?.type ?? null,
        p.accountType,
        p.dataAsOf,
      ],
    );
  }
}

/** COPY text of staged rows; with `prefix`, each line starts with the row id followed by the prefix values. */
async function* copyChunks(batches: StagedRows, prefix?: ReadonlyArray<string>): AsyncGenerator<string> {
  const head = prefix ? `\t${prefix.map(copyField).join('\t')}\t` : '';
  let chunk = '';
  for await (const batch of batches) {
    for (const r of batch) {
      // Field by field rather than through an array per row: this runs once per transaction.
      chunk +=
        (prefix ? copyField(r.id) + head : '') +
        copyField(r.providerTxnId) +
        '\t' +
        r.fingerprint +
        '\t' +
        r.postedAt +
        '\t' +
        r.bookingDate +
        '\t' +
        r.direction +
        '\t' +
        String(r.amountMinor) +
        '\t' +
        copyField(r.balanceMinor) +
        '\t' +
        copyField(r.currency) +
        '\t' +
        copyField(r.narration) +
        '\t' +
        copyField(r.providerCategory) +
        '\t' +
        copyField(r.category) +
        '\t' +
        copyField(r.categoryRule) +
        '\t' +
        copyField(r.rail) +
        '\t' +
        copyField(r.counterparty) +
        '\t' +
        copyField(r.memo) +
        '\t' +
        copyField(r.raw) +
        '\n';
      if (chunk.length >= 1 << 16) {
        yield chunk;
        chunk = '';
      }
    }
  }
  if (chunk.length > 0) yield chunk;
}

/** Canonical JSON (sorted keys) so findings read back from jsonb compare equal to freshly computed ones. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    return `{${Object.keys(obj)
      .filter((k) => obj[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

function findingKey(kind: string, transactionId: string | null, date: string | null, details: unknown): string {
  return `${kind}|${transactionId ?? ''}|${date ?? ''}|${canonicalJson(details)}`;
}
