import { createHash, randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { buildTransactions, salariedSpecs, type SalariedOptions } from '../../src/scoring/engine/testing/builders.js';

/** YYYY-MM of `date` shifted by `months`. */
function month(date: Date, months: number): string {
  const d = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + months, 1));
  return d.toISOString().slice(0, 7);
}

export interface SeededReviewBorrower {
  borrowerId: string;
  accountId: string;
}

/**
 * A salaried borrower with one linked account and ~7 months of categorised transactions ending before `now`,
 * inserted straight into the tables ingestion writes (bulk, via unnest).
 */
export async function seedSalariedBorrower(
  db: DataSource,
  i: number,
  opts: { now?: Date; salary?: SalariedOptions; lastSyncedAgoMs?: number; reauth?: boolean } = {},
): Promise<SeededReviewBorrower> {
  const now = opts.now ?? new Date();
  const today = now.toISOString().slice(0, 10);
  const borrowerId = randomUUID();
  const accountId = randomUUID();
  await db.query(`INSERT INTO borrowers (id, external_id, full_name, email) VALUES ($1, $2, $3, $4)`, [
    borrowerId,
    `uw-${i}-${borrowerId.slice(0, 8)}`,
    'Ada Okafor',
    `ada${i}@example.com`,
  ]);
  const txs = buildTransactions(salariedSpecs({ seed: i + 1, from: month(now, -7), to: month(now, 0), ...opts.salary }), {
    accountId,
    openingBalanceMinor: 5_000_000,
  }).filter((t) => t.date < today);
  const synced = new Date(now.getTime() - (opts.lastSyncedAgoMs ?? 86_400_000));
  await db.query(
    `INSERT INTO bank_accounts (id, borrower_id, mono_account_id, institution_name, account_name, currency, balance_minor, data_status,
       last_synced_at, last_ingested_at, reauth_required, reauth_required_at)
     VALUES ($1, $2, $3, 'GTBank', 'ADA OKAFOR', 'NGN', $4, 'AVAILABLE', $5, $5, $6, $7)`,
    [
      accountId,
      borrowerId,
      `mono-${accountId.slice(0, 20)}`,
      txs[txs.length - 1]?.balanceMinor ?? 0,
      synced,
      opts.reauth === true,
      opts.reauth ? synced : null,
    ],
  );
  await db.query(
    `INSERT INTO bank_transactions (account_id, provider_txn_id, fingerprint, posted_at, booking_date, direction, amount_minor, balance_minor,
       currency, narration, category, category_rule, rail, counterparty, raw)
     SELECT $1, p, encode(sha256(p::bytea), 'hex'), pa, bd, dir, amt, bal, 'NGN', nar, cat, 'test.seed', rail, cp, '{}'::jsonb
     FROM unnest($2::text[], $3::timestamptz[], $4::date[], $5::text[], $6::bigint[], $7::bigint[], $8::text[], $9::text[], $10::text[], $11::text[])
       AS u(p, pa, bd, dir, amt, bal, nar, cat, rail, cp)`,
    [
      accountId,
      txs.map((t) => `${t.providerId}-${createHash('sha1').update(accountId).digest('hex').slice(0, 6)}`),
      txs.map((t) => t.postedAt),
      txs.map((t) => t.date),
      txs.map((t) => t.direction),
      txs.map((t) => t.amountMinor),
      txs.map((t) => t.balanceMinor),
      txs.map((t) => t.narration),
      txs.map((t) => t.category),
      txs.map((t) => t.rail),
      txs.map((t) => t.counterparty),
    ],
  );
  return { borrowerId, accountId };
}

export async function count(db: DataSource, sql: string, params: unknown[] = []): Promise<number> {
  const rows = await db.query<Array<{ n: string }>>(sql, params);
  return Number(rows[0]?.n ?? 0);
}
