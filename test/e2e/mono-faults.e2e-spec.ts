import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { AccountEventBus } from '../../src/common/events/account-events.js';
import { DomainError } from '../../src/common/errors/domain-error.js';
import { LinkService } from '../../src/mono/link.service.js';
import { MonoClient } from '../../src/mono/mono.client.js';
import { SyncService, type SyncRequestResult } from '../../src/mono/sync.service.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { JobsService } from '../../src/jobs/jobs.service.js';
import { INBOX_QUEUE } from '../../src/mono/webhook-inbox.processor.js';
import { SANDBOX_NOTICE_VERSION } from '../../src/sandbox/link-page.js';
import { AccountEventLog, dropSubscribersForDebugging, JobLog, monoEnv, sandboxAdmin, startTestSandbox, type SandboxServer } from '../support/mono-kit.js';
import { insertConsents } from '../support/consent-kit.js';

interface Truth {
  state: string;
  transactions: Array<{ id: string; amount: number; type: string; date: string }>;
}

async function eventually<T>(fn: () => Promise<T>, attempts: number): Promise<T> {
  let last: unknown;
  for (let i = 0; i < attempts; i++) {
    try {
      return await fn();
    } catch (err) {
      last = err;
    }
  }
  throw last instanceof Error ? last : new Error(String(last));
}

describe(`${MonoClient.name} under faults`, () => {
  let sandbox: SandboxServer;
  let t: TestApp;
  let db: DataSource;
  let events: AccountEventLog;
  let jobs: JobLog;

  beforeAll(async () => {
    sandbox = await startTestSandbox({ webhookDelayMs: [0, 30], linkProcessingMs: [20, 60] });
    t = await createTestApp(
      monoEnv(sandbox, { MONO_MAX_RETRIES: '8', MONO_TIMEOUT_MS: '1500', MONO_CIRCUIT_THRESHOLD: '8', MONO_CIRCUIT_HALF_OPEN_MS: '50', JOBS_ENABLED: 'true' }),
      { listen: true },
    );
    sandbox.setWebhookTarget(`${t.url}/webhooks/mono`);
    db = t.app.get(DataSource);
    dropSubscribersForDebugging(t.app.get(AccountEventBus));
    events = new AccountEventLog(t.app.get(AccountEventBus), 'mono-faults-spec');
    jobs = new JobLog(t.app.get(JobsService));
  });

  afterAll(async () => {
    sandbox.setWebhookTarget(null);
    await sandboxAdmin(sandbox, 'DELETE', '/faults');
    await t.close();
    await sandbox.close();
  });

  it('should end a link-and-sync cycle linked, with exactly the bank transactions, despite faults', async () => {
    await sandboxAdmin(sandbox, 'POST', '/faults', {
      latencyMs: 2,
      latencyJitterMs: 15,
      errorRate: 0.2,
      rateLimitBurst: { every: 9, length: 1 },
      malformedRate: 0.1,
      timeoutRate: 0.05,
      timeoutMode: 'destroy',
      webhookDuplicateRate: 0.5,
      webhookReorder: true,
      seed: 11,
    });
    const [b] = await db.query<Array<{ id: string }>>(`INSERT INTO borrowers (external_id, full_name, email) VALUES ($1, 'Chidi Obi', 'chidi@example.com') RETURNING id`, [
      `ext-${randomBytes(4).toString('hex')}`,
    ]);
    const borrowerId = b.id;
    await insertConsents(db, borrowerId);
    const link = await eventually(() => t.app.get(LinkService).createConnectLink(borrowerId), 5);
    const login = await fetch(link.monoUrl, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `persona=salaried_monthly&consent_underwriting=1&notice_version=${SANDBOX_NOTICE_VERSION}` });
    expect(login.status).toBe(200);

    // Linked through Mono's webhooks (faults and all): awaited on the events the inbox publishes, not by polling.
    const linkedEvent = await events.next('account.linked', (e) => e.borrowerId === borrowerId);
    await events.next('account.data_available', (e) => e.accountId === linkedEvent.accountId);
    const [account] = await db.query<Array<{ id: string; mono_account_id: string; data_status: string }>>(
      `SELECT id, mono_account_id, data_status FROM bank_accounts WHERE id = $1`,
      [linkedEvent.accountId],
    );
    expect(account.data_status).toBe('AVAILABLE');
    const mono = account.mono_account_id;

    await sandboxAdmin(sandbox, 'POST', `/accounts/${mono}/transactions`, {
      transactions: [
        { id: `late-1-${mono}`, narration: 'POS PURCHASE SPAR LEKKI', amount: 1_250_000, type: 'debit', date: new Date(Date.now() - 3_600_000).toISOString() },
        { id: `late-2-${mono}`, narration: 'NIP/TRF FROM TOLU', amount: 5_000_000, type: 'credit', date: new Date(Date.now() - 1_800_000).toISOString() },
      ],
    });
    const outcomes: SyncRequestResult[] = [];
    for (let i = 0; i < 25 && outcomes.at(-1)?.outcome !== 'succeeded'; i++) outcomes.push(await t.app.get(SyncService).requestSync(accountId(account), 'manual'));
    expect(outcomes.at(-1)?.outcome).toBe('succeeded');
    for (const o of outcomes) expect(['succeeded', 'failed', 'unavailable']).toContain(o.outcome);

    const fetched = await eventually(() => t.app.get(MonoClient).getTransactions(mono), 3);
    const truth = await sandboxAdmin<Truth>(sandbox, 'GET', `/accounts/${mono}`);
    expect(truth.transactions.length).toBeGreaterThan(20);
    const got = fetched.transactions.map((x) => ({ id: x.providerId, amount: x.amountMinor, type: x.direction, date: x.postedAt }));
    const want = truth.transactions.map((x) => ({ id: x.id, amount: x.amount, type: x.type, date: new Date(x.date).toISOString() }));
    const byId = (a: { id: string }, c: { id: string }): number => a.id.localeCompare(c.id);
    expect(got.sort(byId)).toEqual(want.sort(byId));

    // Every webhook (duplicates included) settles; none is lost to a failure.
    await sandbox.deliverPendingWebhooks();
    const stored = await db.query<Array<{ id: string }>>(`SELECT id FROM webhook_events WHERE mono_account_id = $1`, [mono]);
    expect(stored.length).toBeGreaterThan(0);
    await jobs.done(INBOX_QUEUE, stored.map((r) => r.id));
    const statuses = await db.query<Array<{ status: string }>>(`SELECT DISTINCT status FROM webhook_events WHERE mono_account_id = $1`, [mono]);
    expect(statuses.every((r) => r.status === 'processed' || r.status === 'ignored')).toBe(true);
    const [linked] = await db.query<Array<{ unlinked_at: Date | null; reauth_required: boolean }>>(`SELECT unlinked_at, reauth_required FROM bank_accounts WHERE id = $1`, [account.id]);
    expect(linked).toEqual({ unlinked_at: null, reauth_required: false });
  });

  it('should report a broken Mono as a domain error when creating a link', async () => {
    await sandboxAdmin(sandbox, 'POST', '/faults', { errorRate: 1 });
    const [b] = await db.query<Array<{ id: string }>>(`INSERT INTO borrowers (external_id, full_name, email) VALUES ($1, 'Dayo', 'dayo@example.com') RETURNING id`, [`ext-${randomBytes(4).toString('hex')}`]);
    const err = await t.app
      .get(LinkService)
      .createConnectLink(b.id)
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(err).toBeInstanceOf(DomainError);
    expect((err as DomainError).code).toBe('MONO_UNAVAILABLE');
    await sandboxAdmin(sandbox, 'DELETE', '/faults');
  });
});

function accountId(row: { id: string }): string {
  return row.id;
}
