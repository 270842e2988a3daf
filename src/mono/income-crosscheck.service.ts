import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { BankAccountEntity } from '../accounts/bank-account.entity.js';
import { Clock } from '../common/clock.js';
import { AppConfig } from '../config/app-config.js';
import { JobsService } from '../jobs/jobs.service.js';
import { CONSENT_GATE, type ConsentGate, type ConsentPurpose } from './consent-gate.js';
import { MonoError } from './mono-error.js';
import { MonoClient } from './mono.client.js';
import { parseMonoIncomeReport, type MonoIncomeReport } from './wire/mono-income.js';
import { MonoDataError } from './wire/mono-transaction.js';

/** The consent purpose that lets the engine ask Mono's (billed) income product about an account. */
export const INCOME_CROSSCHECK_PURPOSES: readonly ConsentPurpose[] = ['income_verification'];

/** An income report that arrives this long after the request is still taken; older requests are not matched. */
const MATCH_WINDOW_MS = 24 * 3600 * 1000;

/** The pg-boss queue of one decision's cross-check (job data: IncomeCrosscheckRequest). */
export const INCOME_CROSSCHECK_QUEUE = 'income-crosscheck';

export type IncomeCheckStatus = 'not_requested' | 'requested' | 'received' | 'unavailable';

/** A request still open this long after it was made is looked up in Mono's income records (`recoverStale`). */
export const INCOME_RECOVER_AFTER_MS = 15 * 60 * 1000;
/** Mono's report and our request come from two clocks: a record this much older than the request still answers it. */
const CLOCK_TOLERANCE_MS = 60 * 1000;

export interface IncomeCrosscheckRequest {
  applicationId: string;
  borrowerId: string;
  decisionId: string;
}

/**
 * Mono's v2 income product as a cross-check of the engine's verified income (issue 16; docs/mono.md "Income
 * cross-check"). Off unless MONO_INCOME_CROSSCHECK=true, because Mono bills every request. `enqueue` adds an
 * `income-crosscheck` job in the transaction that commits an application's decision, so a crash right after the
 * decision loses nothing; the job (`handle`, on any worker) asks Mono once per linked account whose borrower gave an
 * `income_verification` consent (`GET /v2/accounts/{id}/income`, answered at once with `data: null`); the report
 * arrives as `mono.events.account_income` and `recordReport` stores its figures on the request's `mono_income_checks`
 * row. An account without that consent gets a `not_requested` row and no call. A retried job skips the accounts it
 * already recorded (one row per decision and account), so Mono is never asked twice for one decision. Any Mono fault
 * only marks the row `unavailable`. The decision never depends on it: the cross-check is information for the analyst.
 */
@Injectable()
export class IncomeCrosscheckService {
  private readonly logger = new Logger(IncomeCrosscheckService.name);
  /** Per decision: resolves once its cross-check has asked Mono (or given up); created by whichever comes first. */
  private readonly done = new Map<string, { promise: Promise<void>; resolve: () => void }>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly client: MonoClient,
    private readonly config: AppConfig,
    private readonly clock: Clock,
    @Inject(CONSENT_GATE) private readonly consents: ConsentGate,
    private readonly jobs: JobsService,
  ) {}

  get enabled(): boolean {
    return this.config.mono.incomeCrosscheck.enabled;
  }

  /** Adds the cross-check of a decision as a job, in the decision's transaction `m`; a no-op when the setting is off. */
  async enqueue(m: EntityManager, request: IncomeCrosscheckRequest): Promise<void> {
    if (!this.enabled) return;
    await this.jobs.send(INCOME_CROSSCHECK_QUEUE, request, {}, m);
  }

  /** The `income-crosscheck` job: asks Mono about each consented account not yet recorded for this decision. */
  async handle(request: IncomeCrosscheckRequest): Promise<void> {
    try {
      await this.run(request);
    } finally {
      this.doneFor(request.decisionId).resolve();
      // Kept briefly for a late waiter, then forgotten (no growth over a long-running process).
      setTimeout(() => this.done.delete(request.decisionId), 60_000).unref();
    }
  }

  /**
   * Resolves once the cross-check job of this decision has asked Mono (or given up) on this instance — also when
   * called before the job runs. Tests await it; with the setting off it never resolves.
   */
  whenChecked(decisionId: string): Promise<void> {
    return this.doneFor(decisionId).promise;
  }

  private doneFor(decisionId: string): { promise: Promise<void>; resolve: () => void } {
    let entry = this.done.get(decisionId);
    if (!entry) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => (resolve = r));
      entry = { promise, resolve };
      this.done.set(decisionId, entry);
    }
    return entry;
  }

  private async run(request: IncomeCrosscheckRequest): Promise<void> {
    const accounts = await this.dataSource.query<Array<{ id: string; mono_account_id: string }>>(
      `SELECT id, mono_account_id FROM bank_accounts WHERE borrower_id = $1 AND unlinked_at IS NULL ORDER BY created_at, id`,
      [request.borrowerId],
    );
    for (const account of accounts) {
      const now = this.clock.now();
      const consent = await this.consents.check(account.id, INCOME_CROSSCHECK_PURPOSES, now);
      if (!consent.ok) {
        await this.insert(request, account.id, null, 'not_requested', `no valid income_verification consent (${consent.reason})`, now);
        continue;
      }
      const id = await this.insert(request, account.id, consent.consentId, 'requested', null, now);
      // Already recorded by an earlier attempt of this job (a crash, a retry): Mono was asked then, or deliberately not.
      if (id === null) continue;
      try {
        await this.client.requestIncome(account.mono_account_id);
      } catch (err) {
        const reason = err instanceof MonoError ? `Mono ${err.kind}${err.status ? ` ${err.status}` : ''}${err.circuitOpen ? ' (circuit open)' : ''}` : 'request failed';
        this.logger.warn({ accountId: account.id, reason }, 'Mono income request failed; the cross-check is unavailable');
        await this.settle(id, 'unavailable', reason, null);
      }
    }
  }

  private async insert(
    request: IncomeCrosscheckRequest,
    accountId: string,
    consentId: string | null,
    status: IncomeCheckStatus,
    reason: string | null,
    now: Date,
  ): Promise<string | null> {
    const rows = await this.dataSource.query<Array<{ id: string }>>(
      `INSERT INTO mono_income_checks (borrower_id, account_id, application_id, decision_id, consent_id, status, reason, requested_at, settled_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (decision_id, account_id) WHERE decision_id IS NOT NULL DO NOTHING RETURNING id`,
      [request.borrowerId, accountId, request.applicationId, request.decisionId, consentId, status, reason, now, status === 'requested' ? null : now],
    );
    return rows[0]?.id ?? null;
  }

  private async settle(id: string, status: 'received' | 'unavailable', reason: string | null, report: MonoIncomeReport | null): Promise<boolean> {
    const rows = await this.dataSource.query<unknown[]>(
      `UPDATE mono_income_checks
          SET status = $2, reason = $3, settled_at = $4, monthly_income_minor = $5, annual_income_minor = $6, total_income_minor = $7, streams = $8::jsonb
        WHERE id = $1 AND status = 'requested' RETURNING id`,
      [
        id,
        status,
        reason,
        this.clock.now(),
        report?.monthlyIncomeMinor ?? null,
        report?.annualIncomeMinor ?? null,
        report?.totalIncomeMinor ?? null,
        report ? JSON.stringify(report.streams) : null,
      ],
    );
    return rows.length > 0;
  }

  /**
   * Recovery of requests whose report never reached us as `mono.events.account_income` — the webhook lost, Mono's
   * retries given up while the engine was down, or a crash between recording the request and sending it. Each
   * `requested` row older than INCOME_RECOVER_AFTER_MS is looked up in Mono's income records
   * (`GET /v2/accounts/{id}/income-records`, not billed): the newest record created at or after the request (within a
   * minute of clock skew) settles it `received`; with none, a request older than the 24-hour match window is settled
   * `unavailable`, a younger one waits for the next pass. Mono is only asked while the borrower's income_verification
   * consent is valid; without it the request is settled `unavailable`. A Mono fault leaves the row for the next pass.
   * Idempotent and safe on several instances (only a `requested` row is settled).
   */
  async recoverStale(limit = 50): Promise<{ looked: number; received: number; unavailable: number }> {
    const now = this.clock.now();
    const rows = await this.dataSource.query<Array<{ id: string; account_id: string; mono_account_id: string; requested_at: Date }>>(
      `SELECT c.id, c.account_id, a.mono_account_id, c.requested_at
         FROM mono_income_checks c JOIN bank_accounts a ON a.id = c.account_id
        WHERE c.status = 'requested' AND c.requested_at < $1
        ORDER BY c.requested_at LIMIT $2`,
      [new Date(now.getTime() - INCOME_RECOVER_AFTER_MS), limit],
    );
    const result = { looked: rows.length, received: 0, unavailable: 0 };
    for (const row of rows) {
      const requestedAt = new Date(row.requested_at);
      const expired = now.getTime() - requestedAt.getTime() > MATCH_WINDOW_MS;
      const consent = await this.consents.check(row.account_id, INCOME_CROSSCHECK_PURPOSES, now);
      if (!consent.ok) {
        if (await this.settle(row.id, 'unavailable', `Mono's report did not arrive and the income_verification consent is no longer valid (${consent.reason})`, null)) result.unavailable += 1;
        continue;
      }
      let records: Awaited<ReturnType<MonoClient['getIncomeRecords']>>['records'];
      try {
        records = (await this.client.getIncomeRecords(row.mono_account_id)).records;
      } catch (err) {
        const reason = err instanceof MonoError ? `Mono ${err.kind}${err.status ? ` ${err.status}` : ''}` : 'lookup failed';
        this.logger.warn({ accountId: row.account_id, reason }, 'Mono income records lookup failed; the next pass tries again');
        if (expired && (await this.settle(row.id, 'unavailable', `no income report from Mono within 24 h (${reason})`, null))) result.unavailable += 1;
        continue;
      }
      const answer = records.find((r) => r.createdAt !== null && Date.parse(r.createdAt) >= requestedAt.getTime() - CLOCK_TOLERANCE_MS);
      if (answer) {
        const { createdAt: _created, ...report } = answer;
        if (await this.settle(row.id, 'received', null, report)) result.received += 1;
      } else if (expired && (await this.settle(row.id, 'unavailable', 'no income report from Mono within 24 h', null))) {
        result.unavailable += 1;
      }
    }
    if (result.received + result.unavailable > 0) this.logger.log(result, 'income cross-checks recovered from Mono income records');
    return result;
  }

  /**
   * `mono.events.account_income`: the report answers the account's latest open request (within 24 h). A report
   * nobody asked for (another app of the business, a request this engine no longer waits for) is ignored; one that
   * cannot be read marks the request unavailable. Idempotent: only a `requested` row is settled.
   */
  async recordReport(account: BankAccountEntity, data: Record<string, unknown>): Promise<'stored' | 'unmatched' | 'unreadable'> {
    const since = new Date(this.clock.now().getTime() - MATCH_WINDOW_MS);
    const open = await this.dataSource.query<Array<{ id: string }>>(
      `SELECT id FROM mono_income_checks WHERE account_id = $1 AND status = 'requested' AND requested_at >= $2 ORDER BY requested_at DESC LIMIT 1`,
      [account.id, since],
    );
    if (open.length === 0) return 'unmatched';
    let report: MonoIncomeReport;
    try {
      report = parseMonoIncomeReport(data);
    } catch (err) {
      if (!(err instanceof MonoDataError)) throw err;
      await this.settle(open[0].id, 'unavailable', `Mono's income report could not be read (${err.path})`, null);
      return 'unreadable';
    }
    await this.settle(open[0].id, 'received', null, report);
    return 'stored';
  }
}
