/* eslint-disable @typescript-eslint/no-explicit-any -- response bodies are untyped JSON read from the wire */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { startSandbox, type SandboxServer } from '../../src/sandbox/sandbox-server.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { insertConsents } from '../support/consent-kit.js';

const KEY = 'test_sk_ingestion_e2e_0042';
const SECRET = 'whsec_ingestion_e2e_0042';
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

async function json(res: Response): Promise<any> {
  if (!res.ok) throw new Error(`${res.status} ${await res.text()}`);
  return res.json();
}

/** Creates a persona account in the sandbox and exchanges its code, as Connect would. */
async function linkPersona(sandbox: SandboxServer, persona: string): Promise<string> {
  const created = await json(
    await fetch(`${sandbox.url}/sandbox/accounts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ persona, seed: 7, months: 6 }),
    }),
  );
  const exchanged = await json(
    await fetch(`${sandbox.url}/v2/accounts/auth`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'mono-sec-key': KEY },
      body: JSON.stringify({ code: created.code }),
    }),
  );
  return exchanged.data.id as string;
}

/** The sandbox's synced transactions, in the comparable shape. */
async function groundTruth(sandbox: SandboxServer, monoId: string): Promise<string[]> {
  const truth = await json(await fetch(`${sandbox.url}/sandbox/accounts/${monoId}`));
  const pending = new Set<string>(truth.pendingTransactionIds);
  return (truth.transactions as any[])
    .filter((t) => !pending.has(t.id))
    .map((t) => [t.id, t.type, t.amount, t.balance ?? '', new Date(t.date).toISOString(), t.narration].join('|'))
    .sort();
}

describe('ingestion against the Mono sandbox', () => {
  let engine: TestApp;
  let sandbox: SandboxServer;
  let ds: DataSource;

  const stored = async (accountId: string): Promise<string[]> => {
    const rows = await ds.query<Array<{ line: string }>>(
      `SELECT concat_ws('|', provider_txn_id, direction, amount_minor, coalesce(balance_minor::text, ''),
                        to_char(posted_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), narration) AS line
         FROM bank_transactions WHERE account_id = $1 AND status = 'active'`,
      [accountId],
    );
    return rows.map((r) => r.line).sort();
  };

  beforeAll(async () => {
    sandbox = await startSandbox({
      port: 0,
      secretKey: KEY,
      webhookSecret: SECRET,
      webhookDelayMs: [0, 5],
      linkProcessingMs: [0, 0],
      logger: quiet,
    });
    engine = await createTestApp({ MONO_SECRET_KEY: KEY, MONO_WEBHOOK_SECRET: SECRET, MONO_BASE_URL: sandbox.url, JOBS_ENABLED: 'false' });
    ds = engine.app.get(DataSource);
  });

  afterAll(async () => {
    await sandbox.close();
    await engine.close();
  });

  it('should store exactly the sandbox ground truth, then only the new rows after appended transactions and a sync', async () => {
    const monoId = await linkPersona(sandbox, 'salaried_monthly');
    const [{ id: borrowerId }] = await ds.query<Array<{ id: string }>>(
      `INSERT INTO borrowers (external_id, full_name, email) VALUES ('ingest-e2e', 'Persona Borrower', 'p@example.com') RETURNING id`,
    );
    await insertConsents(ds, borrowerId);
    const [{ id: accountId }] = await ds.query<Array<{ id: string }>>(
      `INSERT INTO bank_accounts (borrower_id, mono_account_id, data_status) VALUES ($1, $2, 'AVAILABLE') RETURNING id`,
      [borrowerId, monoId],
    );
    const http = request(engine.app.getHttpServer());

    const first = await http.post(`/v1/admin/accounts/${accountId}/ingest`).set(engine.auth('admin')).expect(200);
    const truth = await groundTruth(sandbox, monoId);
    expect(truth.length).toBeGreaterThan(50);
    expect(first.body).toMatchObject({ fetched: truth.length, inserted: truth.length, modified: 0, removed: 0 });
    expect(await stored(accountId)).toEqual(truth);
    const [account] = await ds.query<Array<{ account_name: string; coverage: any }>>(
      `SELECT account_name, coverage FROM bank_accounts WHERE id = $1`,
      [accountId],
    );
    expect(account.coverage.transactionCount).toBe(truth.length);
    expect(account.account_name).toEqual(expect.any(String));

    // Only an admin may trigger it.
    await http.post(`/v1/admin/accounts/${accountId}/ingest`).set(engine.auth('frontend')).expect(403);

    // New activity at the bank becomes visible with the next sync; re-ingesting inserts exactly those rows.
    const today = new Date().toISOString();
    await json(
      await fetch(`${sandbox.url}/sandbox/accounts/${monoId}/transactions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          transactions: [
            { narration: 'POS PURCHASE SHOPRITE LEKKI NG', amount: 1_250_000, type: 'debit', date: today },
            { narration: 'NIP/GTB/EMEKA OBI/refund for lunch', amount: 400_000, type: 'credit', date: today },
          ],
        }),
      }),
    );
    await json(
      await fetch(`${sandbox.url}/sandbox/accounts/${monoId}/auto-sync`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      }),
    );
    const second = await http.post(`/v1/admin/accounts/${accountId}/ingest`).set(engine.auth('admin')).expect(200);
    expect(second.body).toMatchObject({ inserted: 2, modified: 0, removed: 0 });
    expect(second.body.unchanged).toBe(second.body.fetched - 2);
    const after = await groundTruth(sandbox, monoId);
    expect(after).toHaveLength(truth.length + 2);
    expect(await stored(accountId)).toEqual(after);
    expect(await ds.query(`SELECT count(*)::int AS n FROM transaction_revisions WHERE account_id = $1`, [accountId])).toEqual([{ n: 0 }]);
  });

  it('should answer 404 for an unknown account', async () => {
    await request(engine.app.getHttpServer())
      .post('/v1/admin/accounts/00000000-0000-4000-8000-000000000000/ingest')
      .set(engine.auth('admin'))
      .expect(404);
  });
});
