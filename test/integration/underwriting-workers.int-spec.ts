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
    // The first review committed by the worker process is announced to this process by a NOTIFY on its commit; every
    // later review's commit is held at a gate this process keeps closed, so the kill lands mid-cycle for certain.
    const gate = await holdReviewsAfterTheFirst(h, cycleId);
    const first = cli(h, ['--cycle', cycleId, '--drain-only']);
    await gate.firstCommitted;
    first.child.kill('SIGKILL');
    await first.done;
    // Reviews held at the gate were never committed: their transactions roll back once their backend sees the
    // killed client's closed socket.
    await gate.open();
    const doneAtKill = await count(h.ds, `SELECT count(*) AS n FROM review_items WHERE cycle_id = $1 AND status = 'done'`, [cycleId]);
    expect(doneAtKill).toBeGreaterThanOrEqual(1);
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

/**
 * A gate on review commits, in the database (no polling, no sleeps): an AFTER trigger NOTIFYs when a review item of the
 * cycle is marked done (delivered on commit), and a BEFORE trigger makes every later "done" update wait for a shared
 * advisory lock this process holds until `open()`. At most the reviews already past their update when the first one
 * committed (one per concurrent lane) can commit before the gate; the rest wait inside their transaction.
 */
async function holdReviewsAfterTheFirst(h: Harness, cycleId: string): Promise<{ firstCommitted: Promise<void>; open(): Promise<void> }> {
  const KEY = 815_001;
  const holder = new pg.Client({ connectionString: h.url });
  await holder.connect();
  await holder.query('SELECT pg_advisory_lock($1)', [KEY]);
  await h.ds.query(`CREATE OR REPLACE FUNCTION test_review_done() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN IF NEW.status = 'done' THEN PERFORM pg_notify('review_done', NEW.cycle_id::text); END IF; RETURN NEW; END $$`);
  await h.ds.query(`CREATE OR REPLACE FUNCTION test_review_gate() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NEW.status = 'done' AND OLD.status <> 'done'
         AND EXISTS (SELECT 1 FROM review_items WHERE cycle_id = NEW.cycle_id AND status = 'done') THEN
        PERFORM pg_advisory_xact_lock_shared(${KEY});
      END IF;
      RETURN NEW;
    END $$`);
  await h.ds.query(`DROP TRIGGER IF EXISTS test_review_done ON review_items`);
  await h.ds.query(`DROP TRIGGER IF EXISTS test_review_gate ON review_items`);
  await h.ds.query(`CREATE TRIGGER test_review_gate BEFORE UPDATE ON review_items FOR EACH ROW EXECUTE FUNCTION test_review_gate()`);
  await h.ds.query(`CREATE TRIGGER test_review_done AFTER UPDATE ON review_items FOR EACH ROW EXECUTE FUNCTION test_review_done()`);
  const listener = new pg.Client({ connectionString: h.url });
  await listener.connect();
  const got = new Promise<void>((resolve) => listener.on('notification', (n) => n.payload === cycleId && resolve()));
  await listener.query('LISTEN review_done');
  return {
    firstCommitted: got.finally(() => listener.end()),
    open: async () => {
      await holder.query('SELECT pg_advisory_unlock($1)', [KEY]);
      await holder.end();
    },
  };
}
