import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DataSource } from 'typeorm';
import { createEngineApp } from '../../src/bootstrap.js';
import { AppConfig } from '../../src/config/app-config.js';
import { ScoringService } from '../../src/scoring/scoring.service.js';
import { JOBS_SCHEMA } from '../../src/jobs/jobs.service.js';
import { ReunderwriteJob } from '../../src/underwriting/reunderwrite.job.js';
import { ReunderwritingService } from '../../src/underwriting/reunderwriting.service.js';
import { createTestDatabase } from '../support/database.js';
import { seedSalariedBorrower } from './underwriting-fixtures.js';

/**
 * Issue 9 "Several instances", quick form: three engine instances (whole apps, jobs on) on one database. All three
 * register the pg-boss schedule (one schedule row); the cron job is delivered on all three at the same moment (more
 * than pg-boss ever sends for one occurrence): one cycle is created, the other ticks resume it or are skipped; the
 * three instances work its review jobs; every review item is done exactly once and every borrower gets exactly one
 * scheduled decision. `npm run scale-out` does the same with processes and measures throughput.
 */
describe(`${ReunderwriteJob.name} on several instances`, () => {
  const BORROWERS = 30;
  let db: { url: string; drop(): Promise<void> };
  const apps: NestExpressApplication[] = [];
  let ds: DataSource;

  beforeAll(async () => {
    db = await createTestDatabase();
    // Budget 0: the cycle never calls Mono (it scores the data it has), so no sandbox is needed; Mono points nowhere.
    const config = AppConfig.forTest({
      LOG_LEVEL: 'silent',
      JOBS_ENABLED: 'true',
      REUNDERWRITE_CRON: '0 0 1 1 *',
      REUNDERWRITE_SYNC_BUDGET: '0',
      REVIEW_MAX_AGE_DAYS: '30',
      MONO_BASE_URL: 'http://127.0.0.1:9',
      MONO_SECRET_KEY: 'test_sk_nowhere_0123456789',
      MONO_WEBHOOK_SECRET: 'nowhere-webhook-secret-0123',
    });
    for (let i = 0; i < 3; i++) {
      const app = await createEngineApp({ config, databaseUrl: db.url, bufferLogs: true });
      await app.init();
      apps.push(app);
    }
    ds = apps[0].get(DataSource);
    for (let i = 0; i < BORROWERS; i++) {
      const { borrowerId } = await seedSalariedBorrower(ds, i);
      await apps[i % 3].get(ScoringService).scoreBorrower(borrowerId, { trigger: 'application', actor: 'test', asOf: new Date() });
    }
    // New data since every origination decision: every approved borrower is due.
    await ds.query(`UPDATE bank_accounts SET last_ingested_at = now() + interval '1 second'`);
  }, 300_000);

  afterAll(async () => {
    for (const app of apps) await app.close().catch(() => undefined);
    await db?.drop();
  });

  it('should run the scheduler once and do every review item exactly once across three instances', async () => {
    const due = Number(
      (
        await ds.query<Array<{ n: string }>>(
          `SELECT count(DISTINCT borrower_id) AS n FROM decisions WHERE trigger = 'application' AND decision = 'approve'`,
        )
      )[0].n,
    );
    expect(due).toBeGreaterThan(BORROWERS / 2);

    expect(await ds.query(`SELECT name, timezone FROM ${JOBS_SCHEMA}.schedule WHERE name = 'reunderwrite-cycle'`)).toEqual([{ name: 'reunderwrite-cycle', timezone: 'Africa/Lagos' }]);
    // The cron tick, on every instance at once (three jobs; each instance's handler runs one).
    const finished = new Map<string, number>();
    for (const app of apps) app.get(ReunderwritingService).onItemFinished((id) => finished.set(id, (finished.get(id) ?? 0) + 1));
    const outcomes = await Promise.all(apps.map((app) => app.get(ReunderwriteJob).run()));
    const cycles = await ds.query<Array<{ id: string }>>(`SELECT id FROM review_cycles`);
    expect(cycles).toHaveLength(1);
    const cycle = cycles[0].id;
    const progress = await Promise.race(apps.map((app) => app.get(ReunderwritingService).waitForCycle(cycle)));
    expect(progress.status).toBe('completed');

    expect(outcomes.every((o) => o === 'succeeded' || o === 'skipped')).toBe(true);
    const jobRuns = await ds.query<Array<{ status: string; resumed: boolean | null }>>(
      `SELECT status, (details->>'resumed')::boolean AS resumed FROM job_runs WHERE job_name = 'reunderwrite'`,
    );
    expect(jobRuns.filter((r) => r.status === 'succeeded' && r.resumed === false)).toHaveLength(1);
    expect(await ds.query(`SELECT status FROM review_cycles`)).toEqual([{ status: 'completed' }]);
    expect(finished.size).toBe(due);
    expect([...finished.values()].every((n) => n === 1)).toBe(true);
    const items = await ds.query<Array<{ status: string; attempts: number; n: string }>>(
      `SELECT status, attempts, count(*) AS n FROM review_items WHERE cycle_id = $1 GROUP BY status, attempts`,
      [cycle],
    );
    expect(items).toEqual([{ status: 'done', attempts: 1, n: String(due) }]);
    const perBorrower = await ds.query<Array<{ n: string; c: string }>>(
      `SELECT n, count(*) AS c FROM (SELECT borrower_id, count(*) AS n FROM decisions WHERE trigger = 'scheduled' GROUP BY borrower_id) x GROUP BY n`,
    );
    expect(perBorrower).toEqual([{ n: '1', c: String(due) }]);
    const linked = Number(
      (await ds.query<Array<{ n: string }>>(`SELECT count(*) AS n FROM review_items i JOIN decisions d ON d.id = i.decision_id WHERE d.trigger = 'scheduled'`))[0].n,
    );
    expect(linked).toBe(due);
  }, 300_000);
});
