/* eslint-disable @typescript-eslint/no-explicit-any -- response bodies are untyped JSON read from the wire */
/**
 * Mono fidelity, round two (issue 16), over real HTTP against the sandbox: Mono's own sync limits independent of the
 * engine, "not ready" bodies, statements without `period`, a working v2 `meta.next`, and the real-time headers.
 * Time moves through the injected clock, never by waiting; job completion is awaited through delivered webhooks.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { startSandbox, type SandboxServer } from '../../src/sandbox/sandbox-server.js';
import { startWebhookReceiver, type WebhookReceiver } from '../../src/sandbox/testing/webhook-receiver.js';

const KEY = 'test_sk_sandbox_fidelity_0016';
const clock = { offsetMs: 0 };
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

let sandbox: SandboxServer;
let receiver: WebhookReceiver;

async function call(method: string, url: string, opts: { body?: unknown; headers?: Record<string, string>; admin?: boolean } = {}) {
  const headers: Record<string, string> = { 'content-type': 'application/json', ...opts.headers };
  if (!opts.admin) headers['mono-sec-key'] = KEY;
  const res = await fetch(url.startsWith('http') ? url : sandbox.url + url, { method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body) });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? (JSON.parse(text)) : null };
}
const admin = (method: string, path: string, body?: unknown) => call(method, path, { body, admin: true });

function credit(day: string, amount: number, narration = 'NIP/INWARD TRANSFER FROM TOLU ADEYEMI') {
  return { amount, type: 'credit', date: `${day}T10:00:00.000Z`, narration };
}

/** 30 daily transactions ending 2026-11-19, newest first. */
function history(): Array<Record<string, unknown>> {
  return Array.from({ length: 30 }, (_, i) => ({
    id: `fid-${String(i).padStart(3, '0')}`,
    amount: 5_000 + i * 10,
    type: i % 4 === 0 ? 'credit' : 'debit',
    date: new Date(Date.UTC(2026, 9, 21 + i, 9)).toISOString(),
    narration: i % 4 === 0 ? 'NIP/CHIOMA EZE/SALARY' : `POS PURCHASE SPAR ${i}`,
  })).reverse();
}

const eventsFor = (id: string, event: string) =>
  receiver.accepted().filter((w) => {
    const d = w.body.data as any;
    return w.body.event === event && (d.id === id || d.account === id || d.account?._id === id);
  });

/** Creates and links an account, then awaits the `account_updated` that ends PROCESSING. */
async function linked(body: Record<string, unknown>): Promise<string> {
  const created = await admin('POST', '/sandbox/accounts', body);
  expect(created.status).toBe(201);
  const auth = await call('POST', '/v2/accounts/auth', { body: { code: created.body.code } });
  const id = auth.body.data.id as string;
  await receiver.waitFor(() => eventsFor(id, 'mono.events.account_updated').length >= 1);
  return id;
}

describe('Mono sandbox fidelity (issue 16)', () => {
  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    clock.offsetMs = Date.parse('2026-11-20T12:00:00Z') - Date.now();
    // Mono's own limits are left at their defaults here: no syncMinIntervalMs / realtimeWindowMs given.
    sandbox = await startSandbox({
      port: 0,
      secretKey: KEY,
      webhookSecret: 'whsec_fidelity_0016',
      webhookUrl: receiver.url,
      now: () => new Date(Date.now() + clock.offsetMs),
      webhookDelayMs: [0, 0],
      linkProcessingMs: [0, 0],
      jobDurationMs: 20,
      logger: quiet,
    });
  });

  afterAll(async () => {
    await sandbox.close();
    await receiver.close();
  });

  beforeEach(async () => {
    await admin('DELETE', '/sandbox/faults');
    await admin('POST', '/sandbox/config', { syncMinIntervalMs: 120_000, realtimeWindowMs: 300_000, jobDurationMs: 20, paginationNextQuirk: false, autoSyncIntervalMs: 0 });
  });

  describe('sync limits', () => {
    it("should default to Mono's limits, not the engine's SYNC_MIN_INTERVAL_SECONDS: 2 min manual sync, 5 min real-time window", async () => {
      const fresh = await startSandbox({ port: 0, secretKey: KEY, webhookSecret: 'x', logger: quiet });
      try {
        const config = await fetch(`${fresh.url}/sandbox/config`).then((r) => r.json());
        expect(config).toMatchObject({ syncMinIntervalMs: 120_000, realtimeWindowMs: 300_000, realtimeEnqueueAfterMs: 30_000, paginationNextQuirk: false });
      } finally {
        await fresh.close();
      }
    });

    it('should not let a failed sync use the 2-minute window; a successful one does', async () => {
      const id = await linked({ account: { name: 'WINDOW USER' }, transactions: [credit('2026-11-01', 100_000)] });
      await admin('POST', `/sandbox/accounts/${id}/require-reauth`);
      const failed = await call('POST', `/accounts/${id}/sync`);
      expect(failed.body).toMatchObject({ status: 'failed', code: 'REAUTHORISATION_REQUIRED' });
      // Still reauth-bound: another failed attempt, not a 429.
      expect((await call('POST', `/accounts/${id}/sync`)).body.code).toBe('REAUTHORISATION_REQUIRED');
      await admin('POST', `/sandbox/accounts/${id}/complete-reauth`);
      const ok = await call('POST', `/accounts/${id}/sync`);
      expect(ok.status).toBe(200);
      expect(ok.body.code).toBe('SYNC_SUCCESSFUL');
      expect((await call('POST', `/accounts/${id}/sync`)).status).toBe(429);
      clock.offsetMs += 119_000;
      expect((await call('POST', `/accounts/${id}/sync`)).status).toBe(429);
      clock.offsetMs += 2_000;
      expect((await call('POST', `/accounts/${id}/sync`)).body.code).toBe('SYNC_SUCCESSFUL');
    });

    it('should take a shorter window only when a test sets it explicitly', async () => {
      const id = await linked({ account: { name: 'SHORT WINDOW' } });
      await admin('POST', '/sandbox/config', { syncMinIntervalMs: 1_000 });
      expect((await call('POST', `/accounts/${id}/sync`)).body.code).toBe('SYNC_SUCCESSFUL');
      expect((await call('POST', `/accounts/${id}/sync`)).status).toBe(429);
      clock.offsetMs += 1_001;
      expect((await call('POST', `/accounts/${id}/sync`)).body.code).toBe('SYNC_SUCCESSFUL');
    });
  });

  describe('real-time headers and window', () => {
    it('should send x-reauth-required: true on a bank that needs reauth, and free the window when that job fails', async () => {
      const id = await linked({ account: { name: 'MFA REALTIME' }, options: { mfa: true } });
      const first = await call('GET', `/v2/accounts/${id}/balance`, { headers: { 'x-realtime': 'true' } });
      expect(first.headers.get('x-reauth-required')).toBe('true');
      const failedJob = first.headers.get('x-job-id');
      await receiver.waitFor(() => eventsFor(id, 'mono.accounts.jobs.update').some((w) => (w.body.data as any).status === 'failed'));

      await admin('POST', `/sandbox/accounts/${id}/complete-reauth`);
      const second = await call('GET', `/v2/accounts/${id}/balance`, { headers: { 'x-realtime': 'true' } });
      expect(second.headers.get('x-job-id')).not.toBe(failedJob);
      expect(second.headers.get('x-reauth-required')).toBe('false');
      expect(second.headers.get('x-job-status')).toBe('processing');
    });

    it('should answer x-has-new-data: false inside the window when the finished job found nothing new, true when it did', async () => {
      const quietId = await linked({ account: { name: 'NOTHING NEW' }, transactions: [credit('2026-11-01', 10_000)] });
      const job = (await call('GET', `/v2/accounts/${quietId}/transactions`, { headers: { 'x-realtime': 'true' } })).headers.get('x-job-id');
      await receiver.waitFor(() => eventsFor(quietId, 'mono.accounts.jobs.update').some((w) => (w.body.data as any).status === 'finished'));
      const again = await call('GET', `/v2/accounts/${quietId}/transactions`, { headers: { 'x-realtime': 'true' } });
      expect(again.headers.get('x-job-id')).toBe(job);
      expect(again.headers.get('x-job-status')).toBe('finished');
      expect(again.headers.get('x-has-new-data')).toBe('false');

      const busyId = await linked({ account: { name: 'SOMETHING NEW' }, transactions: [credit('2026-11-01', 10_000)] });
      await admin('POST', `/sandbox/accounts/${busyId}/transactions`, { transactions: [credit('2026-11-19', 20_000)] });
      await call('GET', `/v2/accounts/${busyId}/transactions`, { headers: { 'x-realtime': 'true' } });
      await receiver.waitFor(() => eventsFor(busyId, 'mono.accounts.jobs.update').some((w) => (w.body.data as any).status === 'finished'));
      expect((await call('GET', `/v2/accounts/${busyId}/balance`, { headers: { 'x-realtime': 'true' } })).headers.get('x-has-new-data')).toBe('true');
    });
  });

  describe("Mono's automatic (scheduled) sync", () => {
    it('should send reauthorisation_required from a real failed run on an MFA bank, sync_failed while the bank is down, account_updated otherwise', async () => {
      const mfa = await linked({ account: { name: 'AUTO MFA' }, options: { mfa: true } });
      const down = await linked({ account: { name: 'AUTO DOWN' } });
      const fine = await linked({ account: { name: 'AUTO FINE' }, transactions: [credit('2026-11-01', 10_000)] });
      await admin('POST', `/sandbox/accounts/${fine}/transactions`, { transactions: [credit('2026-11-19', 33_300)] });
      expect((await admin('POST', `/sandbox/accounts/${down}/bank-outage`, { down: true })).body).toEqual({ accountId: down, bankDown: true });
      // A manual sync of the downed bank answers SYNC_ERROR in its body (§6.2) and sends no webhook.
      expect((await call('POST', `/accounts/${down}/sync`)).body).toMatchObject({ status: 'failed', code: 'SYNC_ERROR' });

      await admin('POST', '/sandbox/config', { autoSyncIntervalMs: 25 });
      try {
        await receiver.waitFor(
          () =>
            eventsFor(mfa, 'mono.events.reauthorisation_required').length > 0 &&
            eventsFor(down, 'mono.events.sync_failed').length > 0 &&
            eventsFor(fine, 'mono.events.account_updated').some((w) => (w.body.data as any).meta.has_new_data === true && (w.body.data as any).account.balance === 43_300),
        );
      } finally {
        await admin('POST', '/sandbox/config', { autoSyncIntervalMs: 0 });
      }
      expect(eventsFor(mfa, 'mono.events.reauthorisation_required')[0].body.data).toEqual({ account: { _id: mfa } });
      expect(eventsFor(down, 'mono.events.sync_failed')[0].body.data).toEqual({ account: { _id: down } });
      expect(eventsFor(down, 'mono.events.reauthorisation_required')).toEqual([]);
      expect((await admin('GET', `/sandbox/accounts/${mfa}`)).body.reauthRequired).toBe(true);
      expect((await call('GET', `/v2/accounts/${fine}/transactions?limit=1`)).body.data[0].amount).toBe(33_300);

      await admin('POST', `/sandbox/accounts/${down}/bank-outage`, { down: false });
      expect((await call('POST', `/accounts/${down}/sync`)).body.code).toBe('SYNC_SUCCESSFUL');
    });
  });

  describe('"not ready" bodies', () => {
    it('should answer data: null (enqueued) to a real-time call whose job takes over 30 s, and the data to a plain read', async () => {
      const id = await linked({ account: { name: 'SLOW BANK' }, transactions: history() });
      await admin('POST', '/sandbox/config', { jobDurationMs: 45_000 });
      const txns = await call('GET', `/v2/accounts/${id}/transactions`, { headers: { 'x-realtime': 'true' } });
      expect(txns.status).toBe(200);
      expect(txns.body).toMatchObject({ status: 'successful', data: null, meta: null, message: expect.stringMatching(/enqueued/i) });
      expect(txns.headers.get('x-job-status')).toBe('processing');
      const balance = await call('GET', `/v2/accounts/${id}/balance`, { headers: { 'x-realtime': 'true' } });
      expect(balance.body.data).toBeNull();
      const plain = await call('GET', `/v2/accounts/${id}/transactions?paginate=false`);
      expect(plain.body.data).toHaveLength(30);
    });

    it('should answer data: null, meta: null to a filter with no match under the emptyFilterNull fault, else data: []', async () => {
      const id = await linked({ account: { name: 'EMPTY FILTER' }, transactions: history() });
      const path = `/v2/accounts/${id}/transactions?start=01-01-2025&end=31-01-2025`;
      const normal = await call('GET', path);
      expect(normal.body).toMatchObject({ data: [], meta: { total: 0 } });
      await admin('POST', '/sandbox/faults', { emptyFilterNull: true });
      const faulted = await call('GET', path);
      expect(faulted.status).toBe(200);
      expect(faulted.body).toMatchObject({ status: 'successful', data: null, meta: null });
      // A filter that matches still answers normally under the fault.
      expect((await call('GET', `/v2/accounts/${id}/transactions?type=credit&paginate=false`)).body.data).toHaveLength(8);
    });
  });

  describe('statements and paging', () => {
    it('should answer a statement without period (what mono-node and the quickstart send) with 12 months and the legacy lengths', async () => {
      const id = await linked({ account: { name: 'STATEMENT USER' }, transactions: history() });
      const legacy = await call('GET', `/accounts/${id}/statement`);
      expect(legacy.status).toBe(200);
      // 20 Nov 2025 → 20 Nov 2026 asked for; history from 21 Oct 2026 (30 days).
      expect(legacy.body.meta).toEqual({ count: 30, requested_length: 365, available_length: 30 });
      expect(legacy.body.data[0]).toMatchObject({ _id: 'fid-029' });
      const v2 = await call('GET', `/v2/accounts/${id}/statement?output=json`);
      expect(v2.body.meta).toEqual({ count: 30, requested_length: 365, available_length: 30 });
      const one = await call('GET', `/v2/accounts/${id}/statement?period=last1months`);
      expect(one.body.meta).toEqual({ count: 30, requested_length: 31, available_length: 30 });
      expect((await call('GET', `/accounts/${id}/statement?period=last0months`)).status).toBe(400);
    });

    it('should send a v2 meta.next that works when followed, and the docs-sample quirk (404 when followed) only as an opt-in', async () => {
      const id = await linked({ account: { name: 'PAGING USER' }, transactions: history() });
      const all = (await call('GET', `/v2/accounts/${id}/transactions?paginate=false`)).body.data;
      const followed: any[] = [];
      let next: string | null = `/v2/accounts/${id}/transactions?limit=7&type=debit`;
      let pages = 0;
      while (next) {
        const page = await call('GET', next);
        expect(page.status).toBe(200);
        followed.push(...page.body.data);
        next = page.body.meta.next;
        pages++;
      }
      expect(pages).toBe(4);
      expect(followed).toEqual(all.filter((t: any) => t.type === 'debit'));

      await admin('POST', '/sandbox/config', { paginationNextQuirk: true });
      const quirky = await call('GET', `/v2/accounts/${id}/transactions?limit=7`);
      expect(quirky.body.meta.next).toBe(`${sandbox.url}/v2/${id}/transactions?limit=7&page=2`);
      expect((await call('GET', quirky.body.meta.next)).status).toBe(404);
    });
  });
});
