import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { BorrowersController } from '../../src/borrowers/borrowers.controller.js';
import { createTestApp, type TestApp } from '../support/app.js';

const UNKNOWN = '00000000-0000-4000-8000-000000000000';

describe(BorrowersController.name, () => {
  let t: TestApp;
  const http = () => request(t.app.getHttpServer());

  beforeAll(async () => {
    t = await createTestApp();
  });

  afterAll(async () => {
    await t.close();
  });

  const newBorrower = (externalId: string) => ({
    externalId,
    fullName: 'Adaeze Okafor',
    email: 'ada@example.com',
    phone: '+2348031234567',
    bvn: '22212345678',
  });

  it('should create a borrower and answer 201 with the id and masked PII', async () => {
    const res = await http().post('/v1/borrowers').set(t.auth('frontend')).send(newBorrower('ext-1')).expect(201);
    expect(res.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      externalId: 'ext-1',
      fullName: 'Adaeze Okafor',
      email: 'ada@example.com',
      phone: '**********4567',
      bvn: '*******5678',
      accounts: [],
      createdAt: expect.any(String),
    });
    const got = await http().get(`/v1/borrowers/${res.body.id}`).set(t.auth('admin')).expect(200);
    expect(got.body).toMatchObject({ id: res.body.id, bvn: '*******5678', accounts: [] });
    expect(JSON.stringify(got.body)).not.toContain('22212345678');
  });

  it('should answer 409 BORROWER_EXISTS with the existing id for a repeated externalId', async () => {
    const first = await http().post('/v1/borrowers').set(t.auth('frontend')).send(newBorrower('ext-dup')).expect(201);
    const again = await http().post('/v1/borrowers').set(t.auth('frontend')).send(newBorrower('ext-dup')).expect(409);
    expect(again.body).toEqual({ statusCode: 409, code: 'BORROWER_EXISTS', message: expect.any(String), details: { id: first.body.id } });
  });

  it('should create one borrower when the same externalId is posted concurrently', async () => {
    const results = await Promise.all(
      Array.from({ length: 6 }, () => http().post('/v1/borrowers').set(t.auth('frontend')).send(newBorrower('ext-race'))),
    );
    const created = results.filter((r) => r.status === 201);
    const conflicts = results.filter((r) => r.status === 409);
    expect(created).toHaveLength(1);
    expect(conflicts).toHaveLength(5);
    for (const c of conflicts) expect(c.body.details).toEqual({ id: created[0].body.id });
  });

  it.each([
    ['a missing externalId', { fullName: 'A B', email: 'a@b.co' }, 'externalId'],
    ['an invalid email', { externalId: 'x1', fullName: 'A B', email: 'not-an-email' }, 'email'],
    ['a blank fullName', { externalId: 'x2', fullName: '   ', email: 'a@b.co' }, 'fullName'],
    ['a 10-digit BVN', { externalId: 'x3', fullName: 'A B', email: 'a@b.co', bvn: '1234567890' }, 'bvn'],
    ['a BVN with letters', { externalId: 'x4', fullName: 'A B', email: 'a@b.co', bvn: '1234567890a' }, 'bvn'],
    ['a malformed phone', { externalId: 'x5', fullName: 'A B', email: 'a@b.co', phone: 'call me' }, 'phone'],
    ['an unknown field', { externalId: 'x6', fullName: 'A B', email: 'a@b.co', creditScore: 800 }, 'creditScore'],
  ])('should answer 400 naming the field for %s', async (_what, body, field) => {
    const res = await http().post('/v1/borrowers').set(t.auth('frontend')).send(body).expect(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
    expect(res.body.details.fields.map((f: { field: string }) => f.field)).toContain(field);
  });

  it('should answer 400 for a malformed id and 404 for an unknown borrower', async () => {
    const bad = await http().get('/v1/borrowers/not-a-uuid').set(t.auth('frontend')).expect(400);
    expect(bad.body).toMatchObject({ code: 'VALIDATION_FAILED', details: { fields: [{ field: 'id' }] } });
    const missing = await http().get(`/v1/borrowers/${UNKNOWN}`).set(t.auth('frontend')).expect(404);
    expect(missing.body).toMatchObject({ statusCode: 404, code: 'NOT_FOUND' });
    await http().get(`/v1/borrowers/${UNKNOWN}/decisions`).set(t.auth('frontend')).expect(404);
    await http().get(`/v1/borrowers/${UNKNOWN}/transactions`).set(t.auth('frontend')).expect(404);
    await http().post(`/v1/borrowers/${UNKNOWN}/accounts`).set(t.auth('frontend')).send({ code: 'abc' }).expect(404);
    await http().post(`/v1/borrowers/${UNKNOWN}/reauth`).set(t.auth('frontend')).send({ accountId: UNKNOWN }).expect(404);
  });

  it('should validate link, reauth and transaction inputs', async () => {
    const b = await http().post('/v1/borrowers').set(t.auth('frontend')).send(newBorrower('ext-validate')).expect(201);
    const id = b.body.id as string;
    expect(
      (await http().post(`/v1/borrowers/${id}/accounts`).set(t.auth('frontend')).send({}).expect(400)).body.details.fields[0].field,
    ).toBe('code');
    expect(
      (await http().post(`/v1/borrowers/${id}/reauth`).set(t.auth('frontend')).send({ accountId: 'x' }).expect(400)).body.details.fields[0]
        .field,
    ).toBe('accountId');
    expect(
      (await http().post(`/v1/borrowers/${id}/reauth`).set(t.auth('frontend')).send({ accountId: UNKNOWN }).expect(404)).body.code,
    ).toBe('NOT_FOUND');
    expect(
      (await http().post(`/v1/borrowers/${id}/connect`).set(t.auth('frontend')).send({ redirectUrl: 'ftp://x' }).expect(400)).body.details
        .fields[0].field,
    ).toBe('redirectUrl');
    for (const [query, field] of [
      ['from=2026-13-01', 'from'],
      ['to=yesterday', 'to'],
      ['category=groceries', 'category'],
      ['limit=0', 'limit'],
      ['limit=501', 'limit'],
      ['limit=abc', 'limit'],
    ] as const) {
      const res = await http().get(`/v1/borrowers/${id}/transactions?${query}`).set(t.auth('frontend')).expect(400);
      expect(res.body.details.fields.map((f: { field: string }) => f.field)).toContain(field);
    }
    const empty = await http().get(`/v1/borrowers/${id}/transactions?limit=10&category=salary`).set(t.auth('frontend')).expect(200);
    expect(empty.body).toEqual({ items: [], nextCursor: null, total: 0 });
    expect((await http().get(`/v1/borrowers/${id}/decisions`).set(t.auth('frontend')).expect(200)).body).toEqual({ items: [], nextCursor: null, total: 0 });
  });

  it('should require an API key with the frontend or admin role', async () => {
    await http().post('/v1/borrowers').send(newBorrower('ext-auth')).expect(401);
    await http().post('/v1/borrowers').set({ Authorization: 'Bearer wrong-key-0123456789' }).send(newBorrower('ext-auth')).expect(401);
    const res = await http().post('/v1/borrowers').set(t.auth('analyst')).send(newBorrower('ext-auth')).expect(403);
    expect(res.body.code).toBe('FORBIDDEN');
    await http().get(`/v1/borrowers/${UNKNOWN}`).set(t.auth('analyst')).expect(403);
  });

  it('should document every borrower route in OpenAPI with examples and error responses', async () => {
    const doc = (await http().get('/docs/openapi.json').expect(200)).body as {
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
    };
    for (const [path, method] of [
      ['/v1/borrowers', 'post'],
      ['/v1/borrowers/{id}', 'get'],
      ['/v1/borrowers/{id}/connect', 'post'],
      ['/v1/borrowers/{id}/accounts', 'post'],
      ['/v1/borrowers/{id}/reauth', 'post'],
      ['/v1/borrowers/{id}/transactions', 'get'],
      ['/v1/borrowers/{id}/decisions', 'get'],
    ] as const) {
      const op = doc.paths[path]?.[method];
      expect(op).toBeDefined();
      expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['400', '401', '403']));
    }
  });
});
