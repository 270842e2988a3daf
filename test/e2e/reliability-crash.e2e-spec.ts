import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { ENGINE_KEYS, spawnEngine, stopAllEngines, type EngineProcess } from '../../scripts/reliability/engine-process.js';
import { newActivity } from '../../scripts/reliability/fault-scenario.js';
import {
  applyFor,
  compareWithGroundTruth,
  engineClient,
  linkBorrower,
  mapPool,
  query,
  sandboxAdmin,
  waitForQuiet,
  waitUntil,
  withRetries,
  type LinkedBorrower,
} from '../../scripts/reliability/kit.js';
import { JOBS_SCHEMA } from '../../src/jobs/jobs.service.js';
import { closePool, createTestDatabase } from '../support/database.js';
import { KIT_WEBHOOK_SECRET, monoEnv, startTestSandbox, type SandboxServer } from '../support/mono-kit.js';

/**
 * Issue 9 "Faults and crashes", second half: the real engine in a child process is killed with SIGKILL (a) while it
 * ingests a large account, (b) in the middle of a re-underwriting cycle and (c) after it acknowledged a burst of
 * webhooks but before it processed them; restarted on the same database and port, it must lose nothing and double
 * nothing. The three scenarios run at once (each with its own database, sandbox and engine) because each restart
 * waits for the leases the killed process held to expire.
 */

interface Scenario {
  sandbox: SandboxServer;
  db: { url: string; drop(): Promise<void> };
  pool: pg.Pool;
  env: Record<string, string>;
  engine: EngineProcess | null;
}

const scenarios: Scenario[] = [];

async function scenario(name: string, extraEnv: Record<string, string> = {}): Promise<Scenario> {
  // Mono keeps retrying a webhook the dead engine did not answer until the restarted one does (as Mono does for hours).
  const sandbox = await startTestSandbox({
    webhookDelayMs: [0, 10],
    linkProcessingMs: [10, 30],
    jobDurationMs: 30,
    webhookRetry: { baseMs: 200, maxMs: 2_000, maxAttempts: 200 },
  });
  const db = await createTestDatabase();
  const s: Scenario = {
    sandbox,
    db,
    pool: new pg.Pool({ connectionString: db.url, max: 2 }),
    env: monoEnv(sandbox, {
      LOG_LEVEL: 'error',
      // The machine is shared and loaded: a short client timeout would only test the CPU scheduler.
      MONO_TIMEOUT_MS: '10000',
      JOBS_ENABLED: 'true',
      APPLICATION_SYNC_DEADLINE_SECONDS: '5',
      REUNDERWRITE_CRON: '0 0 1 1 *',
      REVIEW_MAX_AGE_DAYS: '30',
      ...extraEnv,
    }),
    engine: null,
  };
  scenarios.push(s);
  await start(s, `${name}-1`);
  return s;
}

async function start(s: Scenario, name: string): Promise<EngineProcess> {
  s.engine = await spawnEngine({ name, databaseUrl: s.db.url, env: s.env });
  s.sandbox.setWebhookTarget(`${s.engine.url}/webhooks/mono`);
  return s.engine;
}

/** A client of the engine running now (each start binds a port of its own, announced by the process). */
const client = (s: Scenario) => {
  if (!s.engine) throw new Error('no engine running');
  return engineClient(s.engine.url, ENGINE_KEYS);
};

/**
 * Inbox jobs (pg-boss queue `webhook-inbox`) carry a heartbeat (WEBHOOK_LEASE_SECONDS, 30 s by default) that the
 * worker refreshes while it processes; once a killed process's heartbeats stop, pg-boss's monitor (every 10 s, and a
 * pass at the new process's start) puts its active jobs back to retry. The test does not shortcut that: it counts
 * what the dead process held and measures the whole recovery from the SIGKILL (docs/reliability.md).
 */
async function inboxJobsHeldByKilledProcess(s: Scenario): Promise<number> {
  return count(s, `SELECT count(*) AS n FROM ${JOBS_SCHEMA}.job WHERE name = 'webhook-inbox' AND state = 'active'`);
}

/** Wall-clock seconds since a performance.now() mark, one decimal: a measured figure for docs/reliability.md. */
function seconds(since: number): number {
  return Math.round((performance.now() - since) / 100) / 10;
}

async function count(s: Scenario, sql: string, params: unknown[] = []): Promise<number> {
  const [row] = await query<{ n: string }>(s.pool, sql, params);
  return Number(row?.n ?? 0);
}

/** `n` transactions, newest first, spread over the last ~300 days (v2 shape, unique ids). */
function ledger(prefix: string, n: number): Array<Record<string, unknown>> {
  const now = Date.now() - 3_600_000;
  const step = Math.floor((300 * 86_400_000) / n);
  return Array.from({ length: n }, (_, i) => ({
    id: `${prefix}-${String(i).padStart(6, '0')}`,
    narration: i % 5 === 0 ? `NIP/SALARY/ACME LTD ${i}` : `POS PURCHASE SHOPRITE ${i}`,
    amount: 10_000 + (i % 997) * 131,
    type: i % 5 === 0 ? 'credit' : 'debit',
    date: new Date(now - i * step).toISOString(),
  }));
}

interface IngestionFacts {
  total: number;
  storedAtKill: number;
  runsRunningAtKill: number;
  /** Inbox jobs the killed process held (`active`): pg-boss gives them back once their heartbeat lapsed. */
  leasesHeldAtKill: number;
  mismatches: string[];
  duplicates: number;
  /** Ingestion runs the killed process left `running` (nothing marks them failed; reported in docs/reliability.md). */
  staleRunningRuns: number;
  inboxUnsettled: number;
  /** Seconds from the SIGKILL (restart included, no shortcut) until every transaction was stored (printed, not asserted). */
  recoverySeconds: number;
  /** SIGKILL → the new process listening (printed). */
  engineUpSeconds: number;
}

/** (a) SIGKILL while the account's first ingestion is fetching a large history. */
async function ingestionCrash(): Promise<IngestionFacts> {
  const total = 8_000;
  const s = await scenario('ingest', { MONO_PAGE_LIMIT: '100', INGESTION_HISTORY_MONTHS: '12' });
  const engine = client(s);
  const b = await withRetries(
    'borrower',
    () =>
      engine.call<{ id: string }>('POST', '/v1/borrowers', {
        body: { externalId: 'crash-ingest', fullName: 'Ada Okafor', email: 'ada@example.com' },
      }),
    (st) => st === 201,
  );
  // Consent before linking (docs/privacy.md): without it the engine fetches nothing for the account.
  await withRetries(
    'consent',
    () =>
      engine.call('POST', `/v1/borrowers/${b.body.id}/consents`, {
        body: { purpose: 'underwriting', noticeVersion: 'crash-notice-v1', channel: 'test' },
      }),
    (st) => st === 201,
  );
  const created = await sandboxAdmin<{ code: string; accountId: string }>(s.sandbox.url, 'POST', '/accounts', {
    account: {
      name: 'ADA OKAFOR',
      account_number: '0123456789',
      currency: 'NGN',
      type: 'SAVINGS_ACCOUNT',
      institution: { name: 'GTBank', bank_code: '058', type: 'PERSONAL_BANKING' },
    },
    transactions: ledger('big', total),
  });
  // Every page costs latency, so the fetch of 80 pages is still running when the process is killed.
  await sandboxAdmin(s.sandbox.url, 'POST', '/faults', { latencyMs: 40 });
  // The link request itself may be the one ingesting: it is left in flight and dies with the process.
  const linking = engine.call('POST', `/v1/borrowers/${b.body.id}/accounts`, { body: { code: created.code } }).catch(() => null);
  await waitUntil(
    async () => {
      const { calls } = await sandboxAdmin<{ calls: Array<{ path: string }> }>(
        s.sandbox.url,
        'GET',
        `/accounts/${created.accountId}/calls`,
      );
      return calls.filter((c) => c.path.endsWith('/transactions')).length >= 10;
    },
    { timeoutMs: 60_000, intervalMs: 20, what: 'ingestion to be fetching pages' },
  );
  await s.engine!.kill9();
  const killClock = performance.now();
  await linking;
  const storedAtKill = await count(s, `SELECT count(*) AS n FROM bank_transactions`);
  const runsRunningAtKill = await count(s, `SELECT count(*) AS n FROM ingestion_runs WHERE status = 'running'`);
  const leasesHeldAtKill = await inboxJobsHeldByKilledProcess(s);
  await sandboxAdmin(s.sandbox.url, 'DELETE', '/faults');

  const restartedAt = new Date();
  await start(s, 'ingest-2');
  const engineUpSeconds = seconds(killClock);
  await waitUntil(async () => (await count(s, `SELECT count(*) AS n FROM bank_transactions`)) >= total, {
    timeoutMs: 150_000,
    intervalMs: 500,
    what: 'the large account ingested after the restart',
  });
  const recoverySeconds = seconds(killClock);
  await waitForQuiet(s.pool, s.sandbox.url, 60_000, restartedAt);
  const truth = await compareWithGroundTruth(s.pool, s.sandbox.url, [created.accountId]);
  return {
    total,
    storedAtKill,
    runsRunningAtKill,
    leasesHeldAtKill,
    engineUpSeconds,
    mismatches: truth.mismatches,
    duplicates: await count(
      s,
      `SELECT count(*) AS n FROM (SELECT 1 FROM bank_transactions GROUP BY account_id, provider_txn_id HAVING count(*) > 1) d`,
    ),
    inboxUnsettled: await count(s, `SELECT count(*) AS n FROM webhook_events WHERE status NOT IN ('processed', 'ignored')`),
    staleRunningRuns: await count(s, `SELECT count(*) AS n FROM ingestion_runs WHERE status = 'running' AND started_at < $1`, [
      restartedAt,
    ]),
    recoverySeconds,
  };
}

interface CycleFacts {
  cycleId: string;
  resumedId: string;
  resumed: boolean;
  doneAtKill: number;
  items: number;
  status: string;
  itemsDone: number;
  decisionsPerBorrower: number[];
  cycles: number;
  /**
   * Seconds from the SIGKILL until the cycle completed on the restarted process: engine start, pg-boss noticing the
   * dead worker's lapsed heartbeats (no shortcut here), and the remaining reviews (printed, not asserted).
   */
  recoverySeconds: number;
  /** Where the recovery time goes (printed, not asserted): SIGKILL → the new process listening. */
  engineUpSeconds: number;
  /** The dead process's pg-boss jobs left `active` at the kill, by queue. */
  activeJobsAtKill: Record<string, number>;
  /** Seconds after the kill (database clock) at which each item still open at the kill finished, ascending. */
  itemsFinishedSeconds: number[];
}

/** (b) SIGKILL in the middle of a re-underwriting cycle, then the cycle is resumed (not restarted) by the new process. */
async function cycleCrash(): Promise<CycleFacts> {
  const s = await scenario('cycle');
  const engine = client(s);
  const linked = await mapPool(
    Array.from({ length: 10 }, (_, i) => i),
    4,
    (i) => linkBorrower(engine, s.sandbox.url, { externalId: `crash-cycle-${i}`, persona: 'salaried_monthly', seed: 100 + i }),
  );
  await waitForQuiet(s.pool, s.sandbox.url, 60_000);
  const apps = await mapPool(linked, 4, (b, i) => applyFor(engine, b.borrowerId, `crash-cycle-${i}`));
  await waitUntil(
    async () =>
      (await count(s, `SELECT count(*) AS n FROM loan_applications WHERE id = ANY($1::uuid[]) AND status IN ('decided', 'failed')`, [
        apps,
      ])) === apps.length,
    {
      timeoutMs: 60_000,
      what: 'applications decided',
    },
  );
  // New data after the decisions makes every approved borrower due; each review then syncs through slow Mono calls.
  await query(s.pool, `UPDATE bank_accounts SET last_ingested_at = now() + interval '1 second'`);
  await sandboxAdmin(s.sandbox.url, 'POST', '/faults', { latencyMs: 300 });
  const started = await withRetries(
    'start cycle',
    () => engine.call<{ cycleId: string; items: number }>('POST', '/v1/admin/reunderwrite', { role: 'admin', body: {} }),
    (st) => st === 202,
  );
  const cycleId = started.body.cycleId;
  await waitUntil(
    async () => (await count(s, `SELECT count(*) AS n FROM review_items WHERE cycle_id = $1 AND status = 'done'`, [cycleId])) >= 2,
    {
      timeoutMs: 60_000,
      intervalMs: 20,
      what: 'two items of the cycle done',
    },
  );
  await s.engine!.kill9();
  const killClock = performance.now();
  const [{ at: killedAt }] = await query<{ at: Date }>(s.pool, `SELECT now() AS at`);
  const doneAtKill = await count(s, `SELECT count(*) AS n FROM review_items WHERE cycle_id = $1 AND status = 'done'`, [cycleId]);
  const activeAtKill = await query<{ name: string; n: string }>(
    s.pool,
    `SELECT name, count(*) AS n FROM ${JOBS_SCHEMA}.job WHERE state = 'active' GROUP BY name ORDER BY name`,
  );
  await sandboxAdmin(s.sandbox.url, 'DELETE', '/faults');

  await start(s, 'cycle-2');
  const engineUpSeconds = seconds(killClock);
  const resumed = await withRetries(
    'resume cycle',
    () => client(s).call<{ cycleId: string; resumed: boolean }>('POST', '/v1/admin/reunderwrite', { role: 'admin', body: {} }),
    (st) => st === 202,
  );
  const final = await waitUntil(
    async () => {
      const r = await client(s).call<{ status: string }>('GET', `/v1/admin/reunderwrite/${cycleId}`, { role: 'admin' });
      return r.body.status !== 'running' ? r.body : null;
    },
    { timeoutMs: 180_000, intervalMs: 500, what: 'the resumed cycle to complete' },
  );
  const recoverySeconds = seconds(killClock);
  const perBorrower = await query<{ n: string }>(
    s.pool,
    `SELECT count(d.id) AS n FROM review_items i LEFT JOIN decisions d ON d.borrower_id = i.borrower_id AND d.trigger = 'scheduled'
      WHERE i.cycle_id = $1 GROUP BY i.borrower_id`,
    [cycleId],
  );
  return {
    cycleId,
    resumedId: resumed.body.cycleId,
    resumed: resumed.body.resumed,
    doneAtKill,
    items: started.body.items,
    status: final.status,
    itemsDone: await count(s, `SELECT count(*) AS n FROM review_items WHERE cycle_id = $1 AND status = 'done'`, [cycleId]),
    decisionsPerBorrower: perBorrower.map((r) => Number(r.n)),
    cycles: await count(s, `SELECT count(*) AS n FROM review_cycles`),
    recoverySeconds,
    engineUpSeconds,
    activeJobsAtKill: Object.fromEntries(activeAtKill.map((r) => [r.name, Number(r.n)])),
    itemsFinishedSeconds: (
      await query<{ s: string }>(
        s.pool,
        `SELECT round(extract(epoch FROM finished_at - $2::timestamptz)::numeric, 1) AS s FROM review_items WHERE cycle_id = $1 AND finished_at > $2 ORDER BY finished_at`,
        [cycleId, killedAt],
      )
    ).map((r) => Number(r.s)),
  };
}

interface WebhookFacts {
  acknowledged: number;
  statuses200: number;
  rowsAtKill: number;
  unprocessedAtKill: number;
  pendingAtKill: number;
  /** Inbox jobs the killed process held (`active`): pg-boss gives them back once their heartbeat lapsed. */
  leasesHeldAtKill: number;
  settledAfterRestart: number;
  mismatches: string[];
  mismatchesAfterRedelivery: string[];
  rowsPerEvent: number;
  /** Seconds from the SIGKILL (restart included, no shortcut) until every acknowledged webhook was processed (printed). */
  recoverySeconds: number;
  /** SIGKILL → the new process listening (printed). */
  engineUpSeconds: number;
}

/** (c) SIGKILL right after the engine answered 200 to a burst of webhooks, before its inbox processed them. */
async function webhookCrash(): Promise<WebhookFacts> {
  const s = await scenario('hooks');
  const engine = client(s);
  const linked: LinkedBorrower[] = await mapPool(
    Array.from({ length: 16 }, (_, i) => i),
    4,
    (i) => linkBorrower(engine, s.sandbox.url, { externalId: `crash-hooks-${i}`, persona: 'weekly_gig', seed: 200 + i }),
  );
  await waitForQuiet(s.pool, s.sandbox.url, 60_000);

  // Mono's scheduled sync brings new activity for every account; its webhooks are held, then posted as one burst.
  s.sandbox.setWebhookTarget(null);
  for (const b of linked) {
    await sandboxAdmin(s.sandbox.url, 'POST', `/accounts/${b.monoAccountId}/transactions`, {
      transactions: newActivity(`${b.monoAccountId}-crash`),
    });
    await sandboxAdmin(s.sandbox.url, 'POST', `/accounts/${b.monoAccountId}/auto-sync`, {});
  }
  const { deliveries } = await sandboxAdmin<{ deliveries: Array<{ eventId: string; status: string; duplicate: boolean; body: unknown }> }>(
    s.sandbox.url,
    'GET',
    '/webhooks',
  );
  const burst = deliveries.filter((d) => d.status === 'pending' && !d.duplicate);
  const url = s.engine!.url;
  const statuses = await Promise.all(
    burst.map(async (d) => {
      const res = await fetch(`${url}/webhooks/mono`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'mono-webhook-secret': KIT_WEBHOOK_SECRET },
        body: JSON.stringify(d.body),
      });
      return res.status;
    }),
  );
  await s.engine!.kill9();
  const killClock = performance.now();
  const eventIds = burst.map((d) => d.eventId);
  const rowsAtKill = await count(s, `SELECT count(*) AS n FROM webhook_events WHERE provider_event_id = ANY($1::text[])`, [eventIds]);
  const unprocessedAtKill = await count(
    s,
    `SELECT count(*) AS n FROM webhook_events WHERE provider_event_id = ANY($1::text[]) AND status IN ('pending', 'processing')`,
    [eventIds],
  );
  const pendingAtKill = await count(
    s,
    `SELECT count(*) AS n FROM webhook_events WHERE provider_event_id = ANY($1::text[]) AND status = 'pending'`,
    [eventIds],
  );
  const leasesHeldAtKill = await inboxJobsHeldByKilledProcess(s);

  // Restart with Mono's deliveries still held: only the engine's own inbox can finish the acknowledged events.
  const restartedAt = new Date();
  await start(s, 'hooks-2');
  const engineUpSeconds = seconds(killClock);
  s.sandbox.setWebhookTarget(null);
  await waitUntil(
    async () =>
      (await count(
        s,
        `SELECT count(*) AS n FROM webhook_events WHERE provider_event_id = ANY($1::text[]) AND status IN ('processed', 'ignored')`,
        [eventIds],
      )) === eventIds.length,
    { timeoutMs: 150_000, intervalMs: 500, what: 'every acknowledged webhook processed after the restart' },
  ).catch(async (err: unknown) => {
    const rows = await query(
      s.pool,
      `SELECT event_type, status, attempts, last_error FROM webhook_events WHERE status NOT IN ('processed', 'ignored')`,
    );
    throw new Error(`${String(err)}; unsettled: ${JSON.stringify(rows).slice(0, 3000)}; engine stderr: ${s.engine?.stderrTail() ?? ''}`);
  });
  const recoverySeconds = seconds(killClock);
  const settledAfterRestart = await count(
    s,
    `SELECT count(*) AS n FROM webhook_events WHERE provider_event_id = ANY($1::text[]) AND status IN ('processed', 'ignored')`,
    [eventIds],
  );
  await waitForQuiet(s.pool, null, 60_000, restartedAt);
  const monoIds = linked.map((b) => b.monoAccountId);
  const first = await compareWithGroundTruth(s.pool, s.sandbox.url, monoIds);

  // Mono now delivers its held copies too (duplicates of processed events): nothing may change.
  s.sandbox.setWebhookTarget(`${s.engine!.url}/webhooks/mono`);
  await s.sandbox.deliverPendingWebhooks();
  await waitForQuiet(s.pool, s.sandbox.url, 60_000, restartedAt);
  const second = await compareWithGroundTruth(s.pool, s.sandbox.url, monoIds);
  const [perEvent] = await query<{ max: string | null }>(
    s.pool,
    `SELECT max(n) AS max FROM (SELECT provider_event_id, count(*) AS n FROM webhook_events WHERE provider_event_id IS NOT NULL GROUP BY provider_event_id) x`,
  );
  return {
    acknowledged: burst.length,
    statuses200: statuses.filter((st) => st === 200).length,
    rowsAtKill,
    unprocessedAtKill,
    pendingAtKill,
    leasesHeldAtKill,
    engineUpSeconds,
    settledAfterRestart,
    mismatches: first.mismatches,
    mismatchesAfterRedelivery: second.mismatches,
    rowsPerEvent: Number(perEvent?.max ?? 0),
    recoverySeconds,
  };
}

describe('engine process killed with SIGKILL', () => {
  let ingestion: PromiseSettledResult<IngestionFacts>;
  let cycle: PromiseSettledResult<CycleFacts>;
  let webhooks: PromiseSettledResult<WebhookFacts>;

  beforeAll(async () => {
    // RELIABILITY_CRASH_ONLY=ingestion|cycle|hooks runs one scenario (debugging); the others then fail as skipped.
    const only = process.env.RELIABILITY_CRASH_ONLY;
    const run = <T>(name: string, fn: () => Promise<T>): Promise<T> =>
      !only || only === name ? fn() : Promise.reject(new Error(`skipped (${only} only)`));
    [ingestion, cycle, webhooks] = await Promise.allSettled([
      run('ingestion', ingestionCrash),
      run('cycle', cycleCrash),
      run('hooks', webhookCrash),
    ]);
  }, 420_000);

  afterAll(async () => {
    await stopAllEngines();
    for (const s of scenarios) {
      s.sandbox.setWebhookTarget(null);
      await s.sandbox.close();
      await closePool(s.pool);
      await s.db.drop();
    }
  }, 60_000);

  const settled = <T>(r: PromiseSettledResult<T>): T => {
    if (r.status === 'rejected') throw r.reason;
    process.stdout.write(`${JSON.stringify(r.value)}\n`);
    return r.value;
  };

  it('should end with exactly the bank transactions after a kill during a large ingestion', () => {
    const f = settled(ingestion);
    expect(f.storedAtKill).toBeLessThan(f.total);
    expect(f.mismatches).toEqual([]);
    expect(f.duplicates).toBe(0);
    expect(f.inboxUnsettled).toBe(0);
  });

  it('should resume the killed cycle and end it with exactly one decision per borrower', () => {
    const f = settled(cycle);
    expect(f.doneAtKill).toBeLessThan(f.items);
    expect({ resumedId: f.resumedId, resumed: f.resumed, cycles: f.cycles, status: f.status }).toEqual({
      resumedId: f.cycleId,
      resumed: true,
      cycles: 1,
      status: 'completed',
    });
    expect(f.itemsDone).toBe(f.items);
    expect(f.decisionsPerBorrower).toHaveLength(f.items);
    expect(new Set(f.decisionsPerBorrower)).toEqual(new Set([1]));
  });

  it('should process every webhook it acknowledged before the kill, once', () => {
    const f = settled(webhooks);
    expect(f.acknowledged).toBeGreaterThanOrEqual(16);
    expect(f.statuses200).toBe(f.acknowledged);
    expect(f.rowsAtKill).toBe(f.acknowledged);
    expect(f.unprocessedAtKill).toBeGreaterThan(0);
    expect(f.settledAfterRestart).toBe(f.acknowledged);
    expect(f.mismatches).toEqual([]);
    expect(f.mismatchesAfterRedelivery).toEqual([]);
    expect(f.rowsPerEvent).toBe(1);
  });
});
