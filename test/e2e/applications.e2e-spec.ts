import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { ApplicationsController } from '../../src/applications/applications.controller.js';
import { verifyEventSignature } from '../../src/outbox/signature.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { monoEnv, sandboxAdmin, startTestSandbox, type SandboxServer } from '../support/mono-kit.js';
import {
  ageAccounts,
  apply,
  dbQuery,
  getApplication,
  linkPersonaBorrower,
  newActivity,
  syncCalls,
  waitForStatus,
} from './applications.kit.js';

const EVENTS_SECRET = 'lender-events-secret-0123456789';
const UNKNOWN = '00000000-0000-4000-8000-000000000000';

interface Delivery {
  headers: http.IncomingHttpHeaders;
  body: string;
}

describe(ApplicationsController.name, () => {
  let sandbox: SandboxServer;
  let t: TestApp;
  let receiver: http.Server;
  const deliveries: Delivery[] = [];
  const deliveryWaiters: Array<{ match: (d: Delivery) => boolean; resolve: (d: Delivery) => void }> = [];
  /** Resolves with the first lender delivery matching `match`, received before the call or when it arrives. */
  const nextDelivery = (match: (d: Delivery) => boolean): Promise<Delivery> => {
    const seen = deliveries.find(match);
    return seen ? Promise.resolve(seen) : new Promise((resolve) => deliveryWaiters.push({ match, resolve }));
  };
  const api = () => request(t.url);

  beforeAll(async () => {
    receiver = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const delivery = { headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
        deliveries.push(delivery);
        for (const w of deliveryWaiters.filter((x) => x.match(delivery))) {
          deliveryWaiters.splice(deliveryWaiters.indexOf(w), 1);
          w.resolve(delivery);
        }
        res.statusCode = 204;
        res.end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const { port } = receiver.address() as AddressInfo;
    sandbox = await startTestSandbox();
    t = await createTestApp(
      monoEnv(sandbox, {
        JOBS_ENABLED: 'true',
        SYNC_MIN_INTERVAL_SECONDS: '60',
        APPLICATION_SYNC_DEADLINE_SECONDS: '20',
        EVENTS_WEBHOOK_URL: `http://127.0.0.1:${port}/events`,
        EVENTS_WEBHOOK_SECRET: EVENTS_SECRET,
      }),
      { listen: true },
    );
    sandbox.setWebhookTarget(`${t.url}/webhooks/mono`);
  });

  afterAll(async () => {
    await t?.close();
    await sandbox?.close();
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
  });

  describe('the happy path', () => {
    it('should decide a first-time borrower on the data just ingested, without a sync', async () => {
      const b = await linkPersonaBorrower(t, sandbox);
      const id = await apply(t, b.borrowerId);
      const app = await waitForStatus(t, id, ['decided', 'failed']);

      expect(app).toMatchObject({
        id,
        status: 'decided',
        borrowerId: b.borrowerId,
        amount: 20_000_000,
        currency: 'NGN',
        tenorMonths: 6,
        staleData: false,
      });
      expect(app.accounts).toEqual([{ id: b.accountId, syncStatus: 'not_needed', reauthRequired: false }]);
      expect(app.decision).toMatchObject({
        decision: expect.stringMatching(/^(approve|decline|refer)$/),
        recommendedLimit: expect.any(Number),
        instalment: expect.any(Number),
        bindingConstraint: expect.any(String),
        reasons: expect.any(Array),
        income: { monthlyEstimate: expect.any(Number), streams: expect.any(Array) },
        obligations: { monthlyTotal: expect.any(Number), lenderCount: expect.any(Number) },
        coverage: { months: expect.any(Number) },
        dataAsOf: expect.any(String),
        policyVersion: expect.any(String),
        engineVersion: expect.any(String),
        flags: expect.any(Array),
      });
      expect(await syncCalls(sandbox, b.sandboxAccountId)).toEqual([]);

      const borrower = await api().get(`/v1/borrowers/${b.borrowerId}`).set(t.auth('frontend')).expect(200);
      expect(borrower.body.accounts).toEqual([
        {
          id: b.accountId,
          monoAccountId: b.monoAccountId,
          institution: expect.any(String),
          dataStatus: 'AVAILABLE',
          lastSyncedAt: expect.any(String),
          reauthRequired: false,
          coverage: expect.objectContaining({ transactionCount: expect.any(Number), completeMonths: expect.any(Number) }),
        },
      ]);
    });

    it('should sync a returning borrower, wait for the new data and decide on it', async () => {
      const b = await linkPersonaBorrower(t, sandbox);
      const first = await waitForStatus(t, await apply(t, b.borrowerId), ['decided']);
      await ageAccounts(t.databaseUrl, b.borrowerId);
      await sandboxAdmin(sandbox, 'POST', `/accounts/${b.sandboxAccountId}/transactions`, {
        transactions: newActivity(`new-${b.sandboxAccountId}`),
      });

      const id = await apply(t, b.borrowerId);
      const second = await waitForStatus(t, id, ['decided', 'failed']);

      expect(second.status).toBe('decided');
      expect(second.staleData).toBe(false);
      expect(second.accounts).toEqual([{ id: b.accountId, syncStatus: 'fresh', reauthRequired: false }]);
      expect(await syncCalls(sandbox, b.sandboxAccountId)).toHaveLength(1);
      const firstAsOf = Date.parse((first.decision as { dataAsOf: string }).dataAsOf);
      const secondAsOf = Date.parse((second.decision as { dataAsOf: string }).dataAsOf);
      expect(secondAsOf).toBeGreaterThan(firstAsOf);
      const txs = await api().get(`/v1/borrowers/${b.borrowerId}/transactions?limit=10`).set(t.auth('frontend')).expect(200);
      expect((txs.body.items as Array<{ narration: string }>).map((x) => x.narration)).toContain('NIP/ACME NIGERIA LTD/SALARY BONUS');
    });

    it('should sync each account once when two applications arrive at once', async () => {
      const b = await linkPersonaBorrower(t, sandbox);
      await ageAccounts(t.databaseUrl, b.borrowerId);
      const [a1, a2] = await Promise.all([apply(t, b.borrowerId), apply(t, b.borrowerId, { amount: 10_000_000 })]);
      const [r1, r2] = await Promise.all([waitForStatus(t, a1, ['decided', 'failed']), waitForStatus(t, a2, ['decided', 'failed'])]);
      expect([r1.status, r2.status]).toEqual(['decided', 'decided']);
      expect(await syncCalls(sandbox, b.sandboxAccountId)).toHaveLength(1);
    });

    it('should deliver a signed application.decided event to the lender', async () => {
      const b = await linkPersonaBorrower(t, sandbox);
      const id = await apply(t, b.borrowerId);
      await waitForStatus(t, id, ['decided']);
      const delivery = await nextDelivery((d) => (JSON.parse(d.body) as { data: { applicationId?: string } }).data.applicationId === id);
      expect(delivery.headers['x-engine-event']).toBe('application.decided');
      const ts = delivery.headers['x-engine-timestamp'] as string;
      expect(
        verifyEventSignature(
          EVENTS_SECRET,
          { timestamp: ts, signature: delivery.headers['x-engine-signature'] as string },
          delivery.body,
          Number(ts),
        ),
      ).toBe(true);
      expect(JSON.parse(delivery.body)).toMatchObject({
        type: 'application.decided',
        data: { applicationId: id, borrowerId: b.borrowerId, decision: expect.any(String) },
      });
    });
  });

  describe('decision records', () => {
    it('should list decisions newest first and replay each one identically', async () => {
      const b = await linkPersonaBorrower(t, sandbox, 'loan_stacker');
      const ids: string[] = [];
      for (const amount of [5_000_000, 15_000_000, 30_000_000]) {
        const id = await apply(t, b.borrowerId, { amount });
        await waitForStatus(t, id, ['decided']);
        ids.push(id);
      }
      const history = await api().get(`/v1/borrowers/${b.borrowerId}/decisions`).set(t.auth('frontend')).expect(200);
      const items = history.body.items as Array<{ id: string; applicationId: string; createdAt: string }>;
      expect(items.map((d) => d.applicationId)).toEqual([...ids].reverse());
      for (const d of items) {
        const replay = await api().post(`/v1/admin/decisions/${d.id}/replay`).set(t.auth('admin')).expect(200);
        expect(replay.body).toMatchObject({ decisionId: d.id, identical: true, differences: [] });
      }
      await api().post(`/v1/admin/decisions/${items[0].id}/replay`).set(t.auth('frontend')).expect(403);
      await api().post(`/v1/admin/decisions/${UNKNOWN}/replay`).set(t.auth('admin')).expect(404);
    });

    it('should audit every transition of an application', async () => {
      const b = await linkPersonaBorrower(t, sandbox);
      const id = await apply(t, b.borrowerId);
      await waitForStatus(t, id, ['decided']);
      const rows = await dbQuery<{ action: string; before: { status: string } | null; after: { status: string } }>(
        t.databaseUrl,
        `SELECT action, before, after FROM audit_log WHERE entity_type = 'loan_application' AND entity_id = $1 ORDER BY id`,
        [id],
      );
      expect(rows.map((r) => `${r.before?.status ?? '-'}>${r.after.status}`)).toEqual([
        '->received',
        'received>scoring',
        'scoring>decided',
      ]);
    });
  });

  describe('idempotency', () => {
    it('should return the same application for the same key and body, and 409 for another body', async () => {
      const b = await linkPersonaBorrower(t, sandbox);
      const body = { borrowerId: b.borrowerId, amount: 12_345_600, tenorMonths: 3, purpose: 'stock' };
      const first = await api().post('/v1/applications').set(t.auth('frontend')).set('Idempotency-Key', 'idem-1').send(body).expect(202);
      const again = await api()
        .post('/v1/applications')
        .set(t.auth('frontend'))
        .set('Idempotency-Key', 'idem-1')
        .send({ ...body })
        .expect(200);
      expect(again.body.id).toBe(first.body.id);
      expect(again.headers['idempotent-replayed']).toBe('true');
      const other = await api()
        .post('/v1/applications')
        .set(t.auth('frontend'))
        .set('Idempotency-Key', 'idem-1')
        .send({ ...body, amount: 12_345_700 })
        .expect(409);
      expect(other.body).toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED', details: { applicationId: first.body.id } });
      // Keys are scoped per API key: the admin key may reuse the string.
      const admin = await api().post('/v1/applications').set(t.auth('admin')).set('Idempotency-Key', 'idem-1').send(body).expect(202);
      expect(admin.body.id).not.toBe(first.body.id);
    });

    it('should create one application for concurrent requests with the same key', async () => {
      const b = await linkPersonaBorrower(t, sandbox);
      const body = { borrowerId: b.borrowerId, amount: 9_000_000, tenorMonths: 4 };
      const results = await Promise.all(
        Array.from({ length: 8 }, () =>
          api().post('/v1/applications').set(t.auth('frontend')).set('Idempotency-Key', 'idem-race').send(body),
        ),
      );
      expect(results.every((r) => r.status === 202 || r.status === 200)).toBe(true);
      expect(new Set(results.map((r) => r.body.id as string)).size).toBe(1);
      const rows = await dbQuery<{ n: string }>(
        t.databaseUrl,
        `SELECT count(*) AS n FROM loan_applications WHERE idempotency_key = 'idem-race'`,
      );
      expect(rows[0].n).toBe('1');
    });
  });

  describe('validation and errors', () => {
    let borrowerId: string;

    beforeAll(async () => {
      borrowerId = (await linkPersonaBorrower(t, sandbox)).borrowerId;
    });

    it('should answer 409 NO_LINKED_ACCOUNT for a borrower without a linked account', async () => {
      const b = await api()
        .post('/v1/borrowers')
        .set(t.auth('frontend'))
        .send({ externalId: 'no-accounts', fullName: 'No Account', email: 'na@example.com' })
        .expect(201);
      const res = await api()
        .post('/v1/applications')
        .set(t.auth('frontend'))
        .set('Idempotency-Key', 'k-nla')
        .send({ borrowerId: b.body.id, amount: 1_000_000, tenorMonths: 3 })
        .expect(409);
      expect(res.body).toMatchObject({
        statusCode: 409,
        code: 'NO_LINKED_ACCOUNT',
        details: { borrowerId: b.body.id, next: `POST /v1/borrowers/${b.body.id}/connect` },
      });
    });

    it('should answer 404 for an unknown borrower or application and 400 for a malformed id', async () => {
      await api()
        .post('/v1/applications')
        .set(t.auth('frontend'))
        .set('Idempotency-Key', 'k-404')
        .send({ borrowerId: UNKNOWN, amount: 1_000_000, tenorMonths: 3 })
        .expect(404);
      await api().get(`/v1/applications/${UNKNOWN}`).set(t.auth('frontend')).expect(404);
      const bad = await api().get('/v1/applications/123').set(t.auth('frontend')).expect(400);
      expect(bad.body.details.fields[0].field).toBe('id');
    });

    it.each([
      ['a fractional amount', { amount: 100.5 }, 'amount'],
      ['a negative amount', { amount: -100 }, 'amount'],
      ['a zero amount', { amount: 0 }, 'amount'],
      ['an amount as a string', { amount: '1000000' }, 'amount'],
      ['an unsafe amount', { amount: 2 ** 60 }, 'amount'],
      ['a missing tenor', { tenorMonths: undefined }, 'tenorMonths'],
      ['a zero tenor', { tenorMonths: 0 }, 'tenorMonths'],
      ['a fractional tenor', { tenorMonths: 2.5 }, 'tenorMonths'],
      ['another currency', { currency: 'USD' }, 'currency'],
      ['a malformed borrowerId', { borrowerId: 'abc' }, 'borrowerId'],
      ['an unknown field', { rate: '0.05' }, 'rate'],
      ['a long purpose', { purpose: 'x'.repeat(501) }, 'purpose'],
    ])('should answer 400 naming the field for %s', async (_what, patch, field) => {
      const body = { borrowerId, amount: 1_000_000, tenorMonths: 3, ...patch };
      const res = await api().post('/v1/applications').set(t.auth('frontend')).set('Idempotency-Key', `k-${field}`).send(body).expect(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
      expect(res.body.details.fields.map((f: { field: string }) => f.field)).toContain(field);
    });

    it.each([
      ['missing', undefined],
      ['empty', ''],
      ['too long', 'k'.repeat(129)],
      ['with spaces', 'my key'],
    ])('should answer 400 naming Idempotency-Key when it is %s', async (_what, key) => {
      let req = api().post('/v1/applications').set(t.auth('frontend'));
      if (key !== undefined) req = req.set('Idempotency-Key', key);
      const res = await req.send({ borrowerId, amount: 1_000_000, tenorMonths: 3 }).expect(400);
      expect(res.body).toMatchObject({ code: 'VALIDATION_FAILED', details: { fields: [{ field: 'Idempotency-Key' }] } });
    });

    it('should require the frontend or admin role', async () => {
      await api()
        .post('/v1/applications')
        .set('Idempotency-Key', 'k-auth')
        .send({ borrowerId, amount: 1_000_000, tenorMonths: 3 })
        .expect(401);
      await api()
        .post('/v1/applications')
        .set(t.auth('analyst'))
        .set('Idempotency-Key', 'k-auth')
        .send({ borrowerId, amount: 1_000_000, tenorMonths: 3 })
        .expect(403);
      await api().get(`/v1/applications/${UNKNOWN}`).set(t.auth('analyst')).expect(403);
    });

    it('should document the application routes in OpenAPI', async () => {
      const doc = (await api().get('/docs/openapi.json').expect(200)).body as {
        paths: Record<
          string,
          Record<string, { responses: Record<string, unknown>; parameters?: Array<{ name: string; in: string; required?: boolean }> }>
        >;
      };
      const post = doc.paths['/v1/applications']?.post;
      expect(Object.keys(post.responses)).toEqual(expect.arrayContaining(['202', '400', '401', '403', '404', '409']));
      expect(post.parameters).toEqual(
        expect.arrayContaining([expect.objectContaining({ name: 'Idempotency-Key', in: 'header', required: true })]),
      );
      expect(doc.paths['/v1/applications/{id}']?.get).toBeDefined();
      expect(doc.paths['/v1/admin/decisions/{id}/replay']?.post).toBeDefined();
    });
  });

  it('should expose a received application before the worker has looked at it', async () => {
    const b = await linkPersonaBorrower(t, sandbox);
    const id = await apply(t, b.borrowerId);
    const app = await getApplication(t, id);
    expect(['received', 'syncing', 'scoring', 'decided']).toContain(app.status);
    expect((app.accounts as Array<{ id: string }>).map((a) => a.id)).toEqual([b.accountId]);
  });
});
