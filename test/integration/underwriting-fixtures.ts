import { createHash, randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { DataSource, type EntityManager } from 'typeorm';
import { AppModule } from '../../src/app.module.js';
import { Clock, FixedClock } from '../../src/common/clock.js';
import { AppConfig } from '../../src/config/app-config.js';
import { ScoringService } from '../../src/scoring/scoring.service.js';
import { buildTransactions, salariedSpecs, type SalariedOptions } from '../../src/scoring/engine/testing/builders.js';
import { ScoringServiceScorer } from '../../src/underwriting/adapters/scoring-service-scorer.js';
import type { LimitPolicy } from '../../src/underwriting/limit-policy.js';
import { AccountSyncer, ReviewScorer, type ScheduledScore, type SyncOutcome } from '../../src/underwriting/ports.js';
import { LIMIT_POLICY, ReunderwritingService, type CycleProgress, type StartResult } from '../../src/underwriting/reunderwriting.service.js';
import type { CycleTrigger } from '../../src/underwriting/review-cycle.entity.js';
import { createTestDatabase } from '../support/database.js';

/** YYYY-MM of `date` shifted by `months`. */
function month(date: Date, months: number): string {
  const d = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + months, 1));
  return d.toISOString().slice(0, 7);
}

export interface SeededReviewBorrower {
  borrowerId: string;
  accountId: string;
}

/**
 * A salaried borrower with one linked account and ~7 months of categorised transactions ending before `now`,
 * inserted straight into the tables ingestion writes (bulk, via unnest).
 */
export async function seedSalariedBorrower(
  db: DataSource,
  i: number,
  opts: { now?: Date; salary?: SalariedOptions; lastSyncedAgoMs?: number; reauth?: boolean } = {},
): Promise<SeededReviewBorrower> {
  const now = opts.now ?? new Date();
  const today = now.toISOString().slice(0, 10);
  const borrowerId = randomUUID();
  const accountId = randomUUID();
  await db.query(`INSERT INTO borrowers (id, external_id, full_name, email) VALUES ($1, $2, $3, $4)`, [
    borrowerId,
    `uw-${i}-${borrowerId.slice(0, 8)}`,
    'Ada Okafor',
    `ada${i}@example.com`,
  ]);
  const txs = buildTransactions(salariedSpecs({ seed: i + 1, from: month(now, -7), to: month(now, 0), ...opts.salary }), {
    accountId,
    openingBalanceMinor: 5_000_000,
  }).filter((t) => t.date < today);
  const synced = new Date(now.getTime() - (opts.lastSyncedAgoMs ?? 86_400_000));
  await db.query(
    `INSERT INTO bank_accounts (id, borrower_id, mono_account_id, institution_name, account_name, currency, balance_minor, data_status,
       last_synced_at, last_ingested_at, reauth_required, reauth_required_at)
     VALUES ($1, $2, $3, 'GTBank', 'ADA OKAFOR', 'NGN', $4, 'AVAILABLE', $5, $5, $6, $7)`,
    [
      accountId,
      borrowerId,
      `mono-${accountId.slice(0, 20)}`,
      txs[txs.length - 1]?.balanceMinor ?? 0,
      synced,
      opts.reauth === true,
      opts.reauth ? synced : null,
    ],
  );
  await db.query(
    `INSERT INTO bank_transactions (account_id, provider_txn_id, fingerprint, posted_at, booking_date, direction, amount_minor, balance_minor,
       currency, narration, category, category_rule, rail, counterparty, raw)
     SELECT $1, p, encode(sha256(p::bytea), 'hex'), pa, bd, dir, amt, bal, 'NGN', nar, cat, 'test.seed', rail, cp, '{}'::jsonb
     FROM unnest($2::text[], $3::timestamptz[], $4::date[], $5::text[], $6::bigint[], $7::bigint[], $8::text[], $9::text[], $10::text[], $11::text[])
       AS u(p, pa, bd, dir, amt, bal, nar, cat, rail, cp)`,
    [
      accountId,
      txs.map((t) => `${t.providerId}-${createHash('sha1').update(accountId).digest('hex').slice(0, 6)}`),
      txs.map((t) => t.postedAt),
      txs.map((t) => t.date),
      txs.map((t) => t.direction),
      txs.map((t) => t.amountMinor),
      txs.map((t) => t.balanceMinor),
      txs.map((t) => t.narration),
      txs.map((t) => t.category),
      txs.map((t) => t.rail),
      txs.map((t) => t.counterparty),
    ],
  );
  return { borrowerId, accountId };
}

export async function count(db: DataSource, sql: string, params: unknown[] = []): Promise<number> {
  const rows = await db.query<Array<{ n: string }>>(sql, params);
  return Number(rows[0]?.n ?? 0);
}

/** Counts sync requests; "ingests" at once by bumping last_ingested_at, as ingestion would after a sync. */
export class CountingSyncer extends AccountSyncer {
  readonly calls: string[] = [];
  ds!: DataSource;
  outcome: SyncOutcome = 'requested';
  async requestSync(accountId: string): Promise<{ syncRunId: string | null; outcome: SyncOutcome }> {
    this.calls.push(accountId);
    if (this.outcome === 'requested') {
      await this.ds.query(
        `UPDATE bank_accounts SET last_synced_at = now(), last_ingested_at = now() + interval '1 millisecond' WHERE id = $1`,
        [accountId],
      );
    }
    return { syncRunId: null, outcome: this.outcome };
  }
}

/** Stores the decision (in the item's transaction), then fails once: a crash between scoring and the item's commit. */
export class CrashOnceScorer extends ReviewScorer {
  crashed = 0;
  inner!: ReviewScorer;
  async scoreScheduled(
    borrowerId: string,
    opts: { actor: string; staleData: boolean; asOf: Date; manager?: EntityManager },
  ): Promise<ScheduledScore> {
    const r = await this.inner.scoreScheduled(borrowerId, opts);
    if (this.crashed === 0) {
      this.crashed++;
      throw new Error('simulated crash after the decision was stored');
    }
    return r;
  }
}

export interface Harness {
  app: INestApplication;
  ds: DataSource;
  service: ReunderwritingService;
  syncer: CountingSyncer;
  url: string;
  close(): Promise<void>;
}

const opened: Array<() => Promise<void>> = [];
/** Closes every harness opened since the last call (call it from afterEach). */
export async function closeHarnesses(): Promise<void> {
  while (opened.length) await opened.pop()!();
}

/** Business time a bit over a day ahead, so every decision seeded now is older than REVIEW_MAX_AGE_DAYS=1. */
export const clock = new FixedClock(new Date(Date.now() + 25 * 3_600_000));

export async function harness(
  opts: { url?: string; env?: Record<string, string>; scorer?: 'crash-once'; policy?: LimitPolicy } = {},
): Promise<Harness> {
  const db = opts.url ? null : await createTestDatabase();
  const url = opts.url ?? db!.url;
  // Jobs and workers on: the review steps are pg-boss jobs worked by this app (the cron never fires in a test).
  const config = AppConfig.forTest({
    LOG_LEVEL: 'warn',
    REVIEW_MAX_AGE_DAYS: '1',
    APPLICATION_SYNC_DEADLINE_SECONDS: '5',
    JOBS_ENABLED: 'true',
    REUNDERWRITE_CRON: '0 2 1 1 *',
    ...opts.env,
  });
  const syncer = new CountingSyncer();
  let builder = Test.createTestingModule({ imports: [AppModule.forRoot({ config, databaseUrl: url })] })
    .overrideProvider(AccountSyncer)
    .useValue(syncer)
    .overrideProvider(Clock)
    .useValue(clock);
  const crash = new CrashOnceScorer();
  if (opts.scorer === 'crash-once') builder = builder.overrideProvider(ReviewScorer).useValue(crash);
  if (opts.policy) builder = builder.overrideProvider(LIMIT_POLICY).useValue(opts.policy);
  const moduleRef = await builder.compile();
  const app = moduleRef.createNestApplication({ logger: false });
  await app.init();
  const ds = app.get(DataSource);
  syncer.ds = ds;
  crash.inner = new ScoringServiceScorer(app.get(ScoringService));
  const h: Harness = {
    app,
    ds,
    service: app.get(ReunderwritingService),
    syncer,
    url,
    close: async () => {
      await app.close();
      await db?.drop();
    },
  };
  opened.push(h.close);
  return h;
}

/**
 * Starts (or resumes) a cycle and resolves when it completed on any of `workers` (default: the harness that starts
 * it): the job system's work, awaited through the service's cycle-completed event, never a poll.
 */
export async function runCycle(
  h: Harness,
  opts: { trigger?: CycleTrigger; budget?: number; workers?: Harness[] } = {},
): Promise<{ start: StartResult; progress: CycleProgress }> {
  const start = await h.service.startCycle(opts.trigger ?? 'manual', { budget: opts.budget });
  const progress = await Promise.race((opts.workers ?? [h]).map((w) => w.service.waitForCycle(start.cycleId)));
  return { start, progress: await h.service.progress(progress.cycleId) };
}

/** Seeds borrowers with an origination ('application') decision, as the applications flow leaves them. */
export async function seedOriginated(
  h: Harness,
  n: number,
  opts: Parameters<typeof seedSalariedBorrower>[2] = {},
  from = 0,
): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const { borrowerId } = await seedSalariedBorrower(h.ds, from + i, opts);
    await h.app.get(ScoringService).scoreBorrower(borrowerId, { trigger: 'application', actor: 'test', asOf: new Date() });
    ids.push(borrowerId);
  }
  return ids;
}
