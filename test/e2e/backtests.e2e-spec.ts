/**
 * Policy backtests and shadow mode over real HTTP, the embedded Postgres and the Mono sandbox (issue 19): borrowers
 * linked and decided through the application flow, loans booked on the approvals through the loans API and repaid
 * the way the sandbox's loan outcome simulator says; then `POST /v1/admin/backtests` runs as a pg-boss job and its
 * stored result carries the outcomes; a shadow policy is computed beside live decisions and never returned.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { BacktestsService } from '../../src/backtests/backtests.service.js';
import { FixedClock } from '../../src/common/clock.js';
import { DEFAULT_POLICY } from '../../src/scoring/policy/index.js';
import { looserPolicy } from '../../scripts/backtest/policies.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { monoEnv, sandboxAdmin, startTestSandbox, type SandboxServer } from '../support/mono-kit.js';
import { applyAndDecide, dbQuery, linkPersonaBorrower } from './applications.kit.js';

const DAY = 86_400_000;

interface Backtest {
  id: string;
  status: string;
  candidatePolicy: string;
  baselinePolicy: string;
  progress: { done: number; total: number };
  result: {
    decisions: number;
    flipped: number;
    baselineFromStored: number;
    limits: { deltaMinor: number };
    approvalRate: { baseline: string; candidate: string };
    outcomes: {
      withOutcome: number;
      byDecision: Record<string, Record<string, { decisions: number; withOutcome: number; bad30: number }>>;
      operatingPoint: Record<string, { approvalRate: string; bad30Rate: string | null }>;
    };
  } | null;
}

describe('backtests and shadow mode (admin API, analyst page)', () => {
  let sandbox: SandboxServer;
  let t: TestApp;
  const start = new Date();
  const clock = new FixedClock(start);
  const api = () => request(t.url);
  const PERSONAS = ['salaried_monthly', 'salaried_monthly', 'weekly_gig', 'job_loss', 'gambler', 'salary_raise'];
  let decisions = 0;
  let loans = 0;

  const runBacktest = async (body: Record<string, unknown>): Promise<Backtest> => {
    const res = await api().post('/v1/admin/backtests').set(t.auth('admin')).send(body).expect(202);
    expect(res.headers.location).toBe(`/v1/admin/backtests/${res.body.id}`);
    expect(['queued', 'running', 'succeeded']).toContain(res.body.status);
    // Awaited through the service's finished event (the job ran on this instance), never a poll.
    await t.app.get(BacktestsService).waitFor(res.body.id as string);
    return (await api().get(res.headers.location).set(t.auth('admin')).expect(200)).body as Backtest;
  };

  beforeAll(async () => {
    sandbox = await startTestSandbox();
    t = await createTestApp(
      monoEnv(sandbox, {
        JOBS_ENABLED: 'true',
        SYNC_MIN_INTERVAL_SECONDS: '60',
        APPLICATION_SYNC_DEADLINE_SECONDS: '20',
        RATE_LIMIT_PER_MINUTE: '100000',
      }),
      {
        listen: true,
        clock,
      },
    );
    sandbox.setWebhookTarget(`${t.url}/webhooks/mono`);
    // A small book: each persona linked (named as its account holder), applied for, decided; approvals lent on.
    for (const persona of PERSONAS) {
      const b = await linkPersonaBorrower(t, sandbox, persona, { matchName: true });
      const { id: applicationId, decision } = await applyAndDecide<{
        decision: string;
        recommendedLimit: number;
        counterOffer: { amount: number } | null;
      }>(t, b.borrowerId, { amount: 20_000_000, tenorMonths: 3 });
      decisions += 1;
      if (decision.decision !== 'approve') continue;
      const principal = decision.counterOffer?.amount ?? 20_000_000;
      const loan = await api()
        .post('/v1/loans')
        .set(t.auth('frontend'))
        .set('Idempotency-Key', `bt-loan-${applicationId}`)
        .send({
          borrowerId: b.borrowerId,
          applicationId,
          principalMinor: principal,
          currency: 'NGN',
          disbursedAt: new Date(clock.now().getTime() - 3_600_000).toISOString(),
          tenorMonths: 3,
          monthlyRate: '0.05',
        })
        .expect(201);
      loans += 1;
      // How this persona repays, from the sandbox's simulator, as of four months on.
      const asOf = new Date(clock.now().getTime() + 120 * DAY).toISOString();
      const schedule = (loan.body.schedule as Array<{ seq: number; dueDate: string; principalMinor: number; interestMinor: number }>).map(
        (i) => ({
          seq: i.seq,
          dueDate: i.dueDate,
          amountDueMinor: i.principalMinor + i.interestMinor,
        }),
      );
      const outcome = await sandboxAdmin<{ repayments: Array<{ seq: number; paidOn: string; amountMinor: number }> }>(
        sandbox,
        'POST',
        `/accounts/${b.sandboxAccountId}/loan-outcome`,
        { schedule, asOf, seed: loans },
      );
      clock.set(new Date(clock.now().getTime() + 120 * DAY));
      for (const r of outcome.repayments)
        await api()
          .post(`/v1/loans/${loan.body.id as string}/repayments`)
          .set(t.auth('frontend'))
          .send({ amountMinor: r.amountMinor, paidAt: `${r.paidOn}T12:00:00.000Z`, reference: `bt-${loan.body.id as string}-${r.seq}` })
          .expect(201);
      clock.set(new Date(clock.now().getTime() - 120 * DAY));
    }
    // Outcomes are read four months after the loans: every first instalment is long due.
    clock.set(new Date(clock.now().getTime() + 120 * DAY));
  }, 300_000);

  afterAll(async () => {
    await t?.close();
    await sandbox?.close();
  });

  it('should refuse a bad request with a 400 naming the field and write nothing; only admins may ask', async () => {
    const before = await dbQuery<{ n: string }>(t.databaseUrl, `SELECT count(*) AS n FROM backtests`);
    const bad = await api()
      .post('/v1/admin/backtests')
      .set(t.auth('admin'))
      .send({ policy: { ...DEFAULT_POLICY, version: 'two' } })
      .expect(400);
    expect(bad.body).toMatchObject({ code: 'VALIDATION_FAILED', details: { fields: [{ field: 'policy.version' }] } });
    await api().post('/v1/admin/backtests').set(t.auth('admin')).send({ policy: 'x' }).expect(400);
    await api()
      .post('/v1/admin/backtests')
      .set(t.auth('admin'))
      .send({ policy: DEFAULT_POLICY, baseline: 'default@0.0.1+none' })
      .expect(400);
    await api().post('/v1/admin/backtests').set(t.auth('admin')).send({ policy: DEFAULT_POLICY, from: '2026-02-30' }).expect(400);
    await api().post('/v1/admin/backtests').set(t.auth('analyst')).send({ policy: DEFAULT_POLICY }).expect(403);
    await api().get('/v1/admin/backtests/not-a-uuid').set(t.auth('admin')).expect(400);
    await api().get('/v1/admin/backtests/00000000-0000-4000-8000-000000000000').set(t.auth('admin')).expect(404);
    expect(await dbQuery<{ n: string }>(t.databaseUrl, `SELECT count(*) AS n FROM backtests`)).toEqual(before);
  });

  it('should report zero flips for the shipped policy against itself, with the loans’ outcomes', async () => {
    const run = await runBacktest({ policy: DEFAULT_POLICY });
    expect(run.status).toBe('succeeded');
    expect(run.progress).toEqual({ done: decisions, total: decisions });
    expect(run.result).toMatchObject({ decisions, flipped: 0, baselineFromStored: decisions, limits: { deltaMinor: 0 } });
    expect(loans).toBeGreaterThan(0);
    expect(run.result!.outcomes.withOutcome).toBe(loans);
    expect(run.result!.outcomes.byDecision.baseline.approve).toMatchObject({ decisions: loans, withOutcome: loans });
    expect(run.result!.outcomes.byDecision.candidate).toEqual(run.result!.outcomes.byDecision.baseline);
  });

  it('should show a looser policy lending more, and render the run as a page with its charts', async () => {
    const run = await runBacktest({ policy: looserPolicy(DEFAULT_POLICY), baseline: 'current' });
    expect(run.baselinePolicy).toMatch(/^default@/);
    expect(run.result!.limits.deltaMinor).toBeGreaterThan(0);
    expect(Number(run.result!.approvalRate.candidate)).toBeGreaterThanOrEqual(Number(run.result!.approvalRate.baseline));
    const file = await api().get(`/v1/admin/backtests/${run.id}?format=html`).set(t.auth('admin')).expect(200);
    expect(file.headers['content-type']).toMatch(/text\/html/);
    expect(file.text).toContain('data-chart="backtest-tradeoff"');
    expect(file.text).toContain('data-chart="backtest-grade-bad-rate"');
    expect(file.text).not.toMatch(/<script/i);
    const page = await api().get(`/analyst/backtests/${run.id}`).set(t.auth('analyst')).expect(200);
    expect(page.text).toContain('data-testid="bt-flips"');
    const list = await api().get('/analyst/backtests').set(t.auth('analyst')).expect(200);
    expect(list.text).toContain(`/analyst/backtests/${run.id}`);
    const json = await api().get('/v1/admin/backtests?limit=5').set(t.auth('admin')).expect(200);
    expect((json.body as Backtest[]).map((b) => b.id)).toContain(run.id);
  });

  it('should compute a shadow policy beside each live decision, store it, never return it, and compare it in the portfolio', async () => {
    clock.set(start); // a new application today, on fresh data
    await api().delete('/v1/admin/shadow-policy').set(t.auth('admin')).expect(404);
    await api()
      .put('/v1/admin/shadow-policy')
      .set(t.auth('admin'))
      .send({ policy: { ...DEFAULT_POLICY, currency: 1 } })
      .expect(400);
    const shadow = await api()
      .put('/v1/admin/shadow-policy')
      .set(t.auth('admin'))
      .send({ policy: looserPolicy(DEFAULT_POLICY) })
      .expect(200);
    expect(shadow.body).toMatchObject({ active: true, policyVersion: expect.stringMatching(/^default@9\.1\.0/) });
    const b = await linkPersonaBorrower(t, sandbox, 'gambler', { matchName: true });
    const { id } = await applyAndDecide(t, b.borrowerId, { amount: 20_000_000, tenorMonths: 3 });
    const app = await api().get(`/v1/applications/${id}`).set(t.auth('frontend')).expect(200);
    expect(JSON.stringify(app.body)).not.toMatch(/shadow|9\.1\.0/);
    const [row] = await dbQuery<{ decision: string; policy_version: string; live: string }>(
      t.databaseUrl,
      `SELECT s.decision, s.policy_version, d.decision AS live FROM shadow_decisions s JOIN loan_applications a ON a.decision_id = s.decision_id
         JOIN decisions d ON d.id = s.decision_id WHERE a.id = $1`,
      [id],
    );
    expect(row.policy_version).toMatch(/^default@9\.1\.0/);
    const portfolio = await api().get('/v1/reports/portfolio').set(t.auth('analyst')).expect(200);
    expect(portfolio.body.shadow).toMatchObject({ policyVersion: row.policy_version, decisions: 1 });
    expect(portfolio.body.shadow.flips[row.live][row.decision]).toBe(1);
    await api().delete('/v1/admin/shadow-policy').set(t.auth('admin')).expect(204);
    expect((await api().get('/v1/admin/shadow-policy').set(t.auth('admin')).expect(200)).body[0]).toMatchObject({ active: false });
  });
});
