import 'reflect-metadata';
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { ENGINE_KEYS, spawnEngine, type EngineProcess } from './reliability/engine-process.js';
import { runScript, startInfra, type Infra, type Sandbox } from './reliability/infra.js';
import { applyFor, engineClient, linkBorrower, mapPool, query, sandboxAdmin, waitForQuiet, waitUntil, type EngineClient } from './reliability/kit.js';

/**
 * `npm run scale-out [-- --borrowers 300 --instances 1,3 --mono-latency-ms 150 --json]`
 *
 * Several engine instances on one Postgres (issue 9, "Several instances"). For each instance count it starts an
 * embedded Postgres database and the sandbox (loopback only), N engine processes on one DATABASE_URL with jobs on,
 * links the borrowers, then measures
 *   - a burst of applications spread round-robin over the instances (applications/s until all are decided), and
 *   - a re-underwriting cycle triggered on every instance at the same moment (one 202, the rest 409: the scheduler
 *     runs once), drained by the cycle's owner plus one `npm run reunderwrite -- --drain-only` worker per extra
 *     instance (borrowers/s until the cycle completes),
 * and shows from the database that every work item was done exactly once. Processes and temp dirs are removed on exit.
 */
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

interface PhaseResult {
  instances: number;
  borrowers: number;
  linkSeconds: number;
  applications: number;
  applicationsDecided: number;
  applicationSeconds: number;
  applicationsPerSecond: number;
  decisionsPerApplicationMax: number;
  triggers: { accepted: number; conflict: number; other: number };
  cyclesCreated: number;
  reviewItems: number;
  reviewItemsDone: number;
  reviewAttemptsMax: number;
  reviewWorkers: Record<string, number>;
  /** Items not done, by status and error (should be empty). */
  reviewProblems: Array<{ status: string; error: string | null; n: number }>;
  scheduledDecisionsPerBorrowerMax: number;
  scheduledDecisionBorrowers: number;
  cycleSeconds: number;
  borrowersPerSecond: number;
}

function args(): { borrowers: number; instances: number[]; json: boolean; monoLatencyMs: number } {
  const get = (name: string): string | undefined => {
    const i = process.argv.indexOf(`--${name}`);
    return i >= 0 ? process.argv[i + 1] : undefined;
  };
  const borrowers = Number(get('borrowers') ?? 300);
  const instances = (get('instances') ?? '1,3').split(',').map(Number);
  if (!Number.isSafeInteger(borrowers) || borrowers < 1) throw new Error('--borrowers must be a positive integer');
  if (instances.some((n) => !Number.isSafeInteger(n) || n < 1 || n > 8)) throw new Error('--instances must be a list of 1..8');
  const monoLatencyMs = Number(get('mono-latency-ms') ?? 150);
  if (!Number.isSafeInteger(monoLatencyMs) || monoLatencyMs < 0) throw new Error('--mono-latency-ms must be a non-negative integer');
  return { borrowers, instances, json: process.argv.includes('--json'), monoLatencyMs };
}

/** `scripts/reunderwrite.ts --cycle ID --drain-only`: the documented extra worker for a running cycle. */
function drainWorker(databaseUrl: string, cycleId: string, env: Record<string, string>): { child: ChildProcess; done: Promise<number | null> } {
  const child = spawn(
    process.execPath,
    ['--no-warnings', '--import', '@swc-node/register/esm-register', 'scripts/reunderwrite.ts', '--cycle', cycleId, '--drain-only', '--concurrency', '4'],
    { cwd: ROOT, detached: false, stdio: ['ignore', 'ignore', 'ignore'], env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', NODE_OPTIONS: '', ...env, DATABASE_URL: databaseUrl, JOBS_ENABLED: 'false' } },
  );
  return { child, done: new Promise((resolve) => child.on('exit', (code) => resolve(code))) };
}

async function phase(infra: Infra, sandbox: Sandbox, instances: number, borrowers: number, monoLatencyMs: number, log: (l: string) => void, onCleanup: (fn: () => Promise<void>) => void): Promise<PhaseResult> {
  await sandboxAdmin(sandbox.url, 'POST', '/reset', {});
  const databaseUrl = await infra.createDatabase(`scale_${instances}_${Date.now().toString(36)}`);
  const env = infra.monoEnv(sandbox, {
    JOBS_ENABLED: 'true',
    REUNDERWRITE_CRON: '0 0 1 1 *',
    REUNDERWRITE_SYNC_BUDGET: '1000000',
    APPLICATION_SYNC_DEADLINE_SECONDS: '30',
    RATE_LIMIT_PER_MINUTE: '1000000',
  });
  const engines: EngineProcess[] = [];
  for (let i = 0; i < instances; i++) engines.push(await spawnEngine({ name: `engine-${i + 1}`, databaseUrl, env }));
  onCleanup(() => Promise.all(engines.map((e) => e.stop())).then(() => undefined));
  sandbox.setWebhookTarget(`${engines[0].url}/webhooks/mono`);
  const clients: EngineClient[] = engines.map((e) => engineClient(e.url, ENGINE_KEYS));
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 3 });
  try {
    log(`[${instances}] ${engines.map((e) => `${e.name} ${e.url} pid ${e.pid}`).join(', ')}`);
    // Seed: borrowers linked through the engines (round-robin), first ingestion through the shared inbox.
    let t0 = performance.now();
    const linked = await mapPool(Array.from({ length: borrowers }, (_, i) => i), 16, (i) =>
      linkBorrower(clients[i % instances], sandbox.url, { externalId: `scale-${i}`, persona: i % 4 === 3 ? 'weekly_gig' : 'salaried_monthly', seed: i + 1, months: 6 }),
    );
    await waitUntil(
      async () => {
        const [r] = await query<{ n: string }>(pool, `SELECT count(*) AS n FROM bank_accounts WHERE last_ingested_at IS NOT NULL`);
        return Number(r.n) === linked.length;
      },
      { timeoutMs: 600_000, intervalMs: 500, what: 'every account ingested' },
    );
    await waitForQuiet(pool, sandbox.url, 300_000);
    const linkSeconds = (performance.now() - t0) / 1000;
    log(`[${instances}] linked ${linked.length} borrowers in ${linkSeconds.toFixed(1)} s`);

    // Burst of applications from returning borrowers (data an hour old), spread over the instances: each application
    // syncs with Mono and waits for the new data, as in production, where a Mono call takes hundreds of ms
    // (simulated with the sandbox's latency).
    await query(
      pool,
      `UPDATE bank_accounts SET last_synced_at = last_synced_at - interval '1 hour', last_ingested_at = last_ingested_at - interval '1 hour',
              last_sync_requested_at = last_sync_requested_at - interval '1 hour'`,
    );
    if (monoLatencyMs > 0) await sandboxAdmin(sandbox.url, 'POST', '/faults', { latencyMs: monoLatencyMs });
    t0 = performance.now();
    const appIds = await mapPool(linked, 32, (b, i) => applyFor(clients[i % instances], b.borrowerId, `scale-${i}`, 5_000_000));
    await waitUntil(
      async () => {
        const [r] = await query<{ n: string }>(pool, `SELECT count(*) AS n FROM loan_applications WHERE status IN ('decided', 'failed')`);
        return Number(r.n) === appIds.length;
      },
      { timeoutMs: 600_000, intervalMs: 100, what: 'every application decided' },
    );
    const applicationSeconds = (performance.now() - t0) / 1000;
    const [apps] = await query<{ decided: string; max: string | null }>(
      pool,
      `SELECT (SELECT count(*) FROM loan_applications WHERE status = 'decided') AS decided,
              (SELECT max(n) FROM (SELECT count(*) AS n FROM decisions WHERE application_id IS NOT NULL GROUP BY application_id) x) AS max`,
    );
    log(`[${instances}] ${appIds.length} applications decided in ${applicationSeconds.toFixed(1)} s`);

    // Re-underwriting: new data since the decisions makes every approved borrower due; every instance is asked to
    // start the cycle at the same moment.
    await query(pool, `UPDATE bank_accounts SET last_ingested_at = now() + interval '1 second'`);
    await new Promise((r) => setTimeout(r, 1_100));
    t0 = performance.now();
    const triggers = await Promise.all(clients.map((c) => c.call<{ cycleId?: string; items?: number }>('POST', '/v1/admin/reunderwrite', { role: 'admin', body: {} })));
    const accepted = triggers.filter((t) => t.status === 202);
    const cycleId = accepted[0]?.body.cycleId;
    if (!cycleId) throw new Error(`no instance started the cycle: ${JSON.stringify(triggers.map((t) => t.status))}`);
    const workers = Array.from({ length: instances - 1 }, () => drainWorker(databaseUrl, cycleId, env));
    onCleanup(async () => {
      for (const w of workers) if (w.child.exitCode === null) w.child.kill('SIGKILL');
      await Promise.all(workers.map((w) => w.done));
    });
    await waitUntil(
      async () => {
        const [r] = await query<{ status: string }>(pool, `SELECT status FROM review_cycles WHERE id = $1`, [cycleId]);
        return r?.status !== 'running';
      },
      { timeoutMs: 900_000, intervalMs: 100, what: 'the cycle to complete' },
    );
    const cycleSeconds = (performance.now() - t0) / 1000;
    await Promise.all(workers.map((w) => w.done));
    const [items] = await query<{ total: string; done: string; attempts: string | null; cycles: string }>(
      pool,
      `SELECT count(*) AS total, count(*) FILTER (WHERE status = 'done') AS done, max(attempts) AS attempts,
              (SELECT count(*) FROM review_cycles) AS cycles
         FROM review_items WHERE cycle_id = $1`,
      [cycleId],
    );
    const perWorker = await query<{ worker: string; n: string }>(
      pool,
      `SELECT split_part(worker_id, ':', 2) AS worker, count(*) AS n FROM review_items WHERE cycle_id = $1 GROUP BY 1 ORDER BY 1`,
      [cycleId],
    );
    const problems = await query<{ status: string; error: string | null; n: string }>(
      pool,
      `SELECT status, left(error, 300) AS error, count(*) AS n FROM review_items WHERE cycle_id = $1 AND status <> 'done' GROUP BY 1, 2 ORDER BY 3 DESC`,
      [cycleId],
    );
    const [sched] = await query<{ borrowers: string; max: string | null }>(
      pool,
      `SELECT count(*) AS borrowers, max(n) AS max FROM (SELECT borrower_id, count(*) AS n FROM decisions WHERE trigger = 'scheduled' GROUP BY borrower_id) x`,
    );
    await sandboxAdmin(sandbox.url, 'DELETE', '/faults');
    log(`[${instances}] cycle of ${items.total} borrowers completed in ${cycleSeconds.toFixed(1)} s`);
    return {
      instances,
      borrowers: linked.length,
      linkSeconds: round(linkSeconds),
      applications: appIds.length,
      applicationsDecided: Number(apps.decided),
      applicationSeconds: round(applicationSeconds),
      applicationsPerSecond: round(appIds.length / applicationSeconds),
      decisionsPerApplicationMax: Number(apps.max ?? 0),
      triggers: {
        accepted: accepted.length,
        conflict: triggers.filter((t) => t.status === 409).length,
        other: triggers.filter((t) => t.status !== 202 && t.status !== 409).length,
      },
      cyclesCreated: Number(items.cycles),
      reviewItems: Number(items.total),
      reviewItemsDone: Number(items.done),
      reviewAttemptsMax: Number(items.attempts ?? 0),
      reviewWorkers: Object.fromEntries(perWorker.map((r) => [`pid ${r.worker}`, Number(r.n)])),
      reviewProblems: problems.map((p) => ({ status: p.status, error: p.error, n: Number(p.n) })),
      scheduledDecisionsPerBorrowerMax: Number(sched.max ?? 0),
      scheduledDecisionBorrowers: Number(sched.borrowers),
      cycleSeconds: round(cycleSeconds),
      borrowersPerSecond: round(Number(items.total) / cycleSeconds),
    };
  } finally {
    await pool.end();
    sandbox.setWebhookTarget(null);
    await Promise.all(engines.map((e) => e.stop()));
  }
}

const round = (n: number): number => Math.round(n * 100) / 100;

runScript(async (onCleanup) => {
  const { borrowers, instances, json, monoLatencyMs } = args();
  const log = (line: string): void => void process.stderr.write(`${line}\n`);
  const infra = await startInfra('scale', log);
  onCleanup(() => infra.close());
  const sandbox = await infra.startSandbox({ webhookDelayMs: [0, 20], linkProcessingMs: [10, 40] });
  const results: PhaseResult[] = [];
  for (const n of instances) results.push(await phase(infra, sandbox, n, borrowers, monoLatencyMs, log, onCleanup));

  const checks: Array<[string, boolean]> = results.flatMap((r) => [
    [`[${r.instances}] scheduler ran once (1 × 202, ${r.instances - 1} × 409, 1 cycle)`, r.triggers.accepted === 1 && r.triggers.conflict === r.instances - 1 && r.cyclesCreated === 1] as [string, boolean],
    [`[${r.instances}] every review item done exactly once`, r.reviewItems > 0 && r.reviewItemsDone === r.reviewItems && r.reviewAttemptsMax === 1] as [string, boolean],
    [`[${r.instances}] one scheduled decision per reviewed borrower`, r.scheduledDecisionsPerBorrowerMax === 1 && r.scheduledDecisionBorrowers === r.reviewItems] as [string, boolean],
    [`[${r.instances}] every application decided once`, r.applicationsDecided === r.applications && r.decisionsPerApplicationMax === 1] as [string, boolean],
  ]);
  if (json) {
    process.stdout.write(`${JSON.stringify({ results, checks: Object.fromEntries(checks) })}\n`);
  } else {
    const header = ['instances', 'borrowers', 'apps', 'apps/s', 'cycle items', 'borrowers/s', 'triggers 202/409', 'cycles', 'items done', 'max attempts', 'decisions/borrower', 'items per process'];
    const rows = results.map((r) => [
      String(r.instances),
      String(r.borrowers),
      `${r.applicationsDecided}/${r.applications}`,
      r.applicationsPerSecond.toFixed(1),
      String(r.reviewItems),
      r.borrowersPerSecond.toFixed(1),
      `${r.triggers.accepted}/${r.triggers.conflict}`,
      String(r.cyclesCreated),
      String(r.reviewItemsDone),
      String(r.reviewAttemptsMax),
      String(r.scheduledDecisionsPerBorrowerMax),
      Object.values(r.reviewWorkers).join('+'),
    ]);
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    const line = (cells: string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
    process.stdout.write(`${line(header)}\n|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|\n${rows.map(line).join('\n')}\n`);
    if (results.length > 1) {
      const [a, b] = [results[0], results[results.length - 1]];
      process.stdout.write(
        `applications/s ×${(b.applicationsPerSecond / a.applicationsPerSecond).toFixed(2)}, borrowers/s ×${(b.borrowersPerSecond / a.borrowersPerSecond).toFixed(2)} from ${a.instances} to ${b.instances} instances\n`,
      );
    }
    for (const [name, ok] of checks) process.stdout.write(`${ok ? 'PASS' : 'FAIL'}  ${name}\n`);
    for (const r of results) for (const p of r.reviewProblems) process.stdout.write(`  [${r.instances}] ${p.n} item(s) ${p.status}: ${p.error ?? ''}\n`);
  }
  return checks.every(([, ok]) => ok) ? 0 : 1;
});
