/**
 * Helpers for the applications e2e suites: a borrower linked to a sandbox persona over real HTTP, polling an
 * application until it settles, and making linked data look old (a returning borrower) without waiting.
 */
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import request from 'supertest';
import { ApiKeysService } from '../../src/auth/api-keys.service.js';
import { JobsService } from '../../src/jobs/jobs.service.js';
import { createEngineApp } from '../../src/bootstrap.js';
import { AppConfig } from '../../src/config/app-config.js';
import { TEST_KEYS, type TestApp } from '../support/app.js';
import { grantConsents } from '../support/consent-kit.js';
import { sandboxAdmin, settleAccountWebhooks, type SandboxServer } from '../support/mono-kit.js';

export interface LinkedBorrower {
  borrowerId: string;
  accountId: string;
  monoAccountId: string;
  sandboxAccountId: string;
}

let seq = 0;

/**
 * Creates a borrower, records their underwriting and monitoring consents (POST /v1/borrowers/{id}/consents, as a
 * lender's frontend does before Mono Connect), links a sandbox persona account by its widget code and waits for the
 * first ingestion (without consent nothing is ingested: pass consent: false and do not wait). `matchName` names the
 * borrower as the persona's account holder (otherwise the fixed kit name makes every decision an identity refer).
 */
export async function linkPersonaBorrower(
  t: TestApp,
  sandbox: SandboxServer,
  persona = 'salaried_monthly',
  /** consent: false links without any consent (the default grants underwriting + monitoring over HTTP first). */
  opts: { mfa?: boolean; consent?: boolean; matchName?: boolean; /** POST /sandbox/accounts body instead of the persona. */ sandboxAccount?: Record<string, unknown> } = {},
): Promise<LinkedBorrower> {
  seq += 1;
  const http = request(t.url);
  const created = await sandboxAdmin<{ code: string; accountId: string }>(
    sandbox,
    'POST',
    '/accounts',
    opts.sandboxAccount ?? { persona, ...(opts.mfa ? { options: { mfa: true } } : {}) },
  );
  // The kit's fixed name differs from the persona's account holder (a name-mismatch refer) unless asked to match.
  const fullName = opts.matchName
    ? (await sandboxAdmin<{ account: { name: string } }>(sandbox, 'GET', `/accounts/${created.accountId}`)).account.name
    : 'Adaeze Okafor';
  const borrower = await http
    .post('/v1/borrowers')
    .set(t.auth('frontend'))
    .send({ externalId: `e2e-${persona}-${seq}-${Date.now()}`, fullName, email: `ada${seq}@example.com` })
    .expect(201);
  const borrowerId = borrower.body.id as string;
  if (opts.consent !== false) await grantConsents(t, borrowerId);
  const linked = await request(t.url)
    .post(`/v1/borrowers/${borrowerId}/accounts`)
    .set(t.auth('frontend'))
    .send({ code: created.code })
    .expect(201);
  // The link has settled once its webhooks (account_connected, account_updated) were handled, ingestion included.
  await settleAccountWebhooks(t.app, sandbox, linked.body.monoAccountId as string, 2);
  if (opts.consent !== false) await expectIngested(t, borrowerId);
  return {
    borrowerId,
    accountId: linked.body.id as string,
    monoAccountId: linked.body.monoAccountId as string,
    sandboxAccountId: created.accountId,
  };
}

/** The borrower has transactions (the link's ingestion ran). */
export async function expectIngested(t: TestApp, borrowerId: string): Promise<void> {
  const res = await request(t.url).get(`/v1/borrowers/${borrowerId}/transactions?limit=1`).set(t.auth('frontend')).expect(200);
  if ((res.body.items as unknown[]).length === 0) throw new Error(`borrower ${borrowerId} has no transactions after linking`);
}

/**
 * Waits until the account is quiet: nothing scheduled for it in the sandbox, no webhook of it pending, every one the
 * engine stored handled (see settleAccountWebhooks), so later test steps do not race the tail of a link or a sync.
 */
export async function waitForQuiet(t: TestApp, sandbox: SandboxServer, monoAccountId: string, minDeliveries = 1): Promise<void> {
  await settleAccountWebhooks(t.app, sandbox, monoAccountId, minDeliveries);
}

export type ApplicationBody = Record<string, unknown> & { id: string; status: string };

export async function getApplication(t: TestApp, id: string): Promise<ApplicationBody> {
  return (await request(t.url).get(`/v1/applications/${id}`).set(t.auth('frontend')).expect(200)).body as ApplicationBody;
}

/**
 * Resolves once the application is in one of `statuses`: read now and again after every job the engine settles
 * (an application step, or an inbox job whose event moved it), since a status is committed before its job is
 * settled — event-driven, no polling. `events` is the engine whose workers run the jobs when `t` is an API-only
 * instance. The guard deadline only turns a hang into a readable failure.
 */
export async function waitForStatus(
  t: TestApp,
  id: string,
  statuses: string[],
  opts: number | { guardMs?: number; events?: TestApp } = {},
): Promise<ApplicationBody> {
  const { guardMs = 30_000, events = t } = typeof opts === 'number' ? { guardMs: opts } : opts;
  const jobs = events.app.get(JobsService);
  return new Promise<ApplicationBody>((resolve, reject) => {
    let finished = false;
    let running = false;
    let again = false;
    let last: string | undefined;
    const finish = (): void => {
      finished = true;
      stop();
      clearTimeout(guard);
    };
    const check = async (): Promise<void> => {
      if (running) {
        again = true;
        return;
      }
      running = true;
      try {
        do {
          again = false;
          const app = await getApplication(t, id);
          last = app.status;
          if (statuses.includes(app.status) && !finished) {
            finish();
            resolve(app);
            return;
          }
        } while (again && !finished);
      } catch (err) {
        if (!finished) {
          finish();
          reject(err instanceof Error ? err : new Error(String(err)));
        }
      } finally {
        running = false;
      }
    };
    const stop = jobs.onSettled(() => void check());
    const guard = setTimeout(() => {
      if (finished) return;
      finish();
      reject(new Error(`application ${id} not in ${statuses.join('|')} after ${guardMs} ms (last: ${last ?? 'unread'})`));
    }, guardMs);
    void check();
  });
}

/** Applies and waits for the decision; fails (naming the status) unless the application was decided. */
export async function applyAndDecide<D = Record<string, unknown>>(
  t: TestApp,
  borrowerId: string,
  body: Record<string, unknown>,
): Promise<{ id: string; decision: D }> {
  const id = await apply(t, borrowerId, body);
  const app = await waitForStatus(t, id, ['decided', 'failed']);
  if (app.status !== 'decided') throw new Error(`application ${id} ended ${app.status}, not decided (${String(app.statusReason)})`);
  return { id, decision: app.decision as D };
}

export async function apply(
  t: TestApp,
  borrowerId: string,
  body: Record<string, unknown> = {},
  key = `key-${Math.random().toString(36).slice(2)}`,
): Promise<string> {
  const res = await request(t.url)
    .post('/v1/applications')
    .set(t.auth('frontend'))
    .set('Idempotency-Key', key)
    .send({ borrowerId, amount: 20_000_000, tenorMonths: 6, ...body })
    .expect(202);
  return res.body.id as string;
}

/**
 * Makes the borrower's data look an hour old (a returning borrower), outside Mono's sync window. Call it once the
 * link has settled (linkPersonaBorrower waits for that), so no trailing ingestion stamps the account afterwards.
 */
export async function ageAccounts(databaseUrl: string, borrowerId: string, seconds = 3600): Promise<void> {
  await dbQuery(
    databaseUrl,
    `UPDATE bank_accounts SET last_synced_at = last_synced_at - make_interval(secs => $2), last_ingested_at = last_ingested_at - make_interval(secs => $2),
            last_sync_requested_at = last_sync_requested_at - make_interval(secs => $2)
      WHERE borrower_id = $1`,
    [borrowerId, seconds],
  );
}

export async function dbQuery<T>(databaseUrl: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const c = new pg.Client({ connectionString: databaseUrl });
  await c.connect();
  try {
    return (await c.query(sql, params)).rows as T[];
  } finally {
    await c.end();
  }
}

/** Sync calls the sandbox received for an account (legacy Data Sync or real-time requests). */
export async function syncCalls(sandbox: SandboxServer, sandboxAccountId: string): Promise<Array<{ method: string; path: string }>> {
  const { calls } = await sandboxAdmin<{ calls: Array<{ method: string; path: string; realtime?: string }> }>(
    sandbox,
    'GET',
    `/accounts/${sandboxAccountId}/calls`,
  );
  return calls.filter((c) => (c.method === 'POST' && c.path.endsWith('/sync')) || c.realtime === 'true');
}

/** Transactions dated today (Lagos) for POST /sandbox/accounts/{id}/transactions. */
export function newActivity(prefix: string, count = 3): Array<Record<string, unknown>> {
  const now = Date.now();
  return Array.from({ length: count }, (_, i) => ({
    id: `${prefix}-${i}`,
    narration: i === 0 ? 'NIP/ACME NIGERIA LTD/SALARY BONUS' : `POS PURCHASE SHOPRITE LEKKI ${i}`,
    amount: i === 0 ? 5_000_000 : 120_000 + i,
    type: i === 0 ? 'credit' : 'debit',
    date: new Date(now - (count - i) * 60_000).toISOString(),
  }));
}

/** An engine on an existing database (a second instance, or a restart), with the test API keys; close() keeps the database. */
export async function startEngineOn(databaseUrl: string, env: Record<string, string>): Promise<TestApp> {
  const config = AppConfig.forTest({ LOG_LEVEL: 'warn', PORT: '0', ...env });
  const app = await createEngineApp({ config, databaseUrl, bufferLogs: true });
  await app.init();
  const keys = app.get(ApiKeysService);
  for (const [role, key] of Object.entries(TEST_KEYS)) await keys.ensureKey(role as keyof typeof TEST_KEYS, key, `test-${role}`);
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  return {
    app,
    config,
    databaseUrl,
    url: `http://127.0.0.1:${port}`,
    auth: (role) => ({ Authorization: `Bearer ${TEST_KEYS[role]}` }),
    close: () => app.close(),
  };
}
