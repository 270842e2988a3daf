/**
 * The sandbox's loan outcome simulator over HTTP: persona ground truth in, seeded repayments out; bad input is a 400
 * naming the field.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestSandbox, type SandboxServer } from '../support/mono-kit.js';

interface Outcome {
  accountId: string;
  code?: string;
  message?: string;
  behaviour: { persona: string; stopAfter: number | null; why: string };
  repayments: Array<{ seq: number }>;
}

describe('Mono sandbox: loan outcomes', () => {
  let sandbox: SandboxServer;
  const post = async (path: string, body: unknown) => {
    const res = await fetch(`${sandbox.url}/sandbox${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as Outcome };
  };
  const schedule = [
    { seq: 1, dueDate: '2026-09-10', amountDueMinor: 2_600_000 },
    { seq: 2, dueDate: '2026-10-10', amountDueMinor: 2_600_000 },
  ];

  beforeAll(async () => {
    sandbox = await startTestSandbox();
  });
  afterAll(async () => {
    await sandbox?.close();
  });

  it('should play a persona borrower repaying, the same way for the same seed', async () => {
    const created = await post('/accounts', { persona: 'job_loss' });
    const a = await post(`/accounts/${created.body.accountId}/loan-outcome`, { schedule, asOf: '2026-12-01T00:00:00Z', seed: 4 });
    expect(a.status).toBe(200);
    expect(a.body.behaviour).toMatchObject({ persona: 'job_loss', stopAfter: 1 });
    expect(a.body.repayments.map((r: { seq: number }) => r.seq)).toEqual([1]);
    expect((await post(`/accounts/${created.body.accountId}/loan-outcome`, { schedule, asOf: '2026-12-01T00:00:00Z', seed: 4 })).body).toEqual(a.body);
    const steady = await post('/accounts', { persona: 'salaried_monthly' });
    const paid = await post(`/accounts/${steady.body.accountId}/loan-outcome`, { schedule, asOf: '2026-12-01T00:00:00Z', stopAfter: 0 });
    expect(paid.body.repayments).toEqual([]);
    expect(paid.body.behaviour.why).toMatch(/stopAfter set by the caller/);
  });

  it('should refuse a bad schedule and an account without persona ground truth', async () => {
    const persona = await post('/accounts', { persona: 'salaried_monthly' });
    const bad = await post(`/accounts/${persona.body.accountId}/loan-outcome`, { schedule: [{ seq: 1, dueDate: '10/09/2026', amountDueMinor: 1 }] });
    expect(bad).toMatchObject({ status: 400, body: { code: 'BAD_REQUEST', message: 'schedule[0].dueDate must be YYYY-MM-DD' } });
    const plain = await post('/accounts', { account: { name: 'ADA OKAFOR' }, transactions: [] });
    const none = await post(`/accounts/${plain.body.accountId}/loan-outcome`, { schedule });
    expect(none.status).toBe(400);
    expect(none.body.message).toMatch(/no persona ground truth/);
  });
});
