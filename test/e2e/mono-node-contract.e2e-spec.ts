/* eslint-disable @typescript-eslint/no-explicit-any -- Mono's SDK hands back untyped JSON */
/**
 * Contract tests with Mono's own Node SDK (`mono-node` 1.0.3, github.com/withmono/mono-node): the calls its README
 * makes, sent by the SDK itself over HTTP to the sandbox, asserted against what Mono documents. Section numbers refer
 * to the shared Mono API reference (docs/mono.md lists the sources). The SDK hard-codes https://api.withmono.com and
 * exposes no option to change it; the tests point its (shared, protected) axios instance at the sandbox.
 *
 * The SDK swallows errors in its promise (`.catch(() => {})`) and reports them only to the callback, as
 * `err.response.data`; `sdk()` below uses the callback form the README shows.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import monoNode from 'mono-node';
import { AppConfig } from '../../src/config/app-config.js';
import { startSandboxForEngine } from '../../src/sandbox/launch.js';
import { startSandbox, type SandboxServer } from '../../src/sandbox/sandbox-server.js';
import { pdfTextOf } from '../support/pdf-text.js';

const KEY = 'test_sk_mono_node_contract_01';
const clock = { offsetMs: 0 };
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

type Callback = (err: any, data: any) => void;
interface SdkReply {
  err: any;
  data: any;
}

/** Runs one SDK call in the README's callback style and returns what the callback received. */
async function sdk(run: (cb: Callback) => Promise<unknown>): Promise<SdkReply> {
  let reply: SdkReply | null = null;
  await run((err, data) => {
    reply = { err, data };
  });
  if (!reply) throw new Error('the SDK did not call back');
  return reply;
}

function monoClient(baseURL: string, secretKey = KEY): InstanceType<typeof monoNode.Mono> {
  const client = new monoNode.Mono({ secretKey });
  // One axios instance is shared by auth/account/misc/user; point it at the sandbox.
  const axios = (client.account as unknown as { axios: { defaults: { baseURL: string; proxy: unknown } } }).axios;
  axios.defaults.baseURL = baseURL;
  axios.defaults.proxy = false;
  return client;
}

let sandbox: SandboxServer;
let mono: InstanceType<typeof monoNode.Mono>;

async function admin(method: string, p: string, body?: unknown): Promise<any> {
  const res = await fetch(`${sandbox.url}/sandbox${p}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return res.json();
}

/** A sandbox account linked through the SDK's own code exchange (`POST /account/auth`). */
async function linkWithSdk(body: Record<string, unknown>): Promise<string> {
  const created = await admin('POST', '/accounts', body);
  const exchanged = await sdk((cb) => mono.auth.getAccountId({ code: created.code }, cb));
  expect(exchanged.err).toBeNull();
  // §2.1: the legacy exchange answers a bare `{ id }`.
  expect(exchanged.data).toEqual({ id: created.accountId });
  // The link settles at once (linkProcessingMs [0, 0]); the admin view confirms it before data is read.
  await admin('POST', `/accounts/${created.accountId}/auto-sync`);
  return created.accountId as string;
}

function history(): Array<Record<string, unknown>> {
  return Array.from({ length: 24 }, (_, i) => ({
    id: `sdk-${String(i).padStart(3, '0')}`,
    amount: 20_000 + i * 500,
    type: i % 3 === 0 ? 'credit' : 'debit',
    date: new Date(Date.UTC(2026, 9, 1 + i, 11)).toISOString(),
    narration: i % 3 === 0 ? 'NIP/EMEKA NWOSU/SALARY OCT' : `POS PURCHASE EKO MART ${i}`,
  })).reverse();
}

describe('mono-node (Mono SDK) against the sandbox', () => {
  beforeAll(async () => {
    clock.offsetMs = Date.parse('2026-11-20T12:00:00Z') - Date.now();
    sandbox = await startSandbox({
      port: 0,
      secretKey: KEY,
      webhookSecret: 'whsec_mono_node_contract',
      now: () => new Date(Date.now() + clock.offsetMs),
      webhookDelayMs: [0, 0],
      linkProcessingMs: [0, 0],
      jobDurationMs: 20,
      logger: quiet,
    });
    mono = monoClient(sandbox.url);
  });

  afterAll(async () => {
    await sandbox.close();
  });

  it('should refuse a wrong secret key with 401 and a {message} body (§1.3, §1.4)', async () => {
    const wrong = monoClient(sandbox.url, 'test_sk_wrong');
    const reply = await sdk((cb) => wrong.account.getAccountInformation({ accountId: '5f171a530295e231abca1153' }, cb));
    expect(reply.data).toBeNull();
    expect(reply.err).toEqual({ message: expect.any(String) });
  });

  it('should exchange a code once; a reused code is refused (§2.1: single use)', async () => {
    const created = await admin('POST', '/accounts', { account: { name: 'CODE USER' } });
    expect((await sdk((cb) => mono.auth.getAccountId({ code: created.code }, cb))).data).toEqual({ id: created.accountId });
    const again = await sdk((cb) => mono.auth.getAccountId({ code: created.code }, cb));
    expect(again.err).toEqual({ message: expect.stringMatching(/used/i) });
  });

  describe('data of a linked account', () => {
    let id: string;
    beforeAll(async () => {
      id = await linkWithSdk({
        account: {
          name: 'AMAKA OBI',
          account_number: '0234567891',
          balance: 750_000,
          bvn: '22298765432',
          institution: { name: 'Access Bank', bank_code: '044', type: 'PERSONAL_BANKING' },
        },
        transactions: history(),
        identity: { full_name: 'AMAKA OBI', bvn: '22298765432', email: 'amaka.obi@example.com', gender: 'Female', dob: '1991-04-12' },
      });
    });

    it('getAccountInformation: bare camelCase {meta, account} with _id, kobo balance and the last 4 BVN digits (§3.3, §3.1)', async () => {
      const { err, data } = await sdk((cb) => mono.account.getAccountInformation({ accountId: id }, cb));
      expect(err).toBeNull();
      expect(data.meta).toMatchObject({ data_status: 'AVAILABLE' });
      expect(data.account).toMatchObject({
        _id: id,
        name: 'AMAKA OBI',
        accountNumber: '0234567891',
        currency: 'NGN',
        balance: expect.any(Number),
        bvn: '5432',
        institution: { name: 'Access Bank', bankCode: '044', type: 'PERSONAL_BANKING' },
      });
      expect(Number.isInteger(data.account.balance)).toBe(true);
    });

    it('getAccountTransactions: {paging, data} pages of Mono default size, filters by type, narration and DD-MM-YYYY dates (§4.1, §4.3)', async () => {
      const first = await sdk((cb) => mono.account.getAccountTransactions({ accountId: id }, cb));
      expect(first.err).toBeNull();
      expect(first.data.paging).toMatchObject({ total: 24, page: 1, previous: null });
      expect(first.data.data).toHaveLength(20);
      expect(first.data.data[0]).toEqual({
        _id: 'sdk-023',
        type: 'debit',
        amount: 31_500,
        narration: 'POS PURCHASE EKO MART 23',
        date: '2026-10-24T11:00:00.000Z',
        balance: expect.any(Number),
        currency: 'NGN',
        category: expect.any(String),
      });
      // The legacy `next` is a working URL (§4.3); following it gives the rest.
      const rest = await fetch(first.data.paging.next, { headers: { 'mono-sec-key': KEY } }).then((r) => r.json());
      expect(rest.data.map((t: any) => t._id)).toEqual(['sdk-003', 'sdk-002', 'sdk-001', 'sdk-000']);

      const credits = await sdk((cb) => mono.account.getAccountTransactions({ accountId: id, type: 'credit', paginate: false }, cb));
      expect(credits.data.data.map((t: any) => t._id)).toEqual([
        'sdk-021',
        'sdk-018',
        'sdk-015',
        'sdk-012',
        'sdk-009',
        'sdk-006',
        'sdk-003',
        'sdk-000',
      ]);
      const salary = await sdk((cb) => mono.account.getAccountTransactions({ accountId: id, narration: 'salary', limit: 3 }, cb));
      expect(salary.data.paging).toMatchObject({ total: 8, page: 1 });
      expect(salary.data.data).toHaveLength(3);
      const window = await sdk((cb) =>
        mono.account.getAccountTransactions({ accountId: id, start: '05-10-2026', end: '07-10-2026', paginate: false }, cb),
      );
      expect(window.data.data.map((t: any) => t._id)).toEqual(['sdk-006', 'sdk-005', 'sdk-004']);
      // The README's example swaps start and end (§9.3); the sandbox refuses that rather than guessing.
      const swapped = await sdk((cb) => mono.account.getAccountTransactions({ accountId: id, start: '07-10-2026', end: '05-10-2026' }, cb));
      expect(swapped.err).toEqual({ message: expect.stringMatching(/start/) });
    });

    it('getAccountStatement without period, exactly as the README calls it, answers JSON with count and lengths (§5.1)', async () => {
      const { err, data } = await sdk((cb) => mono.account.getAccountStatement({ accountId: id, output: 'json' } as any, cb));
      expect(err).toBeNull();
      expect(data.meta).toEqual({ count: 24, requested_length: 365, available_length: 50 });
      expect(data.data[0]).toMatchObject({ _id: 'sdk-023' });
      // 20 Oct → 20 Nov: the five transactions of 20–24 Oct.
      const one = await sdk((cb) => mono.account.getAccountStatement({ accountId: id, period: 'last1months' }, cb));
      expect(one.data.meta).toEqual({ count: 5, requested_length: 31, available_length: 31 });
    });

    it('getAccountStatement output=pdf starts a job; pollPdfAccountStatementStatus answers it BUILT with a path to a real PDF of the same rows (§5.1)', async () => {
      const started = await sdk((cb) => mono.account.getAccountStatement({ accountId: id, output: 'pdf', period: 'last1months' }, cb));
      expect(started.err).toBeNull();
      expect(started.data).toEqual({ id: expect.stringMatching(/^[A-Za-z0-9]{20}$/), status: 'BUILDING', path: null });
      const jobId = started.data.id as string;
      await sandbox.state.bank.statementSettledFor(jobId);
      const built = await sdk((cb) => mono.account.pollPdfAccountStatementStatus({ accountId: id, jobId }, cb));
      expect(built.err).toBeNull();
      expect(built.data).toEqual({ id: jobId, status: 'BUILT', path: `${sandbox.publicUrl}/statements/${jobId}.pdf` });
      const res = await fetch(built.data.path as string);
      expect([res.status, res.headers.get('content-type')]).toEqual([200, 'application/pdf']);
      const pdf = Buffer.from(await res.arrayBuffer());
      expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
      // The same five rows as the JSON statement of last1months, with the holder and the period.
      const json = await sdk((cb) => mono.account.getAccountStatement({ accountId: id, period: 'last1months' }, cb));
      const text = pdfTextOf(pdf);
      expect(text).toContain('AMAKA OBI');
      expect(text).toContain('Transactions: 5');
      for (const t of json.data.data as Array<{ narration: string }>) expect(text).toContain(t.narration);
      // Another account's job id, or an unknown one, is Mono's legacy 404 {message}.
      const unknown = await sdk((cb) => mono.account.pollPdfAccountStatementStatus({ accountId: id, jobId: 'QEP34KCSynTZgYXQr4e1' }, cb));
      expect(unknown.err).toEqual({ message: expect.any(String) });
    });

    it('getIdentity: bare camelCase identity with the full BVN and dob as DD-MM-YYYY (§5.2)', async () => {
      const { err, data } = await sdk((cb) => mono.account.getIdentity({ accountId: id }, cb));
      expect(err).toBeNull();
      expect(data).toMatchObject({ fullName: 'AMAKA OBI', bvn: '22298765432', email: 'amaka.obi@example.com', dob: '12-04-1991' });
    });
  });

  describe('sync, reauthorise and unlink', () => {
    it("syncDataManually: {status, hasNewData, code, message}, then 429 inside Mono's 2 minutes, then allowed again (§6.2)", async () => {
      const id = await linkWithSdk({ account: { name: 'SYNC SDK USER' }, transactions: history() });
      await admin('POST', `/accounts/${id}/transactions`, {
        transactions: [{ amount: 45_000, type: 'credit', date: '2026-11-19T08:00:00Z', narration: 'NIP/REFUND' }],
      });
      const first = await sdk((cb) => mono.account.syncDataManually({ accountId: id }, cb));
      expect(first.err).toBeNull();
      expect(first.data).toEqual({ status: 'successful', hasNewData: true, code: 'SYNC_SUCCESSFUL', message: expect.any(String) });
      const limited = await sdk((cb) => mono.account.syncDataManually({ accountId: id }, cb));
      expect(limited.err).toEqual({ message: expect.stringMatching(/too many/i) });
      clock.offsetMs += 121_000;
      expect((await sdk((cb) => mono.account.syncDataManually({ accountId: id }, cb))).data).toMatchObject({
        code: 'SYNC_SUCCESSFUL',
        hasNewData: false,
      });
    });

    it('an MFA bank: sync fails with REAUTHORISATION_REQUIRED (HTTP 200), reauthCode gives a token whose page completes the reauth, then sync works (§2.3, §6.2)', async () => {
      const id = await linkWithSdk({ persona: 'mfa_bank', asOf: '2026-11-20' });
      const failed = await sdk((cb) => mono.account.syncDataManually({ accountId: id }, cb));
      expect(failed.err).toBeNull();
      expect(failed.data).toEqual({ status: 'failed', hasNewData: false, code: 'REAUTHORISATION_REQUIRED', message: expect.any(String) });
      const token = await sdk((cb) => mono.account.reauthCode({ accountId: id }, cb));
      expect(token.data).toEqual({ token: expect.any(String) });
      const page = await fetch(`${sandbox.url}/link/${token.data.token as string}`, { method: 'POST' });
      expect(page.status).toBe(200);
      // The finished reauth hands the widget a new code; Mono's SDK exchanges it to the same account id (Mono does
      // not document a code after reauth: the sandbox's reauthIssuesCode setting, docs/sandbox.md).
      const code = /"code":"(code_[^"]+)"/.exec(await page.text())?.[1];
      expect(code).toBeDefined();
      expect((await sdk((cb) => mono.auth.getAccountId({ code: code ?? '' }, cb))).data).toEqual({ id });
      // The failed sync did not use the window: the sync right after the reauth goes through.
      expect((await sdk((cb) => mono.account.syncDataManually({ accountId: id }, cb))).data).toMatchObject({
        status: 'successful',
        code: 'SYNC_SUCCESSFUL',
      });
    });

    it('unlinkAccount: {message}; afterwards the account is 404 for every call (§8)', async () => {
      const id = await linkWithSdk({ account: { name: 'UNLINK SDK USER' } });
      const unlinked = await sdk((cb) => mono.account.unlinkAccount({ accountId: id }, cb));
      expect(unlinked.err).toBeNull();
      expect(unlinked.data).toEqual({ message: expect.any(String) });
      const gone = await sdk((cb) => mono.account.getAccountInformation({ accountId: id }, cb));
      expect(gone.err).toEqual({ message: expect.any(String) });
      expect((await sdk((cb) => mono.account.getAccountTransactions({ accountId: id }, cb))).err).toEqual({ message: expect.any(String) });
    });
  });

  describe('legacy products mono-node still calls (legacy {message} envelope)', () => {
    let id: string;
    beforeAll(async () => {
      id = await linkWithSdk({
        account: { name: 'PRODUCTS SDK USER', institution: { name: 'GTBank', bank_code: '058', type: 'PERSONAL_BANKING' } },
        transactions: history(),
      });
    });

    it('getCustomerCredits / getCustomerDebits: monthly aggregates {total, transactions_count, history} (§4.4)', async () => {
      const credits = await sdk((cb) => mono.account.getCustomerCredits({ accountId: id }, cb));
      expect(credits.err).toBeNull();
      const all = history();
      const sum = (type: string): number => all.filter((t) => t.type === type).reduce((s, t) => s + (t.amount as number), 0);
      expect(credits.data).toEqual({
        total: sum('credit'),
        transactions_count: 8,
        history: [{ period: '10-2026', amount: sum('credit'), transactions_count: 8 }],
      });
      const debits = await sdk((cb) => mono.account.getCustomerDebits({ accountId: id }, cb));
      expect(debits.data).toMatchObject({ total: sum('debit'), transactions_count: 16 });
    });

    it('getIncome: legacy {type, amount, employer, confidence}; salary credits give INCOME (§5.3 shape a)', async () => {
      const { err, data } = await sdk((cb) => mono.account.getIncome({ accountId: id }, cb));
      expect(err).toBeNull();
      const salary = history()
        .filter((t) => t.type === 'credit')
        .reduce((s, t) => s + (t.amount as number), 0);
      expect(data).toEqual({ type: 'INCOME', amount: salary, employer: null, confidence: 1 });
    });

    it('misc.institutions (GET /coverage): institutions with auth_methods (§3.4)', async () => {
      const { err, data } = await sdk((cb) => mono.misc.institutions(cb));
      expect(err).toBeNull();
      expect(data).toEqual(
        expect.arrayContaining([expect.objectContaining({ name: 'GTBank', bank_code: '058', auth_methods: expect.any(Array) })]),
      );
    });

    it('user.walletBalance (GET /users/stats/wallet): sandbox calls are free (§0)', async () => {
      const { err, data } = await sdk((cb) => mono.user.walletBalance(cb));
      expect(err).toBeNull();
      expect(data).toEqual({ balance: 0, currency: 'NGN' });
    });

    it('misc.bvnLookup (POST /v1/lookup/bvn/identity): retired by Mono in Feb 2023, refused in the legacy envelope (§5.5)', async () => {
      const { err } = await sdk((cb) => mono.misc.bvnLookup({ bvn: '22298765432' }, cb));
      expect(err).toEqual({ message: expect.stringMatching(/deprecated/) });
    });

    it('refuses a wrong key on these paths with the legacy {message} (§1.3)', async () => {
      const wrong = monoClient(sandbox.url, 'test_sk_wrong');
      expect((await sdk((cb) => wrong.misc.institutions(cb))).err).toEqual({ message: expect.any(String) });
      expect((await sdk((cb) => wrong.account.getIncome({ accountId: id }, cb))).err).toEqual({ message: expect.any(String) });
    });
  });
});

describe('mono-node against the sandbox npm start launches (engine SYNC_MIN_INTERVAL_SECONDS=0)', () => {
  it("should still apply Mono's 2-minute manual-sync limit", async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mono-node-contract-'));
    const config = AppConfig.forTest({
      MONO_SECRET_KEY: KEY,
      SYNC_MIN_INTERVAL_SECONDS: '0',
      MONO_SANDBOX_PORT: '0',
      DATA_DIR: dataDir,
      LOG_LEVEL: 'error',
    });
    expect(config.mono.syncMinIntervalSeconds).toBe(0);
    const launched = await startSandboxForEngine(config);
    if (!launched) throw new Error('sandbox did not start');
    try {
      const client = monoClient(launched.url);
      const adminHeaders: Record<string, string> = launched.adminKey ? { 'x-sandbox-admin-key': launched.adminKey } : {};
      const created = (await fetch(`${launched.url}/sandbox/accounts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...adminHeaders },
        body: JSON.stringify({ account: { name: 'ENGINE ZERO USER' } }),
      }).then((r) => r.json())) as { code: string; accountId: string };
      await sdk((cb) => client.auth.getAccountId({ code: created.code }, cb));
      await fetch(`${launched.url}/sandbox/accounts/${created.accountId}/auto-sync`, { method: 'POST', headers: adminHeaders }); // settle the link now
      expect((await sdk((cb) => client.account.syncDataManually({ accountId: created.accountId }, cb))).data).toMatchObject({
        code: 'SYNC_SUCCESSFUL',
      });
      const limited = await sdk((cb) => client.account.syncDataManually({ accountId: created.accountId }, cb));
      expect(limited.err).toEqual({ message: 'Too many sync requests for this account; try again in 120 seconds' });
    } finally {
      await launched.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
