import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestDatabase } from '../support/database.js';
import type { TestApp } from '../support/app.js';
import { KIT_WEBHOOK_SECRET, monoEnv, settleAccountWebhooks, startTestSandbox, type SandboxServer } from '../support/mono-kit.js';
import { apply, dbQuery, getApplication, linkPersonaBorrower, startEngineOn, waitForStatus } from './applications.kit.js';

/**
 * The deployment of docs/scaling.md: an API-only instance (WORKERS_ENABLED=false) stores applications and webhooks
 * and answers; a worker instance on the same database does the work. Without the worker nothing moves.
 */
describe('API-only instance beside a worker instance', () => {
  let sandbox: SandboxServer;
  let db: { url: string; drop(): Promise<void> };
  const engines: TestApp[] = [];

  beforeAll(async () => {
    sandbox = await startTestSandbox();
    db = await createTestDatabase();
  });

  afterAll(async () => {
    for (const e of engines) await e.close().catch(() => undefined);
    await sandbox?.close();
    await db?.drop();
  });

  const inbox = async (): Promise<Record<string, string>> =>
    Object.fromEntries(
      (await dbQuery<{ status: string; n: string }>(db.url, `SELECT status, count(*) AS n FROM webhook_events GROUP BY status`)).map(
        (r) => [r.status, r.n],
      ),
    );

  it('should store and answer on the API instance and leave every step to the worker instance', async () => {
    // A worker instance links the borrower first (first ingestion through the inbox), then stops.
    const setup = await startEngineOn(db.url, monoEnv(sandbox, { JOBS_ENABLED: 'true' }));
    engines.push(setup);
    sandbox.setWebhookTarget(`${setup.url}/webhooks/mono`);
    const borrower = await linkPersonaBorrower(setup, sandbox);
    await setup.close();

    const api = await startEngineOn(db.url, monoEnv(sandbox, { JOBS_ENABLED: 'true', WORKERS_ENABLED: 'false' }));
    engines.push(api);
    sandbox.setWebhookTarget(`${api.url}/webhooks/mono`);
    const id = await apply(api, borrower.borrowerId);
    const webhook = await fetch(`${api.url}/webhooks/mono`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'mono-webhook-secret': KIT_WEBHOOK_SECRET },
      body: JSON.stringify({
        event: 'mono.events.split_spec_unknown',
        event_id: `split-${id}`,
        data: { account: { _id: borrower.monoAccountId } },
      }),
    });
    expect(webhook.status).toBe(200);
    // The API instance registers no worker (WORKERS_ENABLED=false): the application and the webhook are stored with
    // their jobs, queued and untouched, until a worker instance starts.
    expect((await getApplication(api, id)).status).toBe('received');
    expect((await inbox()).pending).toBe('1');
    const queued = await dbQuery<{ name: string; state: string }>(
      db.url,
      `SELECT name, state FROM pgboss.job WHERE (name = 'application-step' AND singleton_key = $1) OR (name = 'webhook-inbox' AND id = (SELECT id FROM webhook_events WHERE provider_event_id = $2))`,
      [id, `split-${id}`],
    );
    expect(queued.map((j) => `${j.name}:${j.state}`).sort()).toEqual(['application-step:created', 'webhook-inbox:created']);

    const worker = await startEngineOn(db.url, monoEnv(sandbox, { JOBS_ENABLED: 'true' }));
    engines.push(worker);
    const decided = await waitForStatus(api, id, ['decided', 'failed'], { events: worker });
    expect(decided.status).toBe('decided');
    expect(decided.decision).toMatchObject({ applicationId: id, trigger: 'application' });
    // The worker also settles the inbox (the webhook stored by the API instance, and any trailing link webhooks).
    await settleAccountWebhooks(worker.app, sandbox, borrower.monoAccountId);
    const settled = await inbox();
    expect([settled.pending, settled.processing]).toEqual([undefined, undefined]);
  });
});
