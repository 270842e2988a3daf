import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { createTestApp, type TestApp } from '../support/app.js';

describe('foundation (HTTP)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });

  afterAll(async () => {
    await t.close();
  });

  it('should report liveness and database readiness at /health without a key', async () => {
    const res = await request(t.app.getHttpServer()).get('/health').expect(200);
    expect(res.body).toMatchObject({ status: 'ok', info: { database: { status: 'up' } } });
  });

  it('should serve the OpenAPI document at /docs', async () => {
    await request(t.app.getHttpServer()).get('/docs').expect(200).expect('content-type', /html/);
    const res = await request(t.app.getHttpServer()).get('/docs/openapi.json').expect(200);
    expect(res.body.openapi).toMatch(/^3\./);
    expect(res.body.paths['/health']).toBeDefined();
  });

  it('should answer 404 with the one error shape', async () => {
    const res = await request(t.app.getHttpServer()).get('/no-such-route').set(t.auth('admin')).expect(404);
    expect(res.body).toEqual({ statusCode: 404, code: 'NOT_FOUND', message: expect.any(String) });
  });
});

describe('rate limiting and security headers', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ RATE_LIMIT_PER_MINUTE: '5' });
  });

  afterAll(async () => {
    await t.close();
  });

  it('should answer 429 with Retry-After once a key exceeds its budget, without affecting other keys', async () => {
    const server = t.app.getHttpServer();
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await request(server).get('/v1/auth/whoami').set(t.auth('admin'))).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200]);
    const limited = await request(server).get('/v1/auth/whoami').set(t.auth('admin'));
    expect(limited.status).toBe(429);
    expect(limited.headers['retry-after']).toBeDefined();
    expect(limited.body).toMatchObject({ statusCode: 429, code: 'RATE_LIMITED' });
    // health is exempt; another key has its own bucket
    await request(server).get('/health').expect(200);
    await request(server).get('/v1/auth/whoami').set(t.auth('frontend')).expect(200);
  });

  it('should send security headers', async () => {
    const res = await request(t.app.getHttpServer()).get('/health');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
  });
});

describe('authentication', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });

  afterAll(async () => {
    await t.close();
  });

  it('should answer 401 without a key or with a wrong key, with the error shape', async () => {
    const server = t.app.getHttpServer();
    const none = await request(server).get('/v1/auth/whoami');
    expect(none.status).toBe(401);
    expect(none.body.code).toBe('UNAUTHENTICATED');
    const res = await request(server).get('/v1/auth/whoami').set('Authorization', 'Bearer not-a-real-key-0000000');
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ statusCode: 401, code: 'UNAUTHENTICATED', message: expect.any(String) });
  });

  it('should identify the caller and accept every role on whoami', async () => {
    for (const role of ['frontend', 'analyst', 'admin'] as const) {
      const res = await request(t.app.getHttpServer()).get('/v1/auth/whoami').set(t.auth(role)).expect(200);
      expect(res.body).toEqual({ name: `test-${role}`, role, lenderId: 'default' });
    }
    // Each key's last use is recorded (minute resolution).
    const used = await t.app.get(DataSource).query<Array<{ name: string; recent: boolean }>>(
      `SELECT name, last_used_at > now() - interval '5 minutes' AS recent FROM api_keys WHERE name LIKE 'test-%' ORDER BY name`,
    );
    expect(used.filter((k) => ['test-admin', 'test-analyst', 'test-frontend'].includes(k.name))).toEqual([
      { name: 'test-admin', recent: true },
      { name: 'test-analyst', recent: true },
      { name: 'test-frontend', recent: true },
    ]);
  });

  it('should reject malformed JSON with a 400 in the error shape', async () => {
    const res = await request(t.app.getHttpServer())
      .post('/v1/auth/whoami')
      .set(t.auth('admin'))
      .set('Content-Type', 'application/json')
      .send('{"broken": ');
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ statusCode: 400, code: 'MALFORMED_JSON' });
  });
});
