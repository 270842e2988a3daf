import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { FixedClock } from '../../src/common/clock.js';
import { AppConfig } from '../../src/config/app-config.js';
import { dataSourceOptions } from '../../src/database/data-source-options.js';
import { OUTBOX_MAX_ATTEMPTS, OutboxService } from '../../src/outbox/outbox.service.js';
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

describe(OutboxService.name, () => {
  let db: { url: string; drop(): Promise<void> };
  let ds: DataSource;
  const clock = new FixedClock(new Date('2026-03-01T10:00:00Z'));
  const closers: Array<() => Promise<void>> = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    ds = new DataSource(dataSourceOptions(db.url, { poolSize: 3 }));
    await ds.initialize();
  });

  afterEach(async () => {
    while (closers.length) await closers.pop()!();
    await ds.query(`DELETE FROM outbox_events`);
  });

  afterAll(async () => {
    await ds.destroy();
    await db.drop();
  });

  const outbox = (env: Record<string, string>): OutboxService => new OutboxService(ds, AppConfig.forTest(env), clock);
  const row = async (id: string): Promise<{ status: string; attempts: number; last_error: string | null }> =>
    (
      await ds.query<Array<{ status: string; attempts: number; last_error: string | null }>>(
        `SELECT status, attempts, last_error FROM outbox_events WHERE id = $1`,
        [id],
      )
    )[0];

  it('should deliver a signed event that the receiver can verify', async () => {
    const receiver = await startReceiver();
    closers.push(receiver.close);
    const svc = outbox({ EVENTS_WEBHOOK_URL: receiver.url, EVENTS_WEBHOOK_SECRET: SECRET });
    const id = await ds.transaction((m) => svc.enqueue(m, 'application.decided', null, { applicationId: 'a1', decision: 'approve' }));

    const report = await svc.processDue();

    expect(report).toMatchObject({ claimed: 1, delivered: 1 });
    expect(receiver.received).toHaveLength(1);
    const [req] = receiver.received;
    expect(req.headers['x-engine-event']).toBe('application.decided');
    expect(req.headers['x-engine-delivery']).toBe(id);
    expect(req.headers['content-type']).toBe('application/json');
    const timestamp = req.headers['x-engine-timestamp'] as string;
    expect(timestamp).toBe(String(Math.floor(clock.now().getTime() / 1000)));
    const ok = verifyEventSignature(
      SECRET,
      { timestamp, signature: req.headers['x-engine-signature'] as string },
      req.body,
      Number(timestamp),
    );
    expect(ok).toBe(true);
    expect(
      verifyEventSignature(
        'another-secret-0123456789',
        { timestamp, signature: req.headers['x-engine-signature'] as string },
        req.body,
        Number(timestamp),
      ),
    ).toBe(false);
    expect(JSON.parse(req.body)).toEqual({
      id,
      type: 'application.decided',
      createdAt: expect.any(String),
      aggregateId: null,
      data: { applicationId: 'a1', decision: 'approve' },
    });
    expect((await row(id)).status).toBe('delivered');
    expect((await svc.processDue()).claimed).toBe(0);
  });

  it('should not write the event when the surrounding transaction rolls back', async () => {
    const svc = outbox({});
    await expect(
      ds.transaction(async (m) => {
        await svc.enqueue(m, 'limit.changed', null, { x: 1 });
        throw new Error('state change failed');
      }),
    ).rejects.toThrow('state change failed');
    expect(await ds.query(`SELECT id FROM outbox_events`)).toEqual([]);
  });

  it('should retry with backoff after a failure and deliver later', async () => {
    const receiver = await startReceiver([500]);
    closers.push(receiver.close);
    const svc = outbox({ EVENTS_WEBHOOK_URL: receiver.url, EVENTS_WEBHOOK_SECRET: SECRET });
    const id = await ds.transaction((m) => svc.enqueue(m, 'account.reauth_required', null, { accountId: 'x' }));

    expect(await svc.processDue()).toMatchObject({ claimed: 1, retried: 1 });
    expect(await row(id)).toMatchObject({ status: 'pending', attempts: 1, last_error: 'HTTP 500' });
    // Not due yet: the backoff holds it back.
    expect((await svc.processDue()).claimed).toBe(0);
    clock.advance(60_000);
    expect(await svc.processDue()).toMatchObject({ claimed: 1, delivered: 1 });
    expect(await row(id)).toMatchObject({ status: 'delivered', attempts: 2 });
    expect(receiver.received.map((r) => r.headers['x-engine-delivery'])).toEqual([id, id]);
  });

  it('should mark an event failed after the last attempt', async () => {
    const receiver = await startReceiver(Array.from({ length: OUTBOX_MAX_ATTEMPTS }, () => 503));
    closers.push(receiver.close);
    const svc = outbox({ EVENTS_WEBHOOK_URL: receiver.url, EVENTS_WEBHOOK_SECRET: SECRET });
    const id = await ds.transaction((m) => svc.enqueue(m, 'limit.changed', null, { borrowerId: 'b' }));
    for (let i = 0; i < OUTBOX_MAX_ATTEMPTS; i++) {
      await svc.processDue();
      clock.advance(2 * 3_600_000);
    }
    expect(await row(id)).toMatchObject({ status: 'failed', attempts: OUTBOX_MAX_ATTEMPTS });
    expect((await svc.processDue()).claimed).toBe(0);
  });

  it('should mark events skipped and send nothing when no URL is configured', async () => {
    const svc = outbox({});
    const id = await ds.transaction((m) => svc.enqueue(m, 'application.decided', null, { a: 1 }));
    expect(await svc.processDue()).toMatchObject({ claimed: 1, skipped: 1 });
    expect((await row(id)).status).toBe('skipped');
  });

  it('should let two workers share the queue without sending any event twice', async () => {
    const receiver = await startReceiver();
    closers.push(receiver.close);
    const env = { EVENTS_WEBHOOK_URL: receiver.url, EVENTS_WEBHOOK_SECRET: SECRET };
    const a = outbox(env);
    const b = outbox(env);
    await ds.transaction(async (m) => {
      for (let i = 0; i < 30; i++) await a.enqueue(m, 'limit.changed', null, { i });
    });
    await Promise.all([a.processDue(5), b.processDue(5), a.processDue(50), b.processDue(50)]);
    const ids = receiver.received.map((r) => r.headers['x-engine-delivery']);
    expect(ids).toHaveLength(30);
    expect(new Set(ids).size).toBe(30);
  });
});
