import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { Registry } from 'prom-client';
import { AppConfig } from '../../src/config/app-config.js';
import { MonoError } from '../../src/mono/mono-error.js';
import { MonoClient, toMonoDate } from '../../src/mono/mono.client.js';
import {
  createSandboxAccount,
  monoEnv,
  sampleTransactions,
  sandboxAdmin,
  sandboxCalls,
  startTestSandbox,
  type SandboxServer,
} from '../support/mono-kit.js';

interface GroundTruth {
  state: string;
  transactions: Array<{ id: string; amount: number; type: string; date: string; balance: number }>;
  account: { balance: number };
}

async function caught(p: Promise<unknown>): Promise<MonoError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof MonoError) return err;
    throw err;
  }
  throw new Error('expected a MonoError');
}

/** A one-route stub Mono for pagination shapes the sandbox does not produce. */
async function startStub(handler: (url: URL) => unknown): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    const body = handler(new URL(req.url ?? '/', 'http://stub'));
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

const tx = (id: string, day: number) => ({ id, narration: `row ${id}`, amount: 1000 + day, type: 'debit', balance: 50_000, date: `2026-10-${String(day).padStart(2, '0')}T09:00:00.000Z`, category: 'unknown' });

describe(MonoClient.name, () => {
  let sandbox: SandboxServer;
  let registry: Registry;
  let client: MonoClient;
  let accountId: string;

  const clientWith = (extra: Record<string, string> = {}): MonoClient => new MonoClient(AppConfig.forTest(monoEnv(sandbox, { MONO_PAGE_LIMIT: '7', ...extra })), registry);

  beforeAll(async () => {
    sandbox = await startTestSandbox();
    registry = new Registry();
    client = clientWith();
    const created = await createSandboxAccount(sandbox, { transactions: sampleTransactions(30) });
    accountId = (await client.exchangeCode(created.code)).monoAccountId;
    expect(accountId).toBe(created.accountId);
    // The sandbox finishes processing the link with an account_updated webhook: awaited on its dispatcher.
    await sandbox.state.webhooks.until((d) => d.deliveries({ accountId, event: 'mono.events.account_updated' }).length > 0);
    expect((await sandboxAdmin<GroundTruth>(sandbox, 'GET', `/accounts/${accountId}`)).state).toBe('linked');
  });

  afterAll(async () => {
    await sandbox.close();
  });

  beforeEach(async () => {
    await sandboxAdmin(sandbox, 'DELETE', '/faults');
  });

  it('should convert YYYY-MM-DD filters to DD-MM-YYYY', () => {
    expect(toMonoDate('2026-03-09')).toBe('09-03-2026');
    expect(() => toMonoDate('09-03-2026')).toThrow(RangeError);
  });

  it('should read account details leniently and keep amounts in kobo', async () => {
    const truth = await sandboxAdmin<GroundTruth>(sandbox, 'GET', `/accounts/${accountId}`);
    const account = await client.getAccount(accountId);
    expect(account).toMatchObject({
      accountId,
      holderName: 'ADA OKAFOR',
      accountNumber: '0123456789',
      currency: 'NGN',
      balanceMinor: truth.account.balance,
      dataStatus: 'AVAILABLE',
      institution: { name: 'GTBank', bankCode: '058', type: 'PERSONAL_BANKING' },
    });
    expect(account.customerId).toEqual(expect.any(String));
    const balance = await client.getBalance(accountId);
    expect(balance).toEqual({ balanceMinor: truth.account.balance, currency: 'NGN' });
  });

  it('should drain every page and return exactly the sandbox transactions', async () => {
    const truth = await sandboxAdmin<GroundTruth>(sandbox, 'GET', `/accounts/${accountId}`);
    const before = (await sandboxCalls(sandbox, accountId)).length;
    const result = await client.getTransactions(accountId);
    expect(result.pages).toBe(5); // 30 rows, 7 per page
    expect(result.transactions.map((t) => t.providerId).sort()).toEqual(truth.transactions.map((t) => t.id).sort());
    const byId = new Map(truth.transactions.map((t) => [t.id, t]));
    for (const t of result.transactions) {
      expect(t.amountMinor).toBe(byId.get(t.providerId)?.amount);
      expect(t.balanceMinor).toBe(byId.get(t.providerId)?.balance);
    }
    const calls = (await sandboxCalls(sandbox, accountId)).slice(before);
    expect(calls.map((c) => c.path)).toEqual(Array(5).fill(`/v2/accounts/${accountId}/transactions`));
  });

  it('should send the window as DD-MM-YYYY and support paginate=false', async () => {
    const windowed = await client.getTransactions(accountId, { start: '2026-10-20', end: '2026-11-01' });
    expect(windowed.transactions).toHaveLength(13);
    const unpaginated = await clientWith({ MONO_PAGINATE: 'false' }).getTransactions(accountId);
    expect(unpaginated.pages).toBe(1);
    expect(unpaginated.transactions).toHaveLength(30);
  });

  it('should read identity (or null) and job status of a real-time refresh', async () => {
    const identity = await client.getIdentity(accountId);
    expect(identity === null || typeof identity.fullName === 'string' || identity.fullName === null).toBe(true);
    const { transactionsJob } = await client.requestRealtimeRefresh(accountId);
    expect(transactionsJob?.id).toEqual(expect.any(String));
    const job = await client.getJob(accountId, transactionsJob?.id ?? '');
    expect(['processing', 'finished', 'failed']).toContain(job.status);
    const calls = await sandboxCalls(sandbox, accountId);
    expect(calls.some((c) => c.realtime === 'true')).toBe(true);
  });

  it('should de-duplicate rows that appear on two pages and stop at total', async () => {
    const pages: Record<string, unknown[]> = { '1': [tx('a', 9), tx('b', 8), tx('c', 7)], '2': [tx('c', 7), tx('d', 6), tx('e', 5)], '3': [tx('f', 4)] };
    const stub = await startStub((url) => {
      const page = url.searchParams.get('page') ?? '1';
      return { status: 'successful', message: 'ok', timestamp: new Date().toISOString(), data: pages[page] ?? [], meta: { total: 6, page: Number(page), previous: null, next: `http://broken/v2/x/transactions?page=${Number(page) + 1}` } };
    });
    try {
      const stubClient = new MonoClient(AppConfig.forTest(monoEnv(stub, {})), registry);
      const result = await stubClient.getTransactions('acc');
      expect(result.transactions.map((t) => t.providerId)).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
      expect(result.duplicatesDropped).toBe(1);
      expect(result.pages).toBe(3);
    } finally {
      await stub.close();
    }
  });

  it('should refuse endless pagination', async () => {
    const stub = await startStub(() => ({ status: 'successful', message: 'ok', data: [tx('same', 1)], meta: { total: 99, page: 1, next: 'http://x/next' } }));
    try {
      const stubClient = new MonoClient(AppConfig.forTest(monoEnv(stub, { MONO_MAX_PAGES: '5' })), registry);
      const err = await caught(stubClient.getTransactions('acc'));
      expect(err.kind).toBe('malformed');
    } finally {
      await stub.close();
    }
  });

  it('should map 401, 400 and 404 to typed errors without retrying', async () => {
    const wrongKey = new MonoClient(AppConfig.forTest(monoEnv(sandbox, { MONO_SECRET_KEY: 'test_sk_wrong_key_000' })), registry);
    const before = (await sandboxCalls(sandbox, accountId)).length;
    const unauthorized = await caught(wrongKey.getAccount(accountId));
    expect(unauthorized).toMatchObject({ kind: 'unauthorized', status: 401, retryable: false });
    expect((await sandboxCalls(sandbox, accountId)).length).toBe(before + 1);

    expect(await caught(client.exchangeCode('code_does_not_exist'))).toMatchObject({ kind: 'bad_request', status: 400 });
    expect(await caught(client.getAccount('000000000000000000000000'))).toMatchObject({ kind: 'not_found', status: 404, retryable: false });
  });

  it('should retry 5xx on reads with backoff and give up with a retryable error', async () => {
    await sandboxAdmin(sandbox, 'POST', '/faults', { errorRate: 1 });
    const before = (await sandboxCalls(sandbox, accountId)).length;
    const err = await caught(clientWith({ MONO_MAX_RETRIES: '2', MONO_CIRCUIT_THRESHOLD: '100' }).getAccount(accountId));
    expect(err).toMatchObject({ kind: 'http', retryable: true });
    expect(err.status).toBeGreaterThanOrEqual(500);
    expect((await sandboxCalls(sandbox, accountId)).length - before).toBe(3);

    await sandboxAdmin(sandbox, 'POST', '/faults', { errorRate: 0.5, seed: 7 });
    const result = await clientWith({ MONO_MAX_RETRIES: '10', MONO_CIRCUIT_THRESHOLD: '100' }).getTransactions(accountId);
    expect(result.transactions).toHaveLength(30);
  });

  it('should honour 429 on reads and not retry a rate-limited sync', async () => {
    await sandboxAdmin(sandbox, 'POST', '/faults', { rateLimitBurst: { every: 2, length: 1 } });
    const balance = await client.getBalance(accountId);
    expect(balance.balanceMinor).toEqual(expect.any(Number));

    await sandboxAdmin(sandbox, 'DELETE', '/faults');
    await sandboxAdmin(sandbox, 'POST', '/config', { syncMinIntervalMs: 60_000 });
    try {
      const first = await client.legacySync(accountId);
      expect(first).toMatchObject({ status: 'successful', code: 'SYNC_SUCCESSFUL' });
      const before = (await sandboxCalls(sandbox, accountId)).length;
      const err = await caught(client.legacySync(accountId));
      expect(err).toMatchObject({ kind: 'rate_limited', status: 429 });
      expect((await sandboxCalls(sandbox, accountId)).length).toBe(before + 1);
    } finally {
      await sandboxAdmin(sandbox, 'POST', '/config', { syncMinIntervalMs: 0 });
    }
  });

  it('should time out a hung call and report it', async () => {
    await sandboxAdmin(sandbox, 'POST', '/faults', { timeoutRate: 1, timeoutMode: 'hang', timeoutHangMs: 5_000 });
    const err = await caught(clientWith({ MONO_TIMEOUT_MS: '150', MONO_MAX_RETRIES: '1', MONO_CIRCUIT_THRESHOLD: '100' }).getBalance(accountId));
    expect(err).toMatchObject({ kind: 'timeout', status: null, retryable: true });
  });

  it('should treat malformed bodies as errors, never as zero', async () => {
    await sandboxAdmin(sandbox, 'POST', '/faults', { malformedRate: 1 });
    const err = await caught(clientWith({ MONO_MAX_RETRIES: '2' }).getTransactions(accountId));
    expect(err.kind).toBe('malformed');
    const balanceErr = await caught(clientWith({ MONO_MAX_RETRIES: '0' }).getBalance(accountId));
    expect(balanceErr.kind).toBe('malformed');
  });

  it('should open the circuit after consecutive host failures and stop calling Mono', async () => {
    await sandboxAdmin(sandbox, 'POST', '/faults', { errorRate: 1 });
    const breaking = clientWith({ MONO_MAX_RETRIES: '0', MONO_CIRCUIT_THRESHOLD: '3', MONO_CIRCUIT_HALF_OPEN_MS: '60000' });
    for (let i = 0; i < 3; i++) expect((await caught(breaking.getBalance(accountId))).kind).toBe('http');
    const before = (await sandboxCalls(sandbox, accountId)).length;
    const open = await caught(breaking.getBalance(accountId));
    expect(open).toMatchObject({ kind: 'network', circuitOpen: true });
    expect((await sandboxCalls(sandbox, accountId)).length).toBe(before);
    const metrics = await registry.getSingleMetricAsString('mono_circuit_state');
    expect(metrics).toMatch(/mono_circuit_state\{host="127\.0\.0\.1:\d+"\} 1/);
  });

  it('should count calls and retries in metrics', async () => {
    const text = await registry.metrics();
    expect(text).toMatch(/mono_requests_total\{endpoint="GET \/v2\/accounts\/\{id\}\/transactions",status="200"\} \d+/);
    expect(text).toMatch(/mono_retries_total\{endpoint="[^"]+"\} [1-9]/);
    expect(text).toContain('mono_request_duration_seconds_bucket');
    expect(text).not.toContain(accountId);
  });

  it('should unlink, after which the account is unknown', async () => {
    const created = await createSandboxAccount(sandbox, { transactions: sampleTransactions(3, { prefix: 'u' }) });
    const id = (await client.exchangeCode(created.code)).monoAccountId;
    await client.unlink(id);
    expect((await caught(client.getAccount(id))).kind).toBe('not_found');
  });
});
