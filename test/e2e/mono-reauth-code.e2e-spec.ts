/**
 * Issue 16: a finished re-authorisation hands the widget a new exchangeable code (sandbox setting `reauthIssuesCode`,
 * default true, because Mono does not document it), and the engine's `POST /v1/borrowers/{id}/reauth/complete`
 * exchanges it, checks it names the same account and confirms the reauth at once; without a code it still works
 * through Mono's `account_reauthorized` webhook. Everything over real HTTP: the engine, the sandbox on loopback, its
 * hosted reauth page.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { SyncService } from '../../src/mono/sync.service.js';
import type { SandboxReauthMessage } from '../../src/sandbox/link-page.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { monoEnv, sandboxAdmin, sandboxCalls, settleAccountWebhooks, startTestSandbox, type SandboxServer } from '../support/mono-kit.js';
import { dbQuery, linkPersonaBorrower, type LinkedBorrower } from './applications.kit.js';

describe('reauth completion code (issue 16)', () => {
  let sandbox: SandboxServer;
  let t: TestApp;
  let webhookTarget: string;

  beforeAll(async () => {
    sandbox = await startTestSandbox();
    t = await createTestApp(monoEnv(sandbox, { SYNC_MIN_INTERVAL_SECONDS: '0' }), { listen: true });
    webhookTarget = `${t.url}/webhooks/mono`;
    sandbox.setWebhookTarget(webhookTarget);
  });

  afterEach(async () => {
    sandbox.setWebhookTarget(webhookTarget);
    await sandboxAdmin(sandbox, 'POST', '/config', { reauthIssuesCode: true });
  });

  afterAll(async () => {
    await t?.close();
    await sandbox?.close();
  });

  const exchanges = async (monoAccountId: string): Promise<number> =>
    (await sandboxCalls(sandbox, monoAccountId)).filter((c) => c.method === 'POST' && c.path === '/v2/accounts/auth' && c.status === 200)
      .length;

  const flag = async (accountId: string): Promise<boolean> =>
    (await dbQuery<{ reauth_required: boolean }>(t.databaseUrl, `SELECT reauth_required FROM bank_accounts WHERE id = $1`, [accountId]))[0]
      .reauth_required;

  /** A linked persona account the bank now asks to re-authorise, flagged at the engine by a real failed sync. */
  async function flaggedAccount(): Promise<LinkedBorrower> {
    const b = await linkPersonaBorrower(t, sandbox, 'salaried_monthly', { matchName: true });
    await sandboxAdmin(sandbox, 'POST', `/accounts/${b.sandboxAccountId}/require-reauth`, {});
    const res = await t.app.get(SyncService).requestSync(b.accountId, 'manual');
    expect(res.outcome).toBe('reauth_required');
    expect(await flag(b.accountId)).toBe(true);
    return b;
  }

  /** Opens the engine's reauth link and presses "Re-authorise" on the sandbox's hosted page; returns what it hands back. */
  async function reauthoriseOnHostedPage(b: LinkedBorrower): Promise<{ html: string; message: SandboxReauthMessage; reference: string }> {
    const link = await request(t.url)
      .post(`/v1/borrowers/${b.borrowerId}/reauth`)
      .set(t.auth('frontend'))
      .send({ accountId: b.accountId, redirectUrl: 'https://los.example.com/reauthorised' })
      .expect(200);
    const page = await fetch(link.body.monoUrl as string, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: '',
    });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('Re-authorised');
    const block = /<script type="application\/json" id="sandbox-consent">([^<]*)<\/script>/.exec(html);
    expect(block).not.toBeNull();
    const { message } = JSON.parse(block?.[1] ?? '{}') as { message: SandboxReauthMessage };
    return { html, message, reference: link.body.reference as string };
  }

  it('should hand a new code to the widget after the reauth, and the engine should confirm the reauth with it before any webhook', async () => {
    const b = await flaggedAccount();
    // Webhooks held back: the code is the only signal the engine gets that the reauth finished.
    sandbox.setWebhookTarget(null);
    const { html, message, reference } = await reauthoriseOnHostedPage(b);
    expect(message).toEqual({
      source: 'mono-sandbox',
      type: 'reauthorised',
      data: { ref: reference, code: expect.stringMatching(/^code_/) },
    });
    // The redirect back to the lender carries it too (sandbox-only; Mono documents no parameters).
    expect(html).toContain(`code=${message.data.code ?? ''}`);
    expect(await flag(b.accountId)).toBe(true);
    const exchangedBefore = await exchanges(b.monoAccountId); // the first link's

    const done = await request(t.url)
      .post(`/v1/borrowers/${b.borrowerId}/reauth/complete`)
      .set(t.auth('frontend'))
      .send({ accountId: b.accountId, code: message.data.code })
      .expect(200);
    expect(done.body).toEqual({ accountId: b.accountId, codeExchanged: true, reauthRequired: false });
    expect(await flag(b.accountId)).toBe(false);
    const sessions = await dbQuery<{ status: string }>(t.databaseUrl, `SELECT status FROM connect_sessions WHERE reference = $1`, [
      reference,
    ]);
    expect(sessions).toEqual([{ status: 'completed' }]);
    // The exchange reached Mono (the sandbox) and named the same account.
    expect(await exchanges(b.monoAccountId)).toBe(exchangedBefore + 1);

    // Single use, like a link code.
    const again = await request(t.url)
      .post(`/v1/borrowers/${b.borrowerId}/reauth/complete`)
      .set(t.auth('frontend'))
      .send({ accountId: b.accountId, code: message.data.code })
      .expect(400);
    expect(again.body.code).toBe('BAD_REQUEST');

    // The webhooks that follow (account_reauthorized, account_updated) agree; the account stays clear and syncs again.
    sandbox.setWebhookTarget(webhookTarget);
    await sandbox.deliverPendingWebhooks();
    await settleAccountWebhooks(t.app, sandbox, b.monoAccountId);
    expect(await flag(b.accountId)).toBe(false);
    expect((await t.app.get(SyncService).requestSync(b.accountId, 'manual')).outcome).toBe('succeeded');
  });

  it('should refuse a code that exchanges to another account, leaving the reauth open', async () => {
    const a = await flaggedAccount();
    const other = await linkPersonaBorrower(t, sandbox, 'salaried_monthly', { matchName: true });
    // The admin shortcut plays the other account's reauth and returns its widget code.
    const { code } = await sandboxAdmin<{ code: string | null }>(
      sandbox,
      'POST',
      `/accounts/${other.sandboxAccountId}/complete-reauth`,
      {},
    );
    expect(code).toMatch(/^code_/);
    const res = await request(t.url)
      .post(`/v1/borrowers/${a.borrowerId}/reauth/complete`)
      .set(t.auth('frontend'))
      .send({ accountId: a.accountId, code })
      .expect(409);
    expect(res.body).toMatchObject({ code: 'CONFLICT', message: expect.stringContaining('another Mono account') });
    expect(await flag(a.accountId)).toBe(true);
    // An account that is not the borrower's is a 404, whatever the code.
    await request(t.url)
      .post(`/v1/borrowers/${a.borrowerId}/reauth/complete`)
      .set(t.auth('frontend'))
      .send({ accountId: other.accountId })
      .expect(404);
    await settleAccountWebhooks(t.app, sandbox, other.monoAccountId);
  });

  it('should still finish a reauth without a code (reauthIssuesCode false): the webhook clears the flag', async () => {
    await sandboxAdmin(sandbox, 'POST', '/config', { reauthIssuesCode: false });
    expect(await sandboxAdmin<{ reauthIssuesCode: boolean }>(sandbox, 'GET', '/config')).toMatchObject({ reauthIssuesCode: false });
    const b = await flaggedAccount();
    sandbox.setWebhookTarget(null);
    const exchangedBefore = await exchanges(b.monoAccountId);
    const { message, html } = await reauthoriseOnHostedPage(b);
    expect(message.data.code).toBeNull();
    expect(html).not.toContain('code=');

    const early = await request(t.url)
      .post(`/v1/borrowers/${b.borrowerId}/reauth/complete`)
      .set(t.auth('frontend'))
      .send({ accountId: b.accountId })
      .expect(200);
    expect(early.body).toEqual({ accountId: b.accountId, codeExchanged: false, reauthRequired: true });
    expect(await exchanges(b.monoAccountId)).toBe(exchangedBefore); // nothing asked of Mono

    sandbox.setWebhookTarget(webhookTarget);
    await sandbox.deliverPendingWebhooks();
    await settleAccountWebhooks(t.app, sandbox, b.monoAccountId);
    const later = await request(t.url)
      .post(`/v1/borrowers/${b.borrowerId}/reauth/complete`)
      .set(t.auth('frontend'))
      .send({ accountId: b.accountId })
      .expect(200);
    expect(later.body).toEqual({ accountId: b.accountId, codeExchanged: false, reauthRequired: false });
  });
});
