/**
 * Issue 16: what Mono's Data Sync demo (github.com/withmono/mono-data-sync-demo, controllers/allControllers.js and
 * controllers/helper.js) reads, replayed against the sandbox over HTTP — the calls it makes with the paths and methods
 * it uses, and the webhooks the sandbox delivers, read field by field the way its handlers read them. The demo's code
 * is not copied; `demoReads` below lists the fields it touches, each with the line of the demo it comes from.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startSandbox, type SandboxServer } from '../../src/sandbox/sandbox-server.js';
import { startWebhookReceiver, type ReceivedWebhook, type WebhookReceiver } from '../../src/sandbox/testing/webhook-receiver.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- bodies are untyped JSON, read the way the demo reads them */

const KEY = 'test_sk_data_sync_demo_0001';
const SECRET = 'whsec_data_sync_demo_0001';
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

/**
 * The fields the demo's webhook handler reads, by event:
 * - `account_updated`: `data.meta.data_status` compared with "AVAILABLE" / "PROCESSING"; on AVAILABLE it saves
 *   `data.account._id`, `.institution.name`, `.name`, `.accountNumber`, `.type`, `.currency`, `.balance`, `.bvn`.
 * - `reauthorisation_required` and `account_reauthorized`: `data.account._id` (its comments).
 */
function demoReads(hook: ReceivedWebhook): Record<string, unknown> {
  const data = hook.body.data as any;
  switch (hook.body.event) {
    case 'mono.events.account_updated': {
      const status = data.meta.data_status;
      if (status !== 'AVAILABLE') return { event: 'account_updated', status };
      const a = data.account;
      return {
        event: 'account_updated',
        status,
        saved: { monoId: a._id, institution: a.institution.name, name: a.name, accountNumber: a.accountNumber, type: a.type, currency: a.currency, balance: a.balance, bvn: a.bvn },
      };
    }
    case 'mono.events.reauthorisation_required':
      return { event: 'reauthorisation_required', monoId: data.account._id };
    case 'mono.events.account_reauthorized':
      return { event: 'account_reauthorized', monoId: data.account._id };
    default:
      return { event: hook.body.event };
  }
}

describe("Mono's Data Sync demo against the sandbox", () => {
  let sandbox: SandboxServer;
  let receiver: WebhookReceiver;

  // The demo sends 'Content-Type: application/json' and mono-sec-key on every call, to Mono's legacy paths.
  const mono = async (method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; body: any }> => {
    const res = await fetch(`${sandbox.url}${path}`, {
      method,
      headers: { 'Content-Type': 'application/json', 'mono-sec-key': KEY },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: await res.json() };
  };
  const admin = async (method: 'GET' | 'POST', path: string, body?: unknown): Promise<any> => {
    const res = await fetch(`${sandbox.url}/sandbox${path}`, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    expect(res.status).toBeLessThan(300);
    return res.json();
  };
  const readsFor = (monoId: string): Array<Record<string, unknown>> =>
    receiver
      .accepted()
      .filter((h) => JSON.stringify(h.body.data).includes(monoId))
      .map(demoReads);

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    sandbox = await startSandbox({
      port: 0,
      secretKey: KEY,
      webhookSecret: SECRET,
      webhookUrl: receiver.url,
      webhookDelayMs: [0, 5],
      linkProcessingMs: [0, 5],
      jobDurationMs: 20,
      // The demo's manual sync twice in a row would otherwise meet Mono's 2-minute limit.
      syncMinIntervalMs: 0,
      logger: quiet,
    });
  });

  afterAll(async () => {
    await sandbox.close();
    await receiver.close();
  });

  it('should link by the legacy exchange, show PROCESSING then AVAILABLE, and save every field the demo reads from account_updated', async () => {
    // A bank that takes its time: the link stays PROCESSING until Mono's sync below pulls the data.
    await admin('POST', '/config', { linkProcessingMs: [600_000, 600_000] });
    const created = await admin('POST', '/accounts', {
      account: { name: 'DEMO SYNC USER', account_number: '0123456789', type: 'SAVINGS_ACCOUNT', currency: 'NGN', balance: 4_200_000 },
      identity: { full_name: 'DEMO SYNC USER', bvn: '22212345678' },
      transactions: Array.from({ length: 30 }, (_, i) => ({ amount: 10_000 + i, type: i % 3 ? 'debit' : 'credit', date: new Date(Date.UTC(2026, 9, 1 + i, 9)).toISOString(), narration: `POS PURCHASE ${i}` })),
    });
    // dashboardPost: POST /account/auth {code} → res_.id
    const exchanged = await mono('POST', '/account/auth', { code: created.code });
    expect(exchanged.status).toBe(200);
    const monoId = exchanged.body.id as string;
    expect(monoId).toBe(created.accountId);

    // helper.isDataAvailable: GET /accounts/{id} → data.meta.data_status == "AVAILABLE"; until then the demo shows PROCESSING.
    expect((await mono('GET', `/accounts/${monoId}`)).body.meta.data_status).toBe('PROCESSING');
    expect(readsFor(monoId).filter((r) => r.event === 'account_updated')).toEqual([]);
    await admin('POST', `/accounts/${monoId}/auto-sync`);
    await admin('POST', '/config', { linkProcessingMs: [0, 5] });
    await receiver.waitFor((hooks) => hooks.some((h) => h.body.event === 'mono.events.account_updated' && JSON.stringify(h.body.data).includes(monoId)));
    expect((await mono('GET', `/accounts/${monoId}`)).body.meta.data_status).toBe('AVAILABLE');

    const updated = readsFor(monoId).find((r) => r.event === 'account_updated');
    expect(updated).toEqual({
      event: 'account_updated',
      status: 'AVAILABLE',
      saved: {
        monoId,
        institution: expect.any(String),
        name: 'DEMO SYNC USER',
        accountNumber: '0123456789',
        type: 'SAVINGS_ACCOUNT',
        currency: 'NGN',
        balance: expect.any(Number),
        bvn: expect.stringMatching(/^\d{4}$/),
      },
    });
    // The webhook secret the demo could check is there, though its handler does not read it.
    expect(receiver.accepted().every((h) => h.headers['mono-webhook-secret'] === SECRET)).toBe(true);

    // dashboard: GET /accounts/{id}/identity; balances: GET /accounts/{id} (bare, legacy).
    const identity = await mono('GET', `/accounts/${monoId}/identity`);
    expect(identity.status).toBe(200);
    expect(identity.body).toHaveProperty('fullName');
    expect((await mono('GET', `/accounts/${monoId}`)).body.account).toMatchObject({ _id: monoId, accountNumber: '0123456789', balance: expect.any(Number) });

    // alltransactions: GET /accounts/{id}/transactions?page=N; transactions: the first page, then `paging.next` as the URL.
    const first = await mono('GET', `/accounts/${monoId}/transactions?page=1`);
    expect(first.status).toBe(200);
    expect(first.body.paging).toMatchObject({ total: 30, page: 1 });
    expect(first.body.data.length).toBeGreaterThan(0);
    expect(first.body.paging.next).toEqual(expect.stringContaining(`/accounts/${monoId}/transactions`));
    const followed = await fetch(String(first.body.paging.next), { headers: { 'mono-sec-key': KEY } }).then((r) => r.json());
    expect(followed.paging.page).toBe(2);

    // manualSync: the demo calls GET /accounts/{id}/sync (Mono documents POST; the sandbox answers both the same).
    const synced = await mono('GET', `/accounts/${monoId}/sync`);
    expect(synced.status).toBe(200);
    expect(synced.body).toMatchObject({ status: 'successful', code: 'SYNC_SUCCESSFUL', hasNewData: expect.any(Boolean) });
  });

  it('should give the demo an account id in reauthorisation_required, a token from reauthorise, then account_reauthorized', async () => {
    const created = await admin('POST', '/accounts', {
      account: { name: 'DEMO MFA USER' },
      transactions: [{ amount: 50_000, type: 'credit', date: '2026-10-01T09:00:00.000Z' }],
      options: { mfa: true },
    });
    const monoId = (await mono('POST', '/account/auth', { code: created.code })).body.id as string;
    await receiver.waitFor((hooks) => hooks.some((h) => h.body.event === 'mono.events.account_updated' && JSON.stringify(h.body.data).includes(monoId)));

    // Mono's automatic sync (every 24 h) on an MFA bank: the demo learns it from reauthorisation_required.
    await admin('POST', `/accounts/${monoId}/auto-sync`);
    await receiver.waitFor((hooks) => hooks.some((h) => h.body.event === 'mono.events.reauthorisation_required'));
    expect(readsFor(monoId)).toContainEqual({ event: 'reauthorisation_required', monoId });

    // reauthorise(id): POST /accounts/{id}/reauthorise → data.token.
    const reauth = await mono('POST', `/accounts/${monoId}/reauthorise`);
    expect(reauth.status).toBe(200);
    expect(reauth.body.token).toEqual(expect.any(String));

    // The user finishes the reauth widget: account_reauthorized with the id, then fresh data as account_updated.
    await admin('POST', `/accounts/${monoId}/complete-reauth`);
    await receiver.waitFor((hooks) => hooks.filter((h) => JSON.stringify(h.body.data).includes(monoId) && h.body.event === 'mono.events.account_updated').length >= 2);
    const reads = readsFor(monoId);
    const reauthorized = reads.findIndex((r) => r.event === 'account_reauthorized');
    expect(reads[reauthorized]).toEqual({ event: 'account_reauthorized', monoId });
    expect(reads.slice(reauthorized + 1)).toContainEqual(expect.objectContaining({ event: 'account_updated', status: 'AVAILABLE' }));
  });
});
