/**
 * The story the engine exists for, over real HTTP, the embedded Postgres and the sandbox, with the engine clock
 * injected: a first loan capped at the starter amount, repaid on time through the loans API, then a higher limit by
 * the graduation ladder — in the next application and in the next scheduled re-underwriting cycle — and a later loan
 * falling behind: referred while a few days late, frozen from the policy's freeze DPD as the clock moves on.
 * The ladder is switched on by a lender policy file (POLICY_FILE) with a ₦50,000 starter cap.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { FixedClock } from '../../src/common/clock.js';
import { DEFAULT_POLICY } from '../../src/scoring/policy/index.js';
import { ReunderwritingService } from '../../src/underwriting/reunderwriting.service.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { monoEnv, startTestSandbox, type SandboxServer } from '../support/mono-kit.js';
import { applyAndDecide, dbQuery, linkPersonaBorrower, type LinkedBorrower } from './applications.kit.js';

const DAY = 86_400_000;
const STARTER = 5_000_000;
const RULES = DEFAULT_POLICY.repayment!;

interface Decision {
  outcome: string;
  decision: string;
  limit: { amountMinor: number } | null;
  offer: { amountMinor: number; tenorMonths: number } | null;
  reasons: Array<{ code: string; severity: string; message: string; values: Record<string, unknown>; counterfactual?: { message: string } }>;
  flags: string[];
}

describe('graduation ladder and arrears (lender policy with a starter cap)', () => {
  let sandbox: SandboxServer;
  let t: TestApp;
  let b: LinkedBorrower;
  const clock = new FixedClock(new Date());
  const api = () => request(t.url);
  let keys = 0;
  const key = (p: string) => `${p}-${++keys}`;

  const decide = (amount: number, tenorMonths: number) => applyAndDecide<Decision>(t, b.borrowerId, { amount, tenorMonths });
  const reason = (d: Decision, code: string) => d.reasons.find((r) => r.code === code);
  const book = async (applicationId: string, principalMinor: number, disbursedAt: Date) =>
    (
      await api()
        .post('/v1/loans')
        .set(t.auth('frontend'))
        .set('Idempotency-Key', key('loan'))
        .send({ borrowerId: b.borrowerId, applicationId, principalMinor, currency: 'NGN', disbursedAt: disbursedAt.toISOString(), tenorMonths: 2 })
        .expect(201)
    ).body as { id: string; schedule: Array<{ dueDate: string; amountDueMinor: number }> };
  const cycle = async () => {
    const started = await api().post('/v1/admin/reunderwrite').set(t.auth('admin')).send({}).expect(202);
    await t.app.get(ReunderwritingService).waitForCycle(started.body.cycleId as string);
    const [limit] = await dbQuery<{ current_limit_minor: string; status: string }>(
      t.databaseUrl,
      `SELECT current_limit_minor, status FROM credit_limits WHERE borrower_id = $1`,
      [b.borrowerId],
    );
    return { limitMinor: Number(limit.current_limit_minor), status: limit.status };
  };

  beforeAll(async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ladder-policy-'));
    const policyFile = path.join(dir, 'policy.json');
    const policy = JSON.parse(JSON.stringify(DEFAULT_POLICY)) as Record<string, unknown> & { repayment: typeof RULES };
    policy.name = 'lender-ladder';
    policy.repayment = {
      ...RULES,
      graduation: { ...RULES.graduation, starterCapMinor: STARTER },
      collections: { narrationPatterns: ['ACME MICROFINANCE'], amountTolerance: '0.02', dateToleranceDays: 3 },
    };
    writeFileSync(policyFile, JSON.stringify(policy));
    sandbox = await startTestSandbox();
    t = await createTestApp(monoEnv(sandbox, { JOBS_ENABLED: 'true', POLICY_FILE: policyFile, REVIEW_MAX_AGE_DAYS: '1' }), { listen: true, clock });
    sandbox.setWebhookTarget(`${t.url}/webhooks/mono`);
    b = await linkPersonaBorrower(t, sandbox, 'salaried_monthly', { matchName: true });
  });

  afterAll(async () => {
    sandbox?.setWebhookTarget(null);
    await t?.close();
    await sandbox?.close();
  });

  let firstApplication: string;
  let secondApplication: string;

  it('should cap a first loan at the starter amount', async () => {
    const { id, decision } = await decide(STARTER, 2);
    firstApplication = id;
    expect(decision).toMatchObject({ outcome: 'approved', decision: 'approve', limit: { amountMinor: STARTER } });
    expect(reason(decision, 'GRADUATION_CAP')?.message).toBe('A first loan with us is capped at the starter amount of ₦50,000.');
  });

  it('should raise the cap by the ladder step once that loan is repaid on time', async () => {
    // Disbursed 70 days ago; both instalments paid on their due dates.
    const loan = await book(firstApplication, STARTER, new Date(clock.now().getTime() - 70 * DAY));
    for (const i of loan.schedule) {
      await api()
        .post(`/v1/loans/${loan.id}/repayments`)
        .set(t.auth('frontend'))
        .send({ amountMinor: i.amountDueMinor, paidAt: `${i.dueDate}T08:00:00.000Z`, reference: key('pay') })
        .expect(201);
    }
    const closed = await api().get(`/v1/loans/${loan.id}`).set(t.auth('frontend')).expect(200);
    expect(closed.body.status).toBe('closed');
    const { id, decision } = await decide(20_000_000, 2);
    secondApplication = id;
    const stepped = 7_500_000; // ₦50,000 × 1.5
    expect(decision).toMatchObject({ outcome: 'approved_lower', limit: { amountMinor: stepped }, offer: { amountMinor: stepped, tenorMonths: 2 } });
    expect(reason(decision, 'GRADUATION_CAP')).toMatchObject({
      severity: 'limit',
      message: 'The limit is capped at ₦75,000 by the graduation ladder: ₦50,000 repaid on time plus 50%.',
      values: { capMinor: stepped, basisMinor: STARTER, loansRepaidOnTime: 1 },
    });
    expect(reason(decision, 'GRADUATION_CAP')?.counterfactual?.message).toMatch(/after a loan of ₦75,000 is repaid on time/);
    // The policy names the lender's collection narration, and no such debit left the linked account: the book says
    // paid, the bank data does not show it (informational: the borrower may have paid from another account).
    expect(decision.flags).toContain('repayment_mismatch');
  });

  it('should raise the credit limit by the ladder step in the next scheduled re-underwriting', async () => {
    clock.advance(2 * DAY); // past REVIEW_MAX_AGE_DAYS since the last decision
    const after = await cycle();
    // The credit limit starts at the origination decision (the starter cap) and the review raises it to the next rung.
    expect(after).toEqual({ limitMinor: 7_500_000, status: 'active' });
    const [change] = await dbQuery<{ action: string; from_limit_minor: string; to_limit_minor: string }>(
      t.databaseUrl,
      `SELECT action, from_limit_minor, to_limit_minor FROM limit_changes WHERE borrower_id = $1 ORDER BY id DESC LIMIT 1`,
      [b.borrowerId],
    );
    expect(change).toEqual({ action: 'raised', from_limit_minor: String(STARTER), to_limit_minor: '7500000' });
  });

  it('should refer while a loan with us is past due, and freeze new credit from the freeze DPD as days pass', async () => {
    // The second loan's first instalment fell due 10 days ago and is unpaid.
    const disbursed = new Date(clock.now().getTime() - 10 * DAY);
    disbursed.setUTCMonth(disbursed.getUTCMonth() - 1);
    const loan = await book(secondApplication, 7_500_000, disbursed);
    const overdueDays = Math.round((Date.parse(clock.now().toISOString().slice(0, 10)) - Date.parse(loan.schedule[0].dueDate)) / DAY);
    expect(overdueDays).toBeGreaterThanOrEqual(RULES.referDpd);
    expect(overdueDays).toBeLessThan(RULES.freezeDpd);

    const late = (await decide(1_000_000, 1)).decision;
    expect(reason(late, 'OWN_LOAN_IN_ARREARS')).toMatchObject({ severity: 'review', values: { currentDpd: overdueDays } });
    expect(late.flags).toEqual(expect.arrayContaining(['own_loan_late']));
    expect(late.outcome).not.toMatch(/^approved/);

    clock.advance((RULES.freezeDpd - overdueDays) * DAY);
    const frozen = (await decide(1_000_000, 1)).decision;
    expect(frozen).toMatchObject({ outcome: 'declined', offer: null, limit: null });
    expect(reason(frozen, 'OWN_LOAN_IN_ARREARS')).toMatchObject({ severity: 'blocking', values: { currentDpd: RULES.freezeDpd } });

    clock.advance(2 * DAY);
    expect((await cycle()).status).toBe('frozen');
  });

  it("should show the lender's book in the portfolio report: exposure, arrears, PAR, vintages and the funnel", async () => {
    const res = await api().get('/v1/reports/portfolio').set(t.auth('analyst')).expect(200);
    const credit = res.body.credit;
    // The ₦50,000 loan is repaid; the ₦75,000 loan is 17 days past due (1–30 bucket): PAR30 is 0.
    expect(credit.exposure).toEqual({ openLoans: 1, outstandingPrincipalMinor: 7_500_000, disbursedLoans: 2, disbursedPrincipalMinor: 12_500_000 });
    expect(credit.buckets.find((b: { key: string }) => b.key === '1-30')).toMatchObject({ loans: 1, outstandingPrincipalMinor: 7_500_000 });
    expect(credit.par30).toBe('0.0000');
    expect(credit.funnel.byDecision.find((f: { key: string }) => f.key === 'approve')).toMatchObject({ loans: 2, repaid: 1, late: 1 });
    expect(credit.vintages.map((v: { loans: number }) => v.loans).reduce((a: number, b: number) => a + b, 0)).toBe(2);
    const page = await api().get('/analyst/portfolio').set(t.auth('analyst')).expect(200);
    expect(page.text).toContain("Credit performance (the lender's own loans");
    expect(page.text).toContain('class="value par30">0.0%');
    const csv = await api().get('/v1/reports/portfolio?format=csv').set(t.auth('analyst')).expect(200);
    expect(csv.text).toMatch(/credit_exposure,[\d-]+,outstanding_principal_minor,7500000/);
  });
});
