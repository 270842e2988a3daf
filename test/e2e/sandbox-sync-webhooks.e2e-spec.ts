/* eslint-disable @typescript-eslint/no-explicit-any -- response bodies are untyped JSON read from the wire */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { SANDBOX_NOTICE_VERSION } from '../../src/sandbox/link-page.js';
import { startSandbox, type SandboxServer } from '../../src/sandbox/sandbox-server.js';
import { startWebhookReceiver, type WebhookReceiver } from '../../src/sandbox/testing/webhook-receiver.js';

const KEY = 'test_sk_sandbox_e2e_0002';
const SECRET = 'whsec_sandbox_e2e_0002';
const clock = { offsetMs: 0 };
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

let sandbox: SandboxServer;
let receiver: WebhookReceiver;

async function call(method: string, path: string, opts: { body?: unknown; headers?: Record<string, string>; admin?: boolean; form?: string } = {}) {
  const headers: Record<string, string> = { ...opts.headers };
  if (!opts.admin) headers['mono-sec-key'] = KEY;
  if (opts.form !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
  else headers['content-type'] = 'application/json';
  const res = await fetch(sandbox.url + path, { method, headers, body: opts.form ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body)), redirect: 'manual' });
  const text = await res.text();
  let body: any = text;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    /* HTML */
  }
  return { status: res.status, headers: res.headers, body };
}

const admin = (method: string, path: string, body?: unknown) => call(method, path, { body, admin: true });

/** The consent choices the hosted page hands back to the lender's frontend (its `#sandbox-consent` JSON block). */
function handedBack(html: string): any {
  const json = /<script type="application\/json" id="sandbox-consent">([^<]*)<\/script>/.exec(html)?.[1];
  return json === undefined ? null : JSON.parse(json);
}

async function createAndLink(body: Record<string, unknown>): Promise<string> {
  const created = await admin('POST', '/sandbox/accounts', body);
  expect(created.status).toBe(201);
  const linked = await call('POST', '/v2/accounts/auth', { body: { code: created.body.code } });
  expect(linked.status).toBe(200);
  return linked.body.data.id as string;
}

const eventsFor = (id: string) =>
  receiver.accepted().filter((w) => {
    const d = w.body.data as any;
    return d.id === id || d.account === id || d.account?._id === id || d.account?.id === id;
  });
const namesFor = (id: string) => eventsFor(id).map((w) => w.body.event);
const waitForEvents = (id: string, count: number) => receiver.waitFor(() => eventsFor(id).length >= count);

async function advanceClock(ms: number): Promise<void> {
  clock.offsetMs += ms;
  await Promise.resolve();
}

function credit(day: string, amount: number, narration = 'NIP/INWARD TRANSFER') {
  return { amount, type: 'credit', date: `${day}T10:00:00.000Z`, narration };
}

describe('Mono sandbox: sync, reauth, real-time and webhooks', () => {
  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    sandbox = await startSandbox({
      port: 0,
      secretKey: KEY,
      webhookSecret: SECRET,
      webhookUrl: receiver.url,
      now: () => new Date(Date.now() + clock.offsetMs),
      webhookDelayMs: [0, 5],
      linkProcessingMs: [0, 5],
      jobDurationMs: 30,
      webhookRetry: { baseMs: 10, maxMs: 50, maxAttempts: 5 },
      logger: quiet,
    });
  });

  afterAll(async () => {
    await sandbox.close();
    await receiver.close();
  });

  beforeEach(async () => {
    await admin('DELETE', '/sandbox/faults');
  });

  it('should deliver account_connected (PROCESSING, meta.ref) then account_updated (AVAILABLE) with the webhook secret', async () => {
    const id = await createAndLink({ account: { name: 'HOOK USER' }, transactions: [credit('2026-10-01', 50_000)], options: { customerRef: 'ref-hooks-0001' } });
    await waitForEvents(id, 2);
    const [connected, updated] = eventsFor(id);
    expect(connected.headers['mono-webhook-secret']).toBe(SECRET);
    expect(connected.body).toEqual({
      event: 'mono.events.account_connected',
      event_id: expect.any(String),
      timestamp: expect.any(String),
      data: { id, customer: expect.any(String), meta: { data_status: 'PROCESSING', auth_method: 'internet_banking', ref: 'ref-hooks-0001' }, app: expect.any(String), business: expect.any(String) },
    });
    expect(updated.body.event).toBe('mono.events.account_updated');
    expect(updated.body.data.account).toMatchObject({ _id: id, accountNumber: expect.any(String), balance: 50_000, institution: { bankCode: '000' } });
    expect(updated.body.data.meta).toMatchObject({ data_status: 'AVAILABLE', ref: 'ref-hooks-0001', retrieved_data: ['identity', 'balance', 'transactions'] });
    expect(updated.body.event_id).not.toBe(connected.body.event_id);
  });

  it('should retry a webhook with backoff until the receiver answers 200', async () => {
    const flaky = await startWebhookReceiver({ failFirst: 2 });
    try {
      sandbox.setWebhookTarget(flaky.url);
      const id = await createAndLink({ account: { name: 'RETRY USER' } });
      await flaky.waitFor((got) => got.some((w) => w.body.event === 'mono.events.account_updated'));
      expect(flaky.received.slice(0, 2).map((w) => w.answered)).toEqual([500, 500]);
      expect(flaky.received.slice(0, 2).every((w) => w.headers['mono-webhook-secret'] === SECRET)).toBe(true);
      const log = await admin('GET', `/sandbox/webhooks?accountId=${id}`);
      expect(log.body.deliveries).toHaveLength(2);
      for (const d of log.body.deliveries) {
        expect(d.status).toBe('delivered');
        expect(d.attempts.at(-1).status).toBe(200);
        expect(flaky.accepted().filter((w) => w.body.event_id === d.eventId)).toHaveLength(1);
      }
      const failures = log.body.deliveries.flatMap((d: any) => d.attempts).filter((a: any) => a.status === 500);
      expect(failures).toHaveLength(2);
    } finally {
      sandbox.setWebhookTarget(receiver.url);
      await flaky.close();
    }
  });

  it('should give up after maxAttempts and mark the delivery failed', async () => {
    const broken = await startWebhookReceiver({ failFirst: 1000 });
    try {
      sandbox.setWebhookTarget(broken.url);
      const id = await createAndLink({ account: { name: 'GIVE UP USER' } });
      await sandbox.state.webhooks.until((d) => {
        const list = d.deliveries({ accountId: id });
        return list.length === 2 && list.every((r) => r.status === 'failed');
      });
      // What the admin API reports, once the dispatcher has given up on both.
      const log = await admin('GET', `/sandbox/webhooks?accountId=${id}`);
      expect(log.body.deliveries.map((d: any) => d.status)).toEqual(['failed', 'failed']);
      expect(log.body.deliveries[0].attempts).toHaveLength(5);
    } finally {
      sandbox.setWebhookTarget(receiver.url);
      await broken.close();
    }
  });

  it('should hide appended activity until a legacy sync, then rate-limit the next sync for the interval', async () => {
    const id = await createAndLink({ account: { name: 'SYNC USER' }, transactions: [credit('2026-10-01', 100_000)] });
    await waitForEvents(id, 2);
    const appended = await admin('POST', `/sandbox/accounts/${id}/transactions`, { transactions: [credit('2026-10-02', 25_000), { amount: 5_000, type: 'debit', date: '2026-10-03T08:00:00Z', narration: 'POS' }] });
    expect(appended.status).toBe(201);
    expect(appended.body.added.map((t: any) => t.balance)).toEqual([120_000, 125_000]);
    expect((await call('GET', `/v2/accounts/${id}/transactions`)).body.data).toHaveLength(1);

    const sync = await call('POST', `/accounts/${id}/sync`);
    expect(sync.status).toBe(200);
    expect(sync.body).toEqual({ status: 'successful', hasNewData: true, code: 'SYNC_SUCCESSFUL', message: expect.any(String) });
    const txns = await call('GET', `/v2/accounts/${id}/transactions`);
    expect(txns.body.data.map((t: any) => t.balance)).toEqual([120_000, 125_000, 100_000]);
    expect((await call('GET', `/v2/accounts/${id}/balance`)).body.data.balance).toBe(120_000);
    await waitForEvents(id, 3);
    expect(eventsFor(id)[2].body.data.meta).toMatchObject({ has_new_data: true });

    const limited = await call('POST', `/accounts/${id}/sync`);
    expect(limited.status).toBe(429);
    expect(limited.body).toEqual({ message: expect.any(String) });

    await advanceClock(121_000);
    const again = await call('GET', `/accounts/${id}/sync`);
    expect(again.body).toMatchObject({ status: 'successful', hasNewData: false, code: 'SYNC_SUCCESSFUL' });
    const truth = await admin('GET', `/sandbox/accounts/${id}`);
    expect(truth.body.pendingTransactionIds).toEqual([]);
    expect(truth.body.transactions).toEqual(txns.body.data);
  });

  it('should demand re-authorisation from an MFA persona, then deliver reauthorized and updated in order after complete-reauth', async () => {
    const created = await admin('POST', '/sandbox/accounts', { persona: 'mfa_bank', asOf: '2026-11-20' });
    const id = (await call('POST', '/v2/accounts/auth', { body: { code: created.body.code } })).body.data.id as string;
    await waitForEvents(id, 2);
    await admin('POST', `/sandbox/accounts/${id}/transactions`, { transactions: [credit('2026-11-20', 77_700)] });

    const sync = await call('POST', `/accounts/${id}/sync`);
    expect(sync.status).toBe(200);
    expect(sync.body).toEqual({ status: 'failed', hasNewData: false, code: 'REAUTHORISATION_REQUIRED', message: expect.any(String) });
    expect((await admin('GET', `/sandbox/accounts/${id}`)).body.reauthRequired).toBe(true);

    const token = await call('POST', `/accounts/${id}/reauthorise`);
    expect(token.body).toEqual({ token: expect.any(String) });

    const done = await admin('POST', `/sandbox/accounts/${id}/complete-reauth`);
    // The widget's new code (reauthIssuesCode, default true) exchanges to the same account (docs/sandbox.md).
    expect(done.body).toEqual({ accountId: id, reauthRequired: false, code: expect.stringMatching(/^code_/) });
    await waitForEvents(id, 4);
    expect(namesFor(id)).toEqual(['mono.events.account_connected', 'mono.events.account_updated', 'mono.events.account_reauthorized', 'mono.events.account_updated']);
    const [, , reauthorized, updated] = eventsFor(id);
    expect(reauthorized.body.data).toEqual({ account: { _id: id }, app: expect.any(String), business: expect.any(String) });
    expect(updated.body.data.meta).toMatchObject({ data_status: 'AVAILABLE', has_new_data: true });
    expect((await call('GET', `/v2/accounts/${id}/transactions?limit=1`)).body.data[0].amount).toBe(77_700);

    await advanceClock(121_000);
    expect((await call('POST', `/accounts/${id}/sync`)).body.code).toBe('SYNC_SUCCESSFUL');
  });

  it('should run a real-time job: headers, same job inside the window, job endpoint, jobs.update then account_updated', async () => {
    const id = await createAndLink({ account: { name: 'REALTIME USER' }, transactions: [credit('2026-10-01', 10_000)] });
    await waitForEvents(id, 2);
    await admin('POST', `/sandbox/accounts/${id}/transactions`, { transactions: [credit('2026-10-05', 20_000)] });

    const first = await call('GET', `/v2/accounts/${id}/transactions`, { headers: { 'x-realtime': 'true' } });
    const jobId = first.headers.get('x-job-id');
    expect(jobId).toEqual(expect.any(String));
    expect(first.headers.get('x-job-status')).toBe('processing');
    const repeat = await call('GET', `/v2/accounts/${id}/balance`, { headers: { 'x-real-time': 'true' } });
    expect(repeat.headers.get('x-job-id')).toBe(jobId);

    await waitForEvents(id, 4);
    const [, , jobUpdate, updated] = eventsFor(id);
    expect(jobUpdate.body).toMatchObject({ event: 'mono.accounts.jobs.update', data: { account: id, id: jobId, name: 'jobs.accounts.sync_statement', status: 'finished' } });
    expect(updated.body.data.meta).toMatchObject({ sync_status: 'SUCCESSFUL', job_id: jobId, has_new_data: true });
    const job = await call('GET', `/v2/accounts/${id}/jobs/${jobId}`);
    expect(job.body.data).toEqual({ id: jobId, status: 'finished', name: 'jobs.accounts.sync_statement', account: id, business: expect.any(String), app: expect.any(String) });
    expect((await call('GET', `/v2/accounts/${id}/transactions`)).body.data).toHaveLength(2);

    const plain = await call('GET', `/v2/accounts/${id}/balance`);
    expect(plain.headers.get('x-job-id')).toBeNull();
    await advanceClock(301_000);
    const later = await call('GET', `/v2/accounts/${id}/balance`, { headers: { 'x-realtime': 'true' } });
    expect(later.headers.get('x-job-id')).not.toBe(jobId);

    const calls = await admin('GET', `/sandbox/accounts/${id}/calls`);
    expect(calls.body.calls.filter((c: any) => c.realtime === 'true').length).toBeGreaterThanOrEqual(3);
    expect(calls.body.calls.find((c: any) => c.path.endsWith('/transactions') && c.realtime)).toMatchObject({ method: 'GET', status: 200, time: expect.any(String) });
  });

  it('should fail a real-time job that needs reauth: jobs.update failed then account_updated REAUTHORISATION_REQUIRED', async () => {
    const id = await createAndLink({ account: { name: 'RT REAUTH' } });
    await waitForEvents(id, 2);
    await admin('POST', `/sandbox/accounts/${id}/require-reauth`);
    const r = await call('GET', `/v2/accounts/${id}/balance`, { headers: { 'x-realtime': 'true' } });
    const jobId = r.headers.get('x-job-id');
    await waitForEvents(id, 4);
    const [, , jobUpdate, updated] = eventsFor(id);
    expect(jobUpdate.body.data).toMatchObject({ id: jobId, status: 'failed', name: 'jobs.accounts.sync_balance' });
    expect(updated.body.data.meta).toMatchObject({ sync_status: 'REAUTHORISATION_REQUIRED', job_id: jobId, has_new_data: false });
  });

  it('should play automatic syncs: reauthorisation_required and sync_failed', async () => {
    const id = await createAndLink({ account: { name: 'AUTO SYNC' } });
    await waitForEvents(id, 2);
    expect((await admin('POST', `/sandbox/accounts/${id}/auto-sync`, { fail: true })).body.outcome).toBe('sync_failed');
    await admin('POST', `/sandbox/accounts/${id}/require-reauth`);
    expect((await admin('POST', `/sandbox/accounts/${id}/auto-sync`)).body.outcome).toBe('reauthorisation_required');
    await waitForEvents(id, 4);
    expect(namesFor(id).slice(2)).toEqual(['mono.events.sync_failed', 'mono.events.reauthorisation_required']);
    expect(eventsFor(id)[3].body.data).toEqual({ account: { _id: id } });
  });

  it('should link through the hosted page: consent step, persona list, Log in, then account_connected with meta.ref and account_updated', async () => {
    const init = await call('POST', '/v2/accounts/initiate', {
      body: { customer: { name: 'Bola Ade', email: 'bola@example.com' }, scope: 'auth', meta: { ref: 'ref-hosted-0001' }, redirect_url: 'https://lender.example.com/back' },
    });
    const path = new URL(init.body.data.mono_url as string).pathname;
    // Step 1: the data-sharing notice, before any bank or persona is offered.
    const page = await call('GET', path, { admin: true });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(page.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
    expect(page.body).toContain(SANDBOX_NOTICE_VERSION);
    for (const retrieved of ['Balances', 'Transactions', 'Identity']) expect(page.body).toContain(retrieved);
    expect(page.body).toMatch(/<input type="checkbox" id="consent_underwriting" name="consent_underwriting" value="1" required/);
    expect(page.body).toContain('<label for="consent_underwriting">');
    expect(page.body).toMatch(/<input type="checkbox" id="consent_monitoring" name="consent_monitoring" value="1" aria-describedby="monitoring-help">/);
    expect(page.body).toContain('<label for="consent_monitoring">');
    expect(page.body).not.toContain('salaried_monthly');
    expect(page.body).not.toContain('Log in');

    // No link without the underwriting box (or with a stale notice): 400, the notice again with the error, nothing linked.
    const notice = `notice_version=${SANDBOX_NOTICE_VERSION}`;
    for (const form of [`step=consent&${notice}&consent_monitoring=1`, `persona=salaried_monthly&${notice}`, 'persona=salaried_monthly&consent_underwriting=1&notice_version=old-v0']) {
      const refused = await call('POST', path, { admin: true, form });
      expect(refused.status).toBe(400);
      expect(refused.body).toContain('role="alert"');
      expect(refused.body).toContain('aria-invalid="true"');
    }
    expect((await admin('GET', '/sandbox/accounts')).body.accounts.filter((a: any) => a.ref === 'ref-hosted-0001')).toEqual([]);
    expect(receiver.accepted().some((w) => (w.body.data as any).meta?.ref === 'ref-hosted-0001')).toBe(false);

    // Step 2: the bank step, carrying the choices; they are handed back before the login (JSON block + postMessage).
    const bank = await call('POST', path, { admin: true, form: `step=consent&${notice}&consent_underwriting=1&consent_monitoring=1` });
    expect(bank.status).toBe(200);
    expect(bank.body).toContain('salaried_monthly');
    expect(bank.body).toContain('Log in');
    expect(handedBack(bank.body)).toEqual({
      message: { source: 'mono-sandbox', type: 'consent_given', data: { ref: 'ref-hosted-0001', purposes: ['underwriting', 'monitoring'], noticeVersion: SANDBOX_NOTICE_VERSION, channel: 'web' } },
      targetOrigin: 'https://lender.example.com',
    });
    const nonce = /script-src 'nonce-([^']+)'/.exec(bank.headers.get('content-security-policy') ?? '')?.[1];
    expect(bank.body).toContain(`<script nonce="${nonce}">`);

    const done = await call('POST', path, { admin: true, form: `step=link&${notice}&consent_underwriting=1&consent_monitoring=1&persona=salaried_monthly` });
    expect(done.status).toBe(200);
    expect(done.body).toContain('Linked — you can close this window');
    const back = new URL(/<a id="continue" href="([^"]+)"/.exec(done.body)![1].replace(/&amp;/g, '&'));
    expect(`${back.origin}${back.pathname}`).toBe('https://lender.example.com/back');
    expect(Object.fromEntries(back.searchParams)).toEqual({ ref: 'ref-hosted-0001', consent: 'underwriting,monitoring', notice_version: SANDBOX_NOTICE_VERSION });
    expect(handedBack(done.body)).toMatchObject({ message: { type: 'linked', data: { purposes: ['underwriting', 'monitoring'] } } });

    const connected = await receiver.waitFor((got) => got.some((w) => w.body.event === 'mono.events.account_connected' && (w.body.data as any).meta?.ref === 'ref-hosted-0001'));
    const id = (connected.find((w) => (w.body.data as any).meta?.ref === 'ref-hosted-0001')!.body.data as any).id as string;
    expect(id).toMatch(/^[0-9a-f]{24}$/);
    await waitForEvents(id, 2);
    expect(eventsFor(id)[1].body.data.meta).toMatchObject({ data_status: 'AVAILABLE', ref: 'ref-hosted-0001' });
    expect((await call('GET', `/v2/accounts/${id}`)).body.data.customer.id).toBe(init.body.data.customer);
    expect((await call('POST', path, { admin: true, form: `persona=salaried_monthly&consent_underwriting=1&${notice}` })).status).toBe(409);

    const reauth = await call('POST', '/v2/accounts/initiate', { body: { scope: 'reauth', account: id, meta: { ref: 'ref-hosted-0002' } } });
    const reauthPath = new URL(reauth.body.data.mono_url as string).pathname;
    expect((await call('GET', reauthPath, { admin: true })).body).toContain('Re-authorise');
    expect((await call('POST', reauthPath, { admin: true, form: '' })).status).toBe(200);
    await waitForEvents(id, 4);
    expect(namesFor(id).slice(2)).toEqual(['mono.events.account_reauthorized', 'mono.events.account_updated']);
  });

  it('should link a partial-data bank from the hosted page when the person ticks it', async () => {
    const init = await call('POST', '/v2/accounts/initiate', { body: { customer: { name: 'Part Ial', email: 'partial@example.com' }, scope: 'auth', meta: { ref: 'ref-partial-0001' } } });
    const path = new URL(init.body.data.mono_url as string).pathname;
    expect((await call('POST', path, { admin: true, form: `persona=thin_file&partial=1&consent_underwriting=1&notice_version=${SANDBOX_NOTICE_VERSION}` })).status).toBe(200);
    const got = await receiver.waitFor((all) => all.some((w) => w.body.event === 'mono.events.account_updated' && (w.body.data as any).meta?.ref === 'ref-partial-0001'));
    const updated = got.find((w) => w.body.event === 'mono.events.account_updated' && (w.body.data as any).meta?.ref === 'ref-partial-0001')!;
    expect(updated.body.data.meta).toMatchObject({ data_status: 'PARTIAL', retrieved_data: ['identity', 'balance'] });
  });

  it('should deliver every webhook twice with the same event_id under the duplicate fault, and reverse batches under reorder', async () => {
    await admin('POST', '/sandbox/faults', { webhookDuplicateRate: 1, seed: 7 });
    const dup = await createAndLink({ account: { name: 'DUPLICATE HOOKS' } });
    await waitForEvents(dup, 4);
    const ids = eventsFor(dup).map((w) => w.body.event_id);
    expect(new Set(ids).size).toBe(2);
    expect(ids.filter((x) => x === ids[0])).toHaveLength(2);

    await admin('POST', '/sandbox/faults', { webhookReorder: true, seed: 7 });
    const id = await createAndLink({ account: { name: 'REORDER HOOKS' } });
    await waitForEvents(id, 2);
    await call('GET', `/v2/accounts/${id}/balance`, { headers: { 'x-realtime': 'true' } });
    await waitForEvents(id, 4);
    expect(namesFor(id).slice(2)).toEqual(['mono.events.account_updated', 'mono.accounts.jobs.update']);
  });
});
