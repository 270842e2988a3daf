import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { AccountEventBus } from '../../src/common/events/account-events.js';
import { LinkService } from '../../src/mono/link.service.js';
import { MonoClient } from '../../src/mono/mono.client.js';
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
  settleAccountWebhooks,
  type SandboxServer,
} from '../support/mono-kit.js';
import { insertConsents } from '../support/consent-kit.js';

interface RunRow {
  status: string;
  job_id: string | null;
  has_new_data: boolean | null;
  mono_code: string | null;
}

describe(`${SyncService.name} (realtime strategy)`, () => {
  let sandbox: SandboxServer;
  let t: TestApp;
  let db: DataSource;
  let log: AccountEventLog;

  async function linkedAccount(opts: { mfa?: boolean } = {}): Promise<{ accountId: string; monoAccountId: string }> {
    const [b] = await db.query<Array<{ id: string }>>(`INSERT INTO borrowers (external_id, full_name, email) VALUES ($1, 'Bola Ade', 'bola@example.com') RETURNING id`, [
      `ext-${randomBytes(4).toString('hex')}`,
    ]);
    await insertConsents(db, b.id);
    const { code } = await createSandboxAccount(sandbox, { mfa: opts.mfa ?? false, transactions: sampleTransactions(8, { prefix: randomBytes(3).toString('hex') }) });
    const account = await t.app.get(LinkService).exchangeCode(b.id, code);
    await log.next('account.data_available', (e) => e.accountId === account.id && e.dataStatus === 'AVAILABLE');
    const [row] = await db.query<Array<{ data_status: string }>>(`SELECT data_status FROM bank_accounts WHERE id = $1`, [account.id]);
    expect(row.data_status).toBe('AVAILABLE');
    return { accountId: account.id, monoAccountId: account.monoAccountId };
  }

  const run = async (id: string): Promise<RunRow | undefined> =>
    (await db.query<RunRow[]>(`SELECT status, job_id, has_new_data, mono_code FROM sync_runs WHERE id = $1`, [id]))[0];

  beforeAll(async () => {
    sandbox = await startTestSandbox({ realtimeWindowMs: 60_000, jobDurationMs: 50 });
    t = await createTestApp(monoEnv(sandbox, { MONO_SYNC_STRATEGY: 'realtime' }), { listen: true });
    sandbox.setWebhookTarget(`${t.url}/webhooks/mono`);
    db = t.app.get(DataSource);
    const bus = t.app.get(AccountEventBus);
    dropSubscribersForDebugging(bus);
    log = new AccountEventLog(bus, 'mono-realtime-spec');
  });

  afterAll(async () => {
    sandbox.setWebhookTarget(null);
    await t.close();
    await sandbox.close();
  });

  it('should open a real-time job and complete the run from jobs.update and account_updated', async () => {
    const { accountId, monoAccountId } = await linkedAccount();
    await sandboxAdmin(sandbox, 'POST', `/accounts/${monoAccountId}/transactions`, {
      transactions: [{ id: `new-${monoAccountId}`, narration: 'NIP/TRANSFER FROM EMEKA', amount: 2_500_000, type: 'credit', date: '2026-11-02T08:00:00.000Z' }],
    });
    const result = await t.app.get(SyncService).requestSync(accountId, 'application');
    expect(result.outcome).toBe('requested');
    const requested = await run(result.syncRunId ?? '');
    expect(requested).toMatchObject({ status: 'requested', job_id: expect.any(String) });

    const calls = await sandboxCalls(sandbox, monoAccountId);
    expect(calls.filter((c) => c.realtime === 'true').map((c) => c.path)).toEqual([`/v2/accounts/${monoAccountId}/transactions`, `/v2/accounts/${monoAccountId}/balance`]);

    const available = await log.next('account.data_available', (e) => e.accountId === accountId && e.syncRunId === result.syncRunId);
    expect(available.hasNewData).toBe(true);
    // jobs.update and account_updated can arrive in either order, and the run completes on the later: read the run
    // once the sandbox's job is over, all its webhooks are delivered and every stored one has settled.
    await settleAccountWebhooks(t.app, sandbox, monoAccountId);
    const done = await run(result.syncRunId ?? '');
    expect(done).toMatchObject({ status: 'succeeded', job_id: requested?.job_id, has_new_data: true });

    const { transactions } = await t.app.get(MonoClient).getTransactions(monoAccountId);
    expect(transactions.map((x) => x.providerId)).toContain(`new-${monoAccountId}`);
  });

  it('should turn a failed job on an MFA bank into reauth_required', async () => {
    const { accountId } = await linkedAccount({ mfa: true });
    const result = await t.app.get(SyncService).requestSync(accountId, 'scheduled');
    expect(result.outcome).toBe('requested');
    const event = await log.next('account.reauth_required', (e) => e.accountId === accountId);
    expect(event).toEqual({ type: 'account.reauth_required', accountId, syncRunId: result.syncRunId });
    expect((await run(result.syncRunId ?? ''))?.status).toBe('reauth_required');
    const [flag] = await db.query<Array<{ reauth_required: boolean }>>(`SELECT reauth_required FROM bank_accounts WHERE id = $1`, [accountId]);
    expect(flag.reauth_required).toBe(true);
  });
});
