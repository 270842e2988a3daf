/**
 * The lender's own loans over real HTTP and the embedded Postgres, with the engine clock injected (FixedClock):
 * disbursement against a decision, repayment allocation, idempotent references, over-payment, DPD and status,
 * lifecycle events, outbound events, and the exposure a returning borrower's next decision uses.
 */
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { AppModule } from '../../src/app.module.js';
import { ApiKeysService } from '../../src/auth/api-keys.service.js';
import { configureApp } from '../../src/bootstrap.js';
import { Clock, FixedClock } from '../../src/common/clock.js';
import { AppConfig } from '../../src/config/app-config.js';
import { amortisedSchedule } from '../../src/loans/loan-schedule.js';
import { LoansController } from '../../src/loans/loans.controller.js';
import { DEFAULT_POLICY } from '../../src/scoring/policy/index.js';
import { initialisePiiKeys } from '../../src/security/pii-keys.js';
import { TEST_KEYS, type TestApp } from '../support/app.js';
import { createTestDatabase } from '../support/database.js';
import { monoEnv, startTestSandbox, type SandboxServer } from '../support/mono-kit.js';
import { apply, dbQuery, linkPersonaBorrower, waitForStatus } from './applications.kit.js';

const DAY = 86_400_000;
const UNKNOWN = '00000000-0000-4000-8000-000000000000';
const STEP = DEFAULT_POLICY.product.stepMinor;
const LONGEST_TENOR = Math.max(...DEFAULT_POLICY.product.tenorsMonths);

interface Decision {
  id?: string;
  decision: string;
  recommendedLimit: number;
  counterOffer: { amount: number; tenorMonths: number } | null;
  reasons: Array<{ code: string; severity: string; counterfactual?: { message: string; limitDeltaMinor: number } }>;
}

/** The engine on a fresh database with the business clock replaced by `clock` (real HTTP, like createTestApp). */
async function startWithClock(env: Record<string, string>, clock: FixedClock): Promise<TestApp> {
  const db = await createTestDatabase();
  const config = AppConfig.forTest({ LOG_LEVEL: 'warn', PORT: '0', ...env });
  initialisePiiKeys(config);
  const moduleRef = await Test.createTestingModule({ imports: [AppModule.forRoot({ config, databaseUrl: db.url })] })
    .overrideProvider(Clock)
    .useValue(clock)
    .compile();
  const app = moduleRef.createNestApplication<NestExpressApplication>({ bodyParser: false, logger: false });
  configureApp(app, config);
  await app.init();
  const keys = app.get(ApiKeysService);
  for (const [role, key] of Object.entries(TEST_KEYS)) await keys.ensureKey(role as keyof typeof TEST_KEYS, key, `test-${role}`);
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  return {
    app,
    config,
    databaseUrl: db.url,
    url: `http://127.0.0.1:${port}`,
    auth: (role) => ({ Authorization: `Bearer ${TEST_KEYS[role]}` }),
    close: async () => {
      await app.close();
      await db.drop();
    },
  };
}

describe(LoansController.name, () => {
  let sandbox: SandboxServer;
  let t: TestApp;
  const clock = new FixedClock(new Date());
  const api = () => request(t.url);
  let keySeq = 0;
  const key = () => `loan-key-${++keySeq}-${Date.now()}`;

  const counts = async (loanId: string) => {
    const [row] = await dbQuery<Record<string, string>>(
      t.databaseUrl,
      `SELECT (SELECT count(*) FROM loan_repayments WHERE loan_id = $1) AS repayments,
              (SELECT count(*) FROM loan_events WHERE loan_id = $1) AS events,
              (SELECT count(*) FROM audit_log WHERE entity_type = 'loan' AND entity_id = $1::text) AS audit,
              (SELECT count(*) FROM outbox_events WHERE aggregate_id = $1) AS outbox,
              (SELECT coalesce(sum(paid_principal_minor + paid_interest_minor), 0) FROM loan_instalments WHERE loan_id = $1) AS paid`,
      [loanId],
    );
    return row;
  };
  const outbox = (loanId: string, type: string) =>
    dbQuery<{ payload: Record<string, unknown> }>(
      t.databaseUrl,
      `SELECT payload FROM outbox_events WHERE aggregate_id = $1 AND event_type = $2 ORDER BY created_at`,
      [loanId, type],
    );
  const decisionOf = async (applicationId: string): Promise<Decision & { exposure: Record<string, number | boolean> | null }> => {
    const app = await waitForStatus(t, applicationId, ['decided', 'failed']);
    expect(app.status).toBe('decided');
    const [row] = await dbQuery<{ exposure: Record<string, number | boolean> | null }>(
      t.databaseUrl,
      `SELECT d.result -> 'limit' -> 'exposure' AS exposure FROM loan_applications a JOIN decisions d ON d.id = a.decision_id WHERE a.id = $1`,
      [applicationId],
    );
    return { ...(app.decision as Decision), exposure: row?.exposure ?? null };
  };
  const createLoan = (body: Record<string, unknown>, idempotencyKey = key()) =>
    api().post('/v1/loans').set(t.auth('frontend')).set('Idempotency-Key', idempotencyKey).send(body);
  const disbursedAt = () => new Date(clock.now().getTime() - 3_600_000).toISOString();

  beforeAll(async () => {
    sandbox = await startTestSandbox();
    t = await startWithClock(
      monoEnv(sandbox, { JOBS_ENABLED: 'true', SYNC_MIN_INTERVAL_SECONDS: '60', APPLICATION_SYNC_DEADLINE_SECONDS: '20' }),
      clock,
    );
    sandbox.setWebhookTarget(`${t.url}/webhooks/mono`);
  });

  afterAll(async () => {
    await t?.close();
    await sandbox?.close();
  });

  it('should refuse bad input with the one error shape and nothing written', async () => {
    const missingKey = await api().post('/v1/loans').set(t.auth('frontend')).send({}).expect(400);
    expect(missingKey.body).toMatchObject({
      statusCode: 400,
      code: 'VALIDATION_FAILED',
      details: { fields: [{ field: 'Idempotency-Key' }] },
    });
    const bad = await createLoan({
      borrowerId: 'x',
      principalMinor: 1.5,
      currency: 'USD',
      disbursedAt: 'yesterday',
      tenorMonths: 0,
    }).expect(400);
    expect(bad.body.code).toBe('VALIDATION_FAILED');
    expect((bad.body.details.fields as Array<{ field: string }>).map((f) => f.field)).toEqual(
      expect.arrayContaining(['borrowerId', 'principalMinor', 'currency', 'disbursedAt', 'tenorMonths']),
    );
    const unknown = await createLoan({
      borrowerId: UNKNOWN,
      principalMinor: 1_000_000,
      currency: 'NGN',
      disbursedAt: disbursedAt(),
      tenorMonths: 3,
    }).expect(404);
    expect(unknown.body).toMatchObject({ code: 'NOT_FOUND' });
    await api().get(`/v1/loans/${UNKNOWN}`).set(t.auth('admin')).expect(404);
    await api().get('/v1/loans/not-a-uuid').set(t.auth('admin')).expect(400);
    await api().get(`/v1/loans/${UNKNOWN}`).set(t.auth('analyst')).expect(403);
    const [{ n }] = await dbQuery<{ n: string }>(t.databaseUrl, `SELECT count(*) AS n FROM loans`);
    expect(n).toBe('0');
  });

  describe('a borrower approved, disbursed, repaying and coming back', () => {
    let borrowerId: string;
    let first: Awaited<ReturnType<typeof decisionOf>>;
    let firstAppId: string;
    let allowed: number;
    let loanId: string;
    let schedule: ReturnType<typeof amortisedSchedule>;
    let bigLoanId: string;

    beforeAll(async () => {
      borrowerId = (await linkPersonaBorrower(t, sandbox)).borrowerId;
      // The kit's borrower name is not the persona's account name (a name-mismatch refer): use the linked account's.
      await dbQuery(
        t.databaseUrl,
        `UPDATE borrowers SET full_name = (SELECT coalesce(account_name, identity_full_name) FROM bank_accounts WHERE borrower_id = $1 LIMIT 1) WHERE id = $1`,
        [borrowerId],
      );
      firstAppId = await apply(t, borrowerId, { amount: 20_000_000, tenorMonths: LONGEST_TENOR });
      first = await decisionOf(firstAppId);
      allowed = first.counterOffer ? first.counterOffer.amount : 20_000_000;
    });

    it('should approve the first application with no exposure recorded (no open loan)', () => {
      expect(first.decision).toBe('approve');
      expect(first.recommendedLimit).toBeGreaterThan(0);
      expect(first.exposure).toBeNull();
    });

    it('should refuse a loan above the decided amount with 409 and the reason', async () => {
      const res = await createLoan({
        borrowerId,
        applicationId: firstAppId,
        principalMinor: allowed + STEP,
        currency: 'NGN',
        disbursedAt: disbursedAt(),
        tenorMonths: 3,
        monthlyRate: '0.05',
      }).expect(409);
      expect(res.body).toMatchObject({
        statusCode: 409,
        code: 'LOAN_NOT_ALLOWED',
        details: { reason: 'amount_above_decision', allowedMinor: allowed, principalMinor: allowed + STEP, applicationId: firstAppId },
      });
    });

    it('should record a loan with the amortised schedule, idempotently, once per application', async () => {
      const at = disbursedAt();
      const body = {
        borrowerId,
        applicationId: firstAppId,
        principalMinor: allowed,
        currency: 'NGN',
        disbursedAt: at,
        tenorMonths: 3,
        monthlyRate: '0.05',
      };
      const k = key();
      const res = await createLoan(body, k).expect(201);
      loanId = res.body.id as string;
      schedule = amortisedSchedule(allowed, '0.05', 3, at);
      expect(res.headers.location).toBe(`/v1/loans/${loanId}`);
      expect(res.body).toMatchObject({
        borrowerId,
        applicationId: firstAppId,
        decisionId: expect.any(String),
        principalMinor: allowed,
        monthlyRate: '0.05',
        scheduleKind: 'amortised',
        status: 'current',
        daysPastDue: 0,
        outstandingPrincipalMinor: allowed,
        history: [expect.objectContaining({ type: 'disbursed' })],
      });
      expect(res.body.schedule).toEqual(
        schedule.map((i) =>
          expect.objectContaining({
            seq: i.seq,
            dueDate: i.dueDate,
            principalMinor: i.principalMinor,
            interestMinor: i.interestMinor,
            state: 'upcoming',
          }),
        ),
      );

      const replay = await createLoan(body, k).expect(200);
      expect(replay.headers['idempotent-replayed']).toBe('true');
      expect(replay.body.id).toBe(loanId);
      const reused = await createLoan({ ...body, principalMinor: allowed - STEP }, k).expect(409);
      expect(reused.body).toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED', details: { loanId } });
      const again = await createLoan(body).expect(409);
      expect(again.body).toMatchObject({ code: 'LOAN_NOT_ALLOWED', details: { reason: 'application_already_disbursed' } });
    });

    it('should allocate a repayment oldest first, interest before principal, and show it in GET', async () => {
      // A limit row as re-underwriting leaves it: its outstanding_minor now follows the loan book.
      await dbQuery(
        t.databaseUrl,
        `INSERT INTO credit_limits (borrower_id, current_limit_minor, baseline_decision_id)
         SELECT borrower_id, recommended_limit_minor, id FROM decisions WHERE id = (SELECT decision_id FROM loan_applications WHERE id = $1)`,
        [firstAppId],
      );
      const amount = schedule[0].principalMinor + schedule[0].interestMinor + 100_000;
      const res = await api()
        .post(`/v1/loans/${loanId}/repayments`)
        .set(t.auth('frontend'))
        .send({ amountMinor: amount, paidAt: clock.now().toISOString(), reference: 'RPY-1' })
        .expect(201);
      expect(res.body).toMatchObject({
        loanId,
        reference: 'RPY-1',
        amountMinor: amount,
        allocation: [
          { seq: 1, interestMinor: schedule[0].interestMinor, principalMinor: schedule[0].principalMinor },
          { seq: 2, interestMinor: 100_000, principalMinor: 0 },
        ],
        outstandingPrincipalAfterMinor: allowed - schedule[0].principalMinor,
        reversedAt: null,
      });
      const loan = (await api().get(`/v1/loans/${loanId}`).set(t.auth('admin')).expect(200)).body;
      expect(loan.schedule[0]).toMatchObject({ state: 'paid', outstandingMinor: 0 });
      expect(loan.schedule[1]).toMatchObject({ state: 'partly_paid', paidInterestMinor: 100_000, paidPrincipalMinor: 0 });
      expect(loan.outstandingPrincipalMinor).toBe(allowed - schedule[0].principalMinor);
      expect(loan.repayments).toHaveLength(1);
      expect(loan.history.map((h: { type: string }) => h.type)).toEqual(['disbursed', 'repayment']);
      const [limit] = await dbQuery<{ outstanding_minor: string }>(
        t.databaseUrl,
        `SELECT outstanding_minor FROM credit_limits WHERE borrower_id = $1`,
        [borrowerId],
      );
      expect(Number(limit.outstanding_minor)).toBe(allowed - schedule[0].principalMinor);
    });

    it('should answer a replayed reference with the same result and change nothing', async () => {
      const before = await counts(loanId);
      const body = {
        amountMinor: schedule[0].principalMinor + schedule[0].interestMinor + 100_000,
        paidAt: clock.now().toISOString(),
        reference: 'RPY-1',
      };
      const stored = (await api().get(`/v1/loans/${loanId}`).set(t.auth('admin'))).body.repayments[0];
      // paidAt of the first call was the same clock reading: the clock has not moved.
      const replay = await api().post(`/v1/loans/${loanId}/repayments`).set(t.auth('frontend')).send(body).expect(200);
      expect(replay.headers['idempotent-replayed']).toBe('true');
      expect(replay.body).toEqual(stored);
      expect(await counts(loanId)).toEqual(before);
      const reused = await api()
        .post(`/v1/loans/${loanId}/repayments`)
        .set(t.auth('frontend'))
        .send({ ...body, amountMinor: 1_000 })
        .expect(409);
      expect(reused.body).toMatchObject({ code: 'REPAYMENT_REFERENCE_REUSED', details: { reference: 'RPY-1' } });
      expect(await counts(loanId)).toEqual(before);
    });

    it('should refuse an over-payment with 422 and write nothing', async () => {
      const loan = (await api().get(`/v1/loans/${loanId}`).set(t.auth('admin'))).body;
      const before = await counts(loanId);
      const res = await api()
        .post(`/v1/loans/${loanId}/repayments`)
        .set(t.auth('frontend'))
        .send({ amountMinor: loan.outstandingMinor + 1, paidAt: clock.now().toISOString(), reference: 'RPY-TOO-MUCH' })
        .expect(422);
      expect(res.body).toMatchObject({
        statusCode: 422,
        code: 'OVERPAYMENT',
        details: { amountMinor: loan.outstandingMinor + 1, outstandingMinor: loan.outstandingMinor },
      });
      expect(await counts(loanId)).toEqual(before);
      const future = await api()
        .post(`/v1/loans/${loanId}/repayments`)
        .set(t.auth('frontend'))
        .send({ amountMinor: 1_000, paidAt: new Date(clock.now().getTime() + DAY).toISOString(), reference: 'RPY-FUTURE' })
        .expect(400);
      expect(future.body).toMatchObject({ code: 'VALIDATION_FAILED', details: { fields: [{ field: 'paidAt' }] } });
      expect(await counts(loanId)).toEqual(before);
    });

    it('should counter-offer a returning borrower the limit left after the outstanding principal (EXPOSURE_LIMITS_OFFER)', async () => {
      const outstanding = (await api().get(`/v1/borrowers/${borrowerId}/loans`).set(t.auth('frontend')).expect(200)).body
        .outstandingPrincipalMinor as number;
      expect(outstanding).toBe(allowed - schedule[0].principalMinor);
      const second = await decisionOf(await apply(t, borrowerId, { amount: first.recommendedLimit, tenorMonths: LONGEST_TENOR }));
      expect(second.exposure).toMatchObject({ outstandingPrincipalMinor: outstanding, openLoans: 1, bound: true });
      const available = Math.floor((second.recommendedLimit - outstanding) / STEP) * STEP;
      expect(second.exposure?.availableMinor).toBe(available);
      expect(second.decision).toBe('approve');
      expect(second.counterOffer).toMatchObject({ amount: available, tenorMonths: LONGEST_TENOR });
      expect(second.reasons.map((r) => r.code)).toContain('EXPOSURE_LIMITS_OFFER');
    });

    it('should decline with EXPOSURE_AT_LIMIT and a counterfactual once the open loans use the whole limit', async () => {
      const big = await createLoan({
        borrowerId,
        principalMinor: first.recommendedLimit,
        currency: 'NGN',
        disbursedAt: disbursedAt(),
        tenorMonths: 2,
        schedule: [
          {
            dueDate: new Date(clock.now().getTime() + 31 * DAY).toISOString().slice(0, 10),
            amountMinor: Math.ceil(first.recommendedLimit / 2),
          },
          {
            dueDate: new Date(clock.now().getTime() + 61 * DAY).toISOString().slice(0, 10),
            amountMinor: Math.ceil(first.recommendedLimit / 2) + 10_000,
          },
        ],
      }).expect(201);
      expect(big.body).toMatchObject({ scheduleKind: 'explicit', monthlyRate: null, applicationId: null });
      expect(big.body.schedule.map((i: { principalMinor: number }) => i.principalMinor).reduce((a: number, b: number) => a + b, 0)).toBe(
        first.recommendedLimit,
      );

      const third = await decisionOf(await apply(t, borrowerId, { amount: 5_000_000, tenorMonths: LONGEST_TENOR }));
      expect(third.decision).toBe('decline');
      expect(third.counterOffer).toBeNull();
      const reason = third.reasons.find((r) => r.code === 'EXPOSURE_AT_LIMIT');
      expect(reason).toMatchObject({
        severity: 'blocking',
        counterfactual: { limitDeltaMinor: 5_000_000, message: expect.stringMatching(/once the .* outstanding is repaid/) },
      });
      expect(third.exposure).toMatchObject({ openLoans: 2, availableMinor: 0, bound: true });
      bigLoanId = big.body.id as string;
    });

    it('should raise DPD day by day with the clock, go late and emit loan.overdue at 1 and 30 days', async () => {
      const due = new Date(`${schedule[1].dueDate}T12:00:00Z`).getTime();
      clock.set(new Date(due));
      expect((await api().get(`/v1/loans/${loanId}`).set(t.auth('admin'))).body).toMatchObject({ status: 'current', daysPastDue: 0 });
      clock.set(new Date(due + DAY));
      const late = (await api().get(`/v1/loans/${loanId}`).set(t.auth('admin'))).body;
      expect(late).toMatchObject({ status: 'late', daysPastDue: 1 });
      expect(late.schedule[1].state).toBe('overdue');
      clock.set(new Date(due + 2 * DAY));
      expect((await api().get(`/v1/loans/${loanId}`).set(t.auth('admin'))).body).toMatchObject({ status: 'late', daysPastDue: 2 });
      clock.set(new Date(due + 30 * DAY));
      const thirty = (await api().get(`/v1/loans/${loanId}`).set(t.auth('admin'))).body;
      expect(thirty.daysPastDue).toBe(30);
      expect(
        thirty.history.filter((h: { type: string }) => h.type === 'status_changed').map((h: { payload: unknown }) => h.payload),
      ).toEqual([{ from: 'current', to: 'late', daysPastDue: 1 }]);
      const overdue = await outbox(loanId, 'loan.overdue');
      expect(overdue.map((e) => e.payload.threshold)).toEqual([1, 30]);
      expect(overdue[1].payload).toMatchObject({ loanId, borrowerId, daysPastDue: 30, status: 'late' });
      // Reading again changes nothing.
      const before = await counts(loanId);
      await api().get(`/v1/loans/${loanId}`).set(t.auth('admin')).expect(200);
      expect(await counts(loanId)).toEqual(before);
    });

    it('should write off a loan, refuse money on it, and drop it from the exposure', async () => {
      const res = await api()
        .post(`/v1/loans/${bigLoanId}/events`)
        .set(t.auth('admin'))
        .send({ type: 'write_off', reason: 'unreachable' })
        .expect(200);
      expect(res.body).toMatchObject({ status: 'written_off', writtenOffAt: expect.any(String), daysPastDue: 0 });
      expect(res.body.history.at(-1)).toMatchObject({ type: 'written_off', payload: { reason: 'unreachable' } });
      const refused = await api()
        .post(`/v1/loans/${bigLoanId}/repayments`)
        .set(t.auth('frontend'))
        .send({ amountMinor: 1_000, paidAt: clock.now().toISOString(), reference: 'RPY-WO' })
        .expect(409);
      expect(refused.body).toMatchObject({ code: 'LOAN_NOT_OPEN', details: { status: 'written_off' } });
      await api().post(`/v1/loans/${bigLoanId}/events`).set(t.auth('admin')).send({ type: 'close' }).expect(409);
      const list = (await api().get(`/v1/borrowers/${borrowerId}/loans`).set(t.auth('frontend')).expect(200)).body;
      const open = list.items.find((l: { id: string }) => l.id === loanId);
      expect(list).toMatchObject({ openLoans: 1, outstandingPrincipalMinor: open.outstandingPrincipalMinor });
      expect(list.items.map((l: { id: string }) => l.id).sort()).toEqual([bigLoanId, loanId].sort());
      const [{ audit }] = await dbQuery<{ audit: string }>(
        t.databaseUrl,
        `SELECT count(*) AS audit FROM audit_log WHERE entity_id = $1 AND action = 'loan.written_off'`,
        [bigLoanId],
      );
      expect(audit).toBe('1');
    });

    it('should reverse only the latest repayment, and close a loan once fully repaid (loan.closed)', async () => {
      const pay = (amountMinor: number, reference: string) =>
        api()
          .post(`/v1/loans/${loanId}/repayments`)
          .set(t.auth('frontend'))
          .send({ amountMinor, paidAt: clock.now().toISOString(), reference });
      await pay(50_000, 'RPY-2').expect(201);
      await pay(60_000, 'RPY-3').expect(201);
      const older = await api()
        .post(`/v1/loans/${loanId}/events`)
        .set(t.auth('frontend'))
        .send({ type: 'reverse_repayment', reference: 'RPY-2' })
        .expect(409);
      expect(older.body).toMatchObject({
        code: 'REPAYMENT_NOT_REVERSIBLE',
        details: { reason: 'later_repayments', latestReference: 'RPY-3' },
      });
      const before = (await api().get(`/v1/loans/${loanId}`).set(t.auth('admin'))).body.outstandingMinor as number;
      const reversed = await api()
        .post(`/v1/loans/${loanId}/events`)
        .set(t.auth('frontend'))
        .send({ type: 'reverse_repayment', reference: 'RPY-3', reason: 'bounced' })
        .expect(200);
      expect(reversed.body.outstandingMinor).toBe(before + 60_000);
      expect(reversed.body.repayments.find((r: { reference: string }) => r.reference === 'RPY-3').reversedAt).toEqual(expect.any(String));

      await pay(reversed.body.outstandingMinor as number, 'RPY-FINAL').expect(201);
      const closed = (await api().get(`/v1/loans/${loanId}`).set(t.auth('admin'))).body;
      expect(closed).toMatchObject({
        status: 'closed',
        outstandingMinor: 0,
        outstandingPrincipalMinor: 0,
        daysPastDue: 0,
        closedAt: expect.any(String),
      });
      const events = await outbox(loanId, 'loan.closed');
      expect(events).toHaveLength(1);
      expect(events[0].payload).toMatchObject({ loanId, borrowerId, by: 'repayment', waivedMinor: 0 });
      const [limit] = await dbQuery<{ outstanding_minor: string }>(
        t.databaseUrl,
        `SELECT outstanding_minor FROM credit_limits WHERE borrower_id = $1`,
        [borrowerId],
      );
      expect(limit.outstanding_minor).toBe('0');
    });

    it('should close a loan by event (the rest waived) and restructure another', async () => {
      const small = (
        await createLoan({
          borrowerId,
          principalMinor: 3_000_000,
          currency: 'NGN',
          disbursedAt: disbursedAt(),
          tenorMonths: 3,
          monthlyRate: '0',
        }).expect(201)
      ).body;
      expect(small.schedule.map((i: { amountDueMinor: number }) => i.amountDueMinor)).toEqual([1_000_000, 1_000_000, 1_000_000]);
      await api()
        .post(`/v1/loans/${small.id}/repayments`)
        .set(t.auth('frontend'))
        .send({ amountMinor: 400_000, paidAt: clock.now().toISOString(), reference: 'RPY-SMALL-1' })
        .expect(201);
      const restructured = await api()
        .post(`/v1/loans/${small.id}/events`)
        .set(t.auth('admin'))
        .send({ type: 'restructure', tenorMonths: 6, monthlyRate: '0' })
        .expect(200);
      // The paid part of instalment 1 is kept (settled at what was paid), six new instalments carry the rest.
      expect(restructured.body.schedule).toHaveLength(7);
      expect(restructured.body.schedule[0]).toMatchObject({ seq: 1, principalMinor: 400_000, state: 'paid' });
      expect(restructured.body.restructuredAt).toEqual(expect.any(String));
      expect(restructured.body.outstandingPrincipalMinor).toBe(2_600_000);
      const tooOld = await api()
        .post(`/v1/loans/${small.id}/events`)
        .set(t.auth('admin'))
        .send({ type: 'reverse_repayment', reference: 'RPY-SMALL-1' })
        .expect(409);
      expect(tooOld.body).toMatchObject({ code: 'REPAYMENT_NOT_REVERSIBLE', details: { reason: 'restructured_since' } });
      const closed = await api()
        .post(`/v1/loans/${small.id}/events`)
        .set(t.auth('admin'))
        .send({ type: 'close', reason: 'settled' })
        .expect(200);
      expect(closed.body).toMatchObject({ status: 'closed' });
      expect((await outbox(small.id as string, 'loan.closed'))[0].payload).toMatchObject({ by: 'event', waivedMinor: 2_600_000 });
      const bad = await api().post(`/v1/loans/${small.id}/events`).set(t.auth('admin')).send({ type: 'explode' }).expect(400);
      expect(bad.body.code).toBe('VALIDATION_FAILED');
    });
  });
});
