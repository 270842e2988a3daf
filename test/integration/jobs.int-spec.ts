import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../src/config/app-config.js';
import { dataSourceOptions } from '../../src/database/data-source-options.js';
import { JOBS_SCHEMA, JobsService } from '../../src/jobs/jobs.service.js';
import { createTestDatabase } from '../support/database.js';

/** The pg-boss job system on the test Postgres: own schema, transactional send, API-only instances, awaitable completion. */
describe(JobsService.name, () => {
  let db: { url: string; drop(): Promise<void> };
  let ds: DataSource;
  const services: JobsService[] = [];

  const jobs = (env: Record<string, string>): JobsService => {
    const svc = new JobsService(ds, AppConfig.forTest(env));
    services.push(svc);
    return svc;
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    ds = new DataSource(dataSourceOptions(db.url, { poolSize: 3 }));
    await ds.initialize();
  });

  afterAll(async () => {
    for (const svc of services) await svc.onModuleDestroy();
    await ds.destroy();
    await db.drop();
  });

  const queued = async (eventId: string): Promise<Array<{ state: string }>> =>
    ds.query(`SELECT state FROM ${JOBS_SCHEMA}.job WHERE name = 'outbox-delivery' AND data->>'eventId' = $1`, [eventId]);

  it('should create its own schema and the queues with their dead-letter queues at start', async () => {
    await jobs({ JOBS_ENABLED: 'false' }).start();
    const queues = await ds.query<Array<{ name: string; dead_letter: string | null }>>(
      `SELECT name, dead_letter FROM ${JOBS_SCHEMA}.queue ORDER BY name`,
    );
    expect(queues).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'outbox-delivery', dead_letter: 'outbox-delivery-dead' }),
        expect.objectContaining({ name: 'outbox-delivery-dead' }),
      ]),
    );
  });

  it("should commit a job with the caller's transaction and drop it when the transaction rolls back", async () => {
    const svc = jobs({ JOBS_ENABLED: 'false' });
    await ds.transaction((m) => svc.send('outbox-delivery', { eventId: 'committed-1' }, {}, m));
    await expect(
      ds.transaction(async (m) => {
        await svc.send('outbox-delivery', { eventId: 'rolled-back-1' }, {}, m);
        throw new Error('domain write failed');
      }),
    ).rejects.toThrow('domain write failed');
    expect(await queued('committed-1')).toHaveLength(1);
    expect(await queued('rolled-back-1')).toHaveLength(0);
    const stats = await svc.stats();
    expect(stats.find((s) => s.name === 'outbox-delivery')).toEqual(expect.objectContaining({ queued: 1, failed: 0 }));
  });

  it('should not work jobs on an API-only instance (WORKERS_ENABLED=false) and work them on a worker', async () => {
    const apiOnly = jobs({ JOBS_ENABLED: 'true', WORKERS_ENABLED: 'false' });
    let apiOnlyHandled = 0;
    await apiOnly.work('outbox-delivery', async () => {
      apiOnlyHandled += 1;
    });
    expect(apiOnly.working).toBe(false);

    const worker = jobs({ JOBS_ENABLED: 'true', WORKERS_ENABLED: 'true' });
    const handled: string[] = [];
    await worker.work('outbox-delivery', async (data) => {
      handled.push(data.eventId);
    });
    // The job committed in the previous test is worked too; wait for the one sent here.
    const done = worker.waitFor('outbox-delivery', (s) => s.ok && handled.includes('worked-1'));
    const id = await apiOnly.send('outbox-delivery', { eventId: 'worked-1' });
    const settled = await done;
    expect(id).toEqual(expect.any(String));
    expect(handled).toEqual(expect.arrayContaining(['committed-1', 'worked-1']));
    expect(handled.filter((e) => e === 'worked-1')).toHaveLength(1);
    expect(apiOnlyHandled).toBe(0);
    expect(settled.ok).toBe(true);
  });
  const jobRow = async (itemId: string): Promise<{ state: string; retry_count: number }> => {
    const [row] = await ds.query<Array<{ state: string; retry_count: number }>>(
      `SELECT state, retry_count FROM ${JOBS_SCHEMA}.job WHERE name LIKE 'reunderwrite-%' AND data->>'itemId' = $1`,
      [itemId],
    );
    return row;
  };

  it("should put a killed process's active job back to work at start, without waiting for the supervisor's first tick", async () => {
    const api = jobs({ JOBS_ENABLED: 'true', WORKERS_ENABLED: 'false' });
    await api.send('reunderwrite-score', { itemId: 'abandoned-1', final: false });
    // What a SIGKILL leaves: the job `active`, its last heartbeat (and start) long gone.
    await ds.query(
      `UPDATE ${JOBS_SCHEMA}.job SET state = 'active', started_on = now() - interval '1 hour', heartbeat_on = now() - interval '1 hour'
        WHERE name = 'reunderwrite-score' AND data->>'itemId' = 'abandoned-1'`,
    );
    expect(await jobRow('abandoned-1')).toEqual({ state: 'active', retry_count: 0 });
    // pg-boss lets one monitor pass per queue and interval run, across instances: the earlier tests' supervising
    // instances may have claimed it moments ago. A killed process's last claim is as old as its death; make it so.
    await ds.query(`UPDATE ${JOBS_SCHEMA}.queue SET monitor_claim_on = now() - interval '1 hour', monitor_on = now() - interval '1 hour'`);

    const restarted = jobs({ JOBS_ENABLED: 'true', WORKERS_ENABLED: 'true' });
    await restarted.abandonedJobsChecked();
    // Failed to retry by the start-up pass (pg-boss's own heartbeat predicate), not left for a periodic one.
    expect((await jobRow('abandoned-1')).state).not.toBe('active');

    const handled: string[] = [];
    const done = restarted.waitFor('reunderwrite-score', (s) => s.ok && handled.includes('abandoned-1'));
    await restarted.work('reunderwrite-score', async (data) => {
      handled.push(data.itemId);
    });
    await done;
    expect(handled).toEqual(['abandoned-1']);
    // Settled is emitted by the handler, before pg-boss records the completion: the retry count is what is final here.
    expect((await jobRow('abandoned-1')).retry_count).toBe(1);
  });

  it("should leave a live worker's job alone at another instance's start, however long its handler runs", async () => {
    const live = jobs({ JOBS_ENABLED: 'true', WORKERS_ENABLED: 'true' });
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let began!: () => void;
    const started = new Promise<void>((resolve) => (began = resolve));
    await live.work('reunderwrite-sync', async () => {
      began();
      await released;
    });
    const done = live.waitFor('reunderwrite-sync', (s) => s.ok);
    await live.send('reunderwrite-sync', { itemId: 'live-1' });
    await started;

    const other = jobs({ JOBS_ENABLED: 'true', WORKERS_ENABLED: 'true' });
    await other.abandonedJobsChecked();
    expect(await jobRow('live-1')).toEqual({ state: 'active', retry_count: 0 });

    release();
    expect((await done).ok).toBe(true);
    expect((await jobRow('live-1')).retry_count).toBe(0);
  });
});
