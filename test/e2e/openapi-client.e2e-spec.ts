/**
 * The OpenAPI document is precise enough to generate a client, and cannot drift from the server:
 *  - the served document is the committed docs/openapi.json, and clients/typescript/engine-api.d.ts is what
 *    openapi-typescript generates from it (`npm run openapi` rewrites both);
 *  - amounts, counts, ids and dates carry exact types and formats; one bearer scheme; headers declared;
 *  - a client made from the generated types (openapi-fetch) drives the whole lender flow over HTTP — borrower,
 *    connect link, consent, hosted link page, application, decision, loan, repayment, pages of transactions and
 *    decisions — and every answer is validated against the document's schema for its status (undocumented fields
 *    and statuses fail). `npm run typecheck` checks the flow's calls against the generated types.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import createClient, { type Middleware } from 'openapi-fetch';
import type { paths } from '../../clients/typescript/engine-api.js';
import { IDEMPOTENCY_KEY_EXAMPLE, swaggerFreshIdempotencyKey } from '../../src/applications/dto/idempotency-key.js';
import { SANDBOX_NOTICE_VERSION } from '../../src/sandbox/link-page.js';
import { CLIENT_TYPES_FILE, OPENAPI_FILE, renderClientTypes, renderDocument } from '../../scripts/openapi.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { monoEnv, sandboxAdmin, settleAccountWebhooks, startTestSandbox, type SandboxServer } from '../support/mono-kit.js';
import { OpenApiResponseValidator } from '../support/openapi-validator.js';
import { waitForStatus } from './applications.kit.js';

type Schema = { type?: string; format?: string; properties?: Record<string, Schema>; items?: Schema; [k: string]: unknown };
interface Doc {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema>; securitySchemes: Record<string, Record<string, unknown>> };
}
interface Operation {
  security?: Array<Record<string, string[]>>;
  parameters?: Array<{ name: string; in: string; schema: Schema }>;
  responses: Record<string, { headers?: Record<string, unknown>; content?: Record<string, { schema?: Schema }> }>;
  'x-roles'?: string[];
}

/** Every property (components, parameters, inline response schemas) with where it was found. */
function properties(doc: Doc): Array<{ where: string; name: string; schema: Schema }> {
  const out: Array<{ where: string; name: string; schema: Schema }> = [];
  const walk = (s: unknown, where: string): void => {
    if (Array.isArray(s)) return s.forEach((x) => walk(x, where));
    if (!s || typeof s !== 'object') return;
    const o = s as Schema;
    for (const [name, p] of Object.entries(o.properties ?? {})) out.push({ where: `${where}.${name}`, name, schema: p });
    for (const [k, v] of Object.entries(o)) if (k !== 'example' && k !== 'examples') walk(v, k === 'properties' ? where : `${where}/${k}`);
  };
  walk(doc.components.schemas, '#');
  for (const [path, ops] of Object.entries(doc.paths)) {
    if (path.startsWith('/health')) continue; // @nestjs/terminus's own schema (responseTime in ms)
    for (const [method, op] of Object.entries(ops)) {
      for (const p of op.parameters ?? []) out.push({ where: `${method} ${path} (${p.in})`, name: p.name, schema: p.schema });
      walk(op.responses, `${method} ${path}`);
    }
  }
  return out;
}

describe('OpenAPI document and a generated client', () => {
  let sandbox: SandboxServer;
  let t: TestApp;
  let doc: Doc;

  beforeAll(async () => {
    sandbox = await startTestSandbox();
    t = await createTestApp(monoEnv(sandbox, { JOBS_ENABLED: 'true', SYNC_MIN_INTERVAL_SECONDS: '3600' }), { listen: true });
    sandbox.setWebhookTarget(`${t.url}/webhooks/mono`);
    doc = (await (await fetch(`${t.url}/docs/openapi.json`)).json()) as Doc;
  });

  afterAll(async () => {
    sandbox?.setWebhookTarget(null);
    await t?.close();
    await sandbox?.close();
  });

  it('should serve the committed document, and the committed client types should be generated from it', async () => {
    // On failure: run `npm run openapi` and commit docs/openapi.json and clients/typescript/engine-api.d.ts.
    expect(renderDocument(doc) === readFileSync(OPENAPI_FILE, 'utf8')).toBe(true);
    expect((await renderClientTypes(doc)) === readFileSync(CLIENT_TYPES_FILE, 'utf8')).toBe(true);
  });

  it('should type kobo as int64 integers, counts as integers, ids as UUIDs, instants and dates with their formats', () => {
    const wrong: string[] = [];
    const fractional = new Set(['freshnessHours']); // hours since the last sync, two decimals
    const notUuid = new Set(['monoAccountId', 'externalId', 'lenderId']); // Mono's ObjectId; the lender's own reference; LENDER_ID
    for (const { where, name, schema } of properties(doc)) {
      if (schema.type === 'number' && !fractional.has(name)) wrong.push(`${where}: number (use integer)`);
      const kobo =
        /Minor$/.test(name) ||
        ['amount', 'balance', 'monthlyAmount', 'monthlyEstimate', 'monthlyTotal', 'recommendedLimit', 'instalment'].includes(name);
      if (kobo && schema.type === 'integer' && schema.format !== 'int64') wrong.push(`${where}: kobo without format int64`);
      if (schema.type === 'string' && !schema.enum) {
        if ((name === 'id' || /Id$/.test(name) || name === 'cycleId') && !notUuid.has(name) && schema.format !== 'uuid')
          wrong.push(`${where}: id without format uuid`);
        if (/At$/.test(name) && schema.format !== 'date-time') wrong.push(`${where}: instant without format date-time`);
        if (
          (/Date$/.test(name) || ['date', 'firstDate', 'lastDate', 'from', 'to', 'windowStart', 'windowEnd'].includes(name)) &&
          schema.format !== 'date'
        )
          wrong.push(`${where}: date without format date`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('should declare one bearer API-key scheme once per authenticated operation, every error code and the response headers', () => {
    expect(doc.components.securitySchemes).toEqual({
      bearer: expect.objectContaining({ type: 'http', scheme: 'bearer', bearerFormat: 'API key' }),
    });
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        const where = `${method} ${path}`;
        if (!op['x-roles']) {
          expect([where, op.security]).toEqual([where, undefined]);
          continue;
        }
        expect([where, op.security]).toEqual([where, [{ bearer: [] }]]);
        expect([where, Object.keys(op.responses).filter((s) => s === '401' || s === '403')]).toEqual([where, ['401', '403']]);
        // Every operation says what it answers on success, with a content type.
        const success = Object.entries(op.responses).filter(([s]) => s.startsWith('2'));
        expect([where, success.length > 0]).toEqual([where, true]);
      }
    }
    const post = (path: string) => doc.paths[path].post;
    expect(Object.keys(post('/v1/applications').responses['202'].headers ?? {})).toEqual(['Location']);
    expect(Object.keys(post('/v1/applications').responses['200'].headers ?? {}).sort()).toEqual(['Idempotent-Replayed', 'Location']);
    expect(Object.keys(post('/v1/loans').responses['201'].headers ?? {})).toEqual(['Location']);
    // The 400 of a body route lists the validation failure and the input-limit codes as named examples.
    const bad = post('/v1/borrowers').responses['400'].content!['application/json'] as { examples: Record<string, unknown> };
    expect(Object.keys(bad.examples).sort()).toEqual(['INVALID_ENCODING', 'JSON_TOO_DEEP', 'MALFORMED_JSON', 'VALIDATION_FAILED']);
    expect(Object.keys(post('/v1/borrowers').responses).filter((s) => s === '413' || s === '415')).toEqual(['413', '415']);
    // Report routes document each content type they can answer.
    expect(Object.keys(doc.paths['/v1/reports/borrowers/{id}'].get.responses['200'].content ?? {}).sort()).toEqual([
      'application/json',
      'application/pdf',
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      'text/csv',
      'text/html',
    ]);
  });

  it('should give every "Try it out" request a fresh Idempotency-Key in Swagger UI', async () => {
    const init = await (await fetch(`${t.url}/docs/swagger-ui-init.js`)).text();
    expect(init).toContain('requestInterceptor');
    expect(init).toContain(IDEMPOTENCY_KEY_EXAMPLE);
    const a = swaggerFreshIdempotencyKey({ headers: { 'Idempotency-Key': IDEMPOTENCY_KEY_EXAMPLE } }).headers['Idempotency-Key'];
    const b = swaggerFreshIdempotencyKey({ headers: { 'Idempotency-Key': IDEMPOTENCY_KEY_EXAMPLE } }).headers['Idempotency-Key'];
    expect(a).toMatch(/^[0-9a-f-]{36}$/);
    expect(a).not.toBe(b);
    expect(swaggerFreshIdempotencyKey({ headers: { 'Idempotency-Key': 'mine-1' } }).headers['Idempotency-Key']).toBe('mine-1');
  });

  it('should drive the lender flow with the generated client, every answer matching the document', async () => {
    const validator = new OpenApiResponseValidator(doc as never);
    const problems: string[] = [];
    const conform: Middleware = {
      async onResponse({ request, response, schemaPath }) {
        const type = response.headers.get('content-type');
        const body = type?.includes('json') ? await response.clone().json() : null;
        problems.push(...validator.check(request.method, schemaPath, response.status, type, body));
      },
    };
    const api = createClient<paths>({ baseUrl: t.url, headers: t.auth('frontend') });
    api.use(conform);

    const borrower = await api.POST('/v1/borrowers', {
      body: { externalId: 'openapi-client-1', fullName: 'Kemi Balogun', email: 'kemi.balogun@example.com' },
    });
    expect(borrower.response.status).toBe(201);
    const borrowerId = borrower.data!.id;

    // Bad input is answered as documented too.
    const invalid = await api.POST('/v1/borrowers', { body: { externalId: 'openapi-client-2', fullName: 'X', email: 'not-an-email' } });
    expect(invalid.response.status).toBe(400);
    expect(invalid.error).toMatchObject({ code: 'VALIDATION_FAILED' });
    const missing = await api.GET('/v1/borrowers/{id}', { params: { path: { id: '00000000-0000-4000-8000-000000000000' } } });
    expect(missing.response.status).toBe(404);

    const link = await api.POST('/v1/borrowers/{id}/connect', { params: { path: { id: borrowerId } }, body: {} });
    expect(link.response.status).toBe(200);
    const consent = await api.POST('/v1/borrowers/{id}/consents', {
      params: { path: { id: borrowerId } },
      body: { purpose: 'underwriting', noticeVersion: SANDBOX_NOTICE_VERSION, channel: 'web' },
    });
    expect(consent.response.status).toBe(201);
    expect(consent.data!.status).toBe('active');

    // The borrower logs in on the hosted link page (the sandbox plays Mono); the account is in their name.
    const login = await fetch(link.data!.monoUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `step=link&notice_version=${SANDBOX_NOTICE_VERSION}&consent_underwriting=1&persona=salaried_monthly`,
    });
    expect(login.status).toBe(200);
    const { accounts } = await sandboxAdmin<{ accounts: Array<{ id: string; ref: string | null }> }>(sandbox, 'GET', '/accounts');
    const mono = accounts.find((a) => a.ref === link.data!.reference)!;
    await settleAccountWebhooks(t.app, sandbox, mono.id, 2);

    const linked = await api.GET('/v1/borrowers/{id}', { params: { path: { id: borrowerId } } });
    expect(linked.data!.accounts).toHaveLength(1);
    const page1 = await api.GET('/v1/borrowers/{id}/transactions', { params: { path: { id: borrowerId }, query: { limit: 50 } } });
    expect(page1.data!.items).toHaveLength(50);
    expect(page1.data!.total).toBeGreaterThan(50);
    const page2 = await api.GET('/v1/borrowers/{id}/transactions', {
      params: { path: { id: borrowerId }, query: { limit: 50, cursor: page1.data!.nextCursor! } },
    });
    expect(page2.data!.total).toBe(page1.data!.total);
    expect(page2.data!.items[0].id).not.toBe(page1.data!.items[49].id);
    // Narrations carry the borrower's phone number (airtime top-ups); the API returns it masked to its last 4 digits.
    const airtime = await api.GET('/v1/borrowers/{id}/transactions', {
      params: { path: { id: borrowerId }, query: { category: 'airtime_data', limit: 500 } },
    });
    const narrations = airtime.data!.items.map((i) => i.narration);
    expect(narrations.some((n) => /\*{7}\d{4}/.test(n))).toBe(true);
    expect(narrations.filter((n) => /(?<!\d)\d{10,16}(?!\d)/.test(n))).toEqual([]);

    const applied = await api.POST('/v1/applications', {
      params: { header: { 'Idempotency-Key': 'openapi-client-app-1' } },
      body: { borrowerId, amount: 5_000_000, tenorMonths: 6 },
    });
    expect(applied.response.status).toBe(202);
    expect(applied.response.headers.get('location')).toBe(`/v1/applications/${applied.data!.id}`);
    const replay = await api.POST('/v1/applications', {
      params: { header: { 'Idempotency-Key': 'openapi-client-app-1' } },
      body: { borrowerId, amount: 5_000_000, tenorMonths: 6 },
    });
    expect([replay.response.status, replay.response.headers.get('idempotent-replayed'), replay.data!.id]).toEqual([
      200,
      'true',
      applied.data!.id,
    ]);
    await waitForStatus(t, applied.data!.id, ['decided', 'failed']);

    const decided = await api.GET('/v1/applications/{id}', { params: { path: { id: applied.data!.id } } });
    expect(decided.data!.status).toBe('decided');
    const decision = decided.data!.decision!;
    expect(decision.outcome).toBe('approved');
    const offer = decision.offer!;
    expect(Number.isSafeInteger(offer.amountMinor) && Number.isSafeInteger(offer.instalmentMinor)).toBe(true);

    const loan = await api.POST('/v1/loans', {
      params: { header: { 'Idempotency-Key': 'openapi-client-loan-1' } },
      body: {
        borrowerId,
        applicationId: applied.data!.id,
        principalMinor: offer.amountMinor,
        currency: 'NGN',
        disbursedAt: new Date().toISOString(),
        tenorMonths: offer.tenorMonths,
        monthlyRate: offer.monthlyRate,
      },
    });
    expect(loan.response.status).toBe(201);
    expect(loan.data!.schedule[0].amountDueMinor).toBe(offer.instalmentMinor);
    const repaid = await api.POST('/v1/loans/{id}/repayments', {
      params: { path: { id: loan.data!.id } },
      body: { amountMinor: offer.instalmentMinor, paidAt: new Date().toISOString(), reference: 'openapi-client-rpy-1' },
    });
    expect(repaid.response.status).toBe(201);
    const after = await api.GET('/v1/loans/{id}', { params: { path: { id: loan.data!.id } } });
    expect(after.data!.paidMinor).toBe(offer.instalmentMinor);
    const book = await api.GET('/v1/borrowers/{id}/loans', { params: { path: { id: borrowerId } } });
    expect(book.data!.openLoans).toBe(1);

    // A second application, then the decision history one page at a time.
    const second = await api.POST('/v1/applications', {
      params: { header: { 'Idempotency-Key': 'openapi-client-app-2' } },
      body: { borrowerId, amount: 2_000_000, tenorMonths: 3 },
    });
    await waitForStatus(t, second.data!.id, ['decided', 'failed']);
    const first = await api.GET('/v1/borrowers/{id}/decisions', { params: { path: { id: borrowerId }, query: { limit: 1 } } });
    expect([first.data!.items.length, first.data!.total]).toEqual([1, 2]);
    const next = await api.GET('/v1/borrowers/{id}/decisions', {
      params: { path: { id: borrowerId }, query: { limit: 1, cursor: first.data!.nextCursor! } },
    });
    expect([next.data!.items.length, next.data!.nextCursor]).toEqual([1, null]);
    expect(next.data!.items[0].id).not.toBe(first.data!.items[0].id);
    expect(next.data!.items[0].id).toBe(decision.id);
    const badCursor = await api.GET('/v1/borrowers/{id}/decisions', {
      params: { path: { id: borrowerId }, query: { cursor: 'bm90LWEtY3Vyc29y' } },
    });
    expect(badCursor.response.status).toBe(400);

    // The analyst's JSON report through the same client, with the analyst's key.
    const analyst = createClient<paths>({ baseUrl: t.url, headers: t.auth('analyst') });
    analyst.use(conform);
    const report = await analyst.GET('/v1/reports/borrowers/{id}', { params: { path: { id: borrowerId } } });
    expect(report.response.status).toBe(200);
    const forbidden = await api.GET('/v1/reports/borrowers/{id}', { params: { path: { id: borrowerId } } });
    expect(forbidden.response.status).toBe(403);

    expect(problems).toEqual([]);
  });
});
