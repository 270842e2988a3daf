import 'reflect-metadata';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import autocannon from 'autocannon';
import pg from 'pg';
import { startEngine } from '../../src/bootstrap.js';
import { AppConfig } from '../../src/config/app-config.js';

/**
 * `npm run bench:load` — loopback-only load test with bounded duration.
 *  1. application creation at a fixed 200 req/s (unique Idempotency-Key per request),
 *  2. application reads at 200 req/s on fresh data,
 *  3. sustained Mono webhook intake (as fast as it goes), then checks every acknowledged webhook is in the inbox.
 * Targets: p99 ≤ 100 ms and 0 errors for 1–2, ≥ 1,500 webhooks/s for 3.
 * Usage: npm run bench:load [-- --seconds 20 --rate 200 --borrowers 20]
 */
const args = process.argv.slice(2);
const arg = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const SECONDS = arg('seconds', 20);
const RATE = arg('rate', 200);
const BORROWERS = arg('borrowers', 20);

async function json<T>(url: string, init: RequestInit = {}): Promise<T> {
  const res = await fetch(url, init);
  const text = await res.text();
  if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${url} → ${res.status} ${text.slice(0, 300)}`);
  return JSON.parse(text) as T;
}

function run(opts: autocannon.Options): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    autocannon(opts, (err, result) => (err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve(result)));
  });
}

async function main(): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'uw-load-'));
  const adminKey = 'admin-load-bench-key-000000000'; // seeded so admins can inspect a run
  const frontendKey = 'frontend-load-bench-key-0000000';
  const config = AppConfig.fromEnvironment({
    PORT: String(arg('port', 3300)),
    MONO_SANDBOX_PORT: String(arg('sandbox-port', 3301)),
    EMBEDDED_PG_PORT: String(arg('pg-port', 54390)),
    DATA_DIR: dataDir,
    API_KEYS: `admin:${adminKey},frontend:${frontendKey}`,
    RATE_LIMIT_PER_MINUTE: '10000000',
    SYNC_MIN_INTERVAL_SECONDS: '3600',
    LOG_LEVEL: 'warn',
    JOBS_ENABLED: 'true',
  });
  const engine = await startEngine(config);
  const base = engine.url.replace('localhost', '127.0.0.1');
  const sandbox = engine.sandbox!.url;
  const auth = { Authorization: `Bearer ${frontendKey}`, 'Content-Type': 'application/json' };
  try {
    // Seed borrowers with linked, ingested accounts (sandbox personas), so applications decide on fresh data.
    const borrowerIds: string[] = [];
    for (let i = 0; i < BORROWERS; i++) {
      const b = await json<{ id: string }>(`${base}/v1/borrowers`, {
        method: 'POST',
        headers: auth,
        body: JSON.stringify({ externalId: `load-${i}-${randomUUID()}`, fullName: `Load Borrower ${i}`, email: `load${i}@example.com` }),
      });
      const link = await json<{ code: string }>(`${sandbox}/sandbox/accounts`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ persona: i % 2 === 0 ? 'salaried_monthly' : 'salary_raise', seed: i + 1 }),
      });
      await json(`${base}/v1/borrowers/${b.id}/accounts`, { method: 'POST', headers: auth, body: JSON.stringify({ code: link.code }) });
      borrowerIds.push(b.id);
    }
    // Wait for ingestion of every account.
    const deadline = Date.now() + 120_000;
    for (const id of borrowerIds) {
      for (;;) {
        const b = await json<{ accounts: Array<{ lastSyncedAt: string | null; dataStatus: string }> }>(`${base}/v1/borrowers/${id}`, { headers: auth });
        if (b.accounts.every((a) => a.lastSyncedAt)) break;
        if (Date.now() > deadline) throw new Error('accounts were not ingested in time');
        await new Promise((r) => setTimeout(r, 250));
      }
    }

    let n = 0;
    const created: string[] = [];
    const create = await run({
      url: base,
      duration: SECONDS,
      connections: 20,
      overallRate: RATE,
      requests: [
        {
          method: 'POST',
          path: '/v1/applications',
          setupRequest: (req) => {
            const i = n++;
            return {
              ...req,
              headers: { ...auth, 'Idempotency-Key': `load-${i}-${randomUUID()}` },
              body: JSON.stringify({ borrowerId: borrowerIds[i % borrowerIds.length], amount: 5_000_000 + (i % 10) * 100_000, tenorMonths: 3 + (i % 4) }),
            };
          },
          onResponse: (status, body) => {
            if (status === 202 && created.length < 2000) created.push((JSON.parse(body) as { id: string }).id);
          },
        },
      ],
    });

    let r = 0;
    const read = await run({
      url: base,
      duration: SECONDS,
      connections: 20,
      overallRate: RATE,
      requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: `/v1/applications/${created[r++ % created.length]}`, headers: auth }) }],
    });

    const before = await inboxCount(engine.databaseUrl);
    let w = 0;
    const hooks = await run({
      url: base,
      duration: Math.min(SECONDS, 15),
      connections: 64,
      pipelining: 1,
      requests: [
        {
          method: 'POST',
          path: '/webhooks/mono',
          setupRequest: (req) => ({
            ...req,
            headers: { 'Content-Type': 'application/json', 'mono-webhook-secret': config.mono.webhookSecret },
            body: JSON.stringify({
              event: 'mono.events.load_test_unknown_event',
              event_id: `load-${w++}-${randomUUID()}`,
              timestamp: new Date().toISOString(),
              data: { account: { _id: '5f171a530295e231abca1153' } },
            }),
          }),
        },
      ],
    });
    const after = await inboxCount(engine.databaseUrl);

    const row = (name: string, res: autocannon.Result) => ({
      phase: name,
      requests: res.requests.total,
      'req/s': Math.round(res.requests.average),
      'p50 ms': res.latency.p50,
      'p99 ms': res.latency.p99,
      errors: res.errors + res.timeouts + res.non2xx,
    });
    const table = [row(`create applications @${RATE}/s`, create), row(`read applications @${RATE}/s`, read), row('webhook intake (max)', hooks)];
    console.table(table);
    const acknowledged = hooks['2xx'];
    console.log(JSON.stringify({ machine: `${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB`, seconds: SECONDS, table, webhooks: { acknowledged, storedInInbox: after - before } }, null, 2));
    // Every acknowledged webhook must be in the inbox (a few more may be stored whose 200 arrived after the run ended).
    if (after - before < acknowledged || after - before > w) {
      throw new Error(`inbox holds ${after - before} load-test events; ${acknowledged} were acknowledged, ${w} sent`);
    }
  } finally {
    await engine.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Rows in the durable webhook inbox, read straight from Postgres. */
async function inboxCount(databaseUrl: string): Promise<number> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const res = await client.query<{ n: string }>("SELECT count(*)::text AS n FROM webhook_events WHERE event_type = 'mono.events.load_test_unknown_event'");
    return Number(res.rows[0].n);
  } finally {
    await client.end();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
