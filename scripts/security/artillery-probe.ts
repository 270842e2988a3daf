/**
 * `npm run probe:artillery -- [--artillery PATH] [--users N] [--out DIR]`
 *
 * The external fuzz probe of issue 20, re-runnable: starts the engine in-process on loopback (embedded Postgres in a
 * temporary DATA_DIR, the Mono sandbox, one API key per role), generates an Artillery script from docs/openapi.json —
 * every operation, as every role and without a key, with the fuzzer plugin's naughty strings (Big List of Naughty
 * Strings) in every path parameter, query parameter and JSON body field — runs it, and reports the status codes
 * overall and per endpoint. Exit 1 when any response was a 5xx.
 *
 * Artillery is not a dependency of the engine (it is large and only this probe uses it): install it anywhere with
 * `npm install --prefix /tmp/artillery --ignore-scripts artillery artillery-plugin-fuzzer` and pass
 * `--artillery /tmp/artillery/node_modules/.bin/artillery` (or put it on PATH). The probe talks to 127.0.0.1 only and
 * stops by itself (a fixed number of virtual users, each running the script once).
 */
import 'reflect-metadata';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startEngine } from '../../src/bootstrap.js';
import { AppConfig } from '../../src/config/app-config.js';
import { freePort } from '../reliability/engine-process.js';

const KEYS = {
  frontend: 'probe-frontend-key-0123456789abcdef',
  analyst: 'probe-analyst-key-0123456789abcdef',
  admin: 'probe-admin-key-0123456789abcdef0',
} as const;
const WEBHOOK_SECRET = 'probe-webhook-secret-0123456789';
const NAUGHTY = '{{ naughtyString }}';

interface OpenApi {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
}
interface Operation {
  parameters?: Array<{ name: string; in: string }>;
  requestBody?: { content?: Record<string, { schema?: Schema }> };
}
interface Schema {
  $ref?: string;
  type?: string;
  properties?: Record<string, Schema>;
  example?: unknown;
  items?: Schema;
}

type Step = Record<string, unknown>;

function resolve(doc: OpenApi, schema: Schema | undefined): Schema | undefined {
  if (!schema?.$ref) return schema;
  return doc.components.schemas[schema.$ref.replace('#/components/schemas/', '')];
}

/** A body with naughty strings: in string fields only (`strings`), or in every field (`all`: type confusion too). */
function fuzzBody(doc: OpenApi, schema: Schema | undefined, mode: 'strings' | 'all', depth = 0): unknown {
  const s = resolve(doc, schema);
  if (!s || depth > 3) return NAUGHTY;
  if (s.type === 'object' || s.properties) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(s.properties ?? {})) out[k] = fuzzBody(doc, v, mode, depth + 1);
    return out;
  }
  if (s.type === 'array') return [fuzzBody(doc, s.items, mode, depth + 1)];
  if (s.type === 'string' || mode === 'all') return NAUGHTY;
  return s.example ?? 1;
}

/** The Artillery steps for one operation as one caller: a fuzzed id, a real id with fuzzed query and body. */
function stepsFor(doc: OpenApi, method: string, route: string, op: Operation, headers: Record<string, string>): Step[] {
  const query = (op.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name);
  const schema = op.requestBody?.content?.['application/json']?.schema;
  const url = (id: string): string => {
    const p = route.replace(/\{[^}]+\}/g, id);
    return query.length ? `${p}?${query.map((q) => `${q}=${NAUGHTY}`).join('&')}` : p;
  };
  const steps: Step[] = [];
  const variants: Array<{ id: string; body: unknown }> = [
    { id: NAUGHTY, body: fuzzBody(doc, schema, 'strings') },
    { id: '{{ borrowerId }}', body: fuzzBody(doc, schema, 'strings') },
    { id: '{{ borrowerId }}', body: fuzzBody(doc, schema, 'all') },
  ];
  for (const v of variants) {
    const req: Record<string, unknown> = { url: url(v.id), headers };
    if (schema && method !== 'get' && method !== 'delete') req.json = v.body;
    steps.push({ [method]: req });
  }
  return steps;
}

function yamlScript(doc: OpenApi, target: string, users: number): Record<string, unknown> {
  const callers: Array<{ name: string; headers: Record<string, string> }> = [
    ...Object.entries(KEYS).map(([role, key]) => ({ name: role, headers: { authorization: `Bearer ${key}` } })),
    { name: 'no key', headers: {} },
  ];
  const scenarios = callers.map((c) => {
    const flow: Step[] = [
      // A real borrower, so that fuzzed queries and bodies also reach the routes behind an existing id.
      {
        post: {
          url: '/v1/borrowers',
          headers: { authorization: `Bearer ${KEYS.frontend}` },
          json: { externalId: 'probe-{{ $randomString(12) }}', fullName: 'Probe Borrower', email: 'probe@example.com' },
          capture: { json: '$.id', as: 'borrowerId' },
        },
      },
    ];
    for (const [route, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        if (!['get', 'post', 'put', 'delete', 'patch'].includes(method)) continue;
        const headers = route === '/webhooks/mono' ? { 'mono-webhook-secret': WEBHOOK_SECRET } : c.headers;
        flow.push(...stepsFor(doc, method, route, op, headers));
      }
    }
    return { name: `every operation as ${c.name}`, weight: 1, flow };
  });
  return {
    config: {
      target,
      phases: [{ duration: Math.max(1, Math.ceil(users / 5)), arrivalCount: users * callers.length }],
      plugins: { fuzzer: {}, 'metrics-by-endpoint': { useOnlyRequestNames: false, stripQueryString: true } },
      http: { timeout: 30 },
    },
    scenarios,
  };
}

interface ArtilleryReport {
  aggregate: { counters: Record<string, number> };
}

function run(bin: string, args: string[]): Promise<number | null> {
  return new Promise((resolveExit) => {
    const child = spawn(bin, args, { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, ARTILLERY_DISABLE_TELEMETRY: 'true' } });
    child.on('exit', (code) => resolveExit(code));
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { artillery: { type: 'string' }, users: { type: 'string' }, out: { type: 'string' } } });
  const users = Number(values.users ?? 40);
  const bin = values.artillery ?? process.env.ARTILLERY_BIN ?? 'artillery';
  const outDir = values.out ?? fs.mkdtempSync(path.join(os.tmpdir(), 'artillery-probe-'));
  fs.mkdirSync(outDir, { recursive: true });
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'probe-data-'));
  const env: Record<string, string> = {
    NODE_ENV: 'development',
    LOG_LEVEL: 'fatal',
    DATA_DIR: dataDir,
    PORT: '0',
    MONO_SANDBOX_PORT: '0',
    EMBEDDED_PG_PORT: String(await freePort()),
    API_KEYS: Object.entries(KEYS)
      .map(([role, key]) => `${role}:${key}`)
      .join(','),
    MONO_WEBHOOK_SECRET: WEBHOOK_SECRET,
    // Keyed callers are not rate-limited away (the probe wants their requests to reach validation); the
    // unauthenticated throttle stays at its defaults, so the keyless scenario measures it.
    RATE_LIMIT_PER_MINUTE: '1000000',
  };
  const config = AppConfig.fromEnvironment({ ...process.env, ...env });
  const engine = await startEngine(config);
  try {
    const doc = JSON.parse(fs.readFileSync(path.resolve('docs/openapi.json'), 'utf8')) as OpenApi;
    const target = engine.url.replace('localhost', '127.0.0.1');
    const script = path.join(outDir, 'probe.json');
    fs.writeFileSync(script, JSON.stringify(yamlScript(doc, target, users), null, 2));
    const reportFile = path.join(outDir, 'report.json');
    const started = Date.now();
    const code = await run(bin, ['run', '--quiet', '--output', reportFile, script]);
    if (code !== 0 || !fs.existsSync(reportFile)) throw new Error(`artillery exited ${code} without a report (is ${bin} installed? see the header of this script)`);
    const counters = (JSON.parse(fs.readFileSync(reportFile, 'utf8')) as ArtilleryReport).aggregate.counters;
    const codes: Record<string, number> = {};
    const serverErrors: Record<string, number> = {};
    for (const [k, n] of Object.entries(counters)) {
      const overall = /^http\.codes\.(\d{3})$/.exec(k);
      if (overall) codes[overall[1]] = n;
      const byEndpoint = /^plugins\.metrics-by-endpoint\.(.+)\.codes\.(5\d\d)$/.exec(k);
      if (byEndpoint) serverErrors[`${byEndpoint[2]} ${byEndpoint[1]}`] = n;
    }
    const errors = Object.fromEntries(Object.entries(counters).filter(([k]) => k.startsWith('errors.')));
    const summary = {
      requests: counters['http.requests'] ?? 0,
      responses: counters['http.responses'] ?? 0,
      seconds: Math.round((Date.now() - started) / 100) / 10,
      codes,
      serverErrors,
      clientErrors: errors,
      operations: Object.values(doc.paths).reduce((n, ops) => n + Object.keys(ops).length, 0),
      users,
      report: reportFile,
    };
    process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    if (Object.keys(codes).some((c) => c.startsWith('5'))) process.exitCode = 1;
  } finally {
    await engine.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`probe failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
