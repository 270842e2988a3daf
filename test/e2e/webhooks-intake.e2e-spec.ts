import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { JOBS_SCHEMA } from '../../src/jobs/jobs.service.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { KIT_WEBHOOK_SECRET, monoEnv } from '../support/mono-kit.js';

/**
 * Webhook intake under concurrency (group commit, src/mono/webhooks.service.ts): webhooks arriving together are
 * written by shared multi-row INSERTs, and still every 200 means "this row is committed", duplicates are recognised
 * inside a batch, and one webhook Postgres refuses does not fail the others written with it.
 */
describe('Mono webhook intake (group commit)', () => {
  let t: TestApp;
  let db: DataSource;

  beforeAll(async () => {
    // No Mono calls here: an API-only instance (WORKERS_ENABLED=false) stores webhooks and their jobs but processes
    // nothing, so the test sees what intake wrote.
    t = await createTestApp(monoEnv({ url: 'http://127.0.0.1:9' }, { WORKERS_ENABLED: 'false' }), { listen: true });
    db = t.app.get(DataSource);
  });

  afterAll(async () => {
    await t?.close();
  });

  const post = async (body: unknown): Promise<{ status: number; body: { received?: boolean; duplicate?: boolean } }> => {
    const res = await fetch(`${t.url}/webhooks/mono`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'mono-webhook-secret': KIT_WEBHOOK_SECRET },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as { received?: boolean; duplicate?: boolean } };
  };
  const rows = async (prefix: string): Promise<number> =>
    Number((await db.query<Array<{ n: string }>>(`SELECT count(*) AS n FROM webhook_events WHERE provider_event_id LIKE $1`, [`${prefix}%`]))[0].n);

  it('should store every one of 300 concurrent webhooks before answering 200', async () => {
    const prefix = `burst-${randomBytes(4).toString('hex')}-`;
    const answers = await Promise.all(
      Array.from({ length: 300 }, (_, i) => post({ event: 'mono.events.intake_spec', event_id: `${prefix}${i}`, data: { account: { _id: 'acc1' } } })),
    );
    expect(answers.every((a) => a.status === 200 && a.body.duplicate === false)).toBe(true);
    expect(await rows(prefix)).toBe(300);
    // Each row committed with exactly one inbox job of the same id.
    const [jobs] = await db.query<Array<{ n: string }>>(
      `SELECT count(*) AS n FROM webhook_events w JOIN ${JOBS_SCHEMA}.job j ON j.name = 'webhook-inbox' AND j.id = w.id WHERE w.provider_event_id LIKE $1`,
      [`${prefix}%`],
    );
    expect(jobs.n).toBe('300');
  });

  it('should store a webhook sent many times at once exactly once and call every other copy a duplicate', async () => {
    const prefix = `dup-${randomBytes(4).toString('hex')}-`;
    const same = { event: 'mono.events.intake_spec', event_id: `${prefix}0`, data: { account: { _id: 'acc2' } } };
    const answers = await Promise.all(Array.from({ length: 40 }, () => post(same)));
    expect(answers.every((a) => a.status === 200)).toBe(true);
    expect(answers.filter((a) => a.body.duplicate === false)).toHaveLength(1);
    expect(await rows(prefix)).toBe(1);
  });

  it('should refuse (400) a webhook Postgres cannot store without failing the ones written with it', async () => {
    const prefix = `mixed-${randomBytes(4).toString('hex')}-`;
    const answers = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        post({
          event: 'mono.events.intake_spec',
          event_id: `${prefix}${i}`,
          // jsonb refuses \u0000 in a string: this one webhook cannot be stored.
          data: { account: { _id: 'acc3' }, note: i === 30 ? 'nul \u0000 byte' : 'fine' },
        }),
      ),
    );
    const ok = answers.filter((a) => a.status === 200);
    expect(ok).toHaveLength(59);
    expect(answers[30].status).toBe(400); // it can never be stored: refused, not a 5xx Mono would retry forever
    expect(await rows(prefix)).toBe(59);
  });
});
