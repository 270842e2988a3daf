import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '../common/clock.js';
import { DomainError, NotFoundError } from '../common/errors/domain-error.js';
import { AccountEventBus, type AccountEvent } from '../common/events/account-events.js';
import { AppConfig } from '../config/app-config.js';
import { CONSENT_GATE, ConsentRequiredError, purposesForTrigger, type ConsentGate } from './consent-gate.js';
import { MonoAccountsRepository } from './mono-accounts.repository.js';
import { MonoError } from './mono-error.js';
import { MonoClient, type MonoJobHeaders } from './mono.client.js';
import { ReauthService } from './reauth.service.js';
import type { SyncRunEntity } from './sync-run.entity.js';
import type { SyncRunStatus, SyncStrategy, SyncTrigger } from './sync-run-status.js';
import { SyncRunsRepository } from './sync-runs.repository.js';

export type SyncOutcome = 'requested' | 'coalesced' | 'skipped_rate_limit' | 'reauth_required' | 'succeeded' | 'failed' | 'unavailable';

export interface SyncRequestResult {
  syncRunId: string | null;
  outcome: SyncOutcome;
}

export interface SyncRunView {
  id: string;
  trigger: SyncTrigger;
  strategy: SyncStrategy;
  status: SyncRunStatus;
  monoCode: string | null;
  jobId: string | null;
  hasNewData: boolean | null;
  error: Record<string, unknown> | null;
  requestedAt: Date | null;
  completedAt: Date | null;
  createdAt: Date;
  /** The consent the run relied on. */
  consentId: string | null;
}

export interface AccountSyncStatus {
  accountId: string;
  dataStatus: string;
  reauthRequired: boolean;
  lastSyncedAt: Date | null;
  lastSyncRequestedAt: Date | null;
  latestRun: SyncRunView | null;
}

type Decision = { kind: 'done'; result: SyncRequestResult } | { kind: 'call'; run: SyncRunEntity; monoAccountId: string };

/**
 * Data Sync for one account behind one method, whatever the strategy:
 * - legacy: `POST /accounts/{id}/sync` answers synchronously with a code;
 * - realtime: `GET …/transactions` + `…/balance` with `x-realtime`, completed by `mono.accounts.jobs.update` and
 *   `account_updated` webhooks (the inbox processor completes the run).
 * Concurrent callers coalesce onto the one in-flight run (row lock on the account + the partial unique index); a
 * request inside SYNC_MIN_INTERVAL_SECONDS of the last request never reaches Mono. Every request is a sync_runs row.
 */
@Injectable()
export class SyncService {
  private readonly logger = new Logger(SyncService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly client: MonoClient,
    private readonly accounts: MonoAccountsRepository,
    private readonly runs: SyncRunsRepository,
    private readonly reauth: ReauthService,
    private readonly bus: AccountEventBus,
    private readonly clock: Clock,
    @Inject(CONSENT_GATE) private readonly consents: ConsentGate,
  ) {}

  /** 409 CONSENT_REQUIRED (nothing asked of Mono, no run recorded) when no consent covers the trigger's purpose. */
  async requestSync(accountId: string, trigger: SyncTrigger): Promise<SyncRequestResult> {
    const decision = await this.decide(accountId, trigger);
    if (decision.kind === 'done') return decision.result;
    const { run, monoAccountId } = decision;
    return run.strategy === 'legacy' ? this.runLegacy(accountId, monoAccountId, run) : this.runRealtime(accountId, monoAccountId, run);
  }

  /** The latest sync run of an account with its sync-relevant flags (for the applications API). */
  async getAccountSyncStatus(accountId: string): Promise<AccountSyncStatus> {
    const account = await this.accounts.findById(accountId);
    if (!account) throw new NotFoundError('Account', accountId);
    const latest = await this.runs.findLatest(accountId);
    return {
      accountId,
      dataStatus: account.dataStatus,
      reauthRequired: account.reauthRequired,
      lastSyncedAt: account.lastSyncedAt,
      lastSyncRequestedAt: account.lastSyncRequestedAt,
      latestRun: latest ? toView(latest) : null,
    };
  }

  async getSyncRun(syncRunId: string): Promise<SyncRunView | null> {
    const run = await this.runs.findById(syncRunId);
    return run ? toView(run) : null;
  }

  /** Clears the reauth flag and announces it (after Mono says the user re-authorised). */
  markReauthorized(accountId: string): Promise<void> {
    return this.reauth.markReauthorized(accountId);
  }

  /** Marks every in-flight run older than MONO_SYNC_RUN_TIMEOUT_SECONDS timed_out (called by the inbox poller). */
  timeOutStaleRuns(): Promise<number> {
    const now = this.clock.now();
    return this.runs.timeOutStale(new Date(now.getTime() - this.config.mono.syncRunTimeoutSeconds * 1000), now);
  }

  // ------------------------------------------------------------------ decision under the account row lock

  private async decide(accountId: string, trigger: SyncTrigger): Promise<Decision> {
    const strategy = this.config.mono.syncStrategy;
    return this.dataSource.transaction(async (manager) => {
      const now = this.clock.now();
      const account = await this.accounts.lockForSync(manager, accountId);
      if (!account) throw new NotFoundError('Account', accountId);
      if (account.unlinkedAt) throw new DomainError('ACCOUNT_UNLINKED', 'The account was unlinked from Mono', { accountId });
      // Read under the account lock: a revocation committed before this point stops the sync.
      const purposes = purposesForTrigger(trigger);
      const consent = await this.consents.check(accountId, purposes, now, manager);
      if (!consent.ok) throw new ConsentRequiredError(accountId, purposes, consent);
      const consentId = consent.consentId;

      await this.runs.timeOutStale(new Date(now.getTime() - this.config.mono.syncRunTimeoutSeconds * 1000), now, accountId, manager);
      const inFlight = await this.runs.findInFlight(accountId, manager);
      if (inFlight) return { kind: 'done', result: { syncRunId: inFlight.id, outcome: 'coalesced' } };

      if (account.reauthRequired) {
        const run = await this.runs.insert(manager, { accountId, trigger, strategy, status: 'reauth_required', now, consentId, monoCode: 'REAUTH_PENDING', error: { kind: 'reauth_pending', message: 'the account awaits re-authorisation; Mono was not called' } });
        return { kind: 'done', result: { syncRunId: run.id, outcome: 'reauth_required' } };
      }

      const windowMs = this.config.mono.syncMinIntervalSeconds * 1000;
      const last = account.lastSyncRequestedAt;
      if (windowMs > 0 && last && now.getTime() - last.getTime() < windowMs) {
        const run = await this.runs.insert(manager, {
          accountId,
          trigger,
          strategy,
          status: 'skipped_rate_limit',
          now,
          consentId,
          error: { kind: 'rate_limit_window', retryAfterMs: windowMs - (now.getTime() - last.getTime()) },
        });
        return { kind: 'done', result: { syncRunId: run.id, outcome: 'skipped_rate_limit' } };
      }

      const run = await this.runs.insert(manager, { accountId, trigger, strategy, status: 'pending', now, consentId });
      await this.accounts.markSyncRequested(manager, accountId, now);
      return { kind: 'call', run, monoAccountId: account.monoAccountId };
    });
  }

  // ------------------------------------------------------------------ legacy Data Sync

  private async runLegacy(accountId: string, monoAccountId: string, run: SyncRunEntity): Promise<SyncRequestResult> {
    let result;
    try {
      result = await this.client.legacySync(monoAccountId);
    } catch (err) {
      return this.failFromError(accountId, run, err);
    }
    const now = this.clock.now();
    switch (result.code) {
      case 'SYNC_SUCCESSFUL': {
        await this.runs.transition(run.id, 'succeeded', now, { monoCode: result.code, hasNewData: result.hasNewData });
        await this.accounts.markSynced(accountId, now);
        const account = await this.accounts.findById(accountId);
        await this.publishQuietly({
          type: 'account.data_available',
          accountId,
          dataStatus: account?.dataStatus ?? 'AVAILABLE',
          retrievedData: account?.retrievedData ?? [],
          syncRunId: run.id,
          hasNewData: result.hasNewData,
        });
        return { syncRunId: run.id, outcome: 'succeeded' };
      }
      case 'REAUTHORISATION_REQUIRED':
        await this.runs.transition(run.id, 'reauth_required', now, { monoCode: result.code, error: { kind: 'reauth_required', message: result.message } });
        await this.quietly(() => this.reauth.markReauthRequired(accountId, run.id));
        return { syncRunId: run.id, outcome: 'reauth_required' };
      default: {
        // SYNC_ERROR, INCOMPLETE_STATEMENT_ERROR and anything new: failed, retry later.
        await this.runs.transition(run.id, 'failed', now, { monoCode: result.code, error: { kind: 'sync_failed', code: result.code, message: result.message, retryable: true } });
        await this.publishQuietly({ type: 'account.sync_failed', accountId, syncRunId: run.id, reason: result.code });
        return { syncRunId: run.id, outcome: 'failed' };
      }
    }
  }

  // ------------------------------------------------------------------ v2 real-time

  private async runRealtime(accountId: string, monoAccountId: string, run: SyncRunEntity): Promise<SyncRequestResult> {
    let transactionsJob: MonoJobHeaders | null;
    let balanceJob: MonoJobHeaders | null;
    try {
      ({ transactionsJob, balanceJob } = await this.client.requestRealtimeRefresh(monoAccountId));
    } catch (err) {
      return this.failFromError(accountId, run, err);
    }
    const job = transactionsJob ?? balanceJob;
    const now = this.clock.now();
    const status = job?.status ?? null;
    const jobId = job?.id ?? null;
    if (status === 'finished') {
      const hasNewData = transactionsJob?.hasNewData ?? balanceJob?.hasNewData ?? null;
      await this.runs.transition(run.id, 'succeeded', now, { jobId, monoCode: 'JOB_FINISHED', hasNewData });
      await this.accounts.markSynced(accountId, now);
      const account = await this.accounts.findById(accountId);
      await this.publishQuietly({
        type: 'account.data_available',
        accountId,
        dataStatus: account?.dataStatus ?? 'AVAILABLE',
        retrievedData: account?.retrievedData ?? [],
        syncRunId: run.id,
        hasNewData,
      });
      return { syncRunId: run.id, outcome: 'succeeded' };
    }
    if (status === 'failed') {
      // Mono follows a failed job with account_updated saying why (REAUTHORISATION_REQUIRED or FAILED); the inbox refines the run.
      await this.runs.transition(run.id, 'failed', now, { jobId, monoCode: 'JOB_FAILED', error: { kind: 'job_failed', retryable: true } });
      return { syncRunId: run.id, outcome: 'failed' };
    }
    await this.runs.transition(run.id, 'requested', now, { jobId, monoCode: status ? `JOB_${status.toUpperCase()}` : null });
    return { syncRunId: run.id, outcome: 'requested' };
  }

  // ------------------------------------------------------------------ helpers

  private async failFromError(accountId: string, run: SyncRunEntity, err: unknown): Promise<SyncRequestResult> {
    if (!(err instanceof MonoError)) {
      await this.runs.transition(run.id, 'failed', this.clock.now(), { error: { kind: 'internal', message: String(err) } });
      throw err;
    }
    const now = this.clock.now();
    await this.runs.transition(run.id, 'failed', now, { monoCode: err.kind === 'rate_limited' ? 'HTTP_429' : err.status ? `HTTP_${err.status}` : err.kind.toUpperCase(), error: err.toJSON() });
    await this.publishQuietly({ type: 'account.sync_failed', accountId, syncRunId: run.id, reason: err.kind });
    const unavailable = err.kind === 'network' || err.kind === 'timeout' || (err.kind === 'http' && (err.status ?? 0) >= 500);
    return { syncRunId: run.id, outcome: unavailable ? 'unavailable' : 'failed' };
  }

  /**
   * The run's outcome is already committed; a failing subscriber must not turn it into an error for the caller.
   * Mono's follow-up webhook (account_updated) re-publishes through the retried inbox, so nothing is lost.
   */
  private async publishQuietly(event: AccountEvent): Promise<void> {
    await this.quietly(() => this.bus.publish(event));
  }

  private async quietly(fn: () => Promise<void>): Promise<void> {
    try {
      await fn();
    } catch (err) {
      this.logger.warn({ err }, 'account event subscriber failed after a sync outcome; the follow-up webhook will retry it');
    }
  }
}

function toView(run: SyncRunEntity): SyncRunView {
  return {
    id: run.id,
    trigger: run.trigger,
    strategy: run.strategy,
    status: run.status,
    monoCode: run.monoCode,
    jobId: run.jobId,
    hasNewData: run.hasNewData,
    error: run.error,
    requestedAt: run.requestedAt,
    completedAt: run.completedAt,
    createdAt: run.createdAt,
    consentId: run.consentId,
  };
}
