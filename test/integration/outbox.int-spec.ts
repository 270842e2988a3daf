import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { FixedClock } from '../../src/common/clock.js';
import { AppConfig } from '../../src/config/app-config.js';
import { dataSourceOptions } from '../../src/database/data-source-options.js';
import { JOBS_SCHEMA, JobsService, type JobSettled } from '../../src/jobs/jobs.service.js';
import { DeliveryFailedError, OUTBOX_MAX_ATTEMPTS, OUTBOX_QUEUE, OutboxService } from '../../src/outbox/outbox.service.js';
import { verifyEventSignature } from '../../src/outbox/signature.js';
import { createTestDatabase } from '../support/database.js';

interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A lender's endpoint on loopback: records requests and answers with the next scripted status. */
async function startReceiver(statuses: number[] = []): Promise<{ url: string; received: Received[]; close(): Promise<void> }> {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.statusCode = statuses.shift() ?? 204;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const SECRET = 'outbound-secret-0123456789';

/**
 * The outbox on the pg-boss job system: the event row and its delivery job commit with the state change, workers
 * deliver signed envelopes, failures are retried by pg-boss, the last attempt marks the event failed. Waits are on
 * the job system's settled events, never on sleeps.
 */
describe(OutboxService.name, () => {
  let db: { url: string; drop(): Promise<void> };
  let ds: DataSource;
  const clock = new FixedClock(new Date('2026-03-01T10:00:00Z'));
  const closers: Array<() => Promise<void>> = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    ds = new DataSource(dataSourceOptions(db.url, { poolSize: 4 }));
    await ds.initialize();
  });

  afterEach(async () => {
    while (closers.length) await closers.pop()!();
    await ds.query(`DELETE FROM outbox_events`);
    await ds.query(`DELETE FROM ${JOBS_SCHEMA}.job`);
  });

  afterAll(async () => {
    await ds.destroy();
    await db.drop();
  });

  /** An engine instance's outbox: its own job system (working unless JOBS_ENABLED=false), its worker registered. */
  const outbox = async (env: Record<string, string>): Promise<{ svc: OutboxService; jobs: JobsService }> => {
    const config = AppConfig.forTest({ JOBS_ENABLED: 'true', ...env });
    const jobs = new JobsService(ds, config);
    closers.push(() => jobs.onModuleDestroy());
    const svc = OutboxService.create(ds, jobs, config, clock);
    await svc.onApplicationBootstrap();
    return { svc, jobs };
  };
  const settledFor = (jobs: JobsService, id: string, ok: boolean): Promise<JobSettled> =>
    jobs.waitFor(OUTBOX_QUEUE, (s) => s.id === id && s.ok === ok);
  const row = async (id: string): Promise<{ status: string; attempts: number; last_error: string | null }> =>
    (
      await ds.query<Array<{ status: string; attempts: number; last_error: string | null }>>(
        `SELECT status, attempts, last_error FROM outbox_events WHERE id = $1`,
        [id],
      )
    )[0];
  const jobsOf = async (id: string): Promise<Array<{ state: string }>> =>
    ds.query(`SELECT state FROM ${JOBS_SCHEMA}.job WHERE name = $1 AND data->>'eventId' = $2`, [OUTBOX_QUEUE, id]);

  it('should deliver a signed event that the receiver can verify', async () => {
    const receiver = await startReceiver();
    closers.push(receiver.close);
    const { svc, jobs } = await outbox({ EVENTS_WEBHOOK_URL: receiver.url, EVENTS_WEBHOOK_SECRET: SECRET });
    const id = await ds.transaction((m) => svc.enqueue(m, 'application.decided', null, { applicationId: 'a1', decision: 'approve' }));
    await settledFor(jobs, id, true);

    expect(receiver.received).toHaveLength(1);
    const [req] = receiver.received;
    expect(req.headers['x-engine-event']).toBe('application.decided');
    expect(req.headers['x-engine-delivery']).toBe(id);
    expect(req.headers['content-type']).toBe('application/json');
    const timestamp = req.headers['x-engine-timestamp'] as string;
    expect(timestamp).toBe(String(Math.floor(clock.now().getTime() / 1000)));
    const ok = verifyEventSignature(SECRET, { timestamp, signature: req.headers['x-engine-signature'] as string }, req.body, Number(timestamp));
    expect(ok).toBe(true);
    expect(
      verifyEventSignature('another-secret-0123456789', { timestamp, signature: req.headers['x-engine-signature'] as string }, req.body, Number(timestamp)),
    ).toBe(false);
    expect(JSON.parse(req.body)).toEqual({
      id,
      type: 'application.decided',
      createdAt: expect.any(String),
      aggregateId: null,
      data: { applicationId: 'a1', decision: 'approve' },
    });
    expect(await row(id)).toMatchObject({ status: 'delivered', attempts: 1 });
    // A redelivered job for a settled event sends nothing.
    expect(await svc.attempt(id, 2)).toBe('settled');
    expect(receiver.received).toHaveLength(1);
  });

  it('should write neither the event nor its job when the surrounding transaction rolls back', async () => {
    const { svc } = await outbox({ WORKERS_ENABLED: 'false' });
    await expect(
      ds.transaction(async (m) => {
        await svc.enqueue(m, 'limit.changed', null, { x: 1 });
        throw new Error('state change failed');
      }),
    ).rejects.toThrow('state change failed');
    expect(await ds.query(`SELECT id FROM outbox_events`)).toEqual([]);
    expect(await ds.query(`SELECT id FROM ${JOBS_SCHEMA}.job WHERE name = $1`, [OUTBOX_QUEUE])).toEqual([]);
  });

  it('should let pg-boss retry a failed delivery with the same delivery id until it succeeds', async () => {
    const receiver = await startReceiver([500]);
    closers.push(receiver.close);
    const { svc, jobs } = await outbox({ EVENTS_WEBHOOK_URL: receiver.url, EVENTS_WEBHOOK_SECRET: SECRET });
    const id = await ds.transaction((m) => svc.enqueue(m, 'account.reauth_required', null, { accountId: 'x' }));
    const failed = settledFor(jobs, id, false);
    const delivered = settledFor(jobs, id, true);

    expect(await failed).toMatchObject({ error: expect.stringContaining('failed') });
    expect(await row(id)).toMatchObject({ status: 'pending', attempts: 1, last_error: 'HTTP 500' });
    await delivered;
    expect(await row(id)).toMatchObject({ status: 'delivered', attempts: 2, last_error: null });
    expect(receiver.received.map((r) => r.headers['x-engine-delivery'])).toEqual([id, id]);
  });

  it('should ask pg-boss for a retry before the last attempt and mark the event failed at the last one', async () => {
    const receiver = await startReceiver([503, 503]);
    closers.push(receiver.close);
    const { svc } = await outbox({ WORKERS_ENABLED: 'false', EVENTS_WEBHOOK_URL: receiver.url, EVENTS_WEBHOOK_SECRET: SECRET });
    const id = await ds.transaction((m) => svc.enqueue(m, 'limit.changed', null, { borrowerId: 'b' }));
    // retryCount is pg-boss's count of earlier attempts.
    await expect(svc.deliverJob(id, { retryCount: 0 })).rejects.toBeInstanceOf(DeliveryFailedError);
    expect(await row(id)).toMatchObject({ status: 'pending', attempts: 1, last_error: 'HTTP 503' });
    expect(await svc.deliverJob(id, { retryCount: OUTBOX_MAX_ATTEMPTS - 1 })).toBe('failed');
    expect(await row(id)).toMatchObject({ status: 'failed', attempts: OUTBOX_MAX_ATTEMPTS, last_error: 'HTTP 503' });
    // The queue's policy gives exactly OUTBOX_MAX_ATTEMPTS attempts, then the dead-letter queue.
    const [queue] = await ds.query<Array<{ retry_limit: number; dead_letter: string | null; retry_backoff: boolean }>>(
      `SELECT retry_limit, dead_letter, retry_backoff FROM ${JOBS_SCHEMA}.queue WHERE name = $1`,
      [OUTBOX_QUEUE],
    );
    expect(queue).toEqual({ retry_limit: OUTBOX_MAX_ATTEMPTS - 1, dead_letter: 'outbox-delivery-dead', retry_backoff: true });
  });

  it('should mark events skipped and send nothing when no URL is configured', async () => {
    const { svc, jobs } = await outbox({});
    const id = await ds.transaction((m) => svc.enqueue(m, 'application.decided', null, { a: 1 }));
    await settledFor(jobs, id, true);
    expect(await row(id)).toMatchObject({ status: 'skipped', last_error: 'no EVENTS_WEBHOOK_URL configured' });
  });

  it('should let two engine instances share the queue without sending any event twice', async () => {
    const receiver = await startReceiver();
    closers.push(receiver.close);
    const env = { EVENTS_WEBHOOK_URL: receiver.url, EVENTS_WEBHOOK_SECRET: SECRET };
    const a = await outbox(env);
    const b = await outbox(env);
    const byInstance = { a: 0, b: 0 };
    let done!: () => void;
    const all = new Promise<void>((resolve) => (done = resolve));
    const count = (k: 'a' | 'b') => (s: JobSettled): void => {
      if (s.name !== OUTBOX_QUEUE || !s.ok) return;
      byInstance[k] += 1;
      if (byInstance.a + byInstance.b === 30) done();
    };
    closers.push(a.jobs.onSettled(count('a')) as () => Promise<void>, b.jobs.onSettled(count('b')) as () => Promise<void>);
    await ds.transaction(async (m) => {
      for (let i = 0; i < 30; i++) await a.svc.enqueue(m, 'limit.changed', null, { i });
    });
    await all;
    const ids = receiver.received.map((r) => r.headers['x-engine-delivery']);
    expect(ids).toHaveLength(30);
    expect(new Set(ids).size).toBe(30);
    const states = await ds.query<Array<{ status: string; n: string }>>(`SELECT status, count(*) AS n FROM outbox_events GROUP BY status`);
    expect(states).toEqual([{ status: 'delivered', n: '30' }]);
  });

  it('should give a delivery job to pending events written without one (an upgrade) and deliver them', async () => {
    const receiver = await startReceiver();
    closers.push(receiver.close);
    const [{ id }] = await ds.query<Array<{ id: string }>>(
      `INSERT INTO outbox_events (event_type, aggregate_id, payload) VALUES ('limit.changed', NULL, '{"legacy":true}') RETURNING id`,
    );
    const config = AppConfig.forTest({ JOBS_ENABLED: 'true', EVENTS_WEBHOOK_URL: receiver.url });
    const jobs = new JobsService(ds, config);
    closers.push(() => jobs.onModuleDestroy());
    const delivered = settledFor(jobs, id, true);
    await OutboxService.create(ds, jobs, config, clock).onApplicationBootstrap();
    await delivered;
    expect(await row(id)).toMatchObject({ status: 'delivered' });
    expect(await jobsOf(id)).toHaveLength(1);
    // The job id is the event id, so adopting it again (another instance starting) queues nothing.
    expect(await ds.query(`SELECT id FROM ${JOBS_SCHEMA}.job WHERE name = $1`, [OUTBOX_QUEUE])).toEqual([{ id }]);
    expect(await jobs.send(OUTBOX_QUEUE, { eventId: id }, { id })).toBeNull();
    expect(await jobsOf(id)).toHaveLength(1);
  });
});
