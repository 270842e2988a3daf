import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { AccountEventBus, type AccountEvent } from '../../src/common/events/account-events.js';
import { DomainError } from '../../src/common/errors/domain-error.js';
import { LinkService } from '../../src/mono/link.service.js';
import { SyncService } from '../../src/mono/sync.service.js';
import { createTestApp, type TestApp } from '../support/app.js';
import {
  createSandboxAccount,
  dropSubscribersForDebugging,
  monoEnv,
  sampleTransactions,
  sandboxAdmin,
  sandboxCalls,
  startTestSandbox,
  AccountEventLog,
  type SandboxServer,
} from '../support/mono-kit.js';
import { insertConsents } from '../support/consent-kit.js';

interface SyncRunRow {
  id: string;
  status: string;
  trigger: string;
  mono_code: string | null;
  has_new_data: boolean | null;
}

describe(SyncService.name, () => {
  let sandbox: SandboxServer;
  let t: TestApp;
  let db: DataSource;
  let sync: SyncService;
  let link: LinkService;
  const published: AccountEvent[] = [];
  let events: AccountEventLog;

  async function borrower(): Promise<string> {
    const rows = await db.query<Array<{ id: string }>>(`INSERT INTO borrowers (external_id, full_name, email) VALUES ($1, 'Ada Okafor', 'ada@example.com') RETURNING id`, [
      `ext-${randomBytes(4).toString('hex')}`,
    ]);
    await insertConsents(db, rows[0].id);
    return rows[0].id;
  }

  /** Links a fresh sandbox account through the widget-code flow and waits until Mono's data is AVAILABLE. */
  async function linkedAccount(opts: { mfa?: boolean } = {}): Promise<{ accountId: string; monoAccountId: string; borrowerId: string }> {
    const borrowerId = await borrower();
    const { code } = await createSandboxAccount(sandbox, { mfa: opts.mfa ?? false, transactions: sampleTransactions(12, { prefix: randomBytes(3).toString('hex') }) });
    const account = await link.exchangeCode(borrowerId, code);
    // Published once the account_updated that makes the data usable has been stored (events, not polling).
    await events.next('account.data_available', (e) => e.accountId === account.id);
    const [row] = await db.query<Array<{ data_status: string }>>(`SELECT data_status FROM bank_accounts WHERE id = $1`, [account.id]);
    expect(row?.data_status).toBe('AVAILABLE');
    return { accountId: account.id, monoAccountId: account.monoAccountId, borrowerId };
  }

  const runs = (accountId: string): Promise<SyncRunRow[]> =>
    db.query<SyncRunRow[]>(`SELECT id, status, trigger, mono_code, has_new_data FROM sync_runs WHERE account_id = $1 ORDER BY created_at`, [accountId]);
  const syncCalls = async (monoAccountId: string): Promise<number> =>
    (await sandboxCalls(sandbox, monoAccountId)).filter((c) => c.method === 'POST' && c.path === `/accounts/${monoAccountId}/sync`).length;

  beforeAll(async () => {
    sandbox = await startTestSandbox();
    t = await createTestApp(monoEnv(sandbox, { SYNC_MIN_INTERVAL_SECONDS: '60' }), { listen: true });
    sandbox.setWebhookTarget(`${t.url}/webhooks/mono`);
    db = t.app.get(DataSource);
    sync = t.app.get(SyncService);
    link = t.app.get(LinkService);
    const bus = t.app.get(AccountEventBus);
    dropSubscribersForDebugging(bus);
    bus.subscribe('mono-sync-spec', async (e) => {
      published.push(e);
      return Promise.resolve();
    });
    events = new AccountEventLog(bus);
  });

  afterAll(async () => {
    sandbox.setWebhookTarget(null);
    await t.close();
    await sandbox.close();
  });

  it('should link by code with Mono details and refuse the same Mono account for another borrower', async () => {
    const { accountId, monoAccountId, borrowerId } = await linkedAccount();
    const [row] = await db.query<Array<{ borrower_id: string; institution_name: string; balance_minor: string; account_name: string }>>(
      `SELECT borrower_id, institution_name, balance_minor, account_name FROM bank_accounts WHERE id = $1`,
      [accountId],
    );
    const truth = await sandboxAdmin<{ account: { balance: number } }>(sandbox, 'GET', `/accounts/${monoAccountId}`);
    expect(row).toEqual({ borrower_id: borrowerId, institution_name: 'GTBank', balance_minor: String(truth.account.balance), account_name: 'ADA OKAFOR' });
    expect(published).toContainEqual({ type: 'account.linked', accountId, borrowerId });

    const other = await borrower();
    await expect(link.attachAccount(other, monoAccountId, {}, { actor: 'spec', sessionId: null })).rejects.toMatchObject({ code: 'CONFLICT' });
  });

  it('should coalesce concurrent sync requests onto one run and one Mono call', async () => {
    const { accountId, monoAccountId } = await linkedAccount();
    await sandboxAdmin(sandbox, 'POST', '/faults', { latencyMs: 300 });
    let results;
    try {
      results = await Promise.all(Array.from({ length: 5 }, () => sync.requestSync(accountId, 'application')));
    } finally {
      await sandboxAdmin(sandbox, 'DELETE', '/faults');
    }
    expect(await syncCalls(monoAccountId)).toBe(1);
    const succeeded = results.filter((r) => r.outcome === 'succeeded');
    expect(succeeded).toHaveLength(1);
    expect(results.filter((r) => r.outcome === 'coalesced').map((r) => r.syncRunId)).toEqual(Array(4).fill(succeeded[0].syncRunId));
    expect(await runs(accountId)).toEqual([expect.objectContaining({ id: succeeded[0].syncRunId, status: 'succeeded', mono_code: 'SYNC_SUCCESSFUL', trigger: 'application' })]);
    expect(published).toContainEqual(expect.objectContaining({ type: 'account.data_available', accountId, syncRunId: succeeded[0].syncRunId }));
  });

  it('should never call Mono inside the rate-limit window and record the skip', async () => {
    const { accountId, monoAccountId } = await linkedAccount();
    expect((await sync.requestSync(accountId, 'manual')).outcome).toBe('succeeded');
    const second = await sync.requestSync(accountId, 'scheduled');
    expect(second.outcome).toBe('skipped_rate_limit');
    expect(await syncCalls(monoAccountId)).toBe(1);
    const all = await runs(accountId);
    expect(all.map((r) => r.status)).toEqual(['succeeded', 'skipped_rate_limit']);
    expect((await sync.getAccountSyncStatus(accountId)).latestRun).toMatchObject({ id: second.syncRunId, status: 'skipped_rate_limit' });
  });

  it('should record a Mono 429 as a retryable failure', async () => {
    const { accountId } = await linkedAccount();
    await sandboxAdmin(sandbox, 'POST', '/faults', { rateLimitRate: 1 });
    try {
      const result = await sync.requestSync(accountId, 'manual');
      expect(result.outcome).toBe('failed');
    } finally {
      await sandboxAdmin(sandbox, 'DELETE', '/faults');
    }
    const [run] = await db.query<Array<{ status: string; mono_code: string; error: { kind: string; retryable: boolean } }>>(`SELECT status, mono_code, error FROM sync_runs WHERE account_id = $1`, [accountId]);
    expect(run).toMatchObject({ status: 'failed', mono_code: 'HTTP_429', error: { kind: 'rate_limited', retryable: true } });
  });

  it('should go through MFA: reauth required, reauth link, completed reauth clears the flag', async () => {
    const { accountId, monoAccountId } = await linkedAccount({ mfa: true });
    await expect(link.createReauthLink(accountId)).rejects.toMatchObject({ code: 'REAUTH_NOT_REQUIRED' });

    const result = await sync.requestSync(accountId, 'application');
    expect(result.outcome).toBe('reauth_required');
    const [flagged] = await db.query<Array<{ reauth_required: boolean; reauth_required_at: Date | null }>>(`SELECT reauth_required, reauth_required_at FROM bank_accounts WHERE id = $1`, [accountId]);
    expect(flagged).toEqual({ reauth_required: true, reauth_required_at: expect.any(Date) });
    expect(published).toContainEqual({ type: 'account.reauth_required', accountId, syncRunId: result.syncRunId });

    const callsBefore = await syncCalls(monoAccountId);
    const blocked = await sync.requestSync(accountId, 'manual');
    expect(blocked.outcome).toBe('reauth_required');
    expect(await syncCalls(monoAccountId)).toBe(callsBefore);

    const reauth = await link.createReauthLink(accountId);
    expect(reauth.monoUrl).toMatch(/\/link\//);
    expect(reauth.reference.length).toBeGreaterThanOrEqual(10);
    const done = await fetch(reauth.monoUrl ?? '', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: '' });
    expect(done.status).toBe(200);

    await events.next('account.reauthorized', (e) => e.accountId === accountId);
    const [flag] = await db.query<Array<{ reauth_required: boolean }>>(`SELECT reauth_required FROM bank_accounts WHERE id = $1`, [accountId]);
    expect(flag?.reauth_required).toBe(false);
    const reauthorizedAt = events.events.findIndex((e) => e.type === 'account.reauthorized' && e.accountId === accountId);
    await events.next('account.data_available', (e) => e.accountId === accountId, { from: reauthorizedAt });
    const [session] = await db.query<Array<{ status: string }>>(`SELECT status FROM connect_sessions WHERE reference = $1`, [reauth.reference]);
    expect(session).toEqual({ status: 'completed' });
  });

  it("should follow Mono's automatic sync and unlink webhooks", async () => {
    const mfa = await linkedAccount({ mfa: true });
    await sandboxAdmin(sandbox, 'POST', `/accounts/${mfa.monoAccountId}/auto-sync`, {});
    await events.next('account.reauth_required', (e) => e.accountId === mfa.accountId);
    expect((await db.query<Array<{ reauth_required: boolean }>>(`SELECT reauth_required FROM bank_accounts WHERE id = $1`, [mfa.accountId]))[0]?.reauth_required).toBe(true);

    const plain = await linkedAccount();
    await sandboxAdmin(sandbox, 'POST', `/accounts/${plain.monoAccountId}/auto-sync`, { fail: true });
    await events.next('account.sync_failed', (e) => e.accountId === plain.accountId);

    await sandboxAdmin(sandbox, 'POST', `/accounts/${plain.monoAccountId}/unlink`, {});
    // The handler stores unlinked_at and then publishes: the event means the row is written.
    await events.next('account.unlinked', (e) => e.accountId === plain.accountId);
    expect((await db.query<Array<{ unlinked_at: Date | null }>>(`SELECT unlinked_at FROM bank_accounts WHERE id = $1`, [plain.accountId]))[0]?.unlinked_at).toEqual(expect.any(Date));
    expect(published).toContainEqual({ type: 'account.unlinked', accountId: plain.accountId });
    await expect(sync.requestSync(plain.accountId, 'manual')).rejects.toMatchObject({ code: 'ACCOUNT_UNLINKED' });
  });

  it('should expose Mono call metrics at /metrics to admins only', async () => {
    await linkedAccount();
    const res = await fetch(`${t.url}/metrics`, { headers: t.auth('admin') });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/plain/);
    const text = await res.text();
    expect(text).toMatch(/mono_requests_total\{endpoint="POST \/v2\/accounts\/auth",status="200"\} [1-9]/);
    expect(text).toContain('mono_webhook_events_total');
    // Job-system gauges: one series per pg-boss queue, depth 0 when idle.
    expect(text).toMatch(/jobs_queued\{queue="outbox-delivery"\} \d+/);
    expect(text).toMatch(/jobs_oldest_queued_seconds\{queue="outbox-delivery"\} [\d.]+/);
    expect((await fetch(`${t.url}/metrics`, { headers: t.auth('frontend') })).status).toBe(403);
    expect((await fetch(`${t.url}/metrics`)).status).toBe(401);
  });

  it('should throw domain errors for unknown and unlinked accounts', async () => {
    await expect(sync.requestSync('00000000-0000-4000-8000-000000000000', 'manual')).rejects.toBeInstanceOf(DomainError);
    const { accountId } = await linkedAccount();
    await db.query(`UPDATE bank_accounts SET unlinked_at = now() WHERE id = $1`, [accountId]);
    await expect(sync.requestSync(accountId, 'manual')).rejects.toMatchObject({ code: 'ACCOUNT_UNLINKED' });
  });
});
