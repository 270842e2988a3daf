import { afterEach, describe, expect, it } from '@jest/globals';
import { gzipSync } from 'node:zlib';
import { FixedClock } from '../../src/common/clock.js';
import { AccountEventBus } from '../../src/common/events/account-events.js';
import { ReviewScorer } from '../../src/underwriting/ports.js';
import { JOBS_SCHEMA, JobsService } from '../../src/jobs/jobs.service.js';
import { DecisionInputEntity } from '../../src/scoring/entities/decision-input.entity.js';
import { ENGINE_VERSION, underwrite } from '../../src/scoring/engine/index.js';
import { DEFAULT_POLICY_1_0_0 } from '../../src/scoring/policy/index.js';
import { decodeDecisionInput, ScoringService } from '../../src/scoring/scoring.service.js';
import { DEFAULT_LIMIT_POLICY, type LimitPolicy } from '../../src/underwriting/limit-policy.js';
import { ReunderwriteJob } from '../../src/underwriting/reunderwrite.job.js';
import { ReunderwritingService } from '../../src/underwriting/reunderwriting.service.js';
import { clock, closeHarnesses, count, harness, runCycle, seedOriginated, seedSalariedBorrower, type Harness } from './underwriting-fixtures.js';

afterEach(closeHarnesses);

/** A clock that announces its first read (the service reads it right after looking for a running cycle). */
class SignalClock extends FixedClock {
  private announce!: () => void;
  readonly read = new Promise<void>((resolve) => (this.announce = resolve));
  override now(): Date {
    this.announce();
    return super.now();
  }
}

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

    const { start, progress } = await runCycle(h);
    const { cycleId } = start;
    expect(start.items).toBe(5);
    expect(progress.status).toBe('completed');
    expect(progress.counters).toMatchObject({ total: 5, done: 5, failed: 0, pending: 0 });

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

    // A review step delivered again for a done item does nothing.
    const [first] = await h.ds.query<Array<{ id: string }>>(`SELECT id::text AS id FROM review_items WHERE cycle_id = $1 LIMIT 1`, [cycleId]);
    expect(await h.service.scoreItem(first.id, true)).toBe('noop');
    await h.service.requestSync(first.id);
    expect(await count(h.ds, `SELECT count(*) AS n FROM decisions WHERE trigger = 'scheduled'`)).toBe(5);
    expect(await count(h.ds, `SELECT count(*) AS n FROM ${JOBS_SCHEMA}.job WHERE name = 'reunderwrite-sync'`)).toBe(5);
  });

  it('should respect the per-account rate limit, re-authorisation and the cycle budget (counted atomically)', async () => {
    const h = await harness({ env: { SYNC_MIN_INTERVAL_SECONDS: '120' } });
    await seedOriginated(h, 4);
    await seedOriginated(h, 1, { reauth: true }, 10);
    const [recent] = await seedOriginated(h, 1, { now: clock.now(), lastSyncedAgoMs: 10_000 }, 20);
    const { progress } = await runCycle(h, { budget: 2 });
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

  it('should give back the budget for syncs that never reached Mono, and score on cached data after the ingestion wait', async () => {
    // One review step at a time: a unit is reserved while its sync request is in flight, so with concurrent reviews a
    // third one may find the budget taken by a request that is then refunded (it scores on cached data, over budget).
    const h = await harness({ env: { APPLICATION_SYNC_DEADLINE_SECONDS: '1', REUNDERWRITE_CONCURRENCY: '1' } });
    await seedOriginated(h, 3);
    h.syncer.outcome = 'coalesced';
    const { progress } = await runCycle(h, { budget: 2 });
    expect(h.syncer.calls).toHaveLength(3);
    expect(progress.monoCallsSpent).toBe(0);
    expect(progress.counters).toMatchObject({ done: 3, synced: 0 });
    const [item] = await h.ds.query(`SELECT result FROM review_items LIMIT 1`);
    expect(item.result.sync).toMatchObject({ coalesced: 1, timedOut: 1, stale: true });
  });

  it('should resume a waiting review on account.ingested rather than wait for the fallback', async () => {
    // The fallback is an hour away: only the ingestion event can finish the review within the test.
    const h = await harness({ env: { APPLICATION_SYNC_DEADLINE_SECONDS: '3600' } });
    const [borrower] = await seedOriginated(h, 1);
    h.syncer.outcome = 'coalesced'; // a sync is in flight: nothing ingested yet
    const synced = h.app.get(JobsService).waitFor('reunderwrite-sync');
    const { cycleId } = await h.service.startCycle('manual', { budget: 1 });
    await synced;
    expect((await h.service.statusProgress(cycleId)).counters).toMatchObject({ inProgress: 1, done: 0 });
    const [account] = await h.ds.query<Array<{ id: string }>>(`SELECT id FROM bank_accounts WHERE borrower_id = $1`, [borrower]);
    await h.ds.query(`UPDATE bank_accounts SET last_ingested_at = now() + interval '1 second' WHERE id = $1`, [account.id]);
    const done = h.service.waitForCycle(cycleId);
    await h.app.get(AccountEventBus).publish({ type: 'account.ingested', accountId: account.id, ingestionRunId: 'run-1', syncRunId: null, changed: true });
    const progress = await done;
    expect(progress.counters).toMatchObject({ done: 1, synced: 1 });
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
    const cycle = async () => (await runCycle(h)).start.cycleId;
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
    await runCycle(h);
    const [limit] = await h.ds.query(`SELECT current_limit_minor FROM credit_limits WHERE borrower_id = $1`, [id]);
    const recomputed = Number(limit.current_limit_minor);
    await h.ds.query(`UPDATE credit_limits SET current_limit_minor = $2, outstanding_minor = $3 WHERE borrower_id = $1`, [
      id,
      recomputed * 2,
      recomputed * 1.5,
    ]);
    await runCycle(h);
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

  it('should let two engine instances work one cycle together without reviewing any borrower twice', async () => {
    const a = await harness();
    const b = await harness({ url: a.url });
    const ids = await seedOriginated(a, 12);
    const finished: string[] = [];
    for (const h of [a, b]) h.service.onItemFinished((itemId) => finished.push(itemId));
    const { start, progress } = await runCycle(a, { workers: [a, b] });
    expect(progress).toMatchObject({ status: 'completed', counters: { total: 12, done: 12, failed: 0 } });
    expect(finished.sort()).toEqual([...new Set(finished)].sort());
    expect(finished).toHaveLength(12);
    const rows = await a.ds.query<Array<{ borrower_id: string; n: string }>>(
      `SELECT borrower_id, count(*) AS n FROM decisions WHERE trigger = 'scheduled' GROUP BY borrower_id`,
    );
    expect(rows).toHaveLength(ids.length);
    expect(rows.every((r) => r.n === '1')).toBe(true);
    expect(
      await count(a.ds, `SELECT count(*) AS n FROM review_items WHERE cycle_id = $1 AND attempts = 1 AND status = 'done'`, [start.cycleId]),
    ).toBe(12);
    expect(await count(a.ds, `SELECT count(*) AS n FROM limit_changes WHERE cycle_id = $1`, [start.cycleId])).toBe(12);
  });

  it('should refuse a second cycle started at the same moment (one running cycle) and resume an unfinished cycle instead of starting one', async () => {
    // A has no workers: the cycle it starts stays running until B (a worker) resumes and works it.
    const a = await harness({ env: { JOBS_ENABLED: 'false', WORKERS_ENABLED: 'false' } });
    await seedOriginated(a, 3);
    // Another caller's cycle insert is in flight (uncommitted) when A reads "no running cycle": A's insert then hits
    // the partial unique index on running cycles.
    const other = a.ds.createQueryRunner();
    await other.connect();
    await other.startTransaction();
    await other.query(`INSERT INTO review_cycles (trigger, as_of, review_max_age_days, budget) VALUES ('manual', now(), 1, 0)`);
    const signalling = new SignalClock(clock.now());
    a.app.get(ReunderwritingService)['clock' as never] = signalling as never;
    const racing = a.service.startCycle('manual').catch((err: unknown) => err);
    await signalling.read; // A read the running cycles (none committed) and is about to insert its own
    await other.commitTransaction();
    await other.release();
    expect(await racing).toMatchObject({ code: 'REUNDERWRITE_ALREADY_RUNNING' });
    await a.ds.query(`DELETE FROM review_cycles`);
    a.app.get(ReunderwritingService)['clock' as never] = clock as never;

    const first = await a.service.startCycle('manual');
    expect(first).toMatchObject({ resumed: false, items: 3 });
    expect(await a.service.startCycle('manual')).toEqual({ cycleId: first.cycleId, resumed: true, items: 3 });
    // Re-sending the items' jobs on resume never queues an item twice (singletonKey = item id).
    expect(await count(a.ds, `SELECT count(*) AS n FROM ${JOBS_SCHEMA}.job WHERE name = 'reunderwrite-sync'`)).toBe(3);
    const b = await harness({ url: a.url });
    const { start, progress } = await runCycle(b, { trigger: 'scheduled' });
    expect(start).toEqual({ cycleId: first.cycleId, resumed: true, items: 3 });
    expect(progress.counters).toMatchObject({ done: 3 });
    expect(await count(a.ds, `SELECT count(*) AS n FROM decisions WHERE trigger = 'scheduled'`)).toBe(3);
  });

  it('should register the schedule where jobs and workers are on, and run a tick once across two instances', async () => {
    const a = await harness();
    const b = await harness({ url: a.url });
    const ids = await seedOriginated(a, 4);
    const schedules = await a.ds.query(`SELECT name, cron, timezone FROM ${JOBS_SCHEMA}.schedule WHERE name = 'reunderwrite-cycle'`);
    expect(schedules).toEqual([{ name: 'reunderwrite-cycle', cron: '0 2 1 1 *', timezone: 'Africa/Lagos' }]);
    // pg-boss sends one job per occurrence; even two ticks delivered to both instances at once create one cycle.
    const ticks = [a, b].map((h) => h.app.get(JobsService).waitFor('reunderwrite-cycle'));
    await a.app.get(JobsService).send('reunderwrite-cycle', { trigger: 'scheduled' });
    await b.app.get(JobsService).send('reunderwrite-cycle', { trigger: 'scheduled' });
    await Promise.race(ticks);
    const cycles = await a.ds.query<Array<{ id: string }>>(`SELECT id FROM review_cycles`);
    expect(cycles).toHaveLength(1);
    const progress = await Promise.race([a, b].map((h) => h.service.waitForCycle(cycles[0].id)));
    expect(progress).toMatchObject({ status: 'completed', trigger: 'scheduled', counters: { total: ids.length, done: ids.length } });
    expect(await count(a.ds, `SELECT count(*) AS n FROM decisions WHERE trigger = 'scheduled'`)).toBe(ids.length);
    expect(await count(a.ds, `SELECT count(*) AS n FROM job_runs WHERE job_name = 'reunderwrite' AND status = 'succeeded'`)).toBeGreaterThanOrEqual(1);
  });

  it('should leave scheduled work to worker instances on an API-only instance (WORKERS_ENABLED=false)', async () => {
    const api = await harness({ env: { WORKERS_ENABLED: 'false' } });
    await seedOriginated(api, 2);
    const { cycleId } = await api.service.startCycle('manual', { budget: 0 });
    expect(await api.app.get(ReunderwriteJob).run()).toBe('disabled');
    expect(await count(api.ds, `SELECT count(*) AS n FROM ${JOBS_SCHEMA}.schedule`)).toBe(0);
    // The jobs are queued for the workers; nothing of the cycle was touched by the API-only instance.
    expect(await count(api.ds, `SELECT count(*) AS n FROM ${JOBS_SCHEMA}.job WHERE name = 'reunderwrite-sync' AND state = 'created'`)).toBe(2);
    expect(await count(api.ds, `SELECT count(*) AS n FROM review_items WHERE cycle_id = $1 AND status <> 'pending'`, [cycleId])).toBe(0);
    const worker = await harness({ url: api.url });
    expect((await worker.service.waitForCycle(cycleId)).counters).toMatchObject({ done: 2 });
  });

  it('should roll back the decision of a crashed attempt with its item, so the retry stores the only one', async () => {
    const h = await harness({ scorer: 'crash-once' });
    await seedOriginated(h, 2);
    const { progress } = await runCycle(h);
    expect(progress.counters).toMatchObject({ done: 2, failed: 0 });
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

  it('should mark an item failed once its review step exhausted its retries (dead letter) and still complete the cycle', async () => {
    const h = await harness({ scorer: 'crash-once' });
    // The scorer fails on every attempt.
    h.app.get(ReviewScorer).scoreScheduled = async () => {
      throw new Error('scorer down');
    };
    await seedOriginated(h, 1);
    const { progress } = await runCycle(h);
    expect(progress).toMatchObject({ status: 'completed', counters: { total: 1, done: 0, failed: 1 } });
    const [item] = await h.ds.query(`SELECT error FROM review_items`);
    expect(item.error).toContain('scorer down');
    expect(await count(h.ds, `SELECT count(*) AS n FROM decisions WHERE trigger = 'scheduled'`)).toBe(0);
  }, 60_000);

  it('should store scheduled decision inputs compressed and replay every decision identically', async () => {
    const h = await harness();
    const ids = await seedOriginated(h, 2);
    await runCycle(h);
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
