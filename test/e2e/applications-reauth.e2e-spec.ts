import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { ApplicationFlowService } from '../../src/applications/application-flow.service.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { SANDBOX_NOTICE_VERSION, type SandboxConsentMessage } from '../../src/sandbox/link-page.js';
import { monoEnv, sandboxAdmin, settleAccountWebhooks, startTestSandbox, type SandboxServer } from '../support/mono-kit.js';
import { ageAccounts, apply, applyAndDecide, dbQuery, expectIngested, linkPersonaBorrower, waitForStatus } from './applications.kit.js';

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

  it("should hand out a hosted connect link whose consent step the frontend records before the account is linked", async () => {
    const http = request(t.url);
    const b = await http
      .post('/v1/borrowers')
      .set(t.auth('frontend'))
      .send({ externalId: 'connect-1', fullName: 'Ngozi Eze', email: 'ngozi@example.com' })
      .expect(201);
    const borrowerId = b.body.id as string;
    const res = await http
      .post(`/v1/borrowers/${borrowerId}/connect`)
      .set(t.auth('frontend'))
      .send({ redirectUrl: 'https://los.example.com/linked' })
      .expect(200);
    expect(res.body).toEqual({ monoUrl: expect.stringMatching(/^https?:\/\//), reference: expect.any(String) });
    const { monoUrl, reference } = res.body as { monoUrl: string; reference: string };
    const page = async (form?: string): Promise<{ status: number; html: string }> => {
      const r = await fetch(monoUrl, form === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form });
      return { status: r.status, html: await r.text() };
    };
    const notice = `notice_version=${SANDBOX_NOTICE_VERSION}`;
    const atSandbox = async () =>
      (await sandboxAdmin<{ accounts: Array<{ id: string; ref: string | null; name: string }> }>(sandbox, 'GET', '/accounts')).accounts.filter((a) => a.ref === reference);

    // The page opens on the data-sharing notice; the underwriting box is required, monitoring a separate opt-in.
    const opened = await page();
    expect(opened.status).toBe(200);
    expect(opened.html).toContain(`<code>${SANDBOX_NOTICE_VERSION}</code>`);
    expect(opened.html).toMatch(/name="consent_underwriting" value="1" required/);
    expect(opened.html).toMatch(/name="consent_monitoring" value="1" aria-describedby/);
    expect(opened.html).toMatch(/name="consent_income_verification" value="1" aria-describedby/);

    // No link without the underwriting box: 400, nothing linked at the sandbox, no account at the engine.
    const refused = await page(`step=link&${notice}&consent_monitoring=1&persona=salaried_monthly`);
    expect(refused.status).toBe(400);
    expect(refused.html).toMatch(/role="alert"[^]*underwriting box/);
    expect(await atSandbox()).toEqual([]);

    // The consent step hands the choices back before the login; the frontend records them with the engine.
    const bank = await page(`step=consent&${notice}&consent_underwriting=1&consent_monitoring=1&consent_income_verification=1`);
    expect(bank.status).toBe(200);
    const handed = JSON.parse(/<script type="application\/json" id="sandbox-consent">([^<]*)<\/script>/.exec(bank.html)?.[1] ?? 'null') as {
      message: SandboxConsentMessage;
      targetOrigin: string;
    };
    expect(handed).toEqual({
      message: {
        source: 'mono-sandbox',
        type: 'consent_given',
        data: { ref: reference, purposes: ['underwriting', 'monitoring', 'income_verification'], noticeVersion: SANDBOX_NOTICE_VERSION, channel: 'web' },
      },
      targetOrigin: 'https://los.example.com',
    });
    for (const purpose of handed.message.data.purposes) {
      await http
        .post(`/v1/borrowers/${borrowerId}/consents`)
        .set(t.auth('frontend'))
        .send({ purpose, noticeVersion: handed.message.data.noticeVersion, channel: handed.message.data.channel })
        .expect(201);
    }

    // Step 2 carries the choices forward (hidden fields), so the login links with the same three purposes.
    expect(bank.html).toContain('<input type="hidden" name="consent_income_verification" value="1">');
    const linked = await page(`step=link&${notice}&consent_underwriting=1&consent_monitoring=1&consent_income_verification=1&persona=salaried_monthly`);
    expect(linked.status).toBe(200);
    expect(linked.html).toContain(
      `href="https://los.example.com/linked?ref=${reference}&amp;consent=underwriting%2Cmonitoring%2Cincome_verification&amp;notice_version=${SANDBOX_NOTICE_VERSION}"`,
    );
    expect(linked.html).toContain("Income verification: Mono's own estimate of your income");
    const [mono] = await atSandbox();
    // Linked through account_connected (meta.ref) and ingested: the consents were in place first.
    await settleAccountWebhooks(t.app, sandbox, mono.id, 2);
    await expectIngested(t, borrowerId);
    const consents = await http.get(`/v1/borrowers/${borrowerId}/consents`).set(t.auth('frontend')).expect(200);
    expect((consents.body.items as Array<Record<string, unknown>>).map((c) => [c.purpose, c.noticeVersion, c.channel, c.status]).sort()).toEqual([
      ['income_verification', SANDBOX_NOTICE_VERSION, 'web', 'active'],
      ['monitoring', SANDBOX_NOTICE_VERSION, 'web', 'active'],
      ['underwriting', SANDBOX_NOTICE_VERSION, 'web', 'active'],
    ]);
    const trail = await dbQuery<{ action: string }>(
      t.databaseUrl,
      `SELECT action FROM audit_log
        WHERE (entity_type = 'consent' AND entity_id IN (SELECT id::text FROM consents WHERE borrower_id = $1))
           OR (entity_type = 'bank_account' AND entity_id IN (SELECT id::text FROM bank_accounts WHERE borrower_id = $1))
        ORDER BY id`,
      [borrowerId],
    );
    expect(trail.map((r) => r.action)).toEqual(['consent.granted', 'consent.granted', 'consent.granted', 'account.linked']);

    // The page opened the account in the borrower's own name (the initiate call's customer), so the hand-made
    // borrower's application is approved: no name mismatch.
    expect(bank.html).toContain('opened in the name of <strong>Ngozi Eze</strong>');
    expect(mono.name).toBe('EZE NGOZI');
    const { decision } = await applyAndDecide<{ outcome: string; reasons: Array<{ code: string }> }>(t, borrowerId, {});
    expect(decision.reasons.map((r) => r.code)).not.toContain('ACCOUNT_NAME_MISMATCH');
    expect(decision.outcome).toBe('approved');
  });

  it("should hold the account in the profile's invented name when the borrower links someone else's account", async () => {
    const http = request(t.url);
    const b = await http.post('/v1/borrowers').set(t.auth('frontend')).send({ externalId: 'connect-2', fullName: 'Tobi Ajayi', email: 'tobi@example.com' }).expect(201);
    const borrowerId = b.body.id as string;
    const { monoUrl, reference } = (await http.post(`/v1/borrowers/${borrowerId}/connect`).set(t.auth('frontend')).send({}).expect(200)).body as {
      monoUrl: string;
      reference: string;
    };
    await http.post(`/v1/borrowers/${borrowerId}/consents`).set(t.auth('frontend')).send({ purpose: 'underwriting', noticeVersion: SANDBOX_NOTICE_VERSION, channel: 'web' }).expect(201);
    const form = `step=link&notice_version=${SANDBOX_NOTICE_VERSION}&consent_underwriting=1&persona=salaried_monthly&name_mismatch=1`;
    const linked = await fetch(monoUrl, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form });
    expect(linked.status).toBe(200);
    const [mono] = (await sandboxAdmin<{ accounts: Array<{ id: string; ref: string | null; name: string }> }>(sandbox, 'GET', '/accounts')).accounts.filter(
      (a) => a.ref === reference,
    );
    expect(mono.name).not.toMatch(/AJAYI|TOBI/i);
    await settleAccountWebhooks(t.app, sandbox, mono.id, 2);
    await expectIngested(t, borrowerId);
    const { decision } = await applyAndDecide<{ outcome: string; reasons: Array<{ code: string }> }>(t, borrowerId, {});
    expect(decision.reasons.map((r) => r.code)).toContain('ACCOUNT_NAME_MISMATCH');
    expect(decision.outcome).not.toBe('approved');
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
