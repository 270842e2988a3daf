/**
 * The fault run (issue 9, "Faults and crashes"): with the sandbox's faults on, borrowers link, apply and are
 * re-underwritten; the run ends when every application is decided or explicitly waiting for reauth, the cycle is
 * complete and the inbox is settled — then stored transactions are compared with the sandbox's ground truth.
 * Used by test/e2e/reliability-faults.e2e-spec.ts (small) and `npm run reliability:faults` (200 borrowers).
 */
import pg from 'pg';
import {
  applyFor,
  compareWithGroundTruth,
  faultsSeen,
  linkBorrower,
  mapPool,
  query,
  sandboxAdmin,
  waitForQuiet,
  waitUntil,
  withRetries,
  type EngineClient,
} from './kit.js';

/** Every fault the sandbox can inject, at rates that make each of them happen many times in a run. */
export const FAULTS = {
  latencyMs: 2,
  latencyJitterMs: 20,
  errorRate: 0.15,
  rateLimitBurst: { every: 10, length: 1 },
  malformedRate: 0.08,
  timeoutRate: 0.04,
  timeoutMode: 'mixed',
  timeoutHangMs: 4_000,
  webhookDuplicateRate: 0.3,
  webhookReorder: true,
} as const;

/** Engine settings for a faulty Mono: short client timeout (below timeoutHangMs), more retries, fast inbox retries. */
export const FAULT_ENGINE_ENV: Record<string, string> = {
  MONO_TIMEOUT_MS: '1500',
  MONO_MAX_RETRIES: '8',
  MONO_RETRY_BASE_MS: '10',
  MONO_CIRCUIT_THRESHOLD: '10',
  MONO_CIRCUIT_HALF_OPEN_MS: '100',
  SYNC_MIN_INTERVAL_SECONDS: '0',
  WEBHOOK_RETRY_BASE_MS: '50',
  WEBHOOK_MAX_ATTEMPTS: '20',
  APPLICATION_SYNC_DEADLINE_SECONDS: '90',
  APPLICATION_STALE_POLICY: 'decide_stale',
  JOBS_ENABLED: 'true',
  // The cron never fires during a run: the cycle is started through the admin API.
  REUNDERWRITE_CRON: '0 0 1 1 *',
  REUNDERWRITE_SYNC_BUDGET: '100000',
};

const PERSONAS = ['salaried_monthly', 'salary_raise', 'weekly_gig', 'salaried_monthly', 'loan_stacker', 'trader_irregular'];

export interface FaultRunOptions {
  engine: EngineClient;
  databaseUrl: string;
  sandboxUrl: string;
  borrowers: number;
  /** Every n-th borrower banks with an MFA bank (ends waiting for reauth). */
  mfaEvery?: number;
  concurrency?: number;
  seed?: number;
  /** Bound of each waiting phase. */
  phaseTimeoutMs?: number;
  log?: (line: string) => void;
}

export interface FaultRunResult {
  borrowers: number;
  mfaBorrowers: number;
  applications: {
    total: number;
    decided: number;
    reauthRequired: number;
    /** MFA borrowers decided on the data they had (the sync request failed under faults), flagged stale. */
    mfaDecidedStale: number;
    /**
     * Applications not where their borrower may end: others → decided; MFA banks → reauth_required, or decided on
     * stale data when the sync request itself failed (APPLICATION_STALE_POLICY=decide_stale).
     */
    unexpected: Array<{ id: string; status: string; reason: string | null; stale: boolean; mfa: boolean }>;
  };
  applicationDecisions: { applications: number; maxPerApplication: number; outcomes: Record<string, number> };
  cycle: { id: string; status: string; counters: Record<string, number> };
  scheduledDecisions: { borrowers: number; maxPerBorrower: number; itemsDone: number; reviewItems: number };
  groundTruth: { accounts: number; transactions: number; mismatches: string[] };
  faults: { monoCalls: number; byKind: Record<string, number> };
  webhooks: { deliveries: number; duplicatesSent: number; inbox: Record<string, number> };
  phasesMs: Record<string, number>;
  durationMs: number;
}

interface CycleView {
  cycleId: string;
  status: string;
  counters: Record<string, number>;
}

export async function runFaultScenario(opts: FaultRunOptions): Promise<FaultRunResult> {
  const log = opts.log ?? (() => undefined);
  const concurrency = opts.concurrency ?? 8;
  const phaseTimeoutMs = opts.phaseTimeoutMs ?? 240_000;
  const mfaEvery = opts.mfaEvery ?? 6;
  const runTag = `${opts.seed ?? 1}-${Date.now().toString(36)}`;
  const pool = new pg.Pool({ connectionString: opts.databaseUrl, max: 3 });
  const phasesMs: Record<string, number> = {};
  const started = performance.now();
  let phaseStart = started;
  const phase = (name: string): void => {
    const now = performance.now();
    phasesMs[name] = Math.round(now - phaseStart);
    phaseStart = now;
    log(`${name}: ${phasesMs[name]} ms`);
  };
  try {
    await sandboxAdmin(opts.sandboxUrl, 'POST', '/faults', { ...FAULTS, seed: opts.seed ?? 1 });

    // 1. Link: the engine exchanges each widget code with a faulty Mono, then ingests through webhooks.
    const linked = await mapPool(Array.from({ length: opts.borrowers }, (_, i) => i), concurrency, (i) =>
      linkBorrower(opts.engine, opts.sandboxUrl, {
        externalId: `fault-${runTag}-${i}`,
        persona: PERSONAS[i % PERSONAS.length],
        mfa: (i + 1) % mfaEvery === 0,
        seed: i + 1,
      }),
    );
    const ids = linked.map((b) => b.borrowerId);
    await waitUntil(
      async () => {
        const [r] = await query<{ n: string }>(pool, `SELECT count(*) AS n FROM bank_accounts WHERE borrower_id = ANY($1::uuid[]) AND last_ingested_at IS NOT NULL`, [ids]);
        return Number(r.n) === linked.length;
      },
      { timeoutMs: phaseTimeoutMs, what: 'first ingestion of every linked account' },
    );
    await waitForQuiet(pool, opts.sandboxUrl, phaseTimeoutMs);
    phase('link');

    // 2. Returning borrowers: MFA borrowers and every third other borrower have old data, so applying syncs
    //    (the MFA bank then demands reauth); half of those also have new bank activity the sync must bring in.
    const returning = linked.filter((b, i) => b.mfa || i % 3 === 0);
    for (const [k, b] of returning.entries()) {
      if (!b.mfa && k % 2 === 0) {
        await sandboxAdmin(opts.sandboxUrl, 'POST', `/accounts/${b.monoAccountId}/transactions`, { transactions: newActivity(`${b.monoAccountId}-apply`) });
      }
    }
    await query(
      pool,
      `UPDATE bank_accounts SET last_synced_at = last_synced_at - interval '2 hours', last_ingested_at = last_ingested_at - interval '2 hours',
              last_sync_requested_at = last_sync_requested_at - interval '2 hours'
        WHERE borrower_id = ANY($1::uuid[])`,
      [returning.map((b) => b.borrowerId)],
    );

    // 3. Apply: every borrower once; each ends decided or reauth_required.
    // A modest loan (₦50,000 over 6 months), so most salaried and gig borrowers are approved and come up for review.
    const appIds = await mapPool(linked, concurrency, (b, i) => applyFor(opts.engine, b.borrowerId, `fault-${runTag}-${i}`, 5_000_000));
    const finalStatuses = await waitUntil(
      async () => {
        const rows = await query<{ id: string; status: string; status_reason: string | null; stale_data: boolean }>(
          pool,
          `SELECT id, status, status_reason, stale_data FROM loan_applications WHERE id = ANY($1::uuid[])`,
          [appIds],
        );
        return rows.every((r) => ['decided', 'reauth_required', 'failed'].includes(r.status)) ? rows : null;
      },
      { timeoutMs: phaseTimeoutMs, what: 'every application decided or waiting for reauth' },
    );
    phase('apply');

    // 4. New data arrives through Mono's own scheduled sync (webhook), then a re-underwriting cycle runs.
    const approved = await query<{ borrower_id: string }>(
      pool,
      `SELECT DISTINCT borrower_id FROM decisions WHERE trigger = 'application' AND decision = 'approve' AND borrower_id = ANY($1::uuid[])`,
      [ids],
    );
    const approvedSet = new Set(approved.map((r) => r.borrower_id));
    const reviewed = linked.filter((b) => approvedSet.has(b.borrowerId) && !b.mfa);
    for (const b of reviewed) {
      await sandboxAdmin(opts.sandboxUrl, 'POST', `/accounts/${b.monoAccountId}/transactions`, { transactions: newActivity(`${b.monoAccountId}-review`) });
      await sandboxAdmin(opts.sandboxUrl, 'POST', `/accounts/${b.monoAccountId}/auto-sync`, {});
    }
    await waitUntil(
      async () => {
        const [r] = await query<{ n: string }>(
          pool,
          `SELECT count(*) AS n FROM bank_accounts a
            WHERE a.borrower_id = ANY($1::uuid[])
              AND a.last_ingested_at > (SELECT max(created_at) FROM decisions d WHERE d.borrower_id = a.borrower_id)`,
          [reviewed.map((b) => b.borrowerId)],
        );
        return Number(r.n) === reviewed.length;
      },
      { timeoutMs: phaseTimeoutMs, what: 'new activity ingested after the decisions' },
    );
    await waitForQuiet(pool, opts.sandboxUrl, phaseTimeoutMs);
    const start = await withRetries(
      'start re-underwriting',
      () => opts.engine.call<{ cycleId: string }>('POST', '/v1/admin/reunderwrite', { role: 'admin', body: {} }),
      (s) => s === 202,
    );
    const cycle = await waitUntil(
      async () => {
        const r = await opts.engine.call<CycleView>('GET', `/v1/admin/reunderwrite/${start.body.cycleId}`, { role: 'admin' });
        return r.status === 200 && r.body.status !== 'running' ? r.body : null;
      },
      { timeoutMs: phaseTimeoutMs, intervalMs: 500, what: 're-underwriting cycle to finish' },
    );
    phase('reunderwrite');

    // 5. Settle, then compare.
    await waitForQuiet(pool, opts.sandboxUrl, phaseTimeoutMs);
    const truth = await compareWithGroundTruth(pool, opts.sandboxUrl, linked.map((b) => b.monoAccountId));
    phase('compare');

    const [appDecisions] = await query<{ apps: string; max: string | null }>(
      pool,
      `SELECT count(*) AS apps, max(n) AS max FROM (SELECT application_id, count(*) AS n FROM decisions WHERE application_id = ANY($1::uuid[]) GROUP BY application_id) x`,
      [appIds],
    );
    const outcomes = await query<{ decision: string; n: string }>(
      pool,
      `SELECT decision, count(*) AS n FROM decisions WHERE application_id = ANY($1::uuid[]) GROUP BY decision`,
      [appIds],
    );
    const [scheduled] = await query<{ borrowers: string; max: string | null }>(
      pool,
      `SELECT count(*) AS borrowers, max(n) AS max FROM (
         SELECT borrower_id, count(*) AS n FROM decisions WHERE trigger = 'scheduled' AND borrower_id = ANY($1::uuid[]) GROUP BY borrower_id) x`,
      [ids],
    );
    const [items] = await query<{ total: string; done: string }>(
      pool,
      `SELECT count(*) AS total, count(*) FILTER (WHERE status = 'done') AS done FROM review_items WHERE cycle_id = $1`,
      [cycle.cycleId],
    );
    const inbox = await query<{ status: string; n: string }>(pool, `SELECT status, count(*) AS n FROM webhook_events GROUP BY status`);
    const hooks = await sandboxAdmin<{ deliveries: Array<{ duplicate: boolean }> }>(opts.sandboxUrl, 'GET', '/webhooks');
    const seen = await faultsSeen(opts.sandboxUrl, linked.map((b) => b.monoAccountId));
    const statuses = countBy(finalStatuses.map((r) => r.status));
    const byId = new Map(finalStatuses.map((r) => [r.id, r]));
    const outcomeOf = (id: string, i: number) => {
      const row = byId.get(id);
      const status = row?.status ?? 'missing';
      const mfa = linked[i].mfa;
      const ok = mfa ? status === 'reauth_required' || (status === 'decided' && row?.stale_data === true) : status === 'decided';
      return { id, status, reason: row?.status_reason ?? null, stale: row?.stale_data ?? false, mfa, ok };
    };
    const outcomesByApp = appIds.map(outcomeOf);
    return {
      borrowers: linked.length,
      mfaBorrowers: linked.filter((b) => b.mfa).length,
      applications: {
        total: appIds.length,
        decided: statuses.decided ?? 0,
        reauthRequired: statuses.reauth_required ?? 0,
        mfaDecidedStale: outcomesByApp.filter((a) => a.mfa && a.status === 'decided').length,
        unexpected: outcomesByApp.filter((a) => !a.ok).map(({ id, status, reason, stale, mfa }) => ({ id, status, reason, stale, mfa })),
      },
      applicationDecisions: {
        applications: Number(appDecisions.apps),
        maxPerApplication: Number(appDecisions.max ?? 0),
        outcomes: Object.fromEntries(outcomes.map((r) => [r.decision, Number(r.n)])),
      },
      cycle: { id: cycle.cycleId, status: cycle.status, counters: cycle.counters },
      scheduledDecisions: {
        borrowers: Number(scheduled.borrowers),
        maxPerBorrower: Number(scheduled.max ?? 0),
        itemsDone: Number(items.done),
        reviewItems: Number(items.total),
      },
      groundTruth: { accounts: linked.length, transactions: truth.transactions, mismatches: truth.mismatches },
      faults: { monoCalls: seen.calls, byKind: seen.faults },
      webhooks: {
        deliveries: hooks.deliveries.length,
        duplicatesSent: hooks.deliveries.filter((d) => d.duplicate).length,
        inbox: Object.fromEntries(inbox.map((r) => [r.status, Number(r.n)])),
      },
      phasesMs,
      durationMs: Math.round(performance.now() - started),
    };
  } finally {
    await sandboxAdmin(opts.sandboxUrl, 'DELETE', '/faults').catch(() => undefined);
    await pool.end();
  }
}

function countBy(values: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of values) out[v] = (out[v] ?? 0) + 1;
  return out;
}

/** Fresh bank activity (today, Lagos) with ids unique to `prefix`. */
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
