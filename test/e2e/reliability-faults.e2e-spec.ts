import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { FAULT_ENGINE_ENV, runFaultScenario, type FaultRunResult } from '../../scripts/reliability/fault-scenario.js';
import { engineClient } from '../../scripts/reliability/kit.js';
import { createTestApp, TEST_KEYS, type TestApp } from '../support/app.js';
import { monoEnv, startTestSandbox, type SandboxServer } from '../support/mono-kit.js';

/**
 * Issue 9 "Faults and crashes", first half, at CI size: every Mono fault on, borrowers link, apply and are
 * re-underwritten; the engine's retries, inbox and workers must end every application decided or waiting for reauth,
 * and the stored transactions equal the sandbox's. `npm run reliability:faults -- --borrowers 200` is the full run.
 */
describe(`${runFaultScenario.name} (e2e)`, () => {
  let sandbox: SandboxServer;
  let t: TestApp;

  beforeAll(async () => {
    sandbox = await startTestSandbox({ webhookDelayMs: [0, 40], linkProcessingMs: [10, 60], jobDurationMs: 50 });
    t = await createTestApp(monoEnv(sandbox, { ...FAULT_ENGINE_ENV, LOG_LEVEL: 'error' }), { listen: true });
    sandbox.setWebhookTarget(`${t.url}/webhooks/mono`);
  }, 120_000);

  afterAll(async () => {
    sandbox?.setWebhookTarget(null);
    await t?.close();
    await sandbox?.close();
  });

  it('should end every application decided or waiting for reauth, with exactly the bank transactions, despite faults', async () => {
    const result: FaultRunResult = await runFaultScenario({
      engine: engineClient(t.url, TEST_KEYS),
      databaseUrl: t.databaseUrl,
      sandboxUrl: sandbox.url,
      borrowers: 24,
      mfaEvery: 6,
      concurrency: 6,
      seed: 9,
      phaseTimeoutMs: 150_000,
    });

    expect(result.applications.unexpected).toEqual([]);
    expect(result.applications.total).toBe(24);
    expect(result.applications.decided + result.applications.reauthRequired).toBe(24);
    expect(result.applications.reauthRequired + result.applications.mfaDecidedStale).toBe(4);
    expect(result.applicationDecisions.maxPerApplication).toBe(1);
    expect(result.applicationDecisions.applications).toBe(result.applications.decided);

    expect(result.cycle.status).toBe('completed');
    // Every approved borrower (with new data since) is reviewed in the cycle.
    expect(result.scheduledDecisions.reviewItems).toBe(result.applicationDecisions.outcomes.approve);
    expect(result.scheduledDecisions.itemsDone).toBe(result.scheduledDecisions.reviewItems);
    expect(result.scheduledDecisions.borrowers).toBe(result.scheduledDecisions.reviewItems);
    expect(result.scheduledDecisions.maxPerBorrower).toBe(1);

    expect(result.groundTruth.mismatches).toEqual([]);
    expect(result.groundTruth.transactions).toBeGreaterThan(24 * 20);
    expect(result.webhooks.inbox.pending ?? 0).toBe(0);
    expect(result.webhooks.inbox.failed ?? 0).toBe(0);

    // The faults really happened (each kind at least once), so the outcome above is the engine's doing.
    expect(Object.keys(result.faults.byKind).length).toBeGreaterThanOrEqual(4);
    expect(result.webhooks.duplicatesSent).toBeGreaterThan(0);
    process.stdout.write(`fault run (e2e): ${JSON.stringify({ ...result, phasesMs: result.phasesMs })}\n`);
  }, 600_000);
});
