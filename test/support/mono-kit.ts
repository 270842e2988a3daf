/**
 * Helpers for the Mono integration suites: the in-process sandbox with fast timings, the engine env pointing at it,
 * the sandbox admin API, an awaitable log of account events, and sample bank activity.
 */
import type { JobName } from '../../src/jobs/job-queues.js';
import { JobsService, type JobSettled } from '../../src/jobs/jobs.service.js';
import type { INestApplicationContext } from '@nestjs/common';
import type { AccountEvent, AccountEventBus } from '../../src/common/events/account-events.js';
import { startSandbox, type SandboxOptions } from '../../src/sandbox/sandbox-server.js';
import { DataSource } from 'typeorm';

export type SandboxServer = Awaited<ReturnType<typeof startSandbox>>;

export const KIT_SECRET_KEY = 'test_sk_mono_kit_0123456789';
export const KIT_WEBHOOK_SECRET = 'mono-kit-webhook-secret-0123';

const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** The sandbox on a free port with test timings (no rate-limit window unless asked, quick links, quick jobs). */
export function startTestSandbox(overrides: Partial<SandboxOptions> = {}): Promise<SandboxServer> {
  return startSandbox({
    port: 0,
    secretKey: KIT_SECRET_KEY,
    webhookSecret: KIT_WEBHOOK_SECRET,
    syncMinIntervalMs: 0,
    realtimeWindowMs: 0,
    webhookDelayMs: [0, 5],
    jobDurationMs: 30,
    linkProcessingMs: [10, 20],
    webhookRetry: { baseMs: 50, maxMs: 400, maxAttempts: 40 },
    logger: silent,
    ...overrides,
  });
}

/** Engine environment talking to the sandbox, with fast retry/backoff settings. */
export function monoEnv(sandbox: { url: string }, extra: Record<string, string> = {}): Record<string, string> {
  return {
    MONO_BASE_URL: sandbox.url,
    MONO_SECRET_KEY: KIT_SECRET_KEY,
    MONO_WEBHOOK_SECRET: KIT_WEBHOOK_SECRET,
    MONO_RETRY_BASE_MS: '5',
    MONO_TIMEOUT_MS: '2000',
    MONO_MAX_RETRIES: '4',
    MONO_CIRCUIT_HALF_OPEN_MS: '50',
    SYNC_MIN_INTERVAL_SECONDS: '0',
    WEBHOOK_RETRY_BASE_MS: '20',
    JOBS_ENABLED: 'false',
    ...extra,
  };
}

export async function sandboxAdmin<T = Record<string, unknown>>(sandbox: { url: string }, method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${sandbox.url}/sandbox${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = (await res.json()) as T;
  if (!res.ok) throw new Error(`sandbox admin ${method} ${path} → ${res.status}: ${JSON.stringify(json)}`);
  return json;
}

export interface SandboxCall {
  method: string;
  path: string;
  status: number | null;
  realtime?: string;
  fault?: string;
}

export async function sandboxCalls(sandbox: { url: string }, accountId: string): Promise<SandboxCall[]> {
  return (await sandboxAdmin<{ calls: SandboxCall[] }>(sandbox, 'GET', `/accounts/${accountId}/calls`)).calls;
}

/**
 * Records every AccountEventBus event of an app and lets a test await one: `next()` resolves as soon as a matching
 * event has been published (including ones published before the call), because the bus awaits its handlers and
 * publishers write their rows before publishing, the database state the event describes is committed by then.
 * Event-driven, no polling; the guard deadline only turns a hang into a readable failure.
 */
export class AccountEventLog {
  readonly events: AccountEvent[] = [];
  private readonly waiters: Array<{ match: (e: AccountEvent) => boolean; resolve: (e: AccountEvent) => void }> = [];

  constructor(bus: AccountEventBus, name = 'test-event-log') {
    bus.subscribe(name, (e) => {
      this.events.push(e);
      for (const w of [...this.waiters]) {
        if (w.match(e)) {
          this.waiters.splice(this.waiters.indexOf(w), 1);
          w.resolve(e);
        }
      }
      return Promise.resolve();
    });
  }

  /** The first event (from index `from` of the log on) matching `match`, now or when it is published. */
  next<T extends AccountEvent['type']>(
    type: T,
    match: (e: Extract<AccountEvent, { type: T }>) => boolean = () => true,
    opts: { from?: number; guardMs?: number } = {},
  ): Promise<Extract<AccountEvent, { type: T }>> {
    const test = (e: AccountEvent): boolean => e.type === type && match(e as Extract<AccountEvent, { type: T }>);
    const seen = this.events.slice(opts.from ?? 0).find(test);
    if (seen) return Promise.resolve(seen as Extract<AccountEvent, { type: T }>);
    return new Promise((resolve, reject) => {
      const waiter = {
        match: test,
        resolve: (e: AccountEvent) => {
          clearTimeout(guard);
          resolve(e as Extract<AccountEvent, { type: T }>);
        },
      };
      const guard = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        reject(new Error(`no ${type} event matched within the ${opts.guardMs ?? 30_000} ms guard (seen: ${JSON.stringify(this.events.map((x) => x.type))})`));
      }, opts.guardMs ?? 30_000);
      this.waiters.push(waiter);
    });
  }
}

/**
 * Records every job an app's job system settles (pg-boss handler finished, ok or failed) and lets a test await one:
 * `next()` resolves with a matching settlement recorded before the call or when it happens. A settled job's writes
 * are committed (handlers write, then the job is settled), so the database state is there when it resolves. Inbox and
 * outbox job ids are their row ids. The guard only turns a hang into a readable failure.
 */
export class JobLog {
  readonly settled: JobSettled[] = [];
  private readonly waiters: Array<{ match: (s: JobSettled) => boolean; resolve: (s: JobSettled) => void }> = [];
  readonly stop: () => void;

  constructor(jobs: JobsService) {
    this.stop = jobs.onSettled((s) => {
      this.settled.push(s);
      for (const w of [...this.waiters]) {
        if (w.match(s)) {
          this.waiters.splice(this.waiters.indexOf(w), 1);
          w.resolve(s);
        }
      }
    });
  }

  next(name: JobName, match: (s: JobSettled) => boolean = () => true, opts: { guardMs?: number } = {}): Promise<JobSettled> {
    const test = (s: JobSettled): boolean => s.name === name && match(s);
    const seen = this.settled.find(test);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const waiter = {
        match: test,
        resolve: (s: JobSettled) => {
          clearTimeout(guard);
          resolve(s);
        },
      };
      const guard = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        reject(new Error(`no ${name} job settled as expected within ${opts.guardMs ?? 30_000} ms (settled: ${this.settled.length})`));
      }, opts.guardMs ?? 30_000);
      this.waiters.push(waiter);
    });
  }

  /** Resolves once every job in `ids` of `name` has settled successfully (its last attempt). */
  async done(name: JobName, ids: string[], opts: { guardMs?: number } = {}): Promise<void> {
    await Promise.all(ids.map((id) => this.next(name, (s) => s.id === id && s.ok, opts)));
  }
}

/**
 * Resolves once an account is quiet end to end: nothing scheduled for it in the sandbox (link processing, jobs), at
 * least `minDeliveries` of its webhooks delivered and none pending, and every one the engine stored settled by its
 * inbox job (handlers, ingestion included, ran and committed). Repeats when handling made the sandbox do more (a read
 * that finishes linking, a sync). Event-driven: the sandbox and the job system announce each step; nothing polls.
 */
export async function settleAccountWebhooks(
  engine: INestApplicationContext,
  sandbox: SandboxServer,
  monoAccountId: string,
  minDeliveries = 1,
): Promise<void> {
  const dispatcher = sandbox.state.webhooks;
  const db = engine.get(DataSource);
  const jobs = engine.get(JobsService);
  const bank = sandbox.state.bank;
  for (let want = minDeliveries; ; ) {
    await bank.idle(monoAccountId);
    await dispatcher.settled({ accountId: monoAccountId }, want);
    const delivered = dispatcher.deliveries({ accountId: monoAccountId }).length;
    // Subscribe first, then read which rows are still open: a job settling in between is caught by the listener.
    const settledOk = new Set<string>();
    const waiters = new Map<string, () => void>();
    const stop = jobs.onSettled((s) => {
      if (s.name !== 'webhook-inbox' || !s.ok) return;
      settledOk.add(s.id);
      waiters.get(s.id)?.();
    });
    try {
      const open = await db.query<Array<{ id: string }>>(
        `SELECT id FROM webhook_events WHERE mono_account_id = $1 AND status IN ('pending', 'processing')`,
        [monoAccountId],
      );
      await Promise.all(open.map((r) => (settledOk.has(r.id) ? Promise.resolve() : new Promise<void>((resolve) => waiters.set(r.id, resolve)))));
    } finally {
      stop();
    }
    const now = dispatcher.deliveries({ accountId: monoAccountId });
    if (!bank.busy(monoAccountId) && now.length === delivered && now.every((r) => r.status !== 'pending')) return;
    want = now.length;
  }
}

/** `n` v2-shaped transactions, newest first, one per day ending `lastDay` (YYYY-MM-DD), ids `${prefix}-${i}`. */
export function sampleTransactions(n: number, opts: { prefix?: string; lastDay?: string } = {}): Array<Record<string, unknown>> {
  const prefix = opts.prefix ?? 'txn';
  const last = Date.parse(`${opts.lastDay ?? '2026-11-01'}T10:00:00.000Z`);
  return Array.from({ length: n }, (_, i) => ({
    id: `${prefix}-${String(i).padStart(4, '0')}`,
    narration: i % 3 === 0 ? `NIP/SALARY/ACME LTD ${i}` : `POS PURCHASE SHOPRITE ${i}`,
    amount: 10_000 + i * 137,
    type: i % 3 === 0 ? 'credit' : 'debit',
    date: new Date(last - i * 86_400_000).toISOString(),
    category: 'unknown',
  }));
}

/** Creates a sandbox account with explicit data; returns its widget code and id. */
export async function createSandboxAccount(
  sandbox: { url: string },
  input: { transactions?: Array<Record<string, unknown>>; mfa?: boolean; ref?: string; accountId?: string; balance?: number } = {},
): Promise<{ code: string; accountId: string }> {
  return sandboxAdmin(sandbox, 'POST', '/accounts', {
    account: {
      ...(input.accountId ? { id: input.accountId } : {}),
      name: 'ADA OKAFOR',
      account_number: '0123456789',
      currency: 'NGN',
      type: 'SAVINGS_ACCOUNT',
      ...(input.balance !== undefined ? { balance: input.balance } : {}),
      institution: { name: 'GTBank', bank_code: '058', type: 'PERSONAL_BANKING' },
    },
    transactions: input.transactions ?? sampleTransactions(25),
    options: { mfa: input.mfa ?? false, ...(input.ref ? { ref: input.ref } : {}) },
  });
}

/**
 * Debug aid: with MONO_SPECS_SKIP_SUBSCRIBERS=name1,name2 set, drops those AccountEventBus subscribers of an app so a
 * Mono suite can be checked while another module's subscriber is broken. Off by default (the suites run the whole app).
 */
export function dropSubscribersForDebugging(bus: object): void {
  const names = (process.env.MONO_SPECS_SKIP_SUBSCRIBERS ?? '').split(',').filter(Boolean);
  if (names.length === 0) return;
  const handlers = (bus as { handlers?: Array<{ name: string }> }).handlers;
  if (!handlers) return;
  handlers.splice(0, handlers.length, ...handlers.filter((h) => !names.includes(h.name)));
}
