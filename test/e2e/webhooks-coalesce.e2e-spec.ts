import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { waitUntil } from '../../scripts/reliability/kit.js';
import { createTestDatabase } from '../support/database.js';
import type { TestApp } from '../support/app.js';
import { KIT_WEBHOOK_SECRET, monoEnv, sandboxAdmin, startTestSandbox, type SandboxServer } from '../support/mono-kit.js';
import { dbQuery, linkPersonaBorrower, startEngineOn, type LinkedBorrower } from './applications.kit.js';

/**
 * Issue 20: every `account_updated` webhook used to start its own full ingestion (2,064 webhooks for 20 accounts →
 * 1,916 ingestions). A backlog of webhooks for a few accounts — stored by an API-only instance, then worked by a
 * worker instance that starts afterwards — now costs at most two ingestions per account: the first, and at most one
 * trailing run for the events that reached the account while it ran; every later event is covered by an ingestion
 * that started after its webhook arrived. Nothing is lost: every event is processed and new bank activity is stored.
 */
describe('account_updated webhooks coalesced per account', () => {
  const ACCOUNTS = 4;
  const PER_ACCOUNT = 50;
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

  const env = (extra: Record<string, string> = {}): Record<string, string> => monoEnv(sandbox, { JOBS_ENABLED: 'true', ...extra });
  const runs = async (since: Date): Promise<Map<string, number>> =>
    new Map(
      (
        await dbQuery<{ account_id: string; n: string }>(
          db.url,
          `SELECT account_id, count(*) AS n FROM ingestion_runs WHERE started_at > $1 GROUP BY account_id`,
          [since],
        )
      ).map((r) => [r.account_id, Number(r.n)]),
    );

  it(`should work ${ACCOUNTS * PER_ACCOUNT} account_updated webhooks for ${ACCOUNTS} accounts with at most two ingestions per account`, async () => {
    const linker = await startEngineOn(db.url, env());
    engines.push(linker);
    sandbox.setWebhookTarget(`${linker.url}/webhooks/mono`);
    const linked: LinkedBorrower[] = [];
    for (let i = 0; i < ACCOUNTS; i++) linked.push(await linkPersonaBorrower(linker, sandbox));
    sandbox.setWebhookTarget(null);
    await linker.close();

    // New activity at the bank, then the burst, stored (not worked) by an API-only instance.
    for (const b of linked) {
      await sandboxAdmin(sandbox, 'POST', `/accounts/${b.sandboxAccountId}/transactions`, {
        transactions: [{ id: `burst-${b.sandboxAccountId}`, narration: 'POS PURCHASE BURST STORES', amount: 123_400, type: 'debit', date: new Date().toISOString() }],
      });
      // Mono's own (automatic) sync makes the new activity visible through the API; its webhook stays queued.
      await sandboxAdmin(sandbox, 'POST', `/accounts/${b.sandboxAccountId}/auto-sync`);
    }
    const intake = await startEngineOn(db.url, env({ WORKERS_ENABLED: 'false' }));
    engines.push(intake);
    const prefix = `coalesce-${randomBytes(4).toString('hex')}-`;
    const statuses = await Promise.all(
      linked.flatMap((b, a) =>
        Array.from({ length: PER_ACCOUNT }, (_, i) =>
          fetch(`${intake.url}/webhooks/mono`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'mono-webhook-secret': KIT_WEBHOOK_SECRET },
            body: JSON.stringify({
              event: 'mono.events.account_updated',
              event_id: `${prefix}${a}-${i}`,
              data: { account: { _id: b.monoAccountId }, meta: { data_status: 'AVAILABLE', auth_method: 'internet_banking', retrieved_data: ['balance', 'transactions'] } },
            }),
          }).then((r) => r.status),
        ),
      ),
    );
    expect(statuses.every((s) => s === 200)).toBe(true);
    await intake.close();
    const [{ at: burstStoredAt }] = await dbQuery<{ at: Date }>(db.url, `SELECT max(received_at) AS at FROM webhook_events WHERE provider_event_id LIKE $1`, [`${prefix}%`]);

    const worker = await startEngineOn(db.url, env());
    engines.push(worker);
    await waitUntil(
      async () => {
        const [{ n }] = await dbQuery<{ n: string }>(
          db.url,
          `SELECT count(*) AS n FROM webhook_events WHERE provider_event_id LIKE $1 AND status IN ('processed', 'ignored', 'failed')`,
          [`${prefix}%`],
        );
        return Number(n) === ACCOUNTS * PER_ACCOUNT ? true : null;
      },
      { timeoutMs: 120_000, intervalMs: 100, what: 'the webhook backlog worked' },
    );

    const byStatus = await dbQuery<{ status: string; n: string }>(
      db.url,
      `SELECT status, count(*) AS n FROM webhook_events WHERE provider_event_id LIKE $1 GROUP BY status`,
      [`${prefix}%`],
    );
    expect(byStatus).toEqual([{ status: 'processed', n: String(ACCOUNTS * PER_ACCOUNT) }]);
    const perAccount = await runs(burstStoredAt);
    expect([...perAccount.keys()].sort()).toEqual(linked.map((b) => b.accountId).sort());
    for (const n of perAccount.values()) expect(n).toBeLessThanOrEqual(2);
    // The new activity reached every account.
    const stored = await dbQuery<{ n: string }>(
      db.url,
      `SELECT count(*) AS n FROM bank_transactions WHERE provider_txn_id LIKE 'burst-%' AND account_id = ANY($1::uuid[])`,
      [linked.map((b) => b.accountId)],
    );
    expect(Number(stored[0].n)).toBe(ACCOUNTS);
    process.stdout.write(`${JSON.stringify({ webhooks: ACCOUNTS * PER_ACCOUNT, accounts: ACCOUNTS, ingestions: [...perAccount.values()].reduce((a, b) => a + b, 0) })}\n`);
  });
});
