import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { FixedClock } from '../../src/common/clock.js';
import { createTestApp, TEST_KEYS, type TestApp } from '../support/app.js';

/**
 * Unauthenticated throttling before the API-key check (src/security/auth-throttle.ts) over real HTTP. Loopback
 * addresses 127.0.0.x stand for distinct clients: each request binds its own local address.
 */
interface Answer {
  status: number;
  retryAfter: string | undefined;
  code: string | undefined;
}

function get(base: string, from: string, path: string, headers: Record<string, string> = {}): Promise<Answer> {
  const url = new URL(path, base);
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'GET', headers, localAddress: from, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => {
        let code: string | undefined;
        try {
          code = (JSON.parse(text) as { code?: string }).code;
        } catch {
          code = undefined;
        }
        resolve({ status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'], code });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
const randomKey = () => `fr_${randomBytes(18).toString('base64url')}`;

/** Sends `n` requests with random keys from `from`, `concurrency` at a time. */
async function flood(base: string, from: string, n: number, concurrency = 10): Promise<Answer[]> {
  const out: Answer[] = [];
  for (let i = 0; i < n; i += concurrency) {
    out.push(...(await Promise.all(Array.from({ length: Math.min(concurrency, n - i) }, () => get(base, from, '/v1/auth/whoami', bearer(randomKey()))))));
  }
  return out;
}

const tally = (answers: Answer[]) => answers.reduce<Record<number, number>>((acc, a) => ({ ...acc, [a.status]: (acc[a.status] ?? 0) + 1 }), {});

describe('unauthenticated throttling per client address', () => {
  let t: TestApp;

  beforeAll(async () => {
    // The engine clock stands still: no token refills during the flood, so the counts are exact.
    t = await createTestApp(
      { UNAUTH_RATE_LIMIT_PER_MINUTE: '20', UNAUTH_GLOBAL_RATE_LIMIT_PER_MINUTE: '100000', RATE_LIMIT_PER_MINUTE: '100000' },
      { listen: true, clock: new FixedClock(new Date()) },
    );
  });

  afterAll(async () => {
    await t.close();
  });

  it('should answer a flood of random keys from one address with 429s while valid clients are still served', async () => {
    // A real client authenticates before the flood (from its own address).
    expect((await get(t.url, '127.0.0.1', '/v1/auth/whoami', bearer(TEST_KEYS.admin))).status).toBe(200);

    const answers = await flood(t.url, '127.0.0.2', 300);
    const counts = tally(answers);
    // The address's budget of failures (20; the clock stands still, so nothing refills) is spent on exactly 20 401s —
    // tokens are reserved before the key lookup, so concurrent guesses cannot share the last one; the rest are 429s.
    expect(counts[401]).toBe(20);
    expect(counts[429]).toBe(300 - counts[401]);
    expect(Object.keys(counts).sort()).toEqual(['401', '429']);
    const limited = answers.find((a) => a.status === 429)!;
    expect(limited.code).toBe('RATE_LIMITED');
    expect(Number(limited.retryAfter)).toBeGreaterThanOrEqual(1);
    // Missing keys count the same as wrong keys.
    expect((await get(t.url, '127.0.0.2', '/v1/auth/whoami')).status).toBe(429);

    // Other addresses are unaffected: a key never used before, and a wrong key, get their normal answers.
    expect((await get(t.url, '127.0.0.3', '/v1/auth/whoami', bearer(TEST_KEYS.analyst))).status).toBe(200);
    expect((await get(t.url, '127.0.0.3', '/v1/auth/whoami', bearer(randomKey()))).status).toBe(401);
    // The client that was already served keeps being served, even from the flooding address.
    expect((await get(t.url, '127.0.0.1', '/v1/auth/whoami', bearer(TEST_KEYS.admin))).status).toBe(200);
    expect((await get(t.url, '127.0.0.2', '/v1/auth/whoami', bearer(TEST_KEYS.admin))).status).toBe(200);
    // A key not yet known good from the throttled address waits like the flood does.
    expect((await get(t.url, '127.0.0.2', '/v1/auth/whoami', bearer(TEST_KEYS.frontend))).status).toBe(429);
  });

  it('should throttle key guessing through the analyst login form too', async () => {
    const answers: number[] = [];
    for (let i = 0; i < 30; i++) {
      const res = await new Promise<number>((resolve, reject) => {
        const body = `apiKey=${randomKey()}`;
        const req = http.request(
          new URL('/analyst/login', t.url),
          { method: 'POST', localAddress: '127.0.0.4', agent: false, headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(body.length) } },
          (r) => {
            r.resume();
            r.on('end', () => resolve(r.statusCode ?? 0));
          },
        );
        req.on('error', reject);
        req.end(body);
      });
      answers.push(res);
    }
    expect(answers.slice(0, 20)).toEqual(Array.from({ length: 20 }, () => 401));
    expect(answers.slice(-5)).toEqual([429, 429, 429, 429, 429]);
  });
});

describe('unauthenticated throttling: global ceiling', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp(
      { UNAUTH_RATE_LIMIT_PER_MINUTE: '100000', UNAUTH_GLOBAL_RATE_LIMIT_PER_MINUTE: '30', RATE_LIMIT_PER_MINUTE: '100000' },
      { listen: true, clock: new FixedClock(new Date()) },
    );
  });

  afterAll(async () => {
    await t.close();
  });

  it('should cap failed authentications over all addresses while known clients are still served', async () => {
    expect((await get(t.url, '127.0.0.1', '/v1/auth/whoami', bearer(TEST_KEYS.admin))).status).toBe(200);
    const answers = (await Promise.all(['127.0.0.11', '127.0.0.12', '127.0.0.13', '127.0.0.14', '127.0.0.15', '127.0.0.16'].map((a) => flood(t.url, a, 20, 5)))).flat();
    const counts = tally(answers);
    // Exactly the global budget, however the six addresses' concurrent guesses interleave.
    expect(counts[401]).toBe(30);
    expect(counts[429]).toBe(120 - counts[401]);
    // The known client is served; a key never seen before waits with the flood (documented trade-off).
    expect((await get(t.url, '127.0.0.1', '/v1/auth/whoami', bearer(TEST_KEYS.admin))).status).toBe(200);
    expect((await get(t.url, '127.0.0.17', '/v1/auth/whoami', bearer(TEST_KEYS.analyst))).status).toBe(429);
  });
});
