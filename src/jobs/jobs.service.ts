import { EventEmitter } from 'node:events';
import { Injectable, Logger, Optional, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { PgBoss, type Db, type Job, type JobInsert, type JobResult, type ScheduleOptions, type SendOptions } from 'pg-boss';
import { Gauge, Registry } from 'prom-client';
import { DataSource, type EntityManager } from 'typeorm';
import { AppConfig } from '../config/app-config.js';
import { DEAD_LETTER_QUEUES, jobQueues, type JobName, type JobPayloads } from './job-queues.js';

export const JOBS_SCHEMA = 'pgboss';

/**
 * How often a worker instance runs pg-boss's supervisor, and how often (across all instances: the claim is a row in
 * the database) its monitor fails active jobs whose heartbeat lapsed or whose expireInSeconds passed. pg-boss's
 * monitor interval defaults to 60 s on its own, whatever the supervise interval: a killed worker's jobs then waited
 * up to a minute after their heartbeat lapsed (docs/reliability.md, section 2).
 */
export const SUPERVISE_INTERVAL_SECONDS = 10;

export interface QueueStats {
  name: string;
  queued: number;
  active: number;
  failed: number;
  oldestQueuedSeconds: number;
}

export interface JobSettled {
  name: JobName;
  id: string;
  ok: boolean;
  error?: string;
}

/** pg-boss `db` executor over a TypeORM entity manager, so a job is sent inside the caller's transaction. */
export function managerDb(manager: EntityManager): Db {
  return { executeSql: async (text, values) => ({ rows: await manager.query<unknown[]>(text, values) }) };
}

/**
 * The one job system: a pg-boss instance in its own schema (created and upgraded at start), on the same Postgres.
 * Services `send`; a module registers one handler per queue with `work`. With WORKERS_ENABLED=false (or jobs
 * disabled) the instance can still send but works nothing and runs no scheduler or maintenance.
 */
@Injectable()
export class JobsService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(JobsService.name);
  private readonly settled = new EventEmitter<{ settled: [JobSettled] }>();
  private boss: PgBoss | null = null;
  private starting: Promise<PgBoss> | null = null;
  private destroyed = false;
  private startSweep: NodeJS.Timeout | null = null;
  private startCheck: Promise<void> | null = null;

  private statsCache: { at: number; value: Promise<QueueStats[]> } | null = null;

  constructor(
    private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    @Optional() registry?: Registry,
  ) {
    if (registry) this.registerMetrics(registry);
  }

  /** Queue gauges read at scrape time (one stats query per scrape, shared by the four gauges). */
  private registerMetrics(registry: Registry): void {
    const cachedStats = (): Promise<QueueStats[]> => this.cachedStats();
    const gauge = (name: string, help: string, pick: (s: QueueStats) => number): void => {
      if (registry.getSingleMetric(name)) return;
      new Gauge({
        name,
        help,
        labelNames: ['queue'],
        registers: [registry],
        async collect() {
          this.reset();
          for (const s of await cachedStats()) this.set({ queue: s.name }, pick(s));
        },
      });
    };
    gauge('jobs_queued', 'Background jobs waiting (created or retry), by queue', (s) => s.queued);
    gauge('jobs_active', 'Background jobs being worked, by queue', (s) => s.active);
    gauge('jobs_failed', 'Background jobs failed after their retries (kept for inspection), by queue', (s) => s.failed);
    gauge('jobs_oldest_queued_seconds', 'Age of the oldest waiting job, by queue', (s) => s.oldestQueuedSeconds);
  }

  private cachedStats(): Promise<QueueStats[]> {
    const now = Date.now();
    if (!this.statsCache || now - this.statsCache.at > 1000) {
      this.statsCache = { at: now, value: this.stats().catch(() => []) };
    }
    return this.statsCache.value;
  }

  /** This instance works queues (WORKERS_ENABLED; false = an API-only instance that only sends). */
  get working(): boolean {
    return this.config.workers.enabled;
  }

  /** This instance also runs schedules (JOBS_ENABLED on a worker instance); pg-boss keeps one run per tick across instances. */
  get scheduling(): boolean {
    return this.config.jobs.enabled && this.config.workers.enabled;
  }

  async onModuleInit(): Promise<void> {
    await this.start();
  }

  async onModuleDestroy(): Promise<void> {
    this.destroyed = true;
    if (this.startSweep) clearTimeout(this.startSweep);
    this.startSweep = null;
    const boss = await this.starting?.catch(() => null);
    await this.startCheck;
    this.starting = null;
    this.boss = null;
    await boss?.stop({ graceful: true, timeout: 10_000 });
  }

  /** Starts pg-boss once (idempotent): installs/migrates its schema and creates every queue. */
  start(): Promise<PgBoss> {
    // A late send from a handler finishing during shutdown must not start a second pg-boss that nothing stops.
    if (this.destroyed && !this.starting) return Promise.reject(new Error('the job system is stopped'));
    this.starting ??= (async () => {
      const url = (this.dataSource.options as { url?: string }).url;
      const boss = new PgBoss({
        connectionString: url,
        schema: JOBS_SCHEMA,
        max: 3,
        application_name: 'underwriting-engine-jobs',
        migrate: true,
        supervise: this.working,
        // A killed worker's job is failed to retry by the first monitor pass after its heartbeat lapsed: with the
        // review steps' 10 s heartbeat within about 20 s of the kill, the inbox's 30 s within about 40 s.
        superviseIntervalSeconds: SUPERVISE_INTERVAL_SECONDS,
        monitorIntervalSeconds: SUPERVISE_INTERVAL_SECONDS,
        schedule: this.scheduling,
        // Workers wake on NOTIFY when a job is created (committed), polling stays as the floor.
        useListenNotify: this.working,
      });
      boss.on('error', (err: Error) => this.logger.warn({ err: { name: err.name, message: err.message } }, 'job system error'));
      await boss.start();
      for (const dead of DEAD_LETTER_QUEUES) await boss.createQueue(dead);
      for (const [name, options] of Object.entries(jobQueues(this.config))) {
        // createQueue leaves an existing queue as it is; updateQueue brings its policy in line with this code.
        await boss.createQueue(name, options);
        const { policy: _p, partition: _q, retryDelayMax: _r, heartbeatSeconds: _h, ...update } = options;
        await boss.updateQueue(name, update);
      }
      this.boss = boss;
      if (this.working) this.sweepAbandonedJobs(boss);
      return boss;
    })();
    return this.starting;
  }

  /**
   * At start, a worker does not wait for its supervisor's first tick (one interval away) to pick up what a killed
   * process left `active`: if an active job's heartbeat (or expiry) has already lapsed it runs a supervise pass now, and
   * if the earliest one lapses within the next interval, once more just after that moment. The pass is pg-boss's own,
   * with its own predicate (heartbeat_on + heartbeat_seconds < now, or started_on + expire_seconds < now), so it fails
   * nothing its periodic pass would not fail: a live worker, however slow its handler, keeps refreshing the heartbeat
   * and keeps its job. Only the moment changes. Best effort: pg-boss runs one monitor pass per queue and interval across
   * instances, so when another instance ran it moments ago this pass skips the queue and that instance's next one (at
   * most SUPERVISE_INTERVAL_SECONDS later) does the work. Not awaited by the start (a supervise pass includes a stats scan).
   */
  private sweepAbandonedJobs(boss: PgBoss): void {
    const warn = (what: string) => (err: Error) => this.logger.warn({ err: { name: err.name, message: err.message } }, what);
    const supervise = (): Promise<void> =>
      this.destroyed ? Promise.resolve() : boss.supervise().catch(warn('start-up supervise pass failed'));
    this.startCheck = this.dataSource
      .query<Array<{ wait: string | null }>>(
        `SELECT extract(epoch FROM min(LEAST(heartbeat_on + heartbeat_seconds * interval '1 second', started_on + expire_seconds * interval '1 second')) - now()) AS wait
           FROM ${JOBS_SCHEMA}.job WHERE state = 'active'`,
      )
      .then(async ([row]) => {
        if (this.destroyed || row?.wait == null) return;
        const wait = Number(row.wait);
        if (wait <= 0) return supervise();
        // Just past the lapse (pg-boss compares with its own now(); a margin for the round trip).
        if (wait <= SUPERVISE_INTERVAL_SECONDS) {
          this.startSweep = setTimeout(
            () => {
              this.startSweep = null;
              void supervise();
            },
            Math.ceil(wait * 1000) + 250,
          ).unref();
        }
      })
      .catch(warn('start-up check for abandoned jobs failed'));
  }

  /** Resolves once the start-up check for a killed process's active jobs, and the supervise pass it ran now if any, is over. */
  async abandonedJobsChecked(): Promise<void> {
    await this.start();
    await this.startCheck;
  }

  /** Enqueues a job; pass `manager` to commit it with the caller's transaction. Returns the job id. */
  async send<K extends JobName>(name: K, data: JobPayloads[K], options: SendOptions = {}, manager?: EntityManager): Promise<string | null> {
    const boss = await this.start();
    return boss.send(name, data, manager ? { ...options, db: managerDb(manager) } : options);
  }

  /** Makes queued jobs (waiting on a retry delay or a start time) due now. */
  async promote(name: JobName, ids: string[]): Promise<void> {
    const boss = await this.start();
    for (const id of ids) await boss.update(name, undefined, { id, startAfter: new Date() });
  }

  /** Makes the queued job with this singleton key (on a `stately`/singleton queue) due now. */
  async promoteKey(name: JobName, singletonKey: string): Promise<void> {
    const boss = await this.start();
    await boss.update(name, undefined, { singletonKey, startAfter: new Date() });
  }

  /**
   * Enqueues many jobs in one statement (pg-boss `insert`); pass `manager` to commit them with the caller's
   * transaction. A job whose singletonKey is already queued or active on a singleton policy queue is dropped.
   */
  async sendMany<K extends JobName>(
    name: K,
    jobs: Array<Omit<JobInsert<JobPayloads[K]>, 'data'> & { data: JobPayloads[K] }>,
    manager?: EntityManager,
  ): Promise<void> {
    if (jobs.length === 0) return;
    const boss = await this.start();
    await boss.insert(name, jobs, manager ? { db: managerDb(manager) } : {});
  }

  /**
   * Registers (or updates) a pg-boss cron schedule: one job of `name` per occurrence, sent by whichever instance's
   * scheduler runs the occurrence (pg-boss makes it one across instances). `tz` is an IANA zone (default
   * Africa/Lagos). A no-op unless this instance schedules (JOBS_ENABLED on a worker).
   */
  async schedule<K extends JobName>(name: K, cron: string, data: JobPayloads[K], options: ScheduleOptions = {}): Promise<void> {
    if (!this.scheduling) return; // only instances with JOBS_ENABLED and workers run schedules
    const boss = await this.start();
    await boss.schedule(name, cron, data, { tz: 'Africa/Lagos', ...options });
  }

  /** Removes the cron schedule of `name` (all of its keys unless `key`). */
  async unschedule(name: JobName, key?: string): Promise<void> {
    const boss = await this.start();
    await boss.unschedule(name, key);
  }

  /**
   * Registers the handler of a queue; a no-op on API-only instances. The handler sees one job; a thrown error fails
   * that job alone (pg-boss retries it by the queue's policy). Workers fetch up to `batchSize` jobs at a time, run them
   * concurrently, keep fetching while batches come back full, and otherwise wake on NOTIFY (a committed send) or poll.
   */
  async work<K extends JobName>(
    name: K,
    handler: (data: JobPayloads[K], job: Job<JobPayloads[K]>) => Promise<void>,
    opts: { batchSize?: number; localConcurrency?: number } = {},
  ): Promise<void> {
    if (!this.working) return;
    const boss = await this.start();
    const heartbeat = jobQueues(this.config)[name].heartbeatSeconds;
    await boss.work<JobPayloads[K]>(
      name,
      {
        // Three refreshes per heartbeat (pg-boss's default is two): a live worker loses a job only if its process stops
        // writing for a whole heartbeat, not when one refresh is late.
        ...(heartbeat ? { heartbeatRefreshSeconds: heartbeat / 3 } : {}),
        batchSize: opts.batchSize ?? 10,
        localConcurrency: opts.localConcurrency ?? 1,
        perJobResults: true,
        burstWhenBatchFull: true,
        pollingIntervalSeconds: 1,
        notifyPollingIntervalSeconds: 2,
      },
      (jobs) =>
        Promise.all(
          jobs.map(async (job): Promise<JobResult> => {
            try {
              await handler(job.data, job);
              this.settled.emit('settled', { name, id: job.id, ok: true });
              return { id: job.id, status: 'completed' };
            } catch (err) {
              const error = err instanceof Error ? err.message : String(err);
              this.settled.emit('settled', { name, id: job.id, ok: false, error });
              return { id: job.id, status: 'failed', output: { message: error } };
            }
          }),
        ),
    );
  }

  /** Calls `listener` for every job this instance settles until the returned function is called. */
  onSettled(listener: (s: JobSettled) => void): () => void {
    this.settled.on('settled', listener);
    return () => this.settled.off('settled', listener);
  }

  /** Resolves when a job of `name` matching `predicate` has been handled on this instance (tests, scripts). */
  waitFor(name: JobName, predicate: (s: JobSettled) => boolean = () => true): Promise<JobSettled> {
    return new Promise((resolve) => {
      const listener = (s: JobSettled): void => {
        if (s.name !== name || !predicate(s)) return;
        this.settled.off('settled', listener);
        resolve(s);
      };
      this.settled.on('settled', listener);
    });
  }

  /** Queue depth, oldest queued age and failures, for /metrics. */
  async stats(): Promise<QueueStats[]> {
    if (!(await this.schemaExists())) return [];
    const rows = await this.dataSource.query<
      Array<{ name: string; queued: string; active: string; failed: string; oldest: string | null }>
    >(
      `SELECT q.name,
              count(j.id) FILTER (WHERE j.state IN ('created','retry')) AS queued,
              count(j.id) FILTER (WHERE j.state = 'active') AS active,
              count(j.id) FILTER (WHERE j.state = 'failed') AS failed,
              extract(epoch FROM now() - min(j.created_on) FILTER (WHERE j.state IN ('created','retry'))) AS oldest
         FROM ${JOBS_SCHEMA}.queue q LEFT JOIN ${JOBS_SCHEMA}.job j ON j.name = q.name
        GROUP BY q.name ORDER BY q.name`,
    );
    return rows.map((r) => ({
      name: r.name,
      queued: Number(r.queued),
      active: Number(r.active),
      failed: Number(r.failed),
      oldestQueuedSeconds: r.oldest === null ? 0 : Number(r.oldest),
    }));
  }

  private async schemaExists(): Promise<boolean> {
    const rows = await this.dataSource.query<Array<{ ok: boolean }>>(`SELECT to_regclass('${JOBS_SCHEMA}.job') IS NOT NULL AS ok`);
    return rows[0]?.ok === true;
  }
}
