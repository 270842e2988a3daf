import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { ConsentLifecycleService } from '../../src/consents/consent-lifecycle.service.js';
import { JobsService } from '../../src/jobs/jobs.service.js';
import { SyncService } from '../../src/mono/sync.service.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { TEST_NOTICE_VERSION } from '../support/consent-kit.js';
import { monoEnv, sandboxAdmin, sandboxCalls, startTestSandbox, type SandboxServer } from '../support/mono-kit.js';
import { ShiftedClock } from '../support/shifted-clock.js';
import { apply, linkPersonaBorrower, waitForStatus } from './applications.kit.js';

const DAY = 86_400_000;

/**
 * The consent lifecycle and retention jobs (docs/privacy.md): `consent.expiring` once before an expiry, an expiry
 * handled like a revocation (audited, announced, the uncovered account unlinked at Mono, retried while Mono fails),
 * and the retention purge of a borrower whose last need ended RETENTION_PERIOD_DAYS ago, run as its pg-boss job.
 * Time moves only through the injected clock.
 */
describe('consent lifecycle and retention (HTTP, sandbox Mono, injected clock)', () => {
  const clock = new ShiftedClock();
  let sandbox: SandboxServer;
  let t: TestApp;
  let ds: DataSource;
  let lifecycle: ConsentLifecycleService;
  const api = () => request(t.url);
  const grant = (borrowerId: string, body: Record<string, unknown>) =>
    api()
      .post(`/v1/borrowers/${borrowerId}/consents`)
      .set(t.auth('frontend'))
      .send({ noticeVersion: TEST_NOTICE_VERSION, channel: 'web', ...body })
      .expect(201);
  // Events of one sweep share a transaction, so created_at ties: the sweep's own order (soonest expiry first) breaks them.
  const outbox = (type: string, borrowerId: string) =>
    ds.query<Array<{ payload: Record<string, unknown> }>>(
      `SELECT payload FROM outbox_events WHERE event_type = $1 AND aggregate_id = $2 ORDER BY created_at, payload->>'expiresAt', payload->>'consentId'`,
      [type, borrowerId],
    );
  const unlinkCalls = async (monoAccountId: string) =>
    (await sandboxCalls(sandbox, monoAccountId)).filter((c) => c.method === 'POST' && c.path.endsWith('/unlink'));

  beforeAll(async () => {
    sandbox = await startTestSandbox();
    t = await createTestApp(
      monoEnv(sandbox, {
        RETENTION_PERIOD_DAYS: '30',
        CONSENT_EXPIRING_NOTICE_DAYS: '14',
        MONO_MAX_RETRIES: '0',
        MONO_CIRCUIT_THRESHOLD: '1000',
      }),
      { listen: true, clock },
    );
    sandbox.setWebhookTarget(`${t.url}/webhooks/mono`);
    ds = t.app.get(DataSource);
    lifecycle = t.app.get(ConsentLifecycleService);
  });

  // A failed step must not leave Mono failing for the next test.
  afterEach(async () => {
    await sandboxAdmin(sandbox, 'DELETE', '/faults');
  });

  afterAll(async () => {
    sandbox?.setWebhookTarget(null);
    await t?.close();
    await sandbox?.close();
  });

  it('should announce an expiry once, handle it like a revocation, and retry the unlink until Mono answers', async () => {
    const b = await linkPersonaBorrower(t, sandbox, 'salaried_monthly', { consent: false });
    const at = (days: number) => new Date(clock.now().getTime() + days * DAY).toISOString();
    const monitoring = (await grant(b.borrowerId, { purpose: 'monitoring', expiresAt: at(5) })).body.id as string;
    const underwriting = (await grant(b.borrowerId, { purpose: 'underwriting', expiresAt: at(10) })).body.id as string;
    // A far expiry (30 days) is not announced yet.
    await grant(b.borrowerId, { purpose: 'underwriting', expiresAt: at(30) }).then((r) =>
      api().post(`/v1/consents/${r.body.id}/revoke`).set(t.auth('frontend')).send({}).expect(200),
    );

    expect(await lifecycle.sweep()).toMatchObject({ expiringNotified: 2, expired: 0, unlinked: 0 });
    const expiring = await outbox('consent.expiring', b.borrowerId);
    expect(expiring.map((e) => [e.payload.consentId, e.payload.purpose, e.payload.daysLeft])).toEqual([
      [monitoring, 'monitoring', 5],
      [underwriting, 'underwriting', 10],
    ]);
    // Once per consent.
    expect(await lifecycle.sweep()).toMatchObject({ expiringNotified: 0, expired: 0 });
    expect(await outbox('consent.expiring', b.borrowerId)).toHaveLength(2);

    // Monitoring expires: audited and announced; the account stays linked (underwriting still covers it).
    clock.advance(6 * DAY);
    expect(await lifecycle.sweep()).toMatchObject({ expired: 1, unlinked: 0, unlinkFailures: 0 });
    expect((await outbox('consent.expired', b.borrowerId)).map((e) => e.payload.consentId)).toEqual([monitoring]);
    expect(await ds.query(`SELECT actor, reason FROM audit_log WHERE action = 'consent.expired' AND entity_id = $1`, [monitoring])).toEqual(
      [{ actor: 'system:consent-expiry', reason: 'the consent reached its expiry' }],
    );
    await expect(t.app.get(SyncService).requestSync(b.accountId, 'scheduled')).rejects.toMatchObject({ code: 'CONSENT_REQUIRED' });
    expect(await unlinkCalls(b.monoAccountId)).toEqual([]);

    // Underwriting expires while Mono fails: the expiry is handled, the unlink fails and is left for the next sweep.
    await sandboxAdmin(sandbox, 'POST', '/faults', { errorRate: 1 });
    clock.advance(5 * DAY);
    expect(await lifecycle.sweep()).toMatchObject({ expired: 1, unlinked: 0, unlinkFailures: 1 });
    const [linked] = await ds.query<Array<{ unlinked_at: Date | null }>>(`SELECT unlinked_at FROM bank_accounts WHERE id = $1`, [
      b.accountId,
    ]);
    expect(linked.unlinked_at).toBeNull();
    await expect(t.app.get(SyncService).requestSync(b.accountId, 'manual')).rejects.toMatchObject({ code: 'CONSENT_REQUIRED' });

    // Mono is back: the next sweep unlinks it (once), audited as the lifecycle's.
    await sandboxAdmin(sandbox, 'DELETE', '/faults');
    expect(await lifecycle.sweep()).toMatchObject({ expired: 0, unlinked: 1, unlinkFailures: 0 });
    expect(await lifecycle.sweep()).toMatchObject({ unlinked: 0, unlinkFailures: 0 });
    // The call log: the failed attempt, then the one that worked; nothing after.
    expect((await unlinkCalls(b.monoAccountId)).map((c) => c.status)).toEqual([504, 200]);
    expect(await ds.query(`SELECT actor FROM audit_log WHERE action = 'account.unlinked' AND entity_id = $1`, [b.accountId])).toEqual([
      { actor: 'system:consent-lifecycle' },
    ]);
    const list = await api().get(`/v1/borrowers/${b.borrowerId}/consents`).set(t.auth('frontend')).expect(200);
    expect(list.body.items.map((c: { status: string }) => c.status).sort()).toEqual(['expired', 'expired', 'revoked']);
  });

  it('should not announce an expiry a newer consent of the same purpose already replaces', async () => {
    const b = await linkPersonaBorrower(t, sandbox, 'salaried_monthly', { consent: false });
    await grant(b.borrowerId, { purpose: 'underwriting' });
    await grant(b.borrowerId, { purpose: 'monitoring', expiresAt: new Date(clock.now().getTime() + 3 * DAY).toISOString() });
    await grant(b.borrowerId, { purpose: 'monitoring' }); // renewed: CONSENT_MONITORING_MONTHS from now
    expect(await lifecycle.sweep()).toMatchObject({ expiringNotified: 0, expiringSuperseded: 1 });
    expect(await outbox('consent.expiring', b.borrowerId)).toEqual([]);
  });

  it('should purge a borrower’s personal data by the retention job once the period after the last need has passed', async () => {
    const e = await linkPersonaBorrower(t, sandbox);
    const app = await waitForStatus(t, await apply(t, e.borrowerId, { amount: 5_000_000 }), ['decided']);
    const consents = (await api().get(`/v1/borrowers/${e.borrowerId}/consents`).set(t.auth('frontend')).expect(200)).body.items as Array<{
      id: string;
      purpose: string;
    }>;
    const underwritingId = consents.find((c) => c.purpose === 'underwriting')!.id;
    // The decision records the consent its data was held under.
    const [decision] = await ds.query<Array<{ id: string; consents: unknown; reasons: unknown[] }>>(
      `SELECT id, consents, reasons FROM decisions WHERE application_id = $1`,
      [app.id],
    );
    expect(decision.consents).toEqual([{ accountId: e.accountId, consentId: underwritingId, purpose: 'underwriting' }]);

    // Still consented: nothing to purge however late it is.
    clock.advance(40 * DAY);
    expect((await lifecycle.purgeExpiredRetention()).purged).not.toContain(e.borrowerId);
    for (const c of consents)
      await api().post(`/v1/consents/${c.id}/revoke`).set(t.auth('frontend')).send({ reason: 'closing my account' }).expect(200);
    // The need ended now: not before RETENTION_PERIOD_DAYS (30) have passed.
    clock.advance(29 * DAY);
    expect((await lifecycle.purgeExpiredRetention()).purged).not.toContain(e.borrowerId);
    clock.advance(2 * DAY);

    // The purge as the scheduler runs it: one retention-sweep job on pg-boss.
    const jobs = t.app.get(JobsService);
    const settled = jobs.waitFor('retention-sweep');
    await jobs.send('retention-sweep', {});
    expect(await settled).toMatchObject({ ok: true });

    const [borrower] = await ds.query<Array<{ full_name: string; erased_at: Date | null; erasure_basis: string | null }>>(
      `SELECT full_name, erased_at, erasure_basis FROM borrowers WHERE id = $1`,
      [e.borrowerId],
    );
    expect(borrower).toEqual({ full_name: 'Erased borrower', erased_at: expect.any(Date), erasure_basis: 'retention' });
    expect(await ds.query(`SELECT count(*)::int AS n FROM bank_transactions WHERE account_id = $1`, [e.accountId])).toEqual([{ n: 0 }]);
    const [kept] = await ds.query<Array<{ reasons: unknown[] }>>(`SELECT reasons FROM decisions WHERE id = $1`, [decision.id]);
    expect(kept.reasons).toHaveLength(decision.reasons.length);
    expect(
      await ds.query(`SELECT actor, reason FROM audit_log WHERE action = 'borrower.erased' AND entity_id = $1`, [e.borrowerId]),
    ).toEqual([{ actor: 'system:retention', reason: expect.stringContaining('retention period of 30 days ended') }]);
    expect((await outbox('borrower.erased', e.borrowerId)).map((x) => x.payload.basis)).toEqual(['retention']);
    // Idempotent: an erased borrower is never a candidate again.
    expect((await lifecycle.purgeExpiredRetention()).purged).not.toContain(e.borrowerId);
  });
});
