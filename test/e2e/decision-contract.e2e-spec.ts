/**
 * Decision contract v2 as a lender's frontend uses it, over real HTTP with the sandbox's personas: each outcome
 * (approved, approved_lower, counter_offer, referred, declined) from a real application, the v2 fields beside the v1
 * ones, the application.decided event carrying the same contract, and an offer booked with POST /v1/loans giving
 * exactly the instalment and total the offer showed.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import type { DecisionContract } from '../../src/scoring/decision-contract.js';
import { DEFAULT_POLICY } from '../../src/scoring/policy/index.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { monoEnv, startTestSandbox, type SandboxServer } from '../support/mono-kit.js';
import { applyAndDecide, dbQuery, linkPersonaBorrower, type LinkedBorrower } from './applications.kit.js';

/** The decision as the API answers it: the v2 contract (typed from the engine's own) beside v1 fields. */
type ContractBody = DecisionContract & {
  decision: string;
  recommendedLimit: number;
  counterOffer: { amount: number; tenorMonths: number } | null;
  reasons: Array<{ code: string }>;
};

const TENORS = DEFAULT_POLICY.product.tenorsMonths;
const LONGEST = Math.max(...TENORS);
const SHORTEST = Math.min(...TENORS);

describe('decision contract v2 (frontend flow over HTTP)', () => {
  let sandbox: SandboxServer;
  let t: TestApp;
  let salaried: LinkedBorrower;
  let limitAtDefault: number;

  const decide = (borrowerId: string, amount: number, tenorMonths: number) => applyAndDecide<ContractBody>(t, borrowerId, { amount, tenorMonths });

  beforeAll(async () => {
    sandbox = await startTestSandbox();
    t = await createTestApp(monoEnv(sandbox, { JOBS_ENABLED: 'true', SYNC_MIN_INTERVAL_SECONDS: '3600' }), { listen: true });
    sandbox.setWebhookTarget(`${t.url}/webhooks/mono`);
    salaried = await linkPersonaBorrower(t, sandbox, 'salaried_monthly', { matchName: true });
  });

  afterAll(async () => {
    sandbox?.setWebhookTarget(null);
    await t?.close();
    await sandbox?.close();
  });

  it('should offer the request as asked (approved), priced, with the limit as the ceiling', async () => {
    const { id, decision } = await decide(salaried.borrowerId, 5_000_000, 6);
    expect(decision.outcome).toBe('approved');
    expect(decision.decision).toBe('approve');
    expect(decision.offer).toMatchObject({ amountMinor: 5_000_000, tenorMonths: 6, monthlyRate: DEFAULT_POLICY.product.monthlyRate });
    expect(decision.offer!.totalRepayableMinor).toBe(decision.offer!.amountMinor + decision.offer!.totalInterestMinor);
    expect(decision.requested).toMatchObject({ amountMinor: 5_000_000, tenorMonths: 6, affordable: true });
    expect(decision.limit).toMatchObject({ amountMinor: decision.recommendedLimit, tenorMonths: 6, availableMinor: decision.recommendedLimit });
    expect(decision.limit!.amountMinor).toBeGreaterThanOrEqual(5_000_000);
    limitAtDefault = decision.limit!.amountMinor;

    // The lender is told the same contract in application.decided (outbox payload, as delivered).
    const [event] = await dbQuery<{ payload: Record<string, unknown> }>(
      t.databaseUrl,
      `SELECT payload FROM outbox_events WHERE event_type = 'application.decided' AND aggregate_id = $1`,
      [id],
    );
    expect(event.payload).toMatchObject({
      outcome: 'approved',
      offer: decision.offer,
      limit: decision.limit,
      requested: { amount: 5_000_000, amountMinor: 5_000_000, tenorMonths: 6, affordable: true },
    });
  });

  it('should offer less at the tenor asked for when even the longest tenor cannot carry the request (approved_lower)', async () => {
    const { decision } = await decide(salaried.borrowerId, DEFAULT_POLICY.product.maxAmountMinor, LONGEST);
    expect(decision.outcome).toBe('approved_lower');
    expect(decision.offer!.tenorMonths).toBe(LONGEST);
    expect(decision.offer!.amountMinor).toBeLessThan(DEFAULT_POLICY.product.maxAmountMinor);
    expect(decision.offer!.amountMinor).toBe(decision.counterOffer!.amount);
    expect(decision.requested).toMatchObject({ affordable: false });
  });

  it('should offer other terms when the request fits only at a longer tenor (counter_offer)', async () => {
    const { decision } = await decide(salaried.borrowerId, limitAtDefault, SHORTEST);
    expect(decision.outcome).toBe('counter_offer');
    expect(decision.offer!.tenorMonths).toBeGreaterThan(SHORTEST);
    expect(decision.offer).toMatchObject({ amountMinor: decision.counterOffer!.amount, tenorMonths: decision.counterOffer!.tenorMonths });
  });

  it('should offer nothing on a referral, while the v1 figures stay for the analyst (referred)', async () => {
    const trader = await linkPersonaBorrower(t, sandbox, 'trader_irregular', { matchName: true });
    const { decision } = await decide(trader.borrowerId, 5_000_000, 6);
    expect(decision.decision).toBe('refer');
    expect(decision).toMatchObject({ outcome: 'referred', offer: null, limit: null, requested: { amountMinor: 5_000_000, tenorMonths: 6 } });
    expect(typeof decision.recommendedLimit).toBe('number');
  });

  it('should give neither offer nor limit on a decline (declined)', async () => {
    // Six months of card spending and nothing coming in: no verifiable income (a blocking reason).
    const day = 86_400_000;
    const spending = Array.from({ length: 180 }, (_, i) => ({
      id: `spend-${i}`,
      narration: `POS PURCHASE SHOPRITE IKEJA ${i}`,
      amount: 150_000,
      type: 'debit',
      date: new Date(Date.now() - (i + 1) * day).toISOString(),
    }));
    const noIncome = await linkPersonaBorrower(t, sandbox, 'custom', {
      matchName: true,
      sandboxAccount: {
        account: { name: 'TEMITOPE BALOGUN', account_number: '0234567891', currency: 'NGN', type: 'SAVINGS_ACCOUNT', balance: 90_000_000 },
        transactions: spending,
      },
    });
    const { decision } = await decide(noIncome.borrowerId, 5_000_000, 6);
    expect(decision.reasons.map((r) => r.code)).toContain('INCOME_NOT_DETECTED');
    expect(decision.decision).toBe('decline');
    expect(decision).toMatchObject({ outcome: 'declined', offer: null, limit: null });
  });

  it('should book exactly the offered instalment and total with POST /v1/loans', async () => {
    const { id, decision } = await decide(salaried.borrowerId, 8_000_000, 4);
    expect(decision.outcome).toBe('approved');
    const offer = decision.offer!;
    const loan = await request(t.url)
      .post('/v1/loans')
      .set(t.auth('frontend'))
      .set('Idempotency-Key', `contract-loan-${id}`)
      .send({
        borrowerId: salaried.borrowerId,
        applicationId: id,
        principalMinor: offer.amountMinor,
        currency: 'NGN',
        disbursedAt: new Date().toISOString(),
        tenorMonths: offer.tenorMonths,
        monthlyRate: offer.monthlyRate,
      })
      .expect(201);
    const schedule = loan.body.schedule as Array<{ amountDueMinor: number }>;
    expect(schedule).toHaveLength(offer.tenorMonths);
    expect(schedule[0].amountDueMinor).toBe(offer.instalmentMinor);
    expect(schedule.reduce((s, i) => s + i.amountDueMinor, 0)).toBe(offer.totalRepayableMinor);
  });
});
