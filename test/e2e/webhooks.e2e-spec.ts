import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { createEngineApp } from '../../src/bootstrap.js';
import { AppConfig } from '../../src/config/app-config.js';
import { AccountEventBus, type AccountEvent } from '../../src/common/events/account-events.js';
import { LinkService } from '../../src/mono/link.service.js';
import { JobsService } from '../../src/jobs/jobs.service.js';
import { INBOX_QUEUE } from '../../src/mono/webhook-inbox.processor.js';
import { SANDBOX_NOTICE_VERSION } from '../../src/sandbox/link-page.js';
import { WebhooksController } from '../../src/mono/webhooks.controller.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { dropSubscribersForDebugging, JobLog, KIT_WEBHOOK_SECRET, monoEnv, sandboxAdmin, startTestSandbox, type SandboxServer } from '../support/mono-kit.js';
import { insertConsents } from '../support/consent-kit.js';

const monoId = (): string => randomBytes(12).toString('hex');

interface InboxRow {
  id: string;
  event_type: string;
  status: string;
  attempts: number;
  last_error: string | null;
}

describe(WebhooksController.name, () => {
  let sandbox: SandboxServer;
  let t: TestApp;
  let db: DataSource;
  const published: AccountEvent[] = [];
  let jobs: JobLog;
  /** Resolves once the inbox jobs of these rows have settled for good (processed, ignored or failed). */
  const settled = async (rows: InboxRow[]): Promise<void> => jobs.done(INBOX_QUEUE, rows.map((r) => r.id));

  const post = (body: unknown, secret: string | null = KIT_WEBHOOK_SECRET, raw?: string): Promise<Response> =>
    fetch(`${t.url}/webhooks/mono`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(secret === null ? {} : { 'mono-webhook-secret': secret }) },
      body: raw ?? JSON.stringify(body),
    });

  const inbox = (mono?: string): Promise<InboxRow[]> =>
    mono
      ? db.query<InboxRow[]>('SELECT id, event_type, status, attempts, last_error FROM webhook_events WHERE mono_account_id = $1 ORDER BY received_at', [mono])
      : db.query<InboxRow[]>('SELECT id, event_type, status, attempts, last_error FROM webhook_events ORDER BY received_at');

  async function borrower(): Promise<string> {
    const rows = await db.query<Array<{ id: string }>>(`INSERT INTO borrowers (external_id, full_name, email) VALUES ($1, 'Ada Okafor', 'ada@example.com') RETURNING id`, [
      `ext-${randomBytes(4).toString('hex')}`,
    ]);
    await insertConsents(db, rows[0].id);
    return rows[0].id;
  }

  async function linkedAccount(mono: string): Promise<string> {
    const b = await borrower();
    const rows = await db.query<Array<{ id: string }>>(`INSERT INTO bank_accounts (borrower_id, mono_account_id, data_status) VALUES ($1, $2, 'AVAILABLE') RETURNING id`, [b, mono]);
    return rows[0].id;
  }

  beforeAll(async () => {
    sandbox = await startTestSandbox();
    t = await createTestApp(monoEnv(sandbox, { MONO_MAX_RETRIES: '0' }), { listen: true });
    db = t.app.get(DataSource);
    jobs = new JobLog(t.app.get(JobsService));
    dropSubscribersForDebugging(t.app.get(AccountEventBus));
    t.app.get(AccountEventBus).subscribe('webhooks-spec', async (e) => {
      published.push(e);
      return Promise.resolve();
    });
  });

  afterAll(async () => {
    await t.close();
    await sandbox.close();
  });

  it('should answer 401 and store nothing for a missing or wrong secret', async () => {
    const body = { event: 'mono.events.account_updated', data: { account: { _id: monoId() } } };
    expect((await post(body, null)).status).toBe(401);
    expect((await post(body, 'not-the-secret')).status).toBe(401);
    expect((await post(body, `${KIT_WEBHOOK_SECRET}x`)).status).toBe(401);
    expect(await inbox()).toHaveLength(0);
  });

  it('should answer 400 for a body without a string event', async () => {
    expect((await post({ data: {} })).status).toBe(400);
    expect((await post({ event: 42 })).status).toBe(400);
    expect((await post(null, KIT_WEBHOOK_SECRET, '[1,2]')).status).toBe(400);
    expect(await inbox()).toHaveLength(0);
  });

  it('should store unknown events and mark them ignored', async () => {
    const res = await post({ event: 'mono.events.statement_insights', data: { account: monoId() }, event_id: 'evt-unknown-1' });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ received: true, duplicate: false });
    await settled((await inbox()).filter((r) => r.event_type === 'mono.events.statement_insights'));
    expect((await inbox()).find((r) => r.event_type === 'mono.events.statement_insights')?.status).toBe('ignored');
  });

  it('should process a duplicate (same event_id, or same payload) once', async () => {
    const mono = monoId();
    const accountId = await linkedAccount(mono);
    await db.query(`UPDATE bank_accounts SET reauth_required = true, reauth_required_at = now() WHERE id = $1`, [accountId]);
    const first = { event: 'mono.events.account_reauthorized', event_id: `evt-${mono}`, timestamp: '2026-11-01T10:00:00.000Z', data: { account: { _id: mono } } };
    const retried = { ...first, timestamp: '2026-11-01T10:00:05.000Z' }; // Mono's retry: same event_id
    const responses = await Promise.all([post(first), post(first), post(retried)]);
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200]);
    const bodies = (await Promise.all(responses.map((r) => r.json()))) as Array<{ duplicate: boolean }>;
    expect(bodies.filter((b) => !b.duplicate)).toHaveLength(1);

    const noId = { event: 'mono.events.account_unlinked', data: { account: { id: mono } } };
    expect(((await (await post(noId)).json()) as { duplicate: boolean }).duplicate).toBe(false);
    expect(((await (await post({ data: { account: { id: mono } }, event: 'mono.events.account_unlinked' })).json()) as { duplicate: boolean }).duplicate).toBe(true);

    await settled(await inbox(mono));
    expect((await inbox(mono)).map((r) => r.status)).toEqual(['processed', 'processed']);
    expect(published.filter((e) => e.type === 'account.reauthorized' && e.accountId === accountId)).toHaveLength(1);
    expect(published.filter((e) => e.type === 'account.unlinked' && e.accountId === accountId)).toHaveLength(1);
    const [account] = await db.query<Array<{ reauth_required: boolean; unlinked_at: Date | null }>>(`SELECT reauth_required, unlinked_at FROM bank_accounts WHERE id = $1`, [accountId]);
    expect(account).toMatchObject({ reauth_required: false, unlinked_at: expect.any(Date) });
  });

  it('should link an account whose account_updated arrived before account_connected', async () => {
    const b = await borrower();
    const { monoUrl, reference } = await t.app.get(LinkService).createConnectLink(b);
    expect(reference.length).toBeGreaterThanOrEqual(10);
    // The person logs in on the hosted page; the sandbox has no webhook target, so its events queue.
    const login = await fetch(monoUrl, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `persona=salaried_monthly&consent_underwriting=1&notice_version=${SANDBOX_NOTICE_VERSION}` });
    expect(login.status).toBe(200);
    const { accounts } = await sandboxAdmin<{ accounts: Array<{ id: string; ref: string | null }> }>(sandbox, 'GET', '/accounts');
    const mono = accounts.find((a) => a.ref === reference)?.id ?? '';
    await sandbox.state.webhooks.until((d) => d.deliveries({ accountId: mono, event: 'mono.events.account_updated' }).length > 0);
    const [connected, updated] = ['mono.events.account_connected', 'mono.events.account_updated'].map((event) => sandbox.state.webhooks.deliveries({ accountId: mono, event })[0].body);

    expect((await post(updated)).status).toBe(200);
    const [stored] = await inbox(mono);
    await jobs.next(INBOX_QUEUE, (s) => s.id === stored.id && !s.ok); // deferred: its job waits on a retry delay
    const deferred = (await inbox(mono))[0];
    expect(deferred).toMatchObject({ status: 'pending', attempts: 1 });
    expect(deferred.last_error).toMatch(/not linked yet/);

    expect((await post(connected)).status).toBe(200);
    // account_connected links it; the deferred account_updated, promoted by the link, makes it AVAILABLE.
    await settled(await inbox(mono));
    const [account] = await db.query<Array<{ id: string; borrower_id: string; data_status: string; balance_minor: string | null; institution_name: string | null }>>(
      `SELECT id, borrower_id, data_status, balance_minor, institution_name FROM bank_accounts WHERE mono_account_id = $1`,
      [mono],
    );
    expect(account.data_status).toBe('AVAILABLE');
    const truth = await sandboxAdmin<{ account: { balance: number; institution: { name: string } } }>(sandbox, 'GET', `/accounts/${mono}`);
    expect(account).toMatchObject({ borrower_id: b, balance_minor: String(truth.account.balance), institution_name: truth.account.institution.name });
    const [session] = await db.query<Array<{ status: string; account_id: string }>>(`SELECT status, account_id FROM connect_sessions WHERE reference = $1`, [reference]);
    expect(session).toEqual({ status: 'completed', account_id: account.id });
    await settled(await inbox(mono));
    expect((await inbox(mono)).map((r) => r.status)).toEqual(['processed', 'processed']);
    expect(published.some((e) => e.type === 'account.linked' && e.accountId === account.id)).toBe(true);
    expect(published.some((e) => e.type === 'account.data_available' && e.accountId === account.id)).toBe(true);
  });

  it('should not let an older account_updated roll the account back', async () => {
    const mono = monoId();
    const accountId = await linkedAccount(mono);
    const update = (timestamp: string, dataStatus: string, balance: number) => ({
      event: 'mono.events.account_updated',
      event_id: `evt-${timestamp}-${mono}`,
      timestamp,
      data: { account: { _id: mono, balance, currency: 'NGN' }, meta: { data_status: dataStatus, retrieved_data: ['balance'] } },
    });
    expect((await post(update('2026-11-02T10:00:00.000Z', 'PARTIAL', 20_000))).status).toBe(200);
    await settled(await inbox(mono));
    expect((await post(update('2026-11-02T09:00:00.000Z', 'UNAVAILABLE', 10_000))).status).toBe(200);
    await settled(await inbox(mono));
    expect((await inbox(mono)).map((r) => r.status)).toEqual(['processed', 'processed']);
    const [row] = await db.query<Array<{ data_status: string; balance_minor: string }>>(`SELECT data_status, balance_minor FROM bank_accounts WHERE id = $1`, [accountId]);
    expect(row).toEqual({ data_status: 'PARTIAL', balance_minor: '20000' });
  });

  it('should retry an event whose subscriber failed, and process it once it succeeds', async () => {
    const mono = monoId();
    const accountId = await linkedAccount(mono);
    let failures = 1;
    t.app.get(AccountEventBus).subscribe('flaky', async (e) => {
      if (e.type === 'account.sync_failed' && e.accountId === accountId && failures-- > 0) throw new Error('subscriber down');
      return Promise.resolve();
    });
    expect((await post({ event: 'mono.events.sync_failed', event_id: `evt-sf-${mono}`, data: { account: { _id: mono } } })).status).toBe(200);
    const [stored] = await inbox(mono);
    await jobs.next(INBOX_QUEUE, (s) => s.id === stored.id && !s.ok);
    await settled([stored]); // pg-boss retried the job after its backoff
    const [row] = await inbox(mono);
    expect(row).toMatchObject({ status: 'processed', attempts: 2 });
  });

  it('should lose nothing when the process dies between storing and processing', async () => {
    const mono = monoId();
    const accountId = await linkedAccount(mono);
    // Rows an instance stored but never processed, and one it was processing when it died — written as an engine
    // from before the job system left them (no jobs): a starting instance gives them jobs and any worker settles them.
    await db.query(
      `INSERT INTO webhook_events (provider_event_id, payload_hash, event_type, mono_account_id, payload, status, attempts, received_at)
       VALUES ($1::text, md5($1::text) || md5($1::text), 'mono.events.reauthorisation_required', $3, $4::jsonb, 'pending', 0, now()),
              ($2::text, md5($2::text) || md5($2::text), 'mono.events.account_updated', $3, $5::jsonb, 'processing', 1, now() + interval '1 ms')`,
      [
        `evt-rr-${mono}`,
        `evt-au-${mono}`,
        mono,
        JSON.stringify({ event: 'mono.events.reauthorisation_required', data: { account: { _id: mono } } }),
        JSON.stringify({ event: 'mono.events.account_updated', data: { account: { _id: mono }, meta: { data_status: 'PARTIAL', retrieved_data: ['balance'] } } }),
      ],
    );
    const stored = await inbox(mono);
    expect(stored).toHaveLength(2);

    const config = AppConfig.forTest({ LOG_LEVEL: 'warn', ...monoEnv(sandbox, { MONO_MAX_RETRIES: '0' }) });
    const restarted = await createEngineApp({ config, databaseUrl: t.databaseUrl, bufferLogs: true });
    const restartedJobs = new JobLog(restarted.get(JobsService));
    await restarted.init();
    try {
      // Either instance may work them (both work the same queue).
      await Promise.all(stored.map((r) => Promise.any([jobs.done(INBOX_QUEUE, [r.id]), restartedJobs.done(INBOX_QUEUE, [r.id])])));
      expect((await inbox(mono)).map((r) => r.status)).toEqual(['processed', 'processed']);
      const [account] = await db.query<Array<{ reauth_required: boolean; data_status: string }>>(`SELECT reauth_required, data_status FROM bank_accounts WHERE id = $1`, [accountId]);
      expect(account).toEqual({ reauth_required: true, data_status: 'PARTIAL' });
    } finally {
      restartedJobs.stop();
      await restarted.close();
    }
  });
});
