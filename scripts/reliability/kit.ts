/**
 * Shared by the reliability runs (fault run, crash tests) and the scale-out script: a small HTTP client for the
 * engine with role keys, the sandbox admin API, bounded polling, linking a borrower over HTTP, and the
 * "stored == sandbox" comparison of transactions.
 */
import pg from 'pg';

export type Role = 'frontend' | 'analyst' | 'admin';

export interface HttpResult<T = Record<string, unknown>> {
  status: number;
  body: T;
}

export interface EngineClient {
  url: string;
  call<T = Record<string, unknown>>(method: string, path: string, opts?: { role?: Role; body?: unknown; headers?: Record<string, string> }): Promise<HttpResult<T>>;
}

export function engineClient(url: string, keys: Record<Role, string>): EngineClient {
  return {
    url,
    call: async <T>(method: string, path: string, opts: { role?: Role; body?: unknown; headers?: Record<string, string> } = {}) => {
      const res = await fetch(`${url}${path}`, {
        method,
        headers: {
          Authorization: `Bearer ${keys[opts.role ?? 'frontend']}`,
          ...(opts.body === undefined ? {} : { 'content-type': 'application/json' }),
          ...opts.headers,
        },
        body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
        signal: AbortSignal.timeout(30_000),
      });
      const text = await res.text();
      let body: unknown = text;
      try {
        body = text ? JSON.parse(text) : {};
      } catch {
        /* not JSON: keep the text */
      }
      return { status: res.status, body: body as T };
    },
  };
}

export async function sandboxAdmin<T = Record<string, unknown>>(sandboxUrl: string, method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${sandboxUrl}/sandbox${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = (await res.json()) as T;
  if (!res.ok) throw new Error(`sandbox admin ${method} ${path} → ${res.status}: ${JSON.stringify(json).slice(0, 300)}`);
  return json;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls until `fn` returns a truthy value; throws after the deadline naming what it waited for. */
export async function waitUntil<T>(fn: () => Promise<T> | T, opts: { timeoutMs: number; intervalMs?: number; what: string }): Promise<NonNullable<T>> {
  const deadline = Date.now() + opts.timeoutMs;
  let last: T | undefined;
  for (;;) {
    last = await fn();
    if (last) return last;
    if (Date.now() > deadline) throw new Error(`timed out after ${opts.timeoutMs} ms waiting for ${opts.what} (last: ${JSON.stringify(last)?.slice(0, 500)})`);
    await sleep(opts.intervalMs ?? 200);
  }
}

/** Runs `fn` over `items` with at most `concurrency` in flight; results in input order. */
export async function mapPool<T, R>(items: readonly T[], concurrency: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, lane));
  return out;
}

/** Retries a call while the engine answers 5xx or 429 (what a lender's frontend would do), bounded. */
export async function withRetries<T>(what: string, fn: () => Promise<HttpResult<T>>, ok: (s: number) => boolean, attempts = 10): Promise<HttpResult<T>> {
  const seen: string[] = [];
  for (let i = 0; i < attempts; i++) {
    const last = await fn();
    if (ok(last.status)) return last;
    seen.push(`${last.status} ${JSON.stringify(last.body).slice(0, 200)}`);
    if (last.status < 500 && last.status !== 429) break;
    await sleep(Math.min(2_000, 100 * 2 ** i));
  }
  throw new Error(`${what} failed after ${seen.length} attempt(s): ${seen.join(' | ')}`);
}

export interface LinkedBorrower {
  borrowerId: string;
  accountId: string;
  monoAccountId: string;
  mfa: boolean;
  persona: string;
}

/**
 * A sandbox account (persona), a borrower over the engine API named as the bank account is (so scoring sees no name
 * mismatch), and the widget code exchanged by the engine. When the engine answers that Mono refused the code as
 * already used (a timed-out exchange that Mono had completed, see docs/mono.md), the borrower links again with a new
 * code, as the widget would.
 */
export async function linkBorrower(
  engine: EngineClient,
  sandboxUrl: string,
  input: { externalId: string; persona: string; mfa?: boolean; months?: number; seed?: number },
): Promise<LinkedBorrower> {
  let borrowerId: string | null = null;
  for (let attempt = 1; ; attempt++) {
    const created = await sandboxAdmin<{ code: string; accountId: string }>(sandboxUrl, 'POST', '/accounts', {
      persona: input.persona,
      months: input.months ?? 6,
      ...(input.seed === undefined ? {} : { seed: input.seed }),
      ...(input.mfa ? { options: { mfa: true } } : {}),
    });
    if (!borrowerId) {
      const truth = await sandboxAdmin<{ account: { name?: string } }>(sandboxUrl, 'GET', `/accounts/${created.accountId}`);
      const b = await withRetries(
        'create borrower',
        () =>
          engine.call<{ id: string }>('POST', '/v1/borrowers', {
            body: { externalId: input.externalId, fullName: truth.account.name ?? 'Ada Okafor', email: `${input.externalId}@example.com` },
          }),
        (s) => s === 201,
      );
      borrowerId = b.body.id;
      // Consent before linking (docs/privacy.md): without it the engine fetches nothing for the account.
      for (const purpose of ['underwriting', 'monitoring']) {
        const bid = borrowerId;
        await withRetries(
          `grant ${purpose} consent`,
          () => engine.call('POST', `/v1/borrowers/${bid}/consents`, { body: { purpose, noticeVersion: 'reliability-notice-v1', channel: 'test' } }),
          (s) => s === 201,
        );
      }
    }
    const id = borrowerId;
    try {
      const linked = await withRetries(
        'link account',
        () => engine.call<{ id: string; monoAccountId: string }>('POST', `/v1/borrowers/${id}/accounts`, { body: { code: created.code } }),
        (s) => s === 201,
      );
      return { borrowerId: id, accountId: linked.body.id, monoAccountId: linked.body.monoAccountId, mfa: input.mfa === true, persona: input.persona };
    } catch (err) {
      if (attempt >= 3 || !String(err).includes('already used')) throw err;
      // The orphaned sandbox account is unlinked so ground-truth comparisons only see accounts the engine holds.
      await sandboxAdmin(sandboxUrl, 'POST', `/accounts/${created.accountId}/unlink`, {}).catch(() => undefined);
    }
  }
}

export async function applyFor(engine: EngineClient, borrowerId: string, idempotencyKey: string, amount = 5_000_000): Promise<string> {
  const res = await withRetries(
    'create application',
    () =>
      engine.call<{ id: string }>('POST', '/v1/applications', {
        body: { borrowerId, amount, tenorMonths: 6 },
        headers: { 'Idempotency-Key': idempotencyKey },
      }),
    (s) => s === 202 || s === 200 || s === 201,
  );
  return res.body.id;
}

export async function query<T>(pool: pg.Pool, sql: string, params: unknown[] = []): Promise<T[]> {
  return (await pool.query(sql, params)).rows as T[];
}

interface TruthTransaction {
  id: string;
  amount: number;
  type: string;
  date: string;
}

interface Truth {
  transactions: TruthTransaction[];
  pendingTransactionIds?: string[];
}

/**
 * Compares the engine's active transactions of each account with what Mono shows for it (the sandbox's ground truth
 * minus bank-side activity no sync has made visible yet): ids, kobo amounts, directions and dates. Returns one line per
 * difference (empty = identical) and the row count compared.
 */
export async function compareWithGroundTruth(
  pool: pg.Pool,
  sandboxUrl: string,
  monoAccountIds: readonly string[],
): Promise<{ mismatches: string[]; transactions: number; pendingInvisible: number }> {
  const mismatches: string[] = [];
  let transactions = 0;
  let pendingInvisible = 0;
  for (const mono of monoAccountIds) {
    const truth = await sandboxAdmin<Truth>(sandboxUrl, 'GET', `/accounts/${mono}`);
    const pending = new Set(truth.pendingTransactionIds ?? []);
    pendingInvisible += pending.size;
    const want = new Map(
      truth.transactions.filter((t) => !pending.has(t.id)).map((t) => [t.id, `${t.amount}|${t.type}|${new Date(t.date).toISOString()}`]),
    );
    const rows = await query<{ provider_txn_id: string; amount_minor: string; direction: string; posted_at: Date }>(
      pool,
      `SELECT t.provider_txn_id, t.amount_minor, t.direction, t.posted_at
         FROM bank_transactions t JOIN bank_accounts a ON a.id = t.account_id
        WHERE a.mono_account_id = $1 AND t.status = 'active'`,
      [mono],
    );
    const got = new Map<string, string>();
    for (const r of rows) {
      if (got.has(r.provider_txn_id)) mismatches.push(`${mono}: ${r.provider_txn_id} stored twice`);
      got.set(r.provider_txn_id, `${r.amount_minor}|${r.direction}|${r.posted_at.toISOString()}`);
    }
    for (const [id, v] of want) {
      if (!got.has(id)) mismatches.push(`${mono}: ${id} missing`);
      else if (got.get(id) !== v) mismatches.push(`${mono}: ${id} stored ${got.get(id)} but Mono has ${v}`);
    }
    for (const id of got.keys()) if (!want.has(id)) mismatches.push(`${mono}: ${id} stored but not at Mono`);
    transactions += want.size;
  }
  return { mismatches, transactions, pendingInvisible };
}

/**
 * Waits until the sandbox has no webhook queued and the engine's inbox and ingestion are idle (seen 3 times in a row).
 * Ingestion runs started before `since` are ignored: a process killed mid-ingestion leaves its run row `running`.
 */
export async function waitForQuiet(pool: pg.Pool, sandboxUrl: string | null, timeoutMs: number, since?: Date): Promise<void> {
  let rounds = 0;
  await waitUntil(
    async () => {
      const pending = sandboxUrl ? (await sandboxAdmin<{ pending: number }>(sandboxUrl, 'GET', '/webhooks?event=none')).pending : 0;
      const [row] = await query<{ inbox: string; running: string }>(
        pool,
        `SELECT (SELECT count(*) FROM webhook_events WHERE status IN ('pending', 'processing')) AS inbox,
                (SELECT count(*) FROM ingestion_runs WHERE status = 'running' AND started_at > coalesce($1::timestamptz, now() - interval '10 minutes')) AS running`,
        [since ?? null],
      );
      rounds = pending === 0 && row?.inbox === '0' && row.running === '0' ? rounds + 1 : 0;
      return rounds >= 3;
    },
    { timeoutMs, intervalMs: 250, what: 'webhooks, inbox and ingestion to settle' },
  );
}

/** Counts of faulted Mono calls the sandbox logged for the given accounts, by fault kind. */
export async function faultsSeen(sandboxUrl: string, monoAccountIds: readonly string[]): Promise<{ calls: number; faults: Record<string, number> }> {
  const faults: Record<string, number> = {};
  let calls = 0;
  for (const mono of monoAccountIds) {
    const log = await sandboxAdmin<{ calls: Array<{ fault?: string }> }>(sandboxUrl, 'GET', `/accounts/${mono}/calls`);
    calls += log.calls.length;
    for (const c of log.calls) if (c.fault) faults[c.fault] = (faults[c.fault] ?? 0) + 1;
  }
  return { calls, faults };
}
