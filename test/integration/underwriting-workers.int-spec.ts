import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { closeHarnesses, count, harness, seedOriginated, type Harness } from './underwriting-fixtures.js';

const SCRIPT = path.resolve('scripts/reunderwrite.ts');
const children = new Set<ChildProcess>();

afterEach(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  children.clear();
  await closeHarnesses();
});

/** `scripts/reunderwrite.ts` in its own process, against the test database. */
function cli(h: Harness, args: string[]): { child: ChildProcess; done: Promise<{ code: number | null; stdout: string }> } {
  const child = spawn(process.execPath, ['--no-warnings', '--import', '@swc-node/register/esm-register', SCRIPT, ...args], {
    env: { ...process.env, NODE_OPTIONS: '', DATABASE_URL: h.url, LOG_LEVEL: 'error' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let stdout = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', () => undefined);
  const done = new Promise<{ code: number | null; stdout: string }>((resolve) => child.on('exit', (code) => resolve({ code, stdout })));
  return { child, done };
}

async function oneDecisionEach(h: Harness, borrowers: string[]): Promise<void> {
  const rows = await h.ds.query<Array<{ borrower_id: string; n: string }>>(
    `SELECT borrower_id, count(*) AS n FROM decisions WHERE trigger = 'scheduled' GROUP BY borrower_id`,
  );
  expect(rows.map((r) => r.borrower_id).sort()).toEqual([...borrowers].sort());
  expect(rows.every((r) => r.n === '1')).toBe(true);
}

describe('reunderwrite workers (processes)', () => {
  it('should finish a cycle whose worker process was killed with SIGKILL, with one decision per borrower', async () => {
    // The test's app works nothing (API-only: WORKERS_ENABLED=false): only the CLI processes work the cycle's jobs.
    const h = await harness({ env: { JOBS_ENABLED: 'false', WORKERS_ENABLED: 'false' } });
    const borrowers = await seedOriginated(h, 10);
    const { cycleId } = await h.service.startCycle('manual', { budget: 0 });
    // The first review committed by the worker process is announced to this process by a NOTIFY on its commit.
    const committed = await reviewCommitted(h, cycleId);
    const first = cli(h, ['--cycle', cycleId, '--drain-only']);
    await committed.done;
    first.child.kill('SIGKILL');
    await first.done;
    const doneAtKill = await count(h.ds, `SELECT count(*) AS n FROM review_items WHERE cycle_id = $1 AND status = 'done'`, [cycleId]);
    expect(doneAtKill).toBeLessThan(10);
    expect((await h.service.progress(cycleId)).status).toBe('running');

    // The killed worker's active steps stop their heartbeat; pg-boss retries them on another worker (its next
    // supervise pass, up to 60 s).
    const second = cli(h, ['--cycle', cycleId, '--drain-only']);
    const { code, stdout } = await second.done;
    expect(code).toBe(0);
    const { report } = JSON.parse(stdout.trim().split('\n').pop()!);
    expect(report.completedCycle).toBe(true);
    expect((await h.service.progress(cycleId)).counters).toMatchObject({ total: 10, done: 10, failed: 0 });
    await oneDecisionEach(h, borrowers);
  }, 200_000);

  it('should run a whole cycle with two worker processes sharing the items', async () => {
    const h = await harness({ env: { JOBS_ENABLED: 'false', WORKERS_ENABLED: 'false' } });
    const borrowers = await seedOriginated(h, 12);
    // The cycle is created with the test's business clock; the CLI resumes it rather than starting another.
    const { cycleId } = await h.service.startCycle('manual', { budget: 0 });
    const { code, stdout } = await cli(h, ['--workers', '2', '--json']).done;
    expect(code).toBe(0);
    const out = JSON.parse(stdout.trim().split('\n').pop()!);
    expect(out.progress).toMatchObject({ cycleId, status: 'completed' });
    expect(out.workers).toHaveLength(2);
    expect(out.workers.reduce((n: number, w: { processed: number }) => n + w.processed, 0)).toBe(12);
    await oneDecisionEach(h, borrowers);
    expect(await count(h.ds, `SELECT count(*) AS n FROM review_items WHERE attempts = 1 AND status = 'done'`)).toBe(12);
  }, 120_000);
});

/** Listens, then resolves when a review item of the cycle is committed done (a trigger NOTIFYs on commit; no polling). */
async function reviewCommitted(h: Harness, cycleId: string): Promise<{ done: Promise<void> }> {
  await h.ds.query(`CREATE OR REPLACE FUNCTION test_review_done() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN IF NEW.status = 'done' THEN PERFORM pg_notify('review_done', NEW.cycle_id::text); END IF; RETURN NEW; END $$`);
  await h.ds.query(`DROP TRIGGER IF EXISTS test_review_done ON review_items`);
  await h.ds.query(`CREATE TRIGGER test_review_done AFTER UPDATE ON review_items FOR EACH ROW EXECUTE FUNCTION test_review_done()`);
  const client = new pg.Client({ connectionString: h.url });
  await client.connect();
  const got = new Promise<void>((resolve) => client.on('notification', (n) => n.payload === cycleId && resolve()));
  await client.query('LISTEN review_done');
  return { done: got.finally(() => client.end()) };
}
