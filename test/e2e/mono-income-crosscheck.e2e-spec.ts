/**
 * Issue 16: Mono's v2 income product as an optional cross-check (MONO_INCOME_CROSSCHECK, off by default because Mono
 * bills it). Real HTTP throughout: the engine, the sandbox on loopback (its v2 income answers at once and sends
 * `mono.events.account_income`), the analyst report. Off → no income call in the sandbox's call log; on + an
 * `income_verification` consent → one call, the figures stored and shown beside the verified income; no such
 * consent → no call; the sandbox's income product down → the decision is made all the same, the check unavailable.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { IncomeCrosscheckService } from '../../src/mono/income-crosscheck.service.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { TEST_NOTICE_VERSION } from '../support/consent-kit.js';
import { monoEnv, sandboxAdmin, sandboxCalls, settleAccountWebhooks, startTestSandbox, type SandboxServer } from '../support/mono-kit.js';
import { ageAccounts, applyAndDecide, dbQuery, linkPersonaBorrower, type LinkedBorrower } from './applications.kit.js';

interface CheckRow {
  status: string;
  reason: string | null;
  monthly_income_minor: string | null;
  consent_id: string | null;
  decision_id: string | null;
}

interface Crosscheck {
  status: string;
  monoMonthlyMinor: number | null;
  engineVerifiedMonthlyMinor: number;
  differencePct: string | null;
  differs: boolean;
  higher: string | null;
  reason: string | null;
  summary: string;
}

const incomeCalls = async (sandbox: SandboxServer, monoAccountId: string): Promise<Array<{ status: number | null }>> =>
  (await sandboxCalls(sandbox, monoAccountId)).filter((c) => c.method === 'GET' && c.path === `/v2/accounts/${monoAccountId}/income`);

async function grantIncomeVerification(t: TestApp, borrowerId: string): Promise<string> {
  const res = await request(t.url)
    .post(`/v1/borrowers/${borrowerId}/consents`)
    .set(t.auth('frontend'))
    .send({ purpose: 'income_verification', noticeVersion: TEST_NOTICE_VERSION, channel: 'test' })
    .expect(201);
  return res.body.id as string;
}

/** A returning borrower (data an hour old) applies: a real sync, then the decision. */
async function decide(t: TestApp, sandbox: SandboxServer, b: LinkedBorrower): Promise<{ applicationId: string; decisionId: string }> {
  await ageAccounts(t.databaseUrl, b.borrowerId);
  const { id, decision } = await applyAndDecide<{ id: string }>(t, b.borrowerId, { amount: 5_000_000, tenorMonths: 6 });
  // Background work of the cross-check has asked Mono; its webhook (if any) has been handled.
  if (t.config.mono.incomeCrosscheck.enabled) await t.app.get(IncomeCrosscheckService).whenChecked(decision.id);
  await settleAccountWebhooks(t.app, sandbox, b.monoAccountId);
  return { applicationId: id, decisionId: decision.id };
}

async function report(t: TestApp, borrowerId: string): Promise<{ json: { income: { verifiedMonthlyMinor: number; monoCrosscheck: Crosscheck | null } }; html: string }> {
  const json = await request(t.url).get(`/v1/reports/borrowers/${borrowerId}`).set(t.auth('analyst')).expect(200);
  const html = await request(t.url).get(`/v1/reports/borrowers/${borrowerId}?format=html`).set(t.auth('analyst')).expect(200);
  return { json: json.body as { income: { verifiedMonthlyMinor: number; monoCrosscheck: Crosscheck | null } }, html: html.text };
}

const checks = (t: TestApp, decisionId: string): Promise<CheckRow[]> =>
  dbQuery<CheckRow>(t.databaseUrl, `SELECT status, reason, monthly_income_minor, consent_id, decision_id FROM mono_income_checks WHERE decision_id = $1`, [decisionId]);

describe('Mono income cross-check off (the default)', () => {
  let sandbox: SandboxServer;
  let t: TestApp;

  beforeAll(async () => {
    sandbox = await startTestSandbox();
    t = await createTestApp(monoEnv(sandbox, { JOBS_ENABLED: 'true', SYNC_MIN_INTERVAL_SECONDS: '60' }), { listen: true });
    sandbox.setWebhookTarget(`${t.url}/webhooks/mono`);
  });

  afterAll(async () => {
    await t?.close();
    await sandbox?.close();
  });

  it('should never call Mono income, even with the consent, and show no cross-check', async () => {
    expect(t.config.mono.incomeCrosscheck).toEqual({ enabled: false, tolerancePct: 15 });
    const b = await linkPersonaBorrower(t, sandbox, 'salaried_monthly', { matchName: true });
    await grantIncomeVerification(t, b.borrowerId);
    const { decisionId } = await decide(t, sandbox, b);
    expect(await incomeCalls(sandbox, b.monoAccountId)).toEqual([]);
    expect(await checks(t, decisionId)).toEqual([]);
    const { json, html } = await report(t, b.borrowerId);
    expect(json.income.monoCrosscheck).toBeNull();
    expect(html).not.toContain('mono-income');
  });
});

describe('Mono income cross-check on (MONO_INCOME_CROSSCHECK=true)', () => {
  let sandbox: SandboxServer;
  let t: TestApp;

  beforeAll(async () => {
    sandbox = await startTestSandbox();
    t = await createTestApp(monoEnv(sandbox, { JOBS_ENABLED: 'true', SYNC_MIN_INTERVAL_SECONDS: '60', MONO_INCOME_CROSSCHECK: 'true' }), { listen: true });
    sandbox.setWebhookTarget(`${t.url}/webhooks/mono`);
  });

  afterAll(async () => {
    await t?.close();
    await sandbox?.close();
  });

  it('should ask Mono once after the decision, store its estimate and show it beside the verified income', async () => {
    const b = await linkPersonaBorrower(t, sandbox, 'salaried_monthly', { matchName: true });
    const consentId = await grantIncomeVerification(t, b.borrowerId);
    const { decisionId } = await decide(t, sandbox, b);

    expect(await incomeCalls(sandbox, b.monoAccountId)).toEqual([expect.objectContaining({ status: 200 })]);
    const [row] = await checks(t, decisionId);
    expect(row).toMatchObject({ status: 'received', reason: null, consent_id: consentId, decision_id: decisionId });
    // The figure is the sandbox's (Mono's) own report, delivered by mono.events.account_income.
    const delivered = sandbox.state.webhooks.deliveries({ accountId: b.monoAccountId, event: 'mono.events.account_income' });
    expect(delivered).toHaveLength(1);
    const monoMonthly = (delivered[0].body.data as { monthly_income: number }).monthly_income;
    expect(Number(row.monthly_income_minor)).toBe(monoMonthly);
    // Only figures are kept: no account name, number, employer or narration in the row.
    const [raw] = await dbQuery<Record<string, unknown>>(t.databaseUrl, `SELECT to_jsonb(c) AS j FROM mono_income_checks c WHERE decision_id = $1`, [decisionId]);
    expect(JSON.stringify(raw)).not.toMatch(/account_name|account_number|employer|description|SALARY FROM|NIP\//i);

    // The job again, as after a crash mid-job: the account is already recorded, so Mono (billed) is not asked twice.
    const { applicationId } = (await dbQuery<{ applicationId: string }>(t.databaseUrl, `SELECT application_id AS "applicationId" FROM decisions WHERE id = $1`, [decisionId]))[0];
    await t.app.get(IncomeCrosscheckService).handle({ applicationId, borrowerId: b.borrowerId, decisionId });
    expect(await incomeCalls(sandbox, b.monoAccountId)).toHaveLength(1);
    expect(await checks(t, decisionId)).toHaveLength(1);
    // It was a job committed with the decision.
    const jobs = await dbQuery<{ state: string }>(t.databaseUrl, `SELECT state FROM pgboss.job WHERE name = 'income-crosscheck' AND data->>'decisionId' = $1`, [decisionId]);
    expect(jobs).toHaveLength(1);
    // (whenChecked resolves inside the handler, a moment before pg-boss records the completion.)
    expect(['active', 'completed']).toContain(jobs[0].state);

    const { json, html } = await report(t, b.borrowerId);
    const c = json.income.monoCrosscheck;
    expect(c).toMatchObject({ status: 'received', monoMonthlyMinor: monoMonthly, engineVerifiedMonthlyMinor: json.income.verifiedMonthlyMinor, tolerancePct: 15 });
    expect(c?.summary).toContain("Mono's income estimate");
    if (c?.differs) expect(c.reason).toMatch(/higher/);
    else expect(c?.reason).toBeNull();
    expect(html).toContain('id="mono-income"');
    expect(html).toContain('data-status="received"');
    expect(html).toContain("Mono&#39;s income estimate");
  });

  it('should explain which is higher and why when the two differ by more than the tolerance', async () => {
    // Weekly gig payouts: Mono's report counts them as OTHER/VARIABLE income; whichever is higher, the page says why.
    const b = await linkPersonaBorrower(t, sandbox, 'weekly_gig', { matchName: true });
    await grantIncomeVerification(t, b.borrowerId);
    await decide(t, sandbox, b);
    const { json, html } = await report(t, b.borrowerId);
    const c = json.income.monoCrosscheck;
    expect(c?.status).toBe('received');
    const pct = Number(c?.differencePct);
    expect(c?.differs).toBe(pct > 15);
    if (c?.differs) {
      expect(c.reason).toMatch(c.higher === 'mono' ? /^Mono's estimate is higher: / : /^The engine's verified income is higher: /);
      expect(html).toContain('mono-income-reason');
    }
  });

  it('should not call Mono without an income_verification consent, and say so on the report', async () => {
    const b = await linkPersonaBorrower(t, sandbox, 'salaried_monthly', { matchName: true });
    const { decisionId } = await decide(t, sandbox, b);
    expect(await incomeCalls(sandbox, b.monoAccountId)).toEqual([]);
    expect(await checks(t, decisionId)).toEqual([expect.objectContaining({ status: 'not_requested', consent_id: null })]);
    const { json } = await report(t, b.borrowerId);
    expect(json.income.monoCrosscheck).toMatchObject({ status: 'not_requested', monoMonthlyMinor: null, differs: false });
    expect(json.income.monoCrosscheck?.summary).toContain('income_verification consent');
  });

  it("should settle a request whose report never arrived from Mono's income records, and give up after 24 h", async () => {
    const b = await linkPersonaBorrower(t, sandbox, 'salaried_monthly', { matchName: true });
    await grantIncomeVerification(t, b.borrowerId);
    const { decisionId } = await decide(t, sandbox, b);
    const [delivered] = sandbox.state.webhooks.deliveries({ accountId: b.monoAccountId, event: 'mono.events.account_income' });
    const monoMonthly = (delivered.body.data as { monthly_income: number }).monthly_income;
    // What a lost webhook (or a crash before the inbox stored it) leaves: the request open, 20 minutes old.
    await dbQuery(
      t.databaseUrl,
      `UPDATE mono_income_checks SET status = 'requested', settled_at = NULL, monthly_income_minor = NULL, annual_income_minor = NULL,
              total_income_minor = NULL, streams = NULL, requested_at = requested_at - interval '20 minutes' WHERE decision_id = $1`,
      [decisionId],
    );
    // Another account's request that Mono never answered (no income record), 25 hours old; and a fresh one.
    const silent = await linkPersonaBorrower(t, sandbox, 'salaried_monthly', { matchName: true });
    await grantIncomeVerification(t, silent.borrowerId);
    for (const age of ['25 hours', '16 minutes']) {
      await dbQuery(
        t.databaseUrl,
        `INSERT INTO mono_income_checks (borrower_id, account_id, status, requested_at) VALUES ($1, $2, 'requested', now() - $3::interval)`,
        [silent.borrowerId, silent.accountId, age],
      );
    }
    const recordsCalls = async (monoAccountId: string) =>
      (await sandboxCalls(sandbox, monoAccountId)).filter((c) => c.path === `/v2/accounts/${monoAccountId}/income-records`);

    // (The 10-minute sweep job runs this same pass; states, not counts, are asserted, whichever pass settled them.)
    const result = await t.app.get(IncomeCrosscheckService).recoverStale();
    expect(result.looked).toBeLessThanOrEqual(3);
    const [row] = await checks(t, decisionId);
    expect(row).toMatchObject({ status: 'received', reason: null });
    expect(Number(row.monthly_income_minor)).toBe(monoMonthly);
    expect((await recordsCalls(b.monoAccountId)).length).toBeGreaterThanOrEqual(1);
    const silentRows = await dbQuery<{ status: string; reason: string | null }>(
      t.databaseUrl,
      `SELECT status, reason FROM mono_income_checks WHERE account_id = $1 ORDER BY requested_at`,
      [silent.accountId],
    );
    expect(silentRows).toEqual([
      { status: 'unavailable', reason: 'no income report from Mono within 24 h' },
      { status: 'requested', reason: null },
    ]);
    // Nothing billed: no new income request, only the free records lookups.
    expect(await incomeCalls(sandbox, silent.monoAccountId)).toEqual([]);
    // Idempotent: the next pass only looks at the one still open.
    expect(await t.app.get(IncomeCrosscheckService).recoverStale()).toEqual({ looked: 1, received: 0, unavailable: 0 });
  });

  it('should still decide when Mono income fails, recording the cross-check as unavailable', async () => {
    const b = await linkPersonaBorrower(t, sandbox, 'salaried_monthly', { matchName: true });
    await grantIncomeVerification(t, b.borrowerId);
    await sandboxAdmin(sandbox, 'POST', '/faults', { incomeError: true });
    try {
      const { decisionId, applicationId } = await decide(t, sandbox, b);
      const app = await request(t.url).get(`/v1/applications/${applicationId}`).set(t.auth('frontend')).expect(200);
      expect(app.body).toMatchObject({ status: 'decided', decision: expect.objectContaining({ id: decisionId }) });
      // One attempt only (a billed GET is not retried once sent), answered 503.
      expect(await incomeCalls(sandbox, b.monoAccountId)).toEqual([expect.objectContaining({ status: 503 })]);
      expect(await checks(t, decisionId)).toEqual([expect.objectContaining({ status: 'unavailable', reason: 'Mono http 503' })]);
      const { json, html } = await report(t, b.borrowerId);
      expect(json.income.monoCrosscheck).toMatchObject({ status: 'unavailable', monoMonthlyMinor: null });
      expect(html).toContain('data-status="unavailable"');
    } finally {
      await sandboxAdmin(sandbox, 'DELETE', '/faults');
    }
    // The failing income product did not open the circuit the syncs use: the next borrower is decided as usual.
    const next = await linkPersonaBorrower(t, sandbox, 'salaried_monthly', { matchName: true });
    await grantIncomeVerification(t, next.borrowerId);
    const { decisionId } = await decide(t, sandbox, next);
    expect(await checks(t, decisionId)).toEqual([expect.objectContaining({ status: 'received' })]);
  });
});
