/* eslint-disable @typescript-eslint/no-explicit-any -- response bodies are untyped JSON read from the wire */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startSandbox, type SandboxServer } from '../../src/sandbox/sandbox-server.js';

const KEY = 'test_sk_sandbox_e2e_0001';
const clock = { offsetMs: 0 };

interface Reply {
  status: number;
  headers: Headers;
  body: any;
}

let sandbox: SandboxServer;

async function call(
  method: string,
  path: string,
  opts: { body?: unknown; headers?: Record<string, string>; key?: string | null } = {},
): Promise<Reply> {
  const headers: Record<string, string> = { 'content-type': 'application/json', ...opts.headers };
  if (opts.key !== null) headers['mono-sec-key'] = opts.key ?? KEY;
  const res = await fetch(sandbox.url + path, { method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body) });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : null };
}

/** 45 transactions, one a day from 2026-08-01, alternating credit/debit, balances left for the sandbox to compute. */
function scenarioTransactions(): Array<Record<string, unknown>> {
  return Array.from({ length: 45 }, (_, i) => {
    const day = new Date(Date.UTC(2026, 7, 1 + i, 9, 30)).toISOString();
    return {
      id: `txn-${String(i).padStart(3, '0')}`,
      narration: i % 5 === 0 ? `SALARY AUG BATCH ${i}` : `POS PURCHASE SHOP ${i}`,
      amount: 10_000 + i * 100,
      type: i % 5 === 0 ? 'credit' : 'debit',
      date: day,
      category: 'unknown',
    };
  }).reverse();
}

async function createAndLink(body: Record<string, unknown>): Promise<string> {
  const created = await call('POST', '/sandbox/accounts', { body, key: null });
  expect(created.status).toBe(201);
  const linked = await call('POST', '/v2/accounts/auth', { body: { code: created.body.code } });
  expect(linked.status).toBe(200);
  return linked.body.data.id as string;
}

/** The account once the sandbox has moved it to `status`: every data_status change queues an account_updated webhook. */
async function waitForStatus(id: string, status: string): Promise<Reply> {
  await sandbox.state.webhooks.until((d) =>
    d
      .deliveries({ accountId: id, event: 'mono.events.account_updated' })
      .some((r) => JSON.stringify(r.body).includes(`"data_status":"${status}"`)),
  );
  return call('GET', `/v2/accounts/${id}`);
}

describe('Mono sandbox: Mono-compatible API', () => {
  beforeAll(async () => {
    sandbox = await startSandbox({
      port: 0,
      secretKey: KEY,
      webhookSecret: 'whsec_sandbox_e2e',
      now: () => new Date(Date.now() + clock.offsetMs),
      webhookDelayMs: [0, 0],
      linkProcessingMs: [0, 0],
      jobDurationMs: 20,
      logger: { info: () => undefined, warn: () => undefined, error: () => undefined },
    });
  });

  afterAll(async () => {
    await sandbox.close();
  });

  describe('authentication', () => {
    it('should answer 401 in the v2 envelope without or with a wrong mono-sec-key', async () => {
      for (const key of [null, 'test_sk_wrong_key_1']) {
        const r = await call('GET', '/v2/accounts', { key });
        expect(r.status).toBe(401);
        expect(r.body).toEqual({ status: 'failed', message: expect.any(String), timestamp: expect.any(String), data: null });
      }
    });

    it('should answer 401 as a bare {message} on legacy paths', async () => {
      const r = await call('GET', '/accounts/abc', { key: 'nope-nope-nope' });
      expect(r.status).toBe(401);
      expect(r.body).toEqual({ message: expect.any(String) });
    });
  });

  describe('code exchange', () => {
    it('should link with a code once, then refuse it with 400', async () => {
      const created = await call('POST', '/sandbox/accounts', {
        body: { account: { id: 'acct-code-once', name: 'ADA OBI' }, transactions: [] },
        key: null,
      });
      expect(created.body).toEqual({ code: expect.any(String), accountId: 'acct-code-once' });
      const first = await call('POST', '/v2/accounts/auth', { body: { code: created.body.code } });
      expect(first.status).toBe(200);
      expect(first.body).toMatchObject({ status: 'successful', data: { id: 'acct-code-once' } });
      const again = await call('POST', '/v2/accounts/auth', { body: { code: created.body.code } });
      expect(again.status).toBe(400);
      expect(again.body).toMatchObject({ status: 'failed', data: null });
    });

    it('should answer 400 for a missing, unknown or expired code', async () => {
      expect((await call('POST', '/v2/accounts/auth', { body: {} })).status).toBe(400);
      expect((await call('POST', '/v2/accounts/auth', { body: { code: 'code_unknown' } })).status).toBe(400);
      const created = await call('POST', '/sandbox/accounts', { body: { account: { name: 'LATE USER' } }, key: null });
      clock.offsetMs += 11 * 60 * 1000;
      try {
        const r = await call('POST', '/v2/accounts/auth', { body: { code: created.body.code } });
        expect(r.status).toBe(400);
        expect(r.body.message).toMatch(/expired/i);
      } finally {
        clock.offsetMs -= 11 * 60 * 1000;
      }
    });

    it('should exchange a code on the legacy path with a bare {id}', async () => {
      const created = await call('POST', '/sandbox/accounts', { body: { account: { name: 'LEGACY USER' } }, key: null });
      const r = await call('POST', '/account/auth', { body: { code: created.body.code } });
      expect(r.status).toBe(200);
      expect(r.body).toEqual({ id: created.body.accountId });
    });

    it('should not know an account whose code was never exchanged', async () => {
      const created = await call('POST', '/sandbox/accounts', { body: { account: { name: 'NOT LINKED' } }, key: null });
      expect((await call('GET', `/v2/accounts/${created.body.accountId}`)).status).toBe(404);
    });
  });

  describe('account data', () => {
    let id: string;
    beforeAll(async () => {
      id = await createAndLink({
        account: {
          account: {
            id: 'acct-data-1',
            name: 'ADA OBI',
            account_number: '0123456789',
            balance: 1_000_000,
            bvn: '22212345678',
            institution: { name: 'GTBank', bank_code: '058', type: 'PERSONAL_BANKING' },
          },
          meta: { auth_method: 'internet_banking' },
        },
        transactions: scenarioTransactions(),
        options: { customerRef: 'borrower-ref-0001' },
      });
      await waitForStatus(id, 'AVAILABLE');
    });

    it('should return account details per §3.1 with the latest running balance and meta.ref', async () => {
      const r = await call('GET', `/v2/accounts/${id}`);
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ status: 'successful', message: expect.any(String), timestamp: expect.any(String) });
      expect(r.body.data.account).toEqual({
        id,
        name: 'ADA OBI',
        account_number: '0123456789',
        currency: 'NGN',
        balance: 1_000_000,
        type: 'SAVINGS_ACCOUNT',
        bvn: '5678',
        institution: { name: 'GTBank', bank_code: '058', type: 'PERSONAL_BANKING' },
      });
      expect(r.body.data.meta).toEqual({
        data_status: 'AVAILABLE',
        auth_method: 'internet_banking',
        retrieved_data: ['identity', 'balance', 'transactions'],
        ref: 'borrower-ref-0001',
      });
      const txns = await call('GET', `/v2/accounts/${id}/transactions?paginate=false`);
      expect(txns.body.data[0].balance).toBe(1_000_000);
      const balance = await call('GET', `/v2/accounts/${id}/balance`);
      expect(balance.body.data).toEqual({ id, name: 'ADA OBI', account_number: '0123456789', balance: 1_000_000, currency: 'NGN' });
    });

    it('should list linked accounts with meta', async () => {
      const r = await call('GET', '/v2/accounts');
      expect(r.status).toBe(200);
      expect(r.body.data).toEqual(
        expect.arrayContaining([expect.objectContaining({ id, status: 'AVAILABLE', account_number: '0123456789' })]),
      );
      expect(r.body.meta).toMatchObject({ total: expect.any(Number), pages: expect.any(Number) });
    });

    it('should drain pages to exactly the paginate=false result, newest first, with running balances consistent', async () => {
      const all = (await call('GET', `/v2/accounts/${id}/transactions?paginate=false`)).body;
      expect(all.data).toHaveLength(45);
      expect(all.meta).toEqual({ total: 45, page: 1, previous: null, next: null });
      const drained: any[] = [];
      for (let page = 1; ; page++) {
        const r = await call('GET', `/v2/accounts/${id}/transactions?limit=7&page=${page}`);
        expect(r.status).toBe(200);
        expect(r.body.meta.total).toBe(45);
        drained.push(...r.body.data);
        if (!r.body.meta.next) break;
        expect(r.body.meta.next).toContain(`/v2/accounts/${id}/transactions?`);
        expect(r.body.meta.next).toContain(`page=${page + 1}`);
      }
      expect(drained).toEqual(all.data);
      const dates = drained.map((t) => Date.parse(t.date));
      expect([...dates].sort((a, b) => b - a)).toEqual(dates);
      for (let i = 0; i + 1 < drained.length; i++) {
        const t = drained[i];
        expect(drained[i + 1].balance + (t.type === 'credit' ? t.amount : -t.amount)).toBe(t.balance);
      }
      const first = (await call('GET', `/v2/accounts/${id}/transactions`)).body;
      expect(first.data).toHaveLength(20);
      expect(Object.keys(first.data[0]).sort()).toEqual(['amount', 'balance', 'category', 'date', 'id', 'narration', 'type']);
    });

    it('should filter by inclusive DD-MM-YYYY dates, type and narration', async () => {
      const r = await call('GET', `/v2/accounts/${id}/transactions?start=05-08-2026&end=09-08-2026&paginate=false`);
      expect(r.body.data.map((t: any) => t.id)).toEqual(['txn-008', 'txn-007', 'txn-006', 'txn-005', 'txn-004']);
      const credits = await call('GET', `/v2/accounts/${id}/transactions?type=credit&paginate=false`);
      expect(credits.body.data).toHaveLength(9);
      expect(credits.body.data.every((t: any) => t.type === 'credit')).toBe(true);
      const salary = await call('GET', `/v2/accounts/${id}/transactions?narration=salary&paginate=false`);
      expect(salary.body.data.map((t: any) => t.id)).toEqual(credits.body.data.map((t: any) => t.id));
      const none = await call('GET', `/v2/accounts/${id}/transactions?start=01-01-2020&end=02-01-2020`);
      expect(none.status).toBe(200);
      expect(none.body.data).toEqual([]);
      expect(none.body.meta.total).toBe(0);
    });

    it('should answer 400 for a malformed date or filter', async () => {
      for (const q of ['start=2026-08-01', 'end=31-02-2026', 'start=10-08-2026&end=01-08-2026', 'type=both', 'limit=0', 'paginate=maybe']) {
        const r = await call('GET', `/v2/accounts/${id}/transactions?${q}`);
        expect(r.status).toBe(400);
        expect(r.body).toMatchObject({ status: 'failed', data: null });
      }
    });

    it('should return a JSON statement for the last N months (v2 and legacy) and 400 for a bad period', async () => {
      const saved = clock.offsetMs;
      clock.offsetMs = Date.parse('2026-11-21T12:00:00Z') - Date.now();
      try {
        const r = await call('GET', `/v2/accounts/${id}/statement?period=last3months&output=json`);
        expect(r.status).toBe(200);
        // Lengths in days (Mono's statement meta): 21 Aug → 21 Nov asked for, and the bank has history for all of it.
        expect(r.body.meta).toEqual({ count: 25, requested_length: 92, available_length: 92 });
        expect(r.body.data.at(-1).id).toBe('txn-020');
        const legacy = await call('GET', `/accounts/${id}/statement?period=last12months`);
        // 12 months asked for; history only from 1 Aug 2026 (112 days before 21 Nov).
        expect(legacy.body.meta).toEqual({ count: 45, requested_length: 365, available_length: 112 });
        expect(legacy.body.data[0]).toMatchObject({ _id: 'txn-044' });
        expect((await call('GET', `/v2/accounts/${id}/statement?period=last13months`)).status).toBe(400);
      } finally {
        clock.offsetMs = saved;
      }
    });

    it('should return identity in snake_case with the full BVN given at creation', async () => {
      const r = await call('GET', `/v2/accounts/${id}/identity`);
      expect(r.status).toBe(200);
      expect(r.body.data).toMatchObject({ full_name: 'ADA OBI', bvn: '22212345678' });
    });

    it('should serve the legacy shapes: bare camelCase account and {paging, data}', async () => {
      const acc = await call('GET', `/accounts/${id}`);
      expect(acc.body).toEqual({
        meta: { data_status: 'AVAILABLE', auth_method: 'internet_banking' },
        account: {
          _id: id,
          institution: { name: 'GTBank', bankCode: '058', type: 'PERSONAL_BANKING' },
          name: 'ADA OBI',
          accountNumber: '0123456789',
          type: 'SAVINGS_ACCOUNT',
          balance: 1_000_000,
          currency: 'NGN',
          bvn: '5678',
        },
      });
      const txns = await call('GET', `/accounts/${id}/transactions?limit=10&page=2`);
      expect(txns.body.paging).toEqual({
        total: 45,
        page: 2,
        previous: `${sandbox.url}/accounts/${id}/transactions?limit=10&page=1`,
        next: `${sandbox.url}/accounts/${id}/transactions?limit=10&page=3`,
      });
      expect(txns.body.data[0]).toEqual(expect.objectContaining({ _id: 'txn-034', currency: 'NGN' }));
    });

    it('should answer 404 for unknown accounts and jobs, in each family shape', async () => {
      const v2 = await call('GET', '/v2/accounts/000000000000000000000000/transactions');
      expect(v2.status).toBe(404);
      expect(v2.body).toMatchObject({ status: 'failed', data: null });
      const legacy = await call('GET', '/accounts/000000000000000000000000');
      expect(legacy.status).toBe(404);
      expect(legacy.body).toEqual({ message: expect.any(String) });
      expect((await call('GET', `/v2/accounts/${id}/jobs/000000000000000000000000`)).status).toBe(404);
    });
  });

  describe('income (v2, §5.3)', () => {
    it('should answer at once with data null, then send mono.events.account_income computed from the ledger, kept in income-records', async () => {
      const id = await createAndLink({ persona: 'salaried_monthly' });
      await waitForStatus(id, 'AVAILABLE');
      const incomeEvents = () => sandbox.state.webhooks.deliveries({ accountId: id, event: 'mono.events.account_income' });
      const asked = await call('GET', `/v2/accounts/${id}/income`);
      expect(asked.status).toBe(200);
      expect(asked.body).toMatchObject({ status: 'successful', data: null, message: expect.stringMatching(/webhook/) });
      await sandbox.state.webhooks.until(() => incomeEvents().length >= 1);
      const data = incomeEvents()[0].body.data as {
        account: string;
        income_summary: { total_income: number; employer: string };
        income_streams: Array<{
          income_type: string;
          frequency: string;
          monthly_average: number;
          number_of_incomes: number;
          stability: number;
          last_income_date: string;
        }>;
        monthly_income: number;
        annual_income: number;
      };
      expect(data.account).toBe(id);
      const salary = data.income_streams.find((x) => x.income_type === 'SALARY');
      expect(salary).toMatchObject({ frequency: 'MONTHLY' });
      expect(salary!.number_of_incomes).toBeGreaterThanOrEqual(6);
      expect(salary!.stability).toBeGreaterThan(0.5);
      expect(salary!.last_income_date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(Number.isInteger(salary!.monthly_average)).toBe(true);
      expect(data.income_summary.employer.length).toBeGreaterThan(0);
      expect(data.annual_income).toBe(data.monthly_income * 12);
      // The same report is kept for income-records, newest first, with Mono's aggregated_* names.
      const records = await call('GET', `/v2/accounts/${id}/income-records`);
      expect(records.status).toBe(200);
      expect(records.body.meta).toEqual({ total: 1, pages: 1, previous: null, next: null });
      expect(records.body.data[0].income).toMatchObject({
        account: id,
        income_summary: data.income_summary,
        number_of_income_streams: data.income_streams.length,
        aggregated_monthly_average: data.monthly_income,
      });
      // A shorter period is a new report; a bad one is 400 and sends nothing.
      expect((await call('GET', `/v2/accounts/${id}/income?period=3`)).status).toBe(200);
      await sandbox.state.webhooks.until(() => incomeEvents().length >= 2);
      expect((await call('GET', `/v2/accounts/${id}/income?period=abc`)).status).toBe(400);
      expect((await call('GET', `/v2/accounts/${id}/income-records?page=0`)).status).toBe(400);
    });

    it('should answer v2 credits and debits as the legacy monthly aggregates, in the v2 envelope (§4.4)', async () => {
      const id = await createAndLink({ persona: 'salaried_monthly' });
      await waitForStatus(id, 'AVAILABLE');
      for (const type of ['credits', 'debits']) {
        const v2 = await call('GET', `/v2/accounts/${id}/${type}`);
        const legacy = await call('GET', `/accounts/${id}/${type}`);
        expect(v2.status).toBe(200);
        expect(v2.body).toMatchObject({ status: 'successful', data: legacy.body });
        expect(v2.body.data.history[0]).toEqual({ period: expect.stringMatching(/^\d{2}-\d{4}$/), amount: expect.any(Number), transactions_count: expect.any(Number) });
      }
    });
  });

  describe('data status', () => {
    it('should show PROCESSING with empty data until the link completes', async () => {
      await call('POST', '/sandbox/config', { body: { linkProcessingMs: [400, 400] }, key: null });
      try {
        const id = await createAndLink({ account: { name: 'SLOW BANK' }, transactions: scenarioTransactions().slice(0, 3) });
        const details = await call('GET', `/v2/accounts/${id}`);
        expect(details.body.data.meta).toMatchObject({ data_status: 'PROCESSING', retrieved_data: [] });
        const txns = await call('GET', `/v2/accounts/${id}/transactions`);
        expect(txns.status).toBe(200);
        expect(txns.body.data).toEqual([]);
        expect((await call('GET', `/v2/accounts/${id}/balance`)).body.data).toBeNull();
        await waitForStatus(id, 'AVAILABLE');
        expect((await call('GET', `/v2/accounts/${id}/transactions`)).body.data).toHaveLength(3);
      } finally {
        await call('POST', '/sandbox/config', { body: { linkProcessingMs: [0, 0] }, key: null });
      }
    });

    it('should settle PARTIAL with balance but no transactions for a bank configured so', async () => {
      const id = await createAndLink({
        account: { name: 'PARTIAL BANK' },
        transactions: scenarioTransactions().slice(0, 3),
        options: { dataStatus: 'PARTIAL', retrievedData: ['balance'] },
      });
      const details = await waitForStatus(id, 'PARTIAL');
      expect(details.body.data.meta.retrieved_data).toEqual(['balance']);
      expect((await call('GET', `/v2/accounts/${id}/transactions`)).body.data).toEqual([]);
      expect((await call('GET', `/v2/accounts/${id}/balance`)).body.data.balance).toEqual(expect.any(Number));
    });
  });

  describe('initiate', () => {
    it('should return a mono_url for scope auth and echo meta.ref and redirect_url', async () => {
      const r = await call('POST', '/v2/accounts/initiate', {
        body: {
          customer: { name: 'Ada Obi', email: 'ada@example.com' },
          scope: 'auth',
          meta: { ref: 'ref-initiate-01' },
          redirect_url: 'https://lender.example.com/done',
        },
      });
      expect(r.status).toBe(200);
      expect(r.body.data).toEqual({
        mono_url: expect.stringMatching(new RegExp(`^${sandbox.url}/link/`)),
        customer: expect.any(String),
        meta: { ref: 'ref-initiate-01' },
        scope: 'auth',
        redirect_url: 'https://lender.example.com/done',
        created_at: expect.any(String),
      });
      const again = await call('POST', '/v2/accounts/initiate', { body: { customer: { id: r.body.data.customer }, scope: 'auth' } });
      expect(again.body.data.customer).toBe(r.body.data.customer);
    });

    it('should answer 400 without a customer or scope, and 404 for reauth of an unknown account', async () => {
      expect((await call('POST', '/v2/accounts/initiate', { body: { scope: 'auth' } })).status).toBe(400);
      expect((await call('POST', '/v2/accounts/initiate', { body: { customer: { name: 'X', email: 'x@example.com' } } })).status).toBe(400);
      expect((await call('POST', '/v2/accounts/initiate', { body: { scope: 'reauth' } })).status).toBe(400);
      expect((await call('POST', '/v2/accounts/initiate', { body: { scope: 'reauth', account: 'missing-account' } })).status).toBe(404);
    });

    it('should return account, institution and auth_method for scope reauth', async () => {
      const id = await createAndLink({ account: { name: 'REAUTH USER', institution: { name: 'Access Bank', bank_code: '044' } } });
      const r = await call('POST', '/v2/accounts/initiate', { body: { scope: 'reauth', account: id, meta: { ref: 'reauth-ref-01' } } });
      expect(r.status).toBe(200);
      expect(r.body.data).toMatchObject({
        scope: 'reauth',
        account: id,
        institution: expect.any(String),
        auth_method: 'internet_banking',
        meta: { ref: 'reauth-ref-01' },
      });
    });
  });

  describe('unlink', () => {
    it('should unlink (v2 and legacy), fire account_unlinked and then 404 every data call', async () => {
      const a = await createAndLink({ account: { name: 'UNLINK V2' } });
      const r = await call('POST', `/v2/accounts/${a}/unlink`);
      expect(r.status).toBe(200);
      expect(r.body).toEqual({ status: 'successful', message: expect.any(String), timestamp: expect.any(String) });
      for (const path of [
        `/v2/accounts/${a}`,
        `/v2/accounts/${a}/transactions`,
        `/v2/accounts/${a}/balance`,
        `/v2/accounts/${a}/identity`,
      ]) {
        expect((await call('GET', path)).status).toBe(404);
      }
      const b = await createAndLink({ account: { name: 'UNLINK LEGACY' } });
      expect((await call('POST', `/accounts/${b}/unlink`)).body).toEqual({ message: expect.any(String) });
      expect((await call('GET', `/accounts/${b}`)).status).toBe(404);
      const log = await call('GET', `/sandbox/webhooks?accountId=${a}&event=mono.events.account_unlinked`, { key: null });
      expect(log.body.deliveries).toHaveLength(1);
      expect(log.body.deliveries[0].body.data).toEqual({ account: { id: a } });
    });
  });

  describe('admin API', () => {
    it('should reject invalid transactions with a clear 400 and change nothing', async () => {
      const id = await createAndLink({ account: { name: 'ADMIN USER' }, transactions: scenarioTransactions().slice(0, 2) });
      const before = (await call('GET', `/sandbox/accounts/${id}`, { key: null })).body.transactions.length;
      const bad = [
        [{ amount: 12.5, type: 'credit', date: '2026-11-01T00:00:00Z' }, /amount/],
        [{ amount: -100, type: 'credit', date: '2026-11-01T00:00:00Z' }, /amount/],
        [{ amount: '100', type: 'credit', date: '2026-11-01T00:00:00Z' }, /amount/],
        [{ amount: 100, type: 'transfer', date: '2026-11-01T00:00:00Z' }, /type/],
        [{ amount: 100, type: 'debit', date: 'yesterday' }, /date/],
      ] as const;
      for (const [txn, message] of bad) {
        const r = await call('POST', `/sandbox/accounts/${id}/transactions`, {
          body: { transactions: [{ amount: 100, type: 'credit', date: '2026-11-01T00:00:00Z' }, txn] },
          key: null,
        });
        expect(r.status).toBe(400);
        expect(r.body).toMatchObject({ statusCode: 400, code: 'BAD_REQUEST', message: expect.stringMatching(message) });
        expect(r.body.message).toContain('transactions[1]');
      }
      expect((await call('GET', `/sandbox/accounts/${id}`, { key: null })).body.transactions).toHaveLength(before);
      expect((await call('POST', '/sandbox/accounts/nope/transactions', { body: { transactions: [] }, key: null })).status).toBe(404);
    });

    it('should create a persona account with ground-truth labels', async () => {
      const created = await call('POST', '/sandbox/accounts', { body: { persona: 'thin_file', seed: 42, asOf: '2026-11-20' }, key: null });
      expect(created.status).toBe(201);
      const truth = await call('GET', `/sandbox/accounts/${created.body.accountId}`, { key: null });
      expect(truth.body).toMatchObject({
        state: 'pending',
        persona: 'thin_file',
        labels: expect.objectContaining({ persona: 'thin_file', seed: 42 }),
      });
      expect(truth.body.transactions.length).toBeGreaterThan(0);
      expect((await call('POST', '/sandbox/accounts', { body: { persona: 'nobody' }, key: null })).status).toBe(400);
    });

    it('should serve an OpenAPI document of the admin API', async () => {
      const r = await call('GET', '/sandbox/openapi.json', { key: null });
      expect(r.body.openapi).toMatch(/^3\./);
      expect(Object.keys(r.body.paths)).toEqual(
        expect.arrayContaining(['/sandbox/accounts', '/sandbox/faults', '/sandbox/accounts/{id}/calls']),
      );
      expect(r.body.components.securitySchemes.sandboxAdminKey).toMatchObject({ type: 'apiKey', in: 'header', name: 'x-sandbox-admin-key' });
    });
  });
});
