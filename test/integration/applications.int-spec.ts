import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { ApplicationAccountEntity } from '../../src/applications/application-account.entity.js';
import { IllegalTransitionError } from '../../src/applications/application-status.js';
import { ApplicationsRepository } from '../../src/applications/applications.repository.js';
import { APPLICATION_QUEUE } from '../../src/applications/applications.worker.js';
import { LoanApplicationEntity } from '../../src/applications/loan-application.entity.js';
import { AppConfig } from '../../src/config/app-config.js';
import { dataSourceOptions } from '../../src/database/data-source-options.js';
import { JOBS_SCHEMA, JobsService } from '../../src/jobs/jobs.service.js';
import { createTestDatabase } from '../support/database.js';

describe(ApplicationsRepository.name, () => {
  let db: { url: string; drop(): Promise<void> };
  let ds: DataSource;
  let repo: ApplicationsRepository;
  let borrowerId: string;
  let apiKeyId: string;
  let accountId: string;
  const now = new Date('2026-03-20T09:00:00Z');

  beforeAll(async () => {
    db = await createTestDatabase();
    ds = new DataSource(dataSourceOptions(db.url, { poolSize: 6 }));
    await ds.initialize();
    repo = new ApplicationsRepository(ds, ds.getRepository(LoanApplicationEntity), ds.getRepository(ApplicationAccountEntity));
    [{ id: borrowerId }] = await ds.query<Array<{ id: string }>>(
      `INSERT INTO borrowers (external_id, full_name, email) VALUES ('int-1', 'A B', 'a@b.co') RETURNING id`,
    );
    [{ id: apiKeyId }] = await ds.query<Array<{ id: string }>>(
      `INSERT INTO api_keys (name, role, key_hash, key_prefix) VALUES ('k', 'frontend', repeat('a', 64), 'aaaa') RETURNING id`,
    );
    [{ id: accountId }] = await ds.query<Array<{ id: string }>>(
      `INSERT INTO bank_accounts (borrower_id, mono_account_id) VALUES ($1, 'mono-int-1') RETURNING id`,
      [borrowerId],
    );
  });

  afterAll(async () => {
    await ds.destroy();
    await db.drop();
  });

  const insert = (key: string, hash = 'h'.repeat(64)) =>
    ds.transaction((m) =>
      repo.insertUnlessKeyTaken(m, {
        borrowerId,
        apiKeyId,
        idempotencyKey: key,
        requestHash: hash,
        amountMinor: 1_000_000,
        currency: 'NGN',
        tenorMonths: 3,
        purpose: null,
        now,
      }),
    );

  it('should insert once per (api key, idempotency key), even concurrently', async () => {
    const results = await Promise.all(Array.from({ length: 6 }, () => insert('same-key')));
    expect(results.filter((r) => r !== null)).toHaveLength(1);
    expect(results.find((r) => r !== null)).toMatchObject({ status: 'received', amountMinor: 1_000_000, idempotencyKey: 'same-key' });
  });

  it('should queue at most one waiting step per application, even concurrently (stately queue keyed by application)', async () => {
    const jobs = new JobsService(ds, AppConfig.forTest({ WORKERS_ENABLED: 'false' }));
    try {
      const a = (await insert('step-a'))!;
      const b = (await insert('step-b'))!;
      const step = (id: string) => jobs.send(APPLICATION_QUEUE, { applicationId: id }, { singletonKey: id });
      const sent = await Promise.all([step(a.id), step(a.id), step(a.id), step(b.id)]);
      expect(sent.slice(0, 3).filter((id) => id !== null)).toHaveLength(1);
      expect(sent[3]).toEqual(expect.any(String));
      const queued = await ds.query<Array<{ key: string; n: string }>>(
        `SELECT singleton_key AS key, count(*) AS n FROM ${JOBS_SCHEMA}.job WHERE name = $1 GROUP BY singleton_key ORDER BY 1`,
        [APPLICATION_QUEUE],
      );
      expect(queued).toEqual(expect.arrayContaining([{ key: a.id, n: '1' }, { key: b.id, n: '1' }]));
      expect(await repo.openIds()).toEqual(expect.arrayContaining([a.id, b.id]));
    } finally {
      await jobs.onModuleDestroy();
    }
  });

  it('should move an application only from the expected status, and refuse moves outside the table', async () => {
    const app = (await insert('transition'))!;
    const first = await ds.transaction((m) => repo.transition(m, app.id, 'received', 'syncing', now, { statusReason: 'sync_requested' }));
    const second = await ds.transaction((m) => repo.transition(m, app.id, 'received', 'scoring', now));
    expect([first, second]).toEqual([true, false]);
    await expect(ds.transaction((m) => repo.transition(m, app.id, 'syncing', 'decided', now))).rejects.toThrow(IllegalTransitionError);
    expect((await repo.findById(app.id))!.status).toBe('syncing');
  });

  it('should move account waits on events only from the given statuses and report the applications touched', async () => {
    const app = (await insert('waits'))!;
    await ds.transaction((m) =>
      repo.saveAccountWaits(
        m,
        app.id,
        [{ accountId, syncStatus: 'syncing', syncRunId: null, syncOutcome: 'requested', requestedAt: now }],
        now,
      ),
    );
    expect(await repo.updateWaitsForAccount(accountId, ['reauth_required'], 'syncing', now)).toEqual([]);
    expect(await repo.updateWaitsForAccount(accountId, ['awaiting_data', 'syncing'], 'fresh', now)).toContain(app.id);
    const [wait] = await repo.findAccountWaits(app.id);
    expect(wait).toMatchObject({ syncStatus: 'fresh', freshAt: now });
    // Idempotent: the same event again touches nothing.
    expect(await repo.updateWaitsForAccount(accountId, ['awaiting_data', 'syncing'], 'fresh', now)).not.toContain(app.id);
  });

  it('should refuse a decided application without a decision (database constraint)', async () => {
    const app = (await insert('constraint'))!;
    await expect(ds.query(`UPDATE loan_applications SET status = 'decided' WHERE id = $1`, [app.id])).rejects.toThrow(/check constraint/);
  });
});
