import 'reflect-metadata';
import os from 'node:os';
import { randomUUID } from 'node:crypto';
import autocannon from 'autocannon';
import pg from 'pg';
import { ENGINE_KEYS, spawnEngine, type EngineProcess } from '../reliability/engine-process.js';
import { runScript, SANDBOX_WEBHOOK_SECRET, startInfra } from '../reliability/infra.js';
import { engineClient, linkBorrower, mapPool, query, waitUntil } from '../reliability/kit.js';

/**
 * `npm run bench:load` — loopback-only load test with bounded duration, on the deployment topology of
 * docs/scaling.md: API instance(s) with WORKERS_ENABLED=false (they store and answer) beside worker instance(s) with
 * jobs on (they sync, score and decide applications and drain the webhook inbox), all on one Postgres.
 *  1. application creation at a fixed 200 req/s (unique Idempotency-Key per request),
 *  2. reads of the fresh applications at 200 req/s (once the workers decided them, so each read carries a decision),
 *  3. sustained Mono webhook intake (as fast as 64 connections go), then checks every acknowledged webhook is stored.
 * Targets: p99 ≤ 100 ms and 0 errors for 1–2, ≥ 1,500 webhooks/s for 3. Also reports how long the workers took to
 * decide every application created in phase 1.
 * Usage: npm run bench:load [-- --seconds 20 --rate 200 --borrowers 20 --api 1 --workers 1 --worker-nice 10 --warmup 3
 *        --log-level info --webhook-connections 64 --profile DIR]
 */
const args = process.argv.slice(2);
const arg = (name: string, fallback: number): number => {
  const i = args.indexOf(`--${name}`);
  const v = i >= 0 ? Number(args[i + 1]) : fallback;
  if (!Number.isFinite(v) || v < 0) throw new Error(`--${name} must be a non-negative number`);
  return v;
};
const SECONDS = arg('seconds', 20);
const RATE = arg('rate', 200);
const BORROWERS = arg('borrowers', 20);
const API_INSTANCES = Math.max(1, arg('api', 1));
const WORKER_INSTANCES = arg('workers', 1);
const WEBHOOK_CONNECTIONS = arg('webhook-connections', 64);
const WARMUP_SECONDS = arg('warmup', 3);
/** CPU niceness of the worker instances (0 = same priority as the API); see docs/benchmarks.md "API load". */
const WORKER_NICE = arg('worker-nice', 10);
/** LOG_LEVEL of every engine process; `info` (the engine's default) writes an access-log line per request. */
const LOG_LEVEL = args.includes('--log-level') ? args[args.indexOf('--log-level') + 1] : 'info';
/** `--profile DIR`: the API instances write V8 CPU profiles there (on exit). */
const PROFILE_DIR = args.includes('--profile') ? args[args.indexOf('--profile') + 1] : undefined;

function run(opts: autocannon.Options): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    autocannon(opts, (err, result) => (err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve(result)));
  });
}

/** autocannon talks to one URL; several API instances are load-balanced by giving each its share of connections. */
async function runSpread(
  urls: string[],
  opts: Omit<autocannon.Options, 'url'> & { connections: number; overallRate?: number },
): Promise<autocannon.Result[]> {
  return Promise.all(
    urls.map((url) =>
      run({
        ...opts,
        url,
        connections: Math.max(1, Math.round(opts.connections / urls.length)),
        ...(opts.overallRate ? { overallRate: opts.overallRate / urls.length } : {}),
      }),
    ),
  );
}

interface PhaseRow {
  phase: string;
  requests: number;
  'req/s': number;
  'p50 ms': number;
  'p99 ms': number;
  'max ms': number;
  errors: number;
}

function row(name: string, results: autocannon.Result[]): PhaseRow {
  // One API instance in the default run; with several, latencies are the worst instance's (conservative).
  return {
    phase: name,
    requests: results.reduce((n, r) => n + r.requests.total, 0),
    'req/s': Math.round(results.reduce((n, r) => n + r.requests.average, 0)),
    'p50 ms': Math.max(...results.map((r) => r.latency.p50)),
    'p99 ms': Math.max(...results.map((r) => r.latency.p99)),
    'max ms': Math.max(...results.map((r) => r.latency.max)),
    errors: results.reduce((n, r) => n + r.errors + r.timeouts + r.non2xx, 0),
  };
}

runScript(async (onCleanup) => {
  const log = (line: string): void => void process.stderr.write(`${line}\n`);
  const loadAtStart = os.loadavg().map((l) => l.toFixed(2));
  const infra = await startInfra('load', log);
  onCleanup(() => infra.close());
  const sandbox = await infra.startSandbox();
  const databaseUrl = await infra.createDatabase('load');
  const common = {
    NODE_ENV: 'production',
    LOG_LEVEL,
    RATE_LIMIT_PER_MINUTE: '10000000',
    // Accounts were ingested moments before: applications decide on the data held (no sync-on-apply).
    SYNC_MIN_INTERVAL_SECONDS: '3600',
    REUNDERWRITE_CRON: '0 0 1 1 *',
  };
  const apiEnv = infra.monoEnv(sandbox, {
    ...common,
    JOBS_ENABLED: 'false',
    WORKERS_ENABLED: 'false',
  });
  const workerEnv = infra.monoEnv(sandbox, { ...common, JOBS_ENABLED: 'true', WORKERS_ENABLED: 'true' });
  const apis: EngineProcess[] = [];
  const workers: EngineProcess[] = [];
  onCleanup(() => Promise.all([...apis, ...workers].map((e) => e.stop())).then(() => undefined));
  for (let i = 0; i < API_INSTANCES; i++)
    apis.push(
      await spawnEngine({
        name: `api-${i + 1}`,
        databaseUrl,
        env: apiEnv,
        ...(PROFILE_DIR ? { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] } : {}),
      }),
    );
  for (let i = 0; i < WORKER_INSTANCES; i++)
    workers.push(await spawnEngine({ name: `worker-${i + 1}`, databaseUrl, env: workerEnv, nice: WORKER_NICE }));
  sandbox.setWebhookTarget(`${apis[0].url}/webhooks/mono`);
  log(`API ${apis.map((e) => `${e.url} (pid ${e.pid})`).join(', ')}; workers ${workers.map((e) => `pid ${e.pid}`).join(', ') || 'none'}`);
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  onCleanup(() => pool.end());
  const urls = apis.map((e) => e.url);
  const auth = { Authorization: `Bearer ${ENGINE_KEYS.frontend}`, 'Content-Type': 'application/json' };

  // Seed borrowers with linked, ingested accounts (sandbox personas), so applications decide on fresh data.
  const client = engineClient(urls[0], ENGINE_KEYS);
  const linked = await mapPool(
    Array.from({ length: BORROWERS }, (_, i) => i),
    8,
    (i) =>
      linkBorrower(client, sandbox.url, {
        externalId: `load-${i}-${randomUUID()}`,
        persona: i % 2 === 0 ? 'salaried_monthly' : 'salary_raise',
        seed: i + 1,
        months: 6,
      }),
  );
  const borrowerIds = linked.map((b) => b.borrowerId);
  await waitUntil(
    async () => {
      const [r] = await query<{ n: string }>(pool, `SELECT count(*) AS n FROM bank_accounts WHERE last_ingested_at IS NOT NULL`);
      return Number(r.n) === linked.length;
    },
    { timeoutMs: 180_000, intervalMs: 250, what: 'every account ingested (by the worker instances)' },
  );
  log(`seeded ${linked.length} borrowers`);

  // Warm-up (not measured): a few seconds of each request kind at a quarter of the rate, so the measured phases
  // see JIT-compiled code and open pool connections, as a running deployment does.
  let n = 0;
  const created: string[] = [];
  const createRequest = (warm: boolean): autocannon.Request => ({
    method: 'POST',
    path: '/v1/applications',
    setupRequest: (req) => {
      const i = n++;
      return {
        ...req,
        headers: { ...auth, 'Idempotency-Key': `load-${warm ? 'warm-' : ''}${i}-${randomUUID()}` },
        body: JSON.stringify({
          borrowerId: borrowerIds[i % borrowerIds.length],
          amount: 5_000_000 + (i % 10) * 100_000,
          tenorMonths: 3 + (i % 4),
        }),
      };
    },
    onResponse: (status, body) => {
      if (status === 202 && !warm) created.push((JSON.parse(body) as { id: string }).id);
    },
  });
  let w = 0;
  const webhookRequest: autocannon.Request = {
    method: 'POST',
    path: '/webhooks/mono',
    setupRequest: (req) => ({
      ...req,
      headers: { 'Content-Type': 'application/json', 'mono-webhook-secret': SANDBOX_WEBHOOK_SECRET },
      body: JSON.stringify({
        event: 'mono.events.load_test_unknown_event',
        event_id: `load-${w++}-${randomUUID()}`,
        timestamp: new Date().toISOString(),
        data: { account: { _id: '5f171a530295e231abca1153' } },
      }),
    }),
  };
  if (WARMUP_SECONDS > 0) {
    await runSpread(urls, { duration: WARMUP_SECONDS, connections: 10, overallRate: RATE / 4, requests: [createRequest(true)] });
    const [some] = await query<{ id: string }>(pool, `SELECT id FROM loan_applications ORDER BY created_at LIMIT 1`);
    await runSpread(urls, {
      duration: WARMUP_SECONDS,
      connections: 10,
      overallRate: RATE / 4,
      requests: [{ method: 'GET', path: `/v1/applications/${some.id}`, headers: auth }],
    });
    await runSpread(urls, {
      duration: WARMUP_SECONDS,
      connections: 16,
      requests: [{ ...webhookRequest, setupRequest: webhookRequest.setupRequest }],
    });
    await waitUntil(
      async () => {
        const [c] = await query<{ n: string }>(
          pool,
          `SELECT count(*) AS n FROM loan_applications WHERE status NOT IN ('decided', 'failed')`,
        );
        return Number(c.n) === 0;
      },
      { timeoutMs: 300_000, intervalMs: 250, what: 'warm-up applications decided' },
    );
    log(`warm-up done (${WARMUP_SECONDS} s per kind)`);
  }
  const warmApplications = Number((await query<{ n: string }>(pool, `SELECT count(*) AS n FROM loan_applications`))[0].n);

  // 1. Creation.
  n = 0;
  const loadBeforeCreate = os.loadavg()[0];
  const tCreate = performance.now();
  const create = await runSpread(urls, {
    duration: SECONDS,
    connections: 20,
    overallRate: RATE,
    requests: [createRequest(false)],
  });
  const createEnd = performance.now();
  const counts = async (): Promise<{ decided: number; open: number; failed: number }> => {
    const [r] = await query<{ decided: string; open: string; failed: string }>(
      pool,
      `SELECT count(*) FILTER (WHERE status = 'decided') AS decided, count(*) FILTER (WHERE status = 'failed') AS failed,
              count(*) FILTER (WHERE status NOT IN ('decided', 'failed')) AS open
         FROM loan_applications WHERE idempotency_key NOT LIKE 'load-warm-%'`,
    );
    return { decided: Number(r.decided), open: Number(r.open), failed: Number(r.failed) };
  };
  const atCreateEnd = await counts();
  log(`created ${created.length} applications; ${atCreateEnd.decided} decided by the end of the phase, ${atCreateEnd.open} open`);
  // Backlog: the workers decide every application (bounded wait).
  let final = atCreateEnd;
  if (WORKER_INSTANCES > 0) {
    final = await waitUntil(
      async () => {
        const c = await counts();
        return c.open === 0 ? c : null;
      },
      { timeoutMs: 600_000, intervalMs: 250, what: 'every application decided by the workers' },
    );
  }
  const backlogSeconds = (performance.now() - createEnd) / 1000;
  const createToAllDecidedSeconds = (performance.now() - tCreate) / 1000;
  log(`all ${final.decided + final.failed} applications settled ${backlogSeconds.toFixed(1)} s after the creation phase ended`);

  // 2. Reads of the fresh applications.
  let r = 0;
  const loadBeforeRead = os.loadavg()[0];
  const read = await runSpread(urls, {
    duration: SECONDS,
    connections: 20,
    overallRate: RATE,
    requests: [
      { method: 'GET', setupRequest: (req) => ({ ...req, path: `/v1/applications/${created[r++ % created.length]}`, headers: auth }) },
    ],
  });

  const sample = await fetch(`${urls[0]}/v1/applications/${created[0]}`, { headers: auth });
  const readResponseBytes = (await sample.arrayBuffer()).byteLength;

  // 3. Webhook intake.
  const inboxCount = async (): Promise<number> => {
    const [c] = await query<{ n: string }>(
      pool,
      `SELECT count(*) AS n FROM webhook_events WHERE event_type = 'mono.events.load_test_unknown_event'`,
    );
    return Number(c.n);
  };
  const before = await inboxCount();
  const sentBefore = w;
  const loadBeforeHooks = os.loadavg()[0];
  const hooks = await runSpread(urls, {
    duration: Math.min(SECONDS, 15),
    connections: WEBHOOK_CONNECTIONS,
    pipelining: 1,
    requests: [webhookRequest],
  });
  const after = await inboxCount();

  const table = [
    row(`create applications @${RATE}/s`, create),
    row(`read applications @${RATE}/s`, read),
    row('webhook intake (max)', hooks),
  ];
  console.table(table);
  const acknowledged = hooks.reduce((s, h) => s + h['2xx'], 0);
  const summary = {
    at: new Date().toISOString(),
    machine: `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`,
    loadAverage: {
      atStart: loadAtStart,
      beforeCreate: loadBeforeCreate.toFixed(2),
      beforeRead: loadBeforeRead.toFixed(2),
      beforeWebhooks: loadBeforeHooks.toFixed(2),
      atEnd: os.loadavg()[0].toFixed(2),
    },
    topology: {
      apiInstances: API_INSTANCES,
      workerInstances: WORKER_INSTANCES,
      workerNice: WORKER_NICE,
      logLevel: LOG_LEVEL,
      postgres: 'embedded, one database',
      sandbox: 'in the bench process',
    },
    seconds: SECONDS,
    table,
    applications: {
      warmUp: warmApplications,
      created: created.length,
      decidedWhenCreationEnded: atCreateEnd.decided,
      readResponseBytes,
      decided: final.decided,
      failed: final.failed,
      backlogSecondsAfterCreation: Number(backlogSeconds.toFixed(1)),
      decidedPerSecondOverall: Number(((final.decided + final.failed) / createToAllDecidedSeconds).toFixed(1)),
    },
    webhooks: { sent: w - sentBefore, acknowledged, storedInInbox: after - before },
  };
  console.log(JSON.stringify(summary, null, 2));
  // Every acknowledged webhook must be in the inbox (a few more may be stored whose 200 arrived after the run ended).
  if (after - before < acknowledged || after - before > w - sentBefore) {
    console.error(`inbox holds ${after - before} load-test events; ${acknowledged} were acknowledged, ${w - sentBefore} sent`);
    return 1;
  }
  return 0;
});
