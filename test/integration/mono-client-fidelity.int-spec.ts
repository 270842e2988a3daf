/**
 * The engine's Mono client against the sandbox over HTTP (issue 16): `data: null` is "not ready, retry later" (never an
 * empty history), and v2 `meta.next` is followed when usable, with our own paging as the fallback.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { Registry } from 'prom-client';
import { AppConfig } from '../../src/config/app-config.js';
import { MonoError } from '../../src/mono/mono-error.js';
import { MonoClient } from '../../src/mono/mono.client.js';
import {
  createSandboxAccount,
  KIT_SECRET_KEY,
  monoEnv,
  sampleTransactions,
  sandboxAdmin,
  sandboxCalls,
  startTestSandbox,
  type SandboxServer,
} from '../support/mono-kit.js';

interface GroundTruth {
  transactions: Array<{ id: string }>;
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

describe('MonoClient fidelity (issue 16)', () => {
  let sandbox: SandboxServer;
  let client: MonoClient;
  let accountId: string;

  beforeAll(async () => {
    // linkProcessingMs [0, 0]: a read right after the exchange settles the link (no waiting).
    sandbox = await startTestSandbox({ linkProcessingMs: [0, 0] });
    client = new MonoClient(AppConfig.forTest(monoEnv(sandbox, { MONO_PAGE_LIMIT: '6' })), new Registry());
    const created = await createSandboxAccount(sandbox, { transactions: sampleTransactions(27) });
    accountId = (await client.exchangeCode(created.code)).monoAccountId;
    await sandboxAdmin(sandbox, 'POST', `/accounts/${accountId}/auto-sync`); // settles PROCESSING → linked now
  });

  afterAll(async () => {
    await sandbox.close();
  });

  beforeEach(async () => {
    await sandboxAdmin(sandbox, 'DELETE', '/faults');
    await sandboxAdmin(sandbox, 'POST', '/config', {
      jobDurationMs: 30,
      realtimeWindowMs: 0,
      paginationNextQuirk: false,
      v2ExchangeBare: false,
    });
  });

  it("should follow Mono's meta.next when it is usable and return exactly the ground truth", async () => {
    const truth = await sandboxAdmin<GroundTruth>(sandbox, 'GET', `/accounts/${accountId}`);
    const result = await client.getTransactions(accountId);
    expect(result.pages).toBe(5);
    expect(result.nextLinksFollowed).toBe(4);
    expect(result.transactions.map((t) => t.providerId)).toEqual(truth.transactions.map((t) => t.id));
  });

  it("should link with the v2 code exchange in either shape Mono documents: the envelope (data.id) and the guide's bare {id}", async () => {
    const exchange = async (): Promise<{ body: Record<string, unknown>; viaClient: string }> => {
      const raw = await createSandboxAccount(sandbox, { transactions: sampleTransactions(2) });
      const res = await fetch(`${sandbox.url}/v2/accounts/auth`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'mono-sec-key': KIT_SECRET_KEY },
        body: JSON.stringify({ code: raw.code }),
      });
      expect(res.status).toBe(200);
      const viaClient = (await client.exchangeCode((await createSandboxAccount(sandbox, { transactions: sampleTransactions(2) })).code))
        .monoAccountId;
      return { body: (await res.json()) as Record<string, unknown>, viaClient };
    };
    const enveloped = await exchange();
    expect(enveloped.body).toMatchObject({ status: 'successful', data: { id: expect.any(String) } });
    expect(enveloped.viaClient).toMatch(/\S/);

    await sandboxAdmin(sandbox, 'POST', '/config', { v2ExchangeBare: true });
    const bare = await exchange();
    expect(Object.keys(bare.body)).toEqual(['id']);
    const truth = await sandboxAdmin<{ id: string }>(sandbox, 'GET', `/accounts/${bare.viaClient}`);
    expect(truth.id).toBe(bare.viaClient);
  });

  it('should fall back to its own paging when meta.next is the docs-sample quirk (omits /accounts/), with the same result', async () => {
    await sandboxAdmin(sandbox, 'POST', '/config', { paginationNextQuirk: true });
    const before = (await sandboxCalls(sandbox, accountId)).length;
    const result = await client.getTransactions(accountId);
    expect(result.nextLinksFollowed).toBe(0);
    expect(result.transactions).toHaveLength(27);
    const calls = (await sandboxCalls(sandbox, accountId)).slice(before);
    expect(calls.map((c) => `${c.path} ${c.status}`)).toEqual(
      Array.from({ length: 5 }, () => `/v2/accounts/${accountId}/transactions 200`),
    );
  });

  it('should treat an enqueued real-time answer (data: null after a job over 30 s) as not ready, never as no transactions', async () => {
    await sandboxAdmin(sandbox, 'POST', '/config', { jobDurationMs: 45_000, realtimeWindowMs: 300_000 });
    const err = await caught(client.getTransactions(accountId, { realtime: true }));
    expect(err.kind).toBe('not_ready');
    expect(err.retryable).toBe(true);
    expect(err.providerMessage).toMatch(/enqueued/i);
    // A plain read (what the engine does once the job's webhooks arrive) has the history.
    expect((await client.getTransactions(accountId)).transactions).toHaveLength(27);
  });

  it("should treat Mono's empty-filter data: null as not ready, and data: [] as a genuinely empty window", async () => {
    const window = { start: '2025-01-01', end: '2025-01-31' };
    expect((await client.getTransactions(accountId, window)).transactions).toEqual([]);
    await sandboxAdmin(sandbox, 'POST', '/faults', { emptyFilterNull: true });
    const err = await caught(client.getTransactions(accountId, window));
    expect(err.kind).toBe('not_ready');
    expect(err.status).toBe(200);
  });
});
