import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ApplicationFlowService } from '../../src/applications/application-flow.service.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { monoEnv, sandboxAdmin, startTestSandbox, type SandboxServer } from '../support/mono-kit.js';
import { ageAccounts, apply, linkPersonaBorrower, waitForStatus } from './applications.kit.js';

interface DecisionBody {
  decision: string;
  recommendedLimit: number;
  reasons: Array<{ code: string }>;
  flags: string[];
}

/** The stale-data cap of the default policy (src/scoring/policy/default-policy.json → staleData.limitCapMinor). */
const STALE_CAP = 5_000_000;

describe.each(['decide_stale', 'refer'] as const)(`${ApplicationFlowService.name} (fresh data does not arrive, policy %s)`, (policy) => {
  let sandbox: SandboxServer;
  let t: TestApp;

  beforeAll(async () => {
    // Jobs that stay `processing` until their webhook: nothing completes a sync without webhooks.
    sandbox = await startTestSandbox({ jobDurationMs: 60_000 });
    // Real-time sync: the job completes by webhook, so holding webhooks back means the data never arrives.
    t = await createTestApp(
      monoEnv(sandbox, {
        JOBS_ENABLED: 'true',
        MONO_SYNC_STRATEGY: 'realtime',
        SYNC_MIN_INTERVAL_SECONDS: '60',
        APPLICATION_SYNC_DEADLINE_SECONDS: '2',
        APPLICATION_STALE_POLICY: policy,
        MONO_MAX_RETRIES: '1',
      }),
      { listen: true },
    );
    sandbox.setWebhookTarget(`${t.url}/webhooks/mono`);
  });

  afterAll(async () => {
    await t?.close();
    await sandbox?.close();
  });

  const expectStale = (app: Record<string, unknown>): void => {
    expect(app.staleData).toBe(true);
    const decision = app.decision as DecisionBody;
    expect(decision.reasons.map((r) => r.code)).toContain('STALE_DATA');
    expect(decision.flags).toContain('stale_data');
    expect(decision.recommendedLimit).toBeLessThanOrEqual(STALE_CAP);
    if (policy === 'refer') expect(decision.decision).toBe('refer');
  };

  it('should decide on cached data when the deadline passes', async () => {
    const b = await linkPersonaBorrower(t, sandbox);
    await ageAccounts(t.databaseUrl, b.borrowerId);
    sandbox.setWebhookTarget(null);
    try {
      const id = await apply(t, b.borrowerId);
      const app = await waitForStatus(t, id, ['decided', 'failed']);
      expectStale(app);
      expect(app.accounts).toEqual([{ id: b.accountId, syncStatus: 'timed_out', reauthRequired: false }]);
    } finally {
      sandbox.setWebhookTarget(`${t.url}/webhooks/mono`);
    }
  });

  it('should decide on cached data when the sync fails', async () => {
    const b = await linkPersonaBorrower(t, sandbox);
    await ageAccounts(t.databaseUrl, b.borrowerId);
    await sandboxAdmin(sandbox, 'POST', '/faults', { errorRate: 1 });
    try {
      const id = await apply(t, b.borrowerId);
      const app = await waitForStatus(t, id, ['decided', 'failed']);
      expectStale(app);
      expect(app.accounts).toEqual([{ id: b.accountId, syncStatus: 'failed', reauthRequired: false }]);
    } finally {
      await sandboxAdmin(sandbox, 'DELETE', '/faults');
    }
  });
});
