import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { ApplicationFlowService } from '../../src/applications/application-flow.service.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { monoEnv, sandboxAdmin, startTestSandbox, type SandboxServer } from '../support/mono-kit.js';
import { ageAccounts, apply, dbQuery, linkPersonaBorrower, waitForStatus } from './applications.kit.js';

describe(`${ApplicationFlowService.name} (reauth)`, () => {
  let sandbox: SandboxServer;
  let t: TestApp;

  beforeAll(async () => {
    sandbox = await startTestSandbox();
    t = await createTestApp(
      monoEnv(sandbox, { JOBS_ENABLED: 'true', SYNC_MIN_INTERVAL_SECONDS: '60', APPLICATION_SYNC_DEADLINE_SECONDS: '20' }),
      { listen: true },
    );
    sandbox.setWebhookTarget(`${t.url}/webhooks/mono`);
  });

  afterAll(async () => {
    await t?.close();
    await sandbox?.close();
  });

  it('should hand out a hosted connect link for a new account', async () => {
    const b = await request(t.url)
      .post('/v1/borrowers')
      .set(t.auth('frontend'))
      .send({ externalId: 'connect-1', fullName: 'Ngozi Eze', email: 'ngozi@example.com' })
      .expect(201);
    const res = await request(t.url)
      .post(`/v1/borrowers/${b.body.id}/connect`)
      .set(t.auth('frontend'))
      .send({ redirectUrl: 'https://los.example.com/linked' })
      .expect(200);
    expect(res.body).toEqual({ monoUrl: expect.stringMatching(/^https?:\/\//), reference: expect.any(String) });
  });

  it('should refuse a reauth link for an account that does not need one', async () => {
    const b = await linkPersonaBorrower(t, sandbox);
    const res = await request(t.url)
      .post(`/v1/borrowers/${b.borrowerId}/reauth`)
      .set(t.auth('frontend'))
      .send({ accountId: b.accountId })
      .expect(409);
    expect(res.body.code).toBe('REAUTH_NOT_REQUIRED');
  });

  it('should stop in reauth_required, hand out a reauth link, and finish by itself once the borrower re-authorises', async () => {
    const b = await linkPersonaBorrower(t, sandbox);
    await ageAccounts(t.databaseUrl, b.borrowerId);
    await sandboxAdmin(sandbox, 'POST', `/accounts/${b.sandboxAccountId}/require-reauth`, {});

    const id = await apply(t, b.borrowerId);
    const waiting = await waitForStatus(t, id, ['reauth_required', 'decided', 'failed']);
    expect(waiting.status).toBe('reauth_required');
    expect(waiting.accounts).toEqual([{ id: b.accountId, syncStatus: 'reauth_required', reauthRequired: true }]);

    const borrower = await request(t.url).get(`/v1/borrowers/${b.borrowerId}`).set(t.auth('frontend')).expect(200);
    expect(borrower.body.accounts[0]).toMatchObject({ id: b.accountId, reauthRequired: true });
    const events = await dbQuery<{ event_type: string; payload: { accountIds: string[] } }>(
      t.databaseUrl,
      `SELECT event_type, payload FROM outbox_events WHERE aggregate_id = $1 ORDER BY created_at`,
      [id],
    );
    expect(events).toEqual([{ event_type: 'account.reauth_required', payload: expect.objectContaining({ accountIds: [b.accountId] }) }]);

    const link = await request(t.url)
      .post(`/v1/borrowers/${b.borrowerId}/reauth`)
      .set(t.auth('frontend'))
      .send({ accountId: b.accountId })
      .expect(200);
    expect(link.body.monoUrl).toEqual(expect.stringMatching(/^https?:\/\//));

    await sandboxAdmin(sandbox, 'POST', `/accounts/${b.sandboxAccountId}/complete-reauth`, {});
    const done = await waitForStatus(t, id, ['decided', 'failed']);
    expect(done).toMatchObject({ status: 'decided', staleData: false });
    expect(done.accounts).toEqual([{ id: b.accountId, syncStatus: 'fresh', reauthRequired: false }]);

    const path = await dbQuery<{ before: { status: string } | null; after: { status: string } }>(
      t.databaseUrl,
      `SELECT before, after FROM audit_log WHERE entity_type = 'loan_application' AND entity_id = $1 ORDER BY id`,
      [id],
    );
    expect(path.map((r) => r.after.status)).toEqual(['received', 'reauth_required', 'syncing', 'scoring', 'decided']);
  });
});
