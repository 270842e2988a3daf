import http from 'node:http';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { MonoAccountsRepository } from '../../src/mono/mono-accounts.repository.js';
import { AccountEventBus, type AccountEvent } from '../../src/common/events/account-events.js';
import { LinkService } from '../../src/mono/link.service.js';
import { SyncService } from '../../src/mono/sync.service.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { dropSubscribersForDebugging, monoEnv } from '../support/mono-kit.js';
import { insertConsents } from '../support/consent-kit.js';

type Reply = { status: number; body: unknown };

/** A programmable Mono: each test sets what the next calls answer. */
class StubMono {
  routes = new Map<string, () => Reply>();
  calls: string[] = [];
  bodies: unknown[] = [];
  private server = http.createServer((req, res) => {
    const key = `${req.method} ${(req.url ?? '').split('?')[0]}`;
    this.calls.push(key);
    let raw = '';
    req.on('data', (chunk: Buffer) => (raw += chunk.toString()));
    req.on('end', () => {
      this.bodies.push(raw ? (JSON.parse(raw) as unknown) : null);
      const route = [...this.routes.entries()].find(([pattern]) => new RegExp(`^${pattern}$`).test(key));
      const reply = route ? route[1]() : { status: 404, body: { status: 'failed', message: 'Not found', data: null } };
      res.writeHead(reply.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(reply.body));
    });
  });
  url = '';

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}

describe(`${SyncService.name} and ${LinkService.name} (Mono answers)`, () => {
  const stub = new StubMono();
  let t: TestApp;
  let db: DataSource;
  let sync: SyncService;
  const published: AccountEvent[] = [];

  async function account(opts: { reauth?: boolean } = {}): Promise<{ id: string; mono: string }> {
    const mono = randomBytes(12).toString('hex');
    const [b] = await db.query<Array<{ id: string }>>(`INSERT INTO borrowers (external_id, full_name, email) VALUES ($1, 'Efe', 'efe@example.com') RETURNING id`, [`ext-${mono}`]);
    await insertConsents(db, b.id);
    const [a] = await db.query<Array<{ id: string }>>(
      `INSERT INTO bank_accounts (borrower_id, mono_account_id, data_status, reauth_required, reauth_required_at) VALUES ($1, $2, 'AVAILABLE', $3, CASE WHEN $3 THEN now() END) RETURNING id`,
      [b.id, mono, opts.reauth ?? false],
    );
    return { id: a.id, mono };
  }

  const syncReply = (body: unknown, status = 200): void => {
    stub.routes.set('POST /accounts/[0-9a-f]+/sync', () => ({ status, body }));
  };

  beforeAll(async () => {
    await stub.start();
    t = await createTestApp(monoEnv(stub, { MONO_MAX_RETRIES: '1', MONO_SYNC_RUN_TIMEOUT_SECONDS: '60' }));
    db = t.app.get(DataSource);
    sync = t.app.get(SyncService);
    const bus = t.app.get(AccountEventBus);
    dropSubscribersForDebugging(bus);
    bus.subscribe('mono-services-spec', async (e) => {
      published.push(e);
      return Promise.resolve();
    });
  });

  afterAll(async () => {
    await t.close();
    await stub.close();
  });

  it('should skip details older than the stored ones, yet always let data readiness move forward', async () => {
    const a = await account();
    const repo = t.app.get(MonoAccountsRepository);
    const now = new Date();
    await db.query(`UPDATE bank_accounts SET data_status = 'PROCESSING', account_name = 'KEPT NAME' WHERE id = $1`, [a.id]);
    expect(await repo.applyDetails(a.id, { accountName: 'FIRST' }, now, { asOf: new Date(now.getTime() + 60_000) })).toBe(true);
    // Sent "earlier" by Mono's clock: its name is skipped, but AVAILABLE lifts PROCESSING (readiness never goes back).
    expect(await repo.applyDetails(a.id, { accountName: 'OLDER', dataStatus: 'AVAILABLE', retrievedData: ['transactions'] }, now, { asOf: now })).toBe(false);
    expect(await db.query(`SELECT account_name, data_status, retrieved_data FROM bank_accounts WHERE id = $1`, [a.id])).toEqual([
      { account_name: 'FIRST', data_status: 'AVAILABLE', retrieved_data: ['transactions'] },
    ]);
    // …and an older PROCESSING never takes an account back.
    expect(await repo.applyDetails(a.id, { dataStatus: 'PROCESSING' }, now, { asOf: now })).toBe(false);
    expect(await db.query(`SELECT data_status FROM bank_accounts WHERE id = $1`, [a.id])).toEqual([{ data_status: 'AVAILABLE' }]);
  });

  it('should record SYNC_ERROR and INCOMPLETE_STATEMENT_ERROR as failed runs and announce them', async () => {
    for (const code of ['SYNC_ERROR', 'INCOMPLETE_STATEMENT_ERROR']) {
      const a = await account();
      syncReply({ status: 'failed', hasNewData: false, code, message: 'bank is down' });
      const result = await sync.requestSync(a.id, 'manual');
      expect(result.outcome).toBe('failed');
      const [run] = await db.query<Array<{ status: string; mono_code: string; error: { retryable: boolean } }>>(`SELECT status, mono_code, error FROM sync_runs WHERE id = $1`, [result.syncRunId]);
      expect(run).toMatchObject({ status: 'failed', mono_code: code, error: { retryable: true } });
      expect(published).toContainEqual({ type: 'account.sync_failed', accountId: a.id, syncRunId: result.syncRunId, reason: code });
    }
  });

  it('should accept a sync code sent with a 4xx status, and call a 5xx unavailable', async () => {
    const a = await account();
    syncReply({ status: 'failed', hasNewData: false, code: 'REAUTHORISATION_REQUIRED', message: 'mfa' }, 400);
    expect((await sync.requestSync(a.id, 'manual')).outcome).toBe('reauth_required');

    const b = await account();
    syncReply({ status: 'failed', message: 'boom', data: null }, 503);
    const before = stub.calls.length;
    const result = await sync.requestSync(b.id, 'manual');
    expect(result.outcome).toBe('unavailable');
    expect(stub.calls.length - before).toBe(1); // a sync is never retried after it reached Mono
  });

  it('should time out a stale in-flight run so the account can sync again', async () => {
    const a = await account();
    const [stale] = await db.query<Array<{ id: string }>>(
      `INSERT INTO sync_runs (account_id, trigger, strategy, status, created_at, requested_at) VALUES ($1, 'manual', 'legacy', 'requested', now() - interval '10 minutes', now() - interval '10 minutes') RETURNING id`,
      [a.id],
    );
    syncReply({ status: 'successful', hasNewData: true, code: 'SYNC_SUCCESSFUL', message: null });
    const result = await sync.requestSync(a.id, 'application');
    expect(result.outcome).toBe('succeeded');
    const [old] = await db.query<Array<{ status: string }>>(`SELECT status FROM sync_runs WHERE id = $1`, [stale.id]);
    expect(old).toEqual({ status: 'timed_out' });
    const status = await sync.getAccountSyncStatus(a.id);
    expect(status).toMatchObject({ accountId: a.id, reauthRequired: false, latestRun: { id: result.syncRunId, status: 'succeeded', hasNewData: true, monoCode: 'SYNC_SUCCESSFUL' } });
  });

  it('should fall back to the legacy reauthorise token when v2 initiate refuses', async () => {
    const a = await account({ reauth: true });
    stub.routes.set('POST /v2/accounts/initiate', () => ({ status: 400, body: { status: 'failed', message: 'scope reauth not enabled', data: null } }));
    stub.routes.set('POST /accounts/[0-9a-f]+/reauthorise', () => ({ status: 200, body: { token: 'reauth_token_123' } }));
    const link = await t.app.get(LinkService).createReauthLink(a.id);
    expect(link).toMatchObject({ monoUrl: null, reauthToken: 'reauth_token_123', reference: expect.stringMatching(/^reauth_.{10,}/) });

    stub.routes.set('POST /v2/accounts/initiate', () => ({ status: 200, body: { status: 'successful', message: 'ok', data: { mono_url: 'https://link.mono.co/ABC', customer: 'c1' } } }));
    expect(await t.app.get(LinkService).createReauthLink(a.id)).toMatchObject({ monoUrl: 'https://link.mono.co/ABC' });
  });

  it('should create a connect link with the borrower as customer and a unique reference', async () => {
    stub.routes.set('POST /v2/accounts/initiate', () => ({ status: 200, body: { status: 'successful', message: 'ok', data: { mono_url: 'https://link.mono.co/XYZ', customer: 'cus_9' } } }));
    const [b] = await db.query<Array<{ id: string }>>(`INSERT INTO borrowers (external_id, full_name, email) VALUES ('ext-link', 'Funmi Bello', 'funmi@example.com') RETURNING id`);
    const first = await t.app.get(LinkService).createConnectLink(b.id, { redirectUrl: 'https://lender.example/done' });
    const second = await t.app.get(LinkService).createConnectLink(b.id);
    expect(first.monoUrl).toBe('https://link.mono.co/XYZ');
    expect(first.reference).not.toBe(second.reference);
    const sessions = await db.query<Array<{ reference: string; scope: string; status: string; mono_customer_id: string }>>(
      `SELECT reference, scope, status, mono_customer_id FROM connect_sessions WHERE borrower_id = $1 ORDER BY created_at`,
      [b.id],
    );
    expect(sessions).toEqual([
      { reference: first.reference, scope: 'auth', status: 'pending', mono_customer_id: 'cus_9' },
      { reference: second.reference, scope: 'auth', status: 'pending', mono_customer_id: 'cus_9' },
    ]);
    const initiate = stub.bodies.at(-2);
    expect(initiate).toEqual({
      customer: { name: 'Funmi Bello', email: 'funmi@example.com' },
      scope: 'auth',
      meta: { ref: first.reference },
      redirect_url: 'https://lender.example/done',
    });
  });
});
