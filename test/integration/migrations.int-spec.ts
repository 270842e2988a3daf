import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { gzipSync } from 'node:zlib';
import { DataSource } from 'typeorm';
import { migrations } from '../../migrations/index.js';
import { dataSourceOptions } from '../../src/database/data-source-options.js';
import { createEmptyDatabase } from '../support/database.js';

describe('migrations', () => {
  let db: { url: string; drop(): Promise<void> };
  let ds: DataSource;

  beforeAll(async () => {
    db = await createEmptyDatabase();
    ds = new DataSource(dataSourceOptions(db.url, { poolSize: 2 }));
    await ds.initialize();
  });

  afterAll(async () => {
    await ds.destroy();
    await db.drop();
  });

  /** Reverts the newest migrations down to and including `name` (later migrations from other work come off too). */
  const revertThrough = async (name: string): Promise<void> => {
    const index = migrations.findIndex((m) => new m().name === name);
    expect(index).toBeGreaterThanOrEqual(0);
    for (let i = migrations.length - 1; i >= index; i--) await ds.undoLastMigration();
  };

  const tables = async (): Promise<string[]> =>
    (await ds.query<Array<{ tablename: string }>>(`SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename`)).map(
      (r) => r.tablename,
    );

  it('should apply every migration on an empty database and revert them all cleanly', async () => {
    const applied = await ds.runMigrations();
    expect(applied.map((m) => m.name)).toEqual(migrations.map((m) => new m().name));
    expect(await tables()).toEqual(
      expect.arrayContaining([
        'borrowers',
        'bank_accounts',
        'bank_transactions',
        'decisions',
        'loan_applications',
        'webhook_events',
        'audit_log',
        'api_keys',
      ]),
    );
    for (let i = 0; i < migrations.length; i++) await ds.undoLastMigration();
    expect(await tables()).toEqual(['schema_migrations']);
    // and again: up after down works
    await ds.runMigrations();
    expect((await tables()).length).toBeGreaterThan(10);
  });

  it('should make bad states impossible', async () => {
    const [borrower] = await ds.query<Array<{ id: string }>>(
      `INSERT INTO borrowers (external_id, full_name, email) VALUES ('ext-1', 'Ada Obi', 'ada@example.com') RETURNING id`,
    );
    await expect(
      ds.query(`INSERT INTO borrowers (external_id, full_name, email) VALUES ('ext-1', 'Dup', 'd@example.com')`),
    ).rejects.toThrow(/duplicate key/);
    const [account] = await ds.query<Array<{ id: string }>>(
      `INSERT INTO bank_accounts (borrower_id, mono_account_id) VALUES ($1, '5f171a530295e231abca1153') RETURNING id`,
      [borrower.id],
    );
    await expect(
      ds.query(`INSERT INTO bank_accounts (borrower_id, mono_account_id, data_status) VALUES ($1, 'x2', 'READY')`, [borrower.id]),
    ).rejects.toThrow(/check constraint/);
    const txn = `INSERT INTO bank_transactions (account_id, provider_txn_id, fingerprint, posted_at, booking_date, direction, amount_minor, currency, raw)
                 VALUES ($1, $2, repeat('a', 64), now(), current_date, $3, $4, 'NGN', '{}')`;
    await ds.query(txn, [account.id, 't1', 'credit', 100]);
    await expect(ds.query(txn, [account.id, 't1', 'credit', 100])).rejects.toThrow(/duplicate key/);
    await expect(ds.query(txn, [account.id, 't2', 'credit', -1])).rejects.toThrow(/check constraint/);
    await expect(ds.query(txn, [account.id, 't3', 'debt', 1])).rejects.toThrow(/check constraint/);
    await ds.query(`INSERT INTO audit_log (actor, action, entity_type) VALUES ('test', 'x', 'y')`);
    await expect(ds.query(`UPDATE audit_log SET actor = 'someone else'`)).rejects.toThrow(/append-only/);
    await expect(ds.query(`DELETE FROM audit_log`)).rejects.toThrow(/append-only/);
  });

  it('should keep compressed decision inputs across a revert of CompactDecisionInputs (gzip back to jsonb) and require one payload', async () => {
    const input = {
      borrowerId: 'b-1',
      transactions: [{ amountMinor: 1500, narration: 'NIP/ACME/SALARY' }],
      asOf: '2026-11-21T00:00:00.000Z',
    };
    await ds.query(`INSERT INTO decision_inputs (inputs_hash, payload_gzip) VALUES (repeat('c', 64), $1)`, [
      gzipSync(JSON.stringify(input)),
    ]);
    await expect(ds.query(`INSERT INTO decision_inputs (inputs_hash) VALUES (repeat('d', 64))`)).rejects.toThrow(/check constraint/);
    await revertThrough('CompactDecisionInputs1764300000000');
    const [row] = await ds.query<Array<{ payload: unknown }>>(`SELECT payload FROM decision_inputs WHERE inputs_hash = repeat('c', 64)`);
    expect(row.payload).toEqual(input);
    await ds.runMigrations();
    const [again] = await ds.query<Array<{ payload: unknown; payload_gzip: Buffer | null }>>(
      `SELECT payload, payload_gzip FROM decision_inputs WHERE inputs_hash = repeat('c', 64)`,
    );
    expect(again).toEqual({ payload: input, payload_gzip: null });
  });

  it('should give the borrower of every account linked before consents an underwriting consent, and no monitoring', async () => {
    await revertThrough('Consents1765200000000');
    const [b] = await ds.query<Array<{ id: string }>>(
      `INSERT INTO borrowers (external_id, full_name, email) VALUES ('pre-consent', 'Ada Obi', 'pre@example.com') RETURNING id`,
    );
    const accounts = await ds.query<Array<{ id: string }>>(
      `INSERT INTO bank_accounts (borrower_id, mono_account_id, created_at) VALUES ($1, 'pre-1', '2026-01-05T10:00:00Z'), ($1, 'pre-2', '2026-02-05T10:00:00Z') RETURNING id`,
      [b.id],
    );
    const [gone] = await ds.query<Array<{ id: string }>>(
      `INSERT INTO borrowers (external_id, full_name, email) VALUES ('pre-unlinked', 'Obi Ada', 'gone@example.com') RETURNING id`,
    );
    await ds.query(`INSERT INTO bank_accounts (borrower_id, mono_account_id, unlinked_at) VALUES ($1, 'pre-3', now())`, [gone.id]);
    await ds.runMigrations();
    const consents = await ds.query<Array<Record<string, unknown>>>(
      `SELECT purpose, channel, notice_version, granted_at, expires_at, revoked_at, account_ids FROM consents WHERE borrower_id = $1`,
      [b.id],
    );
    expect(consents).toEqual([
      {
        purpose: 'underwriting',
        channel: 'migration',
        notice_version: 'pre-consent-migration',
        granted_at: new Date('2026-01-05T10:00:00Z'),
        expires_at: null,
        revoked_at: null,
        account_ids: accounts.map((a) => a.id),
      },
    ]);
    expect(await ds.query(`SELECT count(*)::int AS n FROM consents WHERE borrower_id = $1`, [gone.id])).toEqual([{ n: 0 }]);
    expect(await ds.query(`SELECT count(*)::int AS n FROM consents WHERE purpose = 'monitoring'`)).toEqual([{ n: 0 }]);
    await expect(
      ds.query(`INSERT INTO consents (borrower_id, purpose, notice_version, channel, granted_at) VALUES ($1, 'marketing', 'v1', 'web', now())`, [b.id]),
    ).rejects.toThrow(/check constraint/);
    await expect(
      ds.query(`INSERT INTO consents (borrower_id, purpose, notice_version, channel, granted_at, expires_at) VALUES ($1, 'monitoring', 'v1', 'web', now(), now() - interval '1 day')`, [
        b.id,
      ]),
    ).rejects.toThrow(/check constraint/);
  });
});
