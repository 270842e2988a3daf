import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ApplicationsWorker } from '../../src/applications/applications.worker.js';
import { createTestDatabase } from '../support/database.js';
import type { TestApp } from '../support/app.js';
import { monoEnv, startTestSandbox, type SandboxServer } from '../support/mono-kit.js';
import { ageAccounts, apply, dbQuery, getApplication, linkPersonaBorrower, startEngineOn, waitForStatus } from './applications.kit.js';

describe(`${ApplicationsWorker.name} (restart mid-flow)`, () => {
  let sandbox: SandboxServer;
  let db: { url: string; drop(): Promise<void> };
  const engines: TestApp[] = [];

  beforeAll(async () => {
    sandbox = await startTestSandbox({ jobDurationMs: 200 });
    db = await createTestDatabase();
  });

  afterAll(async () => {
    for (const e of engines) await e.close().catch(() => undefined);
    await sandbox?.close();
    await db?.drop();
  });

  const env = (): Record<string, string> =>
    monoEnv(sandbox, {
      JOBS_ENABLED: 'true',
      MONO_SYNC_STRATEGY: 'realtime',
      SYNC_MIN_INTERVAL_SECONDS: '60',
      APPLICATION_SYNC_DEADLINE_SECONDS: '60',
    });

  it('should resume every unfinished application in another engine instance on the same database', async () => {
    const first = await startEngineOn(db.url, env());
    engines.push(first);
    sandbox.setWebhookTarget(`${first.url}/webhooks/mono`);
    const borrowers = [await linkPersonaBorrower(first, sandbox), await linkPersonaBorrower(first, sandbox)];
    for (const b of borrowers) await ageAccounts(db.url, b.borrowerId);

    // Mono's answer (the job webhooks) is held back while the first instance runs: the applications wait in syncing.
    sandbox.setWebhookTarget(null);
    const ids = [await apply(first, borrowers[0].borrowerId), await apply(first, borrowers[1].borrowerId)];
    for (const id of ids) expect((await waitForStatus(first, id, ['syncing', 'decided', 'failed'])).status).toBe('syncing');
    await first.close();

    const second = await startEngineOn(db.url, env());
    engines.push(second);
    sandbox.setWebhookTarget(`${second.url}/webhooks/mono`);
    await sandbox.deliverPendingWebhooks();

    for (const [i, id] of ids.entries()) {
      const app = await waitForStatus(second, id, ['decided', 'failed'], 30_000);
      expect(app).toMatchObject({ status: 'decided', staleData: false });
      expect(app.accounts).toEqual([{ id: borrowers[i].accountId, syncStatus: 'fresh', reauthRequired: false }]);
    }
    const decisions = await dbQuery<{ n: string }>(db.url, `SELECT count(*) AS n FROM decisions WHERE application_id = ANY($1::uuid[])`, [
      ids,
    ]);
    expect(decisions[0].n).toBe('2');
    expect((await getApplication(second, ids[0])).decision).toBeDefined();
  });
});
