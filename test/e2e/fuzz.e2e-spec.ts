import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { DataSource } from 'typeorm';
import { createTestApp, TEST_KEYS, type TestApp } from '../support/app.js';

/**
 * Property-based fuzzing of EVERY route in the OpenAPI document and of the Mono webhook endpoint: generated bad
 * requests (wrong types, missing fields, huge strings, negative and fractional kobo, unknown ids, malformed JSON,
 * unknown fields, JSON nested thousands deep, escaped NUL and lone surrogates, bodies over the route's limit, hex and
 * exponent numbers in query strings) must always get a 4xx with the error shape, never a 5xx, and never leave a
 * stored row behind.
 *
 * Routes are discovered from /docs/openapi.json, so new routes are fuzzed without editing this file.
 */
type Schema = {
  $ref?: string;
  type?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  maxLength?: number;
  format?: string;
  example?: unknown;
};
type Operation = {
  parameters?: Array<{ name: string; in: 'path' | 'query' | 'header'; required?: boolean; schema?: Schema }>;
  requestBody?: { content?: Record<string, { schema?: Schema }> };
  security?: unknown[];
};
interface Route {
  method: string;
  path: string;
  op: Operation;
}
interface FuzzRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
  label: string;
}

const REQUESTS_PER_RUN = 10_500;
const SKIP = new Set(['/health', '/health/live']); // no input to get wrong
const HOSTILE_STRINGS = [
  '',
  ' ',
  'x'.repeat(4_000),
  "'; DROP TABLE borrowers; --",
  '<script>alert(1)</script>',
  '../../etc/passwd',
  '\u0000',
  '%00',
  '{{7*7}}',
  '😀'.repeat(500),
  '-1',
  '1e309',
  'NaN',
  'null',
  'true',
  '00000000-0000-0000-0000-000000000000',
  '5f171a530295e231abca1153',
];
const BAD_NUMBERS = [-1, -100, 0.5, 12.345, Number.POSITIVE_INFINITY, Number.MAX_SAFE_INTEGER + 2, -0.0001, 2 ** 64];
const BAD_VALUES: unknown[] = [null, true, false, [], {}, [1, 2], { nested: { deep: 1 } }, ...BAD_NUMBERS, ...HOSTILE_STRINGS.slice(0, 8), 'y'.repeat(70_000)];

/** A query parameter we can make definitely invalid: typed, enumerated, formatted or patterned. */
function isConstrained(schema: Schema | undefined): boolean {
  if (!schema) return false;
  return schema.type === 'integer' || schema.type === 'number' || schema.type === 'boolean' || schema.enum !== undefined || schema.format !== undefined;
}

function resolve(schema: Schema | undefined, components: Record<string, Schema>): Schema | undefined {
  if (!schema) return undefined;
  if (schema.$ref) return resolve(components[schema.$ref.split('/').pop()!], components);
  return schema;
}

function exampleFor(schema: Schema | undefined, components: Record<string, Schema>): unknown {
  const s = resolve(schema, components);
  if (!s) return {};
  if (s.example !== undefined) return s.example;
  if (s.enum) return s.enum[0];
  switch (s.type ?? 'string') {
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(s.properties ?? {})) out[k] = exampleFor(v, components);
      return out;
    }
    case 'array':
      return [exampleFor(s.items, components)];
    case 'integer':
      return s.minimum ?? 1;
    case 'number':
      return s.minimum ?? 1;
    case 'boolean':
      return true;
    default:
      return s.format === 'uuid' ? '6f1c2d3e-4b5a-4c7d-8e9f-0a1b2c3d4e5f' : 'text';
  }
}

/** One body mutation that makes a valid example invalid; each kind is guaranteed to break the DTO contract. */
const bodyMutation = (example: Record<string, unknown>, schema: Schema | undefined, components: Record<string, Schema>) => {
  const s = resolve(schema, components);
  const props = Object.keys(s?.properties ?? {});
  const required = s?.required ?? [];
  const kinds: Array<fc.Arbitrary<{ body: string; label: string }>> = [
    fc.constantFrom('{"broken": ', '[', 'not json', '{"a":1}}', '\u0000', '{"amount": 1e999999}').map((raw) => ({ body: raw, label: 'malformed JSON' })),
    fc.constantFrom('null', '[]', '42', '"string"', 'true').map((raw) => ({ body: raw, label: 'non-object body' })),
    // Input limits before parsing: deep nesting (stack), NUL and lone surrogates in any string, oversized bodies.
    fc.integer({ min: 65, max: 20_000 }).map((depth) => ({ body: `{"a":${'['.repeat(depth)}${']'.repeat(depth)}}`, label: `nested ${depth}` })),
    fc
      .tuple(fc.constantFrom(...(props.length ? props : ['x'])), fc.constantFrom('\\u0000', 'a\\u0000b', '\\ud800', 'x\\udc00', '\\ud83d'))
      .map(([p, esc]) => ({ body: JSON.stringify({ ...example, [p]: '__ESC__' }).replace('"__ESC__"', `"${esc}"`), label: `escaped ${esc} in ${p}` })),
    fc.constantFrom(70_000, 200_000).map((n) => ({ body: JSON.stringify({ ...example, pad: 'z'.repeat(n) }), label: `body of ${n} bytes` })),
    fc
      .tuple(fc.string({ minLength: 1, maxLength: 20 }).filter((k) => !props.includes(k) && /^[a-z]/i.test(k) && !(k in Object.prototype)), fc.constantFrom(...BAD_VALUES))
      .map(([k, v]) => ({ body: JSON.stringify({ ...example, [k]: v }), label: `unknown field ${k}` })),
  ];
  if (required.length > 0) {
    kinds.push(
      fc.constantFrom(...required).map((k) => {
        const copy = { ...example };
        delete copy[k];
        return { body: JSON.stringify(copy), label: `missing ${k}` };
      }),
    );
  }
  const typed = props.filter((p) => {
    const ps = resolve(s?.properties?.[p], components);
    return ps?.type !== undefined && ps.type !== 'object';
  });
  if (typed.length > 0) {
    kinds.push(
      fc.tuple(fc.constantFrom(...typed), fc.constantFrom(...BAD_VALUES)).filter(([p, v]) => {
        const ps = resolve(s?.properties?.[p], components)!;
        // null (and Infinity/NaN, which JSON turns into null) is "absent" for an optional field
        if ((v === null || (typeof v === 'number' && !Number.isFinite(v))) && !required.includes(p)) return false;
        // keep only values of the wrong type or out of range for this property
        if (ps.type === 'integer' || ps.type === 'number') return typeof v !== 'number' || !Number.isSafeInteger(v) || v < (ps.minimum ?? 1);
        if (ps.type === 'string') return typeof v !== 'string' || v.length > (ps.maxLength ?? 10_000) || (ps.enum !== undefined && !ps.enum.includes(v)) || v.trim() === '';
        if (ps.type === 'boolean') return typeof v !== 'boolean';
        if (ps.type === 'array') return !Array.isArray(v);
        return false;
      }).map(([p, v]) => ({ body: JSON.stringify({ ...example, [p]: v }), label: `bad ${p}=${JSON.stringify(v)?.slice(0, 40)}` })),
    );
  }
  return fc.oneof(...kinds);
};

function routeArbitrary(route: Route, components: Record<string, Schema>, idempotencyCounter: { n: number }): fc.Arbitrary<FuzzRequest> {
  const pathParams = (route.op.parameters ?? []).filter((p) => p.in === 'path');
  const queryParams = (route.op.parameters ?? []).filter((p) => p.in === 'query' && isConstrained(p.schema));
  const bodySchema = route.op.requestBody?.content?.['application/json']?.schema;
  const example = (exampleFor(bodySchema, components) ?? {}) as Record<string, unknown>;
  const badId = fc.oneof(fc.constantFrom(...HOSTILE_STRINGS.filter((s) => s !== '')), fc.uuid(), fc.string({ minLength: 1, maxLength: 64 }));
  const pathArb = fc.tuple(...pathParams.map(() => badId)).map((ids) => {
    let p = route.path;
    pathParams.forEach((param, i) => (p = p.replace(`{${param.name}}`, encodeURIComponent(ids[i] ?? 'x'))));
    return p;
  });
  const badQueryValue = fc.constantFrom(
    ...HOSTILE_STRINGS.filter((v) => !/^\d+$/.test(v)),
    ...BAD_NUMBERS.map(String),
    'abc',
    '2026-13-45',
    // Not decimal integers, although Number() accepts them.
    '0x10',
    '1e1',
    '0b11',
    ' 16',
    '16.0',
  );
  // GETs without path parameters are only "bad" through their query: always send at least one bad value then.
  const minQuery = pathParams.length === 0 && route.method === 'get' ? 1 : 0;
  const queryArb =
    queryParams.length === 0
      ? fc.constant('')
      : fc
          .array(fc.tuple(fc.constantFrom(...queryParams.map((q) => q.name)), badQueryValue), { minLength: minQuery, maxLength: 3 })
          .map((pairs) => (pairs.length ? '?' + pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&') : ''));
  const hasBody = ['post', 'put', 'patch'].includes(route.method) && bodySchema !== undefined;
  const bodyArb = hasBody ? bodyMutation(example, bodySchema, components) : fc.constant({ body: undefined as string | undefined, label: 'no body' });
  // A route with no input at all can only be called badly without a valid key.
  const hasInput = pathParams.length > 0 || queryParams.length > 0 || hasBody;
  const authArb = hasInput
    ? fc.constantFrom<'admin' | 'frontend' | 'analyst' | 'none' | 'bogus'>('admin', 'admin', 'frontend', 'analyst', 'none', 'bogus')
    : fc.constantFrom<'none' | 'bogus'>('none', 'bogus');
  return fc.tuple(pathArb, queryArb, bodyArb, authArb, fc.boolean()).map(([path, query, body, auth, idemKey]) => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (auth === 'bogus') headers.authorization = 'Bearer not-a-valid-key-000000000';
    else if (auth !== 'none') headers.authorization = `Bearer ${TEST_KEYS[auth]}`;
    if (idemKey) headers['idempotency-key'] = `fuzz-${idempotencyCounter.n++}`;
    return { method: route.method.toUpperCase(), url: path + query, headers, body: body.body, label: `${route.method.toUpperCase()} ${route.path} [${auth}] ${body.label}` };
  });
}

const webhookArbitrary: fc.Arbitrary<FuzzRequest> = fc
  .tuple(
    fc.constantFrom<'missing' | 'wrong' | 'right'>('missing', 'wrong', 'right'),
    fc.oneof(
      fc.constantFrom('{"event": ', 'null', '[]', '7', '"x"', '{}', '{"event": 5}', '{"event": null, "data": {}}', '{"data": {"id": "x"}}'),
      // Deeply nested, NUL, lone surrogate and oversized webhooks (a string event, so only the limits refuse them).
      fc.integer({ min: 65, max: 20_000 }).map((d) => `{"event":"mono.events.account_updated","data":${'['.repeat(d)}${']'.repeat(d)}}`),
      fc.constantFrom('\\u0000', '\\ud800', 'a\\udfffb').map((esc) => `{"event":"mono.events.account_updated","data":{"account":{"_id":"${esc}"}}}`),
      fc.constant(`{"event":"mono.events.account_updated","data":"${'w'.repeat(2 * 1024 * 1024 + 10)}"}`),
      fc.string({ maxLength: 200 }).filter((s) => {
        try {
          const v: unknown = JSON.parse(s);
          return !(typeof v === 'object' && v !== null && !Array.isArray(v) && typeof (v as { event?: unknown }).event === 'string');
        } catch {
          return true;
        }
      }),
    ),
  )
  .map(([secret, body]) => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (secret === 'wrong') headers['mono-webhook-secret'] = 'definitely-not-the-secret';
    // With the right secret only bodies that are not a JSON object with a string `event` are generated.
    if (secret === 'right') headers['mono-webhook-secret'] = '__RIGHT__';
    return { method: 'POST', url: '/webhooks/mono', headers, body, label: `webhook secret=${secret}` };
  });

describe('fuzz: bad input never causes a 5xx or a stored row', () => {
  let t: TestApp;
  let ds: DataSource;
  let routes: Route[];
  let components: Record<string, Schema>;

  beforeAll(async () => {
    t = await createTestApp({ RATE_LIMIT_PER_MINUTE: '10000000', UNAUTH_RATE_LIMIT_PER_MINUTE: '10000000' }, { listen: true });
    ds = t.app.get(DataSource);
    const doc = (await (await fetch(`${t.url}/docs/openapi.json`)).json()) as {
      paths: Record<string, Record<string, Operation>>;
      components?: { schemas?: Record<string, Schema> };
    };
    components = doc.components?.schemas ?? {};
    routes = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops)
        .filter(([method]) => ['get', 'post', 'put', 'patch', 'delete'].includes(method))
        .map(([method, op]) => ({ method, path, op })),
    );
  });

  afterAll(async () => {
    await t.close();
  });

  async function rowCounts(): Promise<Record<string, number>> {
    const tables = await ds.query<Array<{ tablename: string }>>(
      `SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename NOT IN ('schema_migrations', 'api_keys') ORDER BY tablename`,
    );
    const out: Record<string, number> = {};
    for (const { tablename } of tables) {
      const [row] = await ds.query<Array<{ n: string }>>(`SELECT count(*)::text AS n FROM "${tablename}"`);
      out[tablename] = Number(row.n);
    }
    return out;
  }

  // Generous timeout: the run is ~10k HTTP requests on a shared 2-core machine (no timing is asserted).
  it(`should answer ${REQUESTS_PER_RUN}+ generated bad requests with a 4xx in the error shape and store nothing`, async () => {
    const fuzzable = routes.filter((r) => !SKIP.has(r.path) && !r.path.startsWith('/analyst') && r.path !== '/webhooks/mono');
    expect(fuzzable.length).toBeGreaterThan(0);
    const before = await rowCounts();
    const counter = { n: 0 };
    const arbitraries = [...fuzzable.map((r) => routeArbitrary(r, components, counter)), webhookArbitrary];
    const perArbitrary = Math.ceil(REQUESTS_PER_RUN / arbitraries.length);
    const failures: string[] = [];
    const codes = new Map<string, number>();
    let sent = 0;
    const webhookSecret = t.config.mono.webhookSecret;
    for (const arb of arbitraries) {
      const samples = fc.sample(arb, { numRuns: perArbitrary, seed: 20261121 });
      // Bounded concurrency keeps the run short without flooding the 2-core machine.
      for (let i = 0; i < samples.length; i += 16) {
        await Promise.all(
          samples.slice(i, i + 16).map(async (req) => {
            if (req.headers['mono-webhook-secret'] === '__RIGHT__') req.headers['mono-webhook-secret'] = webhookSecret;
            const res = await fetch(`${t.url}${req.url}`, { method: req.method, headers: req.headers, body: req.body });
            sent++;
            const text = await res.text();
            let body: unknown;
            try {
              body = JSON.parse(text);
            } catch {
              body = text;
            }
            const shapeOk =
              typeof body === 'object' &&
              body !== null &&
              (body as { statusCode?: unknown }).statusCode === res.status &&
              typeof (body as { code?: unknown }).code === 'string' &&
              typeof (body as { message?: unknown }).message === 'string';
            if (shapeOk) {
              const code = (body as { code: string }).code;
              codes.set(code, (codes.get(code) ?? 0) + 1);
            }
            if (res.status < 400 || res.status >= 500 || !shapeOk) {
              failures.push(`${req.label} → ${res.status} ${text.slice(0, 200)}`);
            }
          }),
        );
      }
    }
    expect(sent).toBeGreaterThanOrEqual(10_000);
    expect(failures.slice(0, 20)).toEqual([]);
    // The input limits were reached (not only validation): deep JSON, oversized bodies, NUL/surrogates, bad integers.
    expect([...codes.keys()]).toEqual(expect.arrayContaining(['JSON_TOO_DEEP', 'PAYLOAD_TOO_LARGE', 'VALIDATION_FAILED', 'MALFORMED_JSON']));
    expect(await rowCounts()).toEqual(before);
  }, 600_000);
});
