import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { JobsService } from '../../src/jobs/jobs.service.js';
import { ScoringService } from '../../src/scoring/scoring.service.js';
import { ReunderwriteJob } from '../../src/underwriting/reunderwrite.job.js';
import { ReunderwritingService } from '../../src/underwriting/reunderwriting.service.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { seedSalariedBorrower } from '../integration/underwriting-fixtures.js';

/** The cycle as the admin API reports it once the job system completed it (awaited, never polled). */
async function waitForCycle(t: TestApp, cycleId: string): Promise<Record<string, unknown>> {
  await t.app.get(ReunderwritingService).waitForCycle(cycleId);
  const res = await request(t.app.getHttpServer()).get(`/v1/admin/reunderwrite/${cycleId}`).set(t.auth('admin')).expect(200);
  return res.body as Record<string, unknown>;
}

describe('re-underwriting admin API (HTTP)', () => {
  let t: TestApp;
  let ds: DataSource;
  const borrowers: string[] = [];

  beforeAll(async () => {
    // Budget 0: reviews run on cached data (no Mono in this suite). Jobs on: the reviews are pg-boss jobs.
    t = await createTestApp({ REUNDERWRITE_SYNC_BUDGET: '0', JOBS_ENABLED: 'true', REUNDERWRITE_CRON: '0 2 1 1 *' });
    ds = t.app.get(DataSource);
    for (let i = 0; i < 3; i++) {
      const { borrowerId } = await seedSalariedBorrower(ds, i);
      await t.app.get(ScoringService).scoreBorrower(borrowerId, { trigger: 'application', actor: 'test' });
      borrowers.push(borrowerId);
    }
    // New data ingested after the origination decision makes each borrower due.
    await ds.query(`UPDATE bank_accounts SET last_ingested_at = now() + interval '1 second'`);
  });

  afterAll(async () => {
    await t.close();
  });

  it('should start a cycle in the background (202) and report its progress and summary', async () => {
    const res = await request(t.app.getHttpServer()).post('/v1/admin/reunderwrite').set(t.auth('admin')).send({}).expect(202);
    expect(res.body).toEqual({ cycleId: expect.any(String), resumed: false, items: 3 });
    const done = await waitForCycle(t, res.body.cycleId);
    expect(done).toMatchObject({
      cycleId: res.body.cycleId,
      status: 'completed',
      trigger: 'manual',
      budget: 0,
      monoCallsSpent: 0,
      counters: { total: 3, done: 3, failed: 0, overBudget: 3 },
    });
    const list = await request(t.app.getHttpServer()).get('/v1/admin/reunderwrite?limit=5').set(t.auth('admin')).expect(200);
    expect(list.body[0].cycleId).toBe(res.body.cycleId);
    const decisions = await ds.query(`SELECT count(*)::int AS n FROM decisions WHERE trigger = 'scheduled'`);
    expect(decisions[0].n).toBe(3);
  });

  it('should resume the running cycle instead of starting a second one (202, resumed)', async () => {
    const ds2 = ds;
    // A running cycle whose items are all open (inserted as another instance would leave it, no jobs yet).
    const [cycle] = await ds2.query<Array<{ id: string }>>(
      `INSERT INTO review_cycles (trigger, as_of, review_max_age_days, budget) VALUES ('manual', now(), 30, 0) RETURNING id`,
    );
    await ds2.query(`INSERT INTO review_items (cycle_id, borrower_id, reason) SELECT $1, unnest($2::uuid[]), 'age'`, [cycle.id, borrowers]);
    const res = await request(t.app.getHttpServer()).post('/v1/admin/reunderwrite').set(t.auth('admin')).send({}).expect(202);
    expect(res.body).toEqual({ cycleId: cycle.id, resumed: true, items: 3 });
    expect(await waitForCycle(t, cycle.id)).toMatchObject({ status: 'completed', counters: { total: 3, done: 3 } });
  });

  it('should be admin only and validate its inputs', async () => {
    await request(t.app.getHttpServer()).post('/v1/admin/reunderwrite').set(t.auth('frontend')).send({}).expect(403);
    await request(t.app.getHttpServer()).get('/v1/admin/reunderwrite').set(t.auth('analyst')).expect(403);
    const bad = await request(t.app.getHttpServer()).get('/v1/admin/reunderwrite/not-a-uuid').set(t.auth('admin')).expect(400);
    expect(bad.body.code).toBe('VALIDATION_FAILED');
    await request(t.app.getHttpServer())
      .get('/v1/admin/reunderwrite/6f1c2b0e-8a3d-4c55-9a51-2f8f2e0b7c11')
      .set(t.auth('admin'))
      .expect(404);
    const budget = await request(t.app.getHttpServer())
      .post('/v1/admin/reunderwrite')
      .set(t.auth('admin'))
      .send({ budget: -1 })
      .expect(400);
    expect(budget.body.code).toBe('VALIDATION_FAILED');
  });

  it('should record a job_runs row for each scheduled run (the cron job handler), and do nothing while jobs are disabled', async () => {
    const job = t.app.get(ReunderwriteJob);
    const before = (await ds.query(`SELECT count(*)::int AS n FROM job_runs WHERE job_name = 'reunderwrite'`))[0].n;
    // The cron's job, delivered as pg-boss delivers it on an occurrence.
    const tick = t.app.get(JobsService).waitFor('reunderwrite-cycle');
    await t.app.get(JobsService).send('reunderwrite-cycle', { trigger: 'scheduled' });
    expect((await tick).ok).toBe(true);
    const [run] = await ds.query(`SELECT status, details, finished_at FROM job_runs WHERE job_name = 'reunderwrite' ORDER BY started_at DESC LIMIT 1`);
    expect(run.status).toBe('succeeded');
    expect(run.details).toMatchObject({ cycleId: expect.any(String), resumed: false });
    expect(run.finished_at).not.toBeNull();
    expect(await waitForCycle(t, run.details.cycleId)).toMatchObject({ status: 'completed', trigger: 'scheduled' });
    const jobs = t.config.jobs as { enabled: boolean };
    jobs.enabled = false;
    try {
      expect(await job.run()).toBe('disabled');
    } finally {
      jobs.enabled = true;
    }
    expect((await ds.query(`SELECT count(*)::int AS n FROM job_runs WHERE job_name = 'reunderwrite'`))[0].n).toBe(before + 1);
  });

  it('should list the cycle in the OpenAPI document', async () => {
    const res = await request(t.app.getHttpServer()).get('/docs/openapi.json').expect(200);
    expect(res.body.paths['/v1/admin/reunderwrite']).toBeDefined();
    expect(res.body.paths['/v1/admin/reunderwrite/{cycleId}']).toBeDefined();
  });
});
