import { afterEach, describe, expect, it } from '@jest/globals';
import { SchedulerRegistry } from '@nestjs/schedule';
import { gzipSync } from 'node:zlib';
import { withAdvisoryLock } from '../../src/database/advisory-lock.js';
import { DecisionInputEntity } from '../../src/scoring/entities/decision-input.entity.js';
import { ENGINE_VERSION, underwrite } from '../../src/scoring/engine/index.js';
import { DEFAULT_POLICY_1_0_0 } from '../../src/scoring/policy/index.js';
import { decodeDecisionInput, ScoringService } from '../../src/scoring/scoring.service.js';
import { DEFAULT_LIMIT_POLICY, type LimitPolicy } from '../../src/underwriting/limit-policy.js';
import { REUNDERWRITE_JOB_NAME, ReunderwriteJob } from '../../src/underwriting/reunderwrite.job.js';
import { ReunderwritingService, SCHEDULER_LOCK } from '../../src/underwriting/reunderwriting.service.js';
import { clock, closeHarnesses, count, harness, seedOriginated, seedSalariedBorrower, type Harness } from './underwriting-fixtures.js';

afterEach(closeHarnesses);

async function lastChange(
  h: Harness,
  borrowerId: string,
): Promise<{ action: string; from_limit_minor: string; to_limit_minor: string; reasons: Array<{ code: string }> }> {
  const [row] = await h.ds.query(
    `SELECT action, from_limit_minor, to_limit_minor, reasons FROM limit_changes WHERE borrower_id = $1 ORDER BY id DESC LIMIT 1`,
    [borrowerId],
  );
  return row;
}

describe(ReunderwritingService.name, () => {
  it('should store exactly one scheduled decision per due borrower and complete the cycle', async () => {
    const h = await harness();
    const ids = await seedOriginated(h, 5);
    await seedSalariedBorrower(h.ds, 99); // linked, never decided: not due

    const run = await h.service.runCycle('manual', { concurrency: 3 });
    if (!run.acquired) throw new Error('lock not acquired');
    const { cycleId } = run.result.start;
    expect(run.result.start.items).toBe(5);
    expect(run.result.progress.status).toBe('completed');
    expect(run.result.progress.counters).toMatchObject({ total: 5, done: 5, failed: 0, pending: 0 });

    const rows = await h.ds.query<Array<{ borrower_id: string; n: string }>>(
      `SELECT borrower_id, count(*) AS n FROM decisions WHERE trigger = 'scheduled' AND actor = $1 GROUP BY borrower_id`,
      [`reunderwrite:${cycleId}`],
    );
    expect(rows.map((r) => r.borrower_id).sort()).toEqual([...ids].sort());
    expect(rows.every((r) => r.n === '1')).toBe(true);
    expect(await count(h.ds, `SELECT count(*) AS n FROM credit_limits`)).toBe(5);
    expect(await count(h.ds, `SELECT count(*) AS n FROM limit_changes WHERE cycle_id = $1`, [cycleId])).toBe(5);
    const [item] = await h.ds.query(`SELECT result FROM review_items WHERE cycle_id = $1 LIMIT 1`, [cycleId]);
    expect(item.result.review.baseline.verifiedMonthlyIncomeMinor).toBeGreaterThan(0);
    expect(item.result.review.current.lenders).toEqual(expect.any(Array));

    // Draining a completed cycle again does nothing.
    await h.service.drainCycle(cycleId, { concurrency: 2 });
    expect(await count(h.ds, `SELECT count(*) AS n FROM decisions WHERE trigger = 'scheduled'`)).toBe(5);
  });

  it('should respect the per-account rate limit, re-authorisation and the cycle budget (counted atomically)', async () => {
    const h = await harness({ env: { SYNC_MIN_INTERVAL_SECONDS: '120' } });
    await seedOriginated(h, 4);
    await seedOriginated(h, 1, { reauth: true }, 10);
    const [recent] = await seedOriginated(h, 1, { now: clock.now(), lastSyncedAgoMs: 10_000 }, 20);
    const run = await h.service.runCycle('manual', { concurrency: 4, budget: 2 });
    if (!run.acquired) throw new Error('lock not acquired');
    const { progress } = run.result;
    expect(h.syncer.calls).toHaveLength(2);
    expect(new Set(h.syncer.calls).size).toBe(2);
    expect(progress.monoCallsSpent).toBe(2);
    expect(progress.budget).toBe(2);
    expect(progress.counters).toMatchObject({ done: 6, synced: 2, reauthNeeded: 1, overBudget: 2 });
    const recentAccount = await h.ds.query(`SELECT id FROM bank_accounts WHERE borrower_id = $1`, [recent]);
    expect(h.syncer.calls).not.toContain(recentAccount[0].id);
    // Every review still produced its decision (over budget → cached data).
    expect(await count(h.ds, `SELECT count(*) AS n FROM decisions WHERE trigger = 'scheduled'`)).toBe(6);
  });

  it('should give back the budget for syncs that never reached Mono', async () => {
    const h = await harness();
    await seedOriginated(h, 3);
    h.syncer.outcome = 'coalesced';
    const run = await h.service.runCycle('manual', { concurrency: 1, budget: 2, ingestionWaitMs: 200 });
    if (!run.acquired) throw new Error('lock not acquired');
    expect(h.syncer.calls).toHaveLength(3);
    expect(run.result.progress.monoCallsSpent).toBe(0);
  });

  it('should lower a limit only after two consecutive weak reviews, emit limit.changed, and honour the increase cooldown', async () => {
    // Hysteresis in isolation: without the DSR hard trigger (a doubled limit would breach the DSR cap at once).
    const policy: LimitPolicy = {
      ...DEFAULT_LIMIT_POLICY,
      decrease: {
        ...DEFAULT_LIMIT_POLICY.decrease,
        hardTriggers: { ...DEFAULT_LIMIT_POLICY.decrease.hardTriggers, postLoanDsrAboveCap: false },
      },
    };
    const h = await harness({ policy });
    const [id] = await seedOriginated(h, 1);
    const cycle = async () => {
      const r = await h.service.runCycle('manual', { concurrency: 1 });
      if (!r.acquired) throw new Error('lock not acquired');
      return r.result.start.cycleId;
    };
    await cycle();
    const [limit] = await h.ds.query(`SELECT current_limit_minor FROM credit_limits WHERE borrower_id = $1`, [id]);
    const recomputed = Number(limit.current_limit_minor);
    expect(recomputed).toBeGreaterThan(0);

    // The lender's current limit is far above what the data now supports: weak review 1 of 2.
    await h.ds.query(`UPDATE credit_limits SET current_limit_minor = $2 WHERE borrower_id = $1`, [id, recomputed * 2]);
    await cycle();
    expect(await lastChange(h, id)).toMatchObject({
      action: 'unchanged',
      to_limit_minor: String(recomputed * 2),
      reasons: [{ code: 'WEAK_REVIEW' }],
    });
    expect(await count(h.ds, `SELECT count(*) AS n FROM outbox_events WHERE event_type = 'limit.changed'`)).toBe(0);

    const second = await cycle();
    expect(await lastChange(h, id)).toMatchObject({
      action: 'lowered',
      to_limit_minor: String(recomputed),
      reasons: [{ code: 'WEAK_REVIEWS_CONSECUTIVE' }],
    });
    const [event] = await h.ds.query(`SELECT aggregate_id, payload FROM outbox_events WHERE event_type = 'limit.changed'`);
    expect(event.aggregate_id).toBe(id);
    expect(event.payload).toMatchObject({
      action: 'lowered',
      fromLimitMinor: recomputed * 2,
      toLimitMinor: recomputed,
      cycleId: second,
      reasons: [{ code: 'WEAK_REVIEWS_CONSECUTIVE' }],
    });

    // Data supports double the current limit, but the last increase was 10 days ago.
    const half = Math.floor(recomputed / 2 / 500_000) * 500_000;
    await h.ds.query(
      `UPDATE credit_limits SET current_limit_minor = $2, last_increase_at = now() - interval '10 days' WHERE borrower_id = $1`,
      [id, half],
    );
    await cycle();
    const blocked = await lastChange(h, id);
    expect(blocked.action).toBe('unchanged');
    expect(blocked.reasons.map((r) => r.code)).toContain('INCREASE_BLOCKED_COOLDOWN');

    await h.ds.query(`UPDATE credit_limits SET last_increase_at = now() - interval '70 days' WHERE borrower_id = $1`, [id]);
    await cycle();
    const raised = await lastChange(h, id);
    expect(raised.action).toBe('raised');
    expect(Number(raised.to_limit_minor)).toBeGreaterThan(half);
    expect(Number(raised.to_limit_minor)).toBeLessThanOrEqual(Math.max(half * 1.5, half + 1_000_000));
  });

  it('should act on a hard trigger at the first review, freezing at the outstanding balance rather than going below it', async () => {
    const h = await harness();
    const [id] = await seedOriginated(h, 1);
    const r1 = await h.service.runCycle('manual', { concurrency: 1 });
    if (!r1.acquired) throw new Error('lock not acquired');
    const [limit] = await h.ds.query(`SELECT current_limit_minor FROM credit_limits WHERE borrower_id = $1`, [id]);
    const recomputed = Number(limit.current_limit_minor);
    await h.ds.query(`UPDATE credit_limits SET current_limit_minor = $2, outstanding_minor = $3 WHERE borrower_id = $1`, [
      id,
      recomputed * 2,
      recomputed * 1.5,
    ]);
    await h.service.runCycle('manual', { concurrency: 1 });
    // Never below the outstanding balance: the limit stays at what is owed and new draws are frozen.
    expect(await lastChange(h, id)).toMatchObject({
      action: 'frozen',
      to_limit_minor: String(recomputed * 1.5),
      reasons: [{ code: 'HARD_POST_LOAN_DSR_ABOVE_CAP' }, { code: 'FLOOR_OUTSTANDING_BALANCE' }],
    });
    const [row] = await h.ds.query(`SELECT status FROM credit_limits WHERE borrower_id = $1`, [id]);
    expect(row.status).toBe('frozen');
    const [event] = await h.ds.query(`SELECT payload FROM outbox_events WHERE event_type = 'limit.changed'`);
    expect(event.payload).toMatchObject({ action: 'frozen', status: 'frozen', toLimitMinor: recomputed * 1.5 });
  });

  it('should let two engine instances drain one cycle together without reviewing any borrower twice', async () => {
    const a = await harness();
    const b = await harness({ url: a.url });
    const ids = await seedOriginated(a, 12);
    const { cycleId } = await a.service.startCycle('manual');
    const [ra, rb] = await Promise.all([
      a.service.drainCycle(cycleId, { workerId: 'instance-a', concurrency: 3 }),
      b.service.drainCycle(cycleId, { workerId: 'instance-b', concurrency: 3 }),
    ]);
    expect(ra.processed + rb.processed).toBe(12);
    expect(ra.completedCycle !== rb.completedCycle).toBe(true);
    const rows = await a.ds.query<Array<{ borrower_id: string; n: string }>>(
      `SELECT borrower_id, count(*) AS n FROM decisions WHERE trigger = 'scheduled' GROUP BY borrower_id`,
    );
    expect(rows).toHaveLength(ids.length);
    expect(rows.every((r) => r.n === '1')).toBe(true);
    expect(
      await count(a.ds, `SELECT count(*) AS n FROM review_items WHERE cycle_id = $1 AND attempts = 1 AND status = 'done'`, [cycleId]),
    ).toBe(12);
    expect(await count(a.ds, `SELECT count(*) AS n FROM limit_changes WHERE cycle_id = $1`, [cycleId])).toBe(12);
  });

  it('should refuse a second scheduler while the lock is held and resume an unfinished cycle instead of starting one', async () => {
    const a = await harness();
    const b = await harness({ url: a.url });
    await seedOriginated(a, 3);
    await withAdvisoryLock(a.ds, SCHEDULER_LOCK, async () => {
      await expect(b.service.startCycle('manual')).rejects.toMatchObject({ code: 'REUNDERWRITE_ALREADY_RUNNING' });
    });
    const first = await a.service.startCycle('manual');
    await a.service.drainCycle(first.cycleId, { concurrency: 1, maxItems: 1 });
    const again = await b.service.startCycle('scheduled');
    expect(again).toEqual({ cycleId: first.cycleId, resumed: true, items: 3 });
    await b.service.drainCycle(first.cycleId, { concurrency: 2 });
    expect((await b.service.progress(first.cycleId)).counters).toMatchObject({ done: 3 });
    expect(await count(a.ds, `SELECT count(*) AS n FROM decisions WHERE trigger = 'scheduled'`)).toBe(3);
  });

  it('should let an instance without the scheduler lock join the running cycle (skipped cron tick drains its items)', async () => {
    const a = await harness();
    const b = await harness({ url: a.url, env: { JOBS_ENABLED: 'true', REUNDERWRITE_CRON: '0 2 1 1 *' } });
    const ids = await seedOriginated(a, 4);
    const { cycleId } = await a.service.startCycle('manual', { budget: 0 });
    // A holds the scheduler lock (as while it runs the cycle): B's tick is skipped, and B drains the items instead.
    const status = await withAdvisoryLock(a.ds, SCHEDULER_LOCK, () => b.app.get(ReunderwriteJob).run());
    expect(status).toMatchObject({ acquired: true, result: 'skipped' });
    const workers = await a.ds.query<Array<{ worker_id: string; n: string }>>(
      `SELECT worker_id, count(*) AS n FROM review_items WHERE cycle_id = $1 AND status = 'done' GROUP BY worker_id`,
      [cycleId],
    );
    expect(workers.reduce((n, w) => n + Number(w.n), 0)).toBe(ids.length);
    // B completed the cycle too (no item left open), and a second join finds nothing to do.
    expect((await a.service.progress(cycleId)).status).toBe('completed');
    expect(await b.service.joinRunningCycle()).toBeNull();
  });

  it('should leave scheduled work to worker instances on an API-only instance (WORKERS_ENABLED=false)', async () => {
    const a = await harness();
    const api = await harness({ url: a.url, env: { JOBS_ENABLED: 'true', WORKERS_ENABLED: 'false', REUNDERWRITE_CRON: '0 2 1 1 *' } });
    await seedOriginated(a, 2);
    const { cycleId } = await a.service.startCycle('manual', { budget: 0 });
    const job = api.app.get(ReunderwriteJob);
    expect(await job.run()).toBe('disabled');
    expect(api.app.get(SchedulerRegistry).doesExist('cron', REUNDERWRITE_JOB_NAME)).toBe(false);
    // Nothing of the cycle was touched by the API-only instance.
    expect(await count(a.ds, `SELECT count(*) AS n FROM review_items WHERE cycle_id = '${cycleId}' AND status <> 'pending'`)).toBe(0);
  });

  it('should roll back the decision of a crashed attempt with its item, so the retry stores the only one', async () => {
    const h = await harness({ scorer: 'crash-once' });
    await seedOriginated(h, 2);
    const run = await h.service.runCycle('manual', { concurrency: 1, maxAttempts: 3 });
    if (!run.acquired) throw new Error('lock not acquired');
    expect(run.result.progress.counters).toMatchObject({ done: 2, failed: 0 });
    expect(await count(h.ds, `SELECT count(*) AS n FROM decisions WHERE trigger = 'scheduled'`)).toBe(2);
    expect(await count(h.ds, `SELECT count(*) AS n FROM review_items WHERE attempts = 2`)).toBe(1);
    // Every stored scheduled decision is the one its done item points at (no orphan from the crashed attempt).
    expect(
      await count(
        h.ds,
        `SELECT count(*) AS n FROM decisions d WHERE d.trigger = 'scheduled'
           AND NOT EXISTS (SELECT 1 FROM review_items i WHERE i.decision_id = d.id AND i.status = 'done')`,
      ),
    ).toBe(0);
  });

  it('should store scheduled decision inputs compressed and replay every decision identically', async () => {
    const h = await harness();
    const ids = await seedOriginated(h, 2);
    const run = await h.service.runCycle('manual', { concurrency: 2 });
    if (!run.acquired) throw new Error('lock not acquired');
    const scoring = h.app.get(ScoringService);
    const decisions = await h.ds.query<Array<{ id: string; trigger: string; gz: boolean }>>(
      `SELECT d.id, d.trigger, (i.payload_gzip IS NOT NULL AND i.payload IS NULL) AS gz
       FROM decisions d JOIN decision_inputs i ON i.inputs_hash = d.inputs_hash WHERE d.borrower_id = ANY($1::uuid[])`,
      [ids],
    );
    expect(decisions).toHaveLength(4);
    expect(decisions.every((d) => d.gz)).toBe(true);
    for (const d of decisions) {
      expect(await scoring.replay(d.id)).toMatchObject({
        decisionId: d.id,
        identical: true,
        differences: [],
        engineVersionChanged: false,
        explanation: expect.stringMatching(/^Reproduced byte for byte on engine /),
      });
    }
  });

  it('should say so plainly when a decision made on an older engine under its stored 1.0.0 policy is replayed', async () => {
    const h = await harness();
    const [borrowerId] = await seedOriginated(h, 1);
    const scoring = h.app.get(ScoringService);
    const [d] = await h.ds.query<Array<{ id: string; inputs_hash: string }>>(
      `SELECT id, inputs_hash FROM decisions WHERE borrower_id = $1`,
      [borrowerId],
    );
    // A decision as engine 1.1.0 stored it: its input carries the 1.0.0 policy (no person-to-person, missed-salary or
    // chronic-overdraft fields) and its result names engine 1.1.0 and that policy.
    const row = await h.ds.getRepository(DecisionInputEntity).findOneByOrFail({ inputsHash: d.inputs_hash });
    const input = { ...decodeDecisionInput(row), policy: DEFAULT_POLICY_1_0_0 };
    const stored = { ...underwrite(input), engineVersion: '1.1.0' };
    await h.ds.query(`UPDATE decision_inputs SET payload_gzip = $2 WHERE inputs_hash = $1`, [
      d.inputs_hash,
      gzipSync(JSON.stringify(input)),
    ]);
    // decisions is append-only: store the older decision as a new row (a copy with the older engine's result).
    const cols = (
      await h.ds.query<Array<{ column_name: string }>>(
        `SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'decisions' ORDER BY ordinal_position`,
      )
    ).map((c) => c.column_name);
    const value = (c: string): string =>
      c === 'id'
        ? 'gen_random_uuid()'
        : c === 'engine_version'
          ? `'1.1.0'`
          : c === 'policy_version'
            ? '$2'
            : c === 'result'
              ? '$3::jsonb'
              : c;
    const [older] = await h.ds.query<Array<{ id: string }>>(
      `INSERT INTO decisions (${cols.join(', ')}) SELECT ${cols.map(value).join(', ')} FROM decisions WHERE id = $1 RETURNING id`,
      [d.id, stored.policyVersion, JSON.stringify(stored)],
    );
    const replay = await scoring.replay(older.id);
    expect(replay).toMatchObject({
      identical: false,
      storedEngineVersion: '1.1.0',
      replayedEngineVersion: ENGINE_VERSION,
      storedPolicyVersion: 'default@1.0.0+ae4ab30861fb',
      engineVersionChanged: true,
      // Under its own policy the new rules stay off: nothing but the engine version differs.
      differences: ['engineVersion'],
    });
    expect(replay.explanation).toBe(
      `Decided on engine 1.1.0, replayed on engine ${ENGINE_VERSION} under the stored policy default@1.0.0+ae4ab30861fb: only the engine version differs; the result is otherwise the same.`,
    );
  });

  it('should replay a decision whose input was stored as jsonb before compression', async () => {
    const h = await harness();
    const [borrowerId] = await seedOriginated(h, 1);
    const scoring = h.app.get(ScoringService);
    const [d] = await h.ds.query<Array<{ id: string; inputs_hash: string }>>(
      `SELECT id, inputs_hash FROM decisions WHERE borrower_id = $1`,
      [borrowerId],
    );
    // As the pre-compression code stored it: the input's JSON as jsonb.
    const row = await h.ds.getRepository(DecisionInputEntity).findOneByOrFail({ inputsHash: d.inputs_hash });
    const json = JSON.stringify(decodeDecisionInput(row));
    await h.ds.query(`UPDATE decision_inputs SET payload = $2::jsonb, payload_gzip = NULL WHERE inputs_hash = $1`, [d.inputs_hash, json]);
    expect(await scoring.replay(d.id)).toMatchObject({ identical: true, differences: [] });
  });
});
