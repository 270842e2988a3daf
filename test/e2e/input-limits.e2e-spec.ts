import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { createTestApp, TEST_KEYS, type TestApp } from '../support/app.js';

/**
 * Input limits before parsing (src/common/http/input-limits.ts) over the real HTTP stack: body size per route
 * (413, also for bodies that only claim a size or never end), JSON depth (400, no stack overflow), media type (415),
 * NUL and lone surrogates (400 naming the field), strict integers in query strings, no PII echoed in errors, and
 * `Cache-Control: no-store` on responses carrying PII.
 */
interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/**
 * A raw request: `chunks` are written one by one and the request is ended only when `end` is true, so a body that
 * never finishes (or a Content-Length that is never honoured) can be sent. Resolves on the response.
 */
function raw(
  base: string,
  opts: { method?: string; path: string; headers?: Record<string, string>; chunks?: Array<string | Buffer>; end?: boolean },
): Promise<RawResponse> {
  const url = new URL(opts.path, base);
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: opts.method ?? 'POST', headers: opts.headers ?? {}, agent: false }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts).toString('utf8') });
        req.destroy();
      });
    });
    // The server may close the connection while the rest of a rejected body is still being written.
    req.on('error', (err) => (req.destroyed && (err as NodeJS.ErrnoException).code !== 'ECONNREFUSED' ? undefined : reject(err)));
    for (const c of opts.chunks ?? []) req.write(c);
    if (opts.end ?? true) req.end();
  });
}

const nested = (depth: number): string => '['.repeat(depth) + ']'.repeat(depth);
const json = (role: keyof typeof TEST_KEYS) => ({ 'content-type': 'application/json', authorization: `Bearer ${TEST_KEYS[role]}` });

describe('input limits before parsing', () => {
  let t: TestApp;
  let ds: DataSource;

  beforeAll(async () => {
    t = await createTestApp({ RATE_LIMIT_PER_MINUTE: '100000' }, { listen: true });
    ds = t.app.get(DataSource);
  });

  afterAll(async () => {
    await t.close();
  });

  const post = (path: string, body: string, headers: Record<string, string>) => fetch(`${t.url}${path}`, { method: 'POST', headers, body });
  /** An analyst session cookie, signed in through the login form (the cookie holds a session token, not the key). */
  const analystSession = async (): Promise<string> => {
    const res = await fetch(`${t.url}/analyst/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `apiKey=${encodeURIComponent(TEST_KEYS.analyst)}`,
      redirect: 'manual',
    });
    return (res.headers.get('set-cookie') ?? '').split(';')[0];
  };

  it('should answer 400 JSON_TOO_DEEP for deeply nested JSON on API routes and webhooks, and keep serving', async () => {
    const deep = `{"fullName": ${nested(10_000)}}`;
    for (const [path, headers] of [
      ['/v1/borrowers', json('frontend')],
      ['/v1/applications', json('frontend')],
      ['/webhooks/mono', { 'content-type': 'application/json', 'mono-webhook-secret': t.config.mono.webhookSecret }],
    ] as const) {
      const res = await post(path, deep, headers);
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({ statusCode: 400, code: 'JSON_TOO_DEEP', message: expect.stringContaining('64') });
    }
    // 64 levels are parsed (and then refused by validation, not by the depth limit); brackets inside strings do not count.
    const ok = await post(
      '/v1/borrowers',
      JSON.stringify({ fullName: '[[[['.repeat(100), extra: JSON.parse(nested(63)) as unknown }),
      json('frontend'),
    );
    expect(ok.status).toBe(400);
    expect(((await ok.json()) as { code: string }).code).toBe('VALIDATION_FAILED');
    expect((await fetch(`${t.url}/health`)).status).toBe(200);
  });

  it('should answer 413 by Content-Length before reading the body, per route (64 KiB API, 2 MiB webhooks)', async () => {
    const big = JSON.stringify({ fullName: 'x'.repeat(70_000) });
    const api = await post('/v1/borrowers', big, json('frontend'));
    expect(api.status).toBe(413);
    expect(await api.json()).toEqual({ statusCode: 413, code: 'PAYLOAD_TOO_LARGE', message: expect.stringContaining('65536') });
    // The same 70 kB is within the webhook limit (then refused for its content, not its size).
    const hook = await post('/webhooks/mono', big, {
      'content-type': 'application/json',
      'mono-webhook-secret': t.config.mono.webhookSecret,
    });
    expect(hook.status).toBe(400);
    // A claimed 1 GB body that is never sent is answered at once: no byte of it is waited for.
    const claimed = await raw(t.url, {
      path: '/webhooks/mono',
      headers: { 'content-type': 'application/json', 'content-length': String(1024 ** 3) },
      chunks: ['{'],
      end: false,
    });
    expect(claimed.status).toBe(413);
    expect(claimed.headers.connection).toBe('close');
    expect(JSON.parse(claimed.body)).toMatchObject({ statusCode: 413, code: 'PAYLOAD_TOO_LARGE' });
  });

  it('should answer 413 for a chunked body as soon as it passes the limit, without waiting for its end', async () => {
    const res = await raw(t.url, {
      path: '/v1/borrowers',
      headers: { ...json('frontend'), 'transfer-encoding': 'chunked' },
      chunks: ['{"fullName":"', 'y'.repeat(40_000), 'y'.repeat(40_000)],
      end: false,
    });
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body)).toMatchObject({ statusCode: 413, code: 'PAYLOAD_TOO_LARGE' });
  });

  it('should reject NUL and lone surrogates in any string field with a 400 naming the field, storing nothing', async () => {
    const [{ n: before }] = await ds.query<Array<{ n: string }>>('SELECT count(*)::text AS n FROM borrowers');
    const base = { externalId: 'nul-1', fullName: 'Ngozi Example', email: 'ngozi@example.com' };
    const cases: Array<[string, string]> = [
      [JSON.stringify({ ...base, fullName: 'Ngozi\u0000Example' }), 'fullName'],
      ['{"externalId":"nul-2","fullName":"Ngozi \\ud800 Example","email":"ngozi@example.com"}', 'fullName'],
      ['{"externalId":"nul-3","fullName":"Ngozi","email":"ngozi@example.com","phone":"\\udfff"}', 'phone'],
    ];
    for (const [body, field] of cases) {
      const res = await post('/v1/borrowers', body, json('frontend'));
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({
        statusCode: 400,
        code: 'VALIDATION_FAILED',
        message: `Invalid request: ${field}`,
        details: {
          fields: [
            {
              field,
              errors: [expect.stringMatching(new RegExp(`^${field} must not contain (NUL characters|unpaired UTF-16 surrogates)$`))],
            },
          ],
        },
      });
    }
    const app = await post(
      '/v1/applications',
      JSON.stringify({ borrowerId: '3f0c2a8e-5f1b-4d0a-8a57-1d2b9f1e4c21', amount: 100, tenorMonths: 6, purpose: 'shop\u0000' }),
      json('frontend'),
    );
    expect(((await app.json()) as { details: unknown }).details).toEqual({
      fields: [{ field: 'purpose', errors: ['purpose must not contain NUL characters'] }],
    });
    const hook = await post('/webhooks/mono', '{"event":"mono.events.account_updated","data":{"account":{"_id":"a\\u0000"}}}', {
      'content-type': 'application/json',
      'mono-webhook-secret': t.config.mono.webhookSecret,
    });
    expect(hook.status).toBe(400);
    expect(((await hook.json()) as { message: string }).message).toBe('Invalid request: data.account._id');
    // Query strings and paths too.
    const q = await fetch(`${t.url}/analyst?q=a%00b`, { headers: { cookie: await analystSession() } });
    expect(q.status).toBe(400);
    const p = await fetch(`${t.url}/v1/borrowers/a%00b`, { headers: json('admin') });
    expect(p.status).toBe(400);
    expect(((await p.json()) as { code: string }).code).toBe('VALIDATION_FAILED');
    const [{ n: after }] = await ds.query<Array<{ n: string }>>('SELECT count(*)::text AS n FROM borrowers');
    expect(after).toBe(before);
  });

  it('should accept only decimal integers in query strings', async () => {
    const created = await post(
      '/v1/borrowers',
      JSON.stringify({ externalId: 'q-int', fullName: 'Tunde Example', email: 'tunde@example.com' }),
      json('frontend'),
    );
    const { id } = (await created.json()) as { id: string };
    for (const bad of ['0x10', '1e1', '16.0', ' 16', '0b1', '+16', 'Infinity']) {
      const res = await fetch(`${t.url}/v1/borrowers/${id}/transactions?limit=${encodeURIComponent(bad)}`, { headers: json('admin') });
      expect([bad, res.status]).toEqual([bad, 400]);
      expect(((await res.json()) as { details: { fields: Array<{ field: string }> } }).details.fields.map((f) => f.field)).toEqual([
        'limit',
      ]);
    }
    expect((await fetch(`${t.url}/v1/borrowers/${id}/transactions?limit=16`, { headers: json('admin') })).status).toBe(200);
    expect((await fetch(`${t.url}/v1/admin/reunderwrite?limit=0x10`, { headers: json('admin') })).status).toBe(400);
    expect((await fetch(`${t.url}/v1/admin/reunderwrite?limit=10`, { headers: json('admin') })).status).toBe(200);
  });

  it('should never echo PII values in validation errors, also for a JSON body sent form-encoded', async () => {
    const bvn = '22298765432';
    const phone = '+2348099912345';
    const email = 'chioma.pii@example.com';
    const pii = { externalId: 'pii-echo', fullName: 'Chioma Example', email, phone, bvn, [bvn]: 1, [`${email}`]: 'x' };
    const form = await post('/v1/borrowers', JSON.stringify(pii), {
      authorization: `Bearer ${TEST_KEYS.frontend}`,
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(form.status).toBe(415);
    const formText = await form.text();
    // Wrong-typed, unknown and malformed fields: none of the values (nor the keys made of PII) come back.
    const bad = await post(
      '/v1/borrowers',
      JSON.stringify({ ...pii, bvn: `${bvn}9`, phone: `${phone}x`, email: `x${email}x@` }),
      json('frontend'),
    );
    expect(bad.status).toBe(400);
    const badText = await bad.text();
    expect(JSON.parse(badText)).toMatchObject({ code: 'VALIDATION_FAILED' });
    for (const text of [formText, badText]) {
      for (const value of [bvn, phone.slice(1), email, 'chioma.pii']) expect(text).not.toContain(value);
    }
    // The analyst login form is the one form route; a JSON body there is not parsed either.
    const analystJson = await post('/analyst/login', JSON.stringify({ apiKey: TEST_KEYS.analyst, bvn }), {
      'content-type': 'application/json',
    });
    expect(analystJson.status).toBe(415);
    expect(await analystJson.text()).not.toContain(bvn);
  });

  it('should send Cache-Control: no-store on borrowers, applications, transactions, reports, analyst pages and errors', async () => {
    const created = await post(
      '/v1/borrowers',
      JSON.stringify({ externalId: 'cache-1', fullName: 'Emeka Example', email: 'emeka@example.com', bvn: '22211122233' }),
      json('frontend'),
    );
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    const application = await post('/v1/applications', JSON.stringify({ borrowerId: id, amount: 5_000_000, tenorMonths: 6 }), {
      ...json('frontend'),
      'idempotency-key': 'cache-app-1',
    });
    const responses: Array<[string, Response]> = [
      ['POST /v1/borrowers', created],
      ['POST /v1/applications', application],
      ['GET /v1/borrowers/:id', await fetch(`${t.url}/v1/borrowers/${id}`, { headers: json('admin') })],
      [
        'GET /v1/applications/:id',
        await fetch(`${t.url}/v1/applications/00000000-0000-4000-8000-000000000000`, { headers: json('admin') }),
      ],
      ['GET /v1/borrowers/:id/transactions', await fetch(`${t.url}/v1/borrowers/${id}/transactions`, { headers: json('admin') })],
      ['GET /v1/borrowers/:id/decisions', await fetch(`${t.url}/v1/borrowers/${id}/decisions`, { headers: json('admin') })],
      ['GET /v1/reports/borrowers/:id', await fetch(`${t.url}/v1/reports/borrowers/${id}`, { headers: json('analyst') })],
      ['GET /v1/reports/portfolio', await fetch(`${t.url}/v1/reports/portfolio`, { headers: json('analyst') })],
      ['GET /analyst', await fetch(`${t.url}/analyst`, { headers: { cookie: await analystSession() } })],
      ['GET /analyst/borrowers/:id', await fetch(`${t.url}/analyst/borrowers/${id}`, { headers: { cookie: await analystSession() } })],
      [
        'GET /v1/borrowers/unknown (404)',
        await fetch(`${t.url}/v1/borrowers/00000000-0000-4000-8000-000000000000`, { headers: json('admin') }),
      ],
      ['POST /v1/borrowers invalid (400)', await post('/v1/borrowers', '{}', json('frontend'))],
    ];
    for (const [label, res] of responses) expect([label, res.headers.get('cache-control')]).toEqual([label, 'no-store']);
    // Statuses show the PII routes really answered (the application is refused: this borrower has no linked account).
    expect(responses.slice(0, 6).map(([, r]) => r.status)).toEqual([201, 409, 200, 404, 200, 200]);
    expect(responses.slice(7, 10).map(([, r]) => r.status)).toEqual([200, 200, 200]);
  });
});
