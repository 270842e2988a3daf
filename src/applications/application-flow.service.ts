import { decisionContract } from '../scoring/decision-contract.js';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { BorrowersService } from '../borrowers/borrowers.service.js';
import { AuditService } from '../common/audit/audit.service.js';
import { Clock } from '../common/clock.js';
import { AppConfig } from '../config/app-config.js';
import { CONSENT_GATE, ConsentRequiredError, isConsentRequired, purposesForTrigger, type ConsentGate } from '../mono/consent-gate.js';
import { IncomeCrosscheckService } from '../mono/income-crosscheck.service.js';
import { SyncService } from '../mono/sync.service.js';
import { OutboxService } from '../outbox/outbox.service.js';
import type { DecisionEntity } from '../scoring/entities/decision.entity.js';
import { ScoringService } from '../scoring/scoring.service.js';
import type { AccountSyncStatus } from './application-account.entity.js';
import { TERMINAL_STATUSES, type ApplicationStatus, type TransitionReason } from './application-status.js';
import { accountNeed, judgeWaits, waitForOutcome } from './application-waits.js';
import { errorSummary } from './error-summary.js';
import { ApplicationsRepository, type AccountWait, type TransitionPatch } from './applications.repository.js';
import type { LoanApplicationEntity } from './loan-application.entity.js';

/** What the worker does with the application after one step. */
export type StepResult = { kind: 'done' } | { kind: 'wait'; until: Date };

/** Scoring attempts before an application is marked failed. */
export const MAX_SCORING_ATTEMPTS = 5;
const REAUTH_POLL_MS = 5_000;
const ACTOR = 'system:applications';

class LostRaceError extends Error {
  constructor(id: string) {
    super(`application ${id} was moved by another worker`);
  }
}

/**
 * Orchestration of one application through the transition table: start (decide which accounts to sync and ask
 * Mono), wait (events and polls), score (decision + status change + outbound event in one transaction). Each step
 * re-reads the state from Postgres, so any worker in any engine instance can take over after a crash.
 */
@Injectable()
export class ApplicationFlowService {
  private readonly logger = new Logger(ApplicationFlowService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly repo: ApplicationsRepository,
    private readonly borrowers: BorrowersService,
    private readonly sync: SyncService,
    private readonly scoring: ScoringService,
    private readonly outbox: OutboxService,
    private readonly audit: AuditService,
    private readonly config: AppConfig,
    private readonly clock: Clock,
    @Inject(CONSENT_GATE) private readonly consents: ConsentGate,
    private readonly incomeCrosscheck: IncomeCrosscheckService,
  ) {}

  /** Advances the application as far as it can go now. */
  async advance(id: string): Promise<StepResult> {
    for (let i = 0; i < 6; i++) {
      const app = await this.repo.findById(id);
      if (!app || TERMINAL_STATUSES.includes(app.status)) return { kind: 'done' };
      const result = await this.step(app);
      if (result !== 'moved') return result;
    }
    return { kind: 'wait', until: this.clock.now() };
  }

  private step(app: LoanApplicationEntity): Promise<StepResult | 'moved'> {
    switch (app.status) {
      case 'received':
        return this.start(app);
      case 'syncing':
      case 'reauth_required':
        return this.evaluate(app);
      case 'scoring':
        return this.score(app);
      case 'decided':
      case 'failed':
        return Promise.resolve({ kind: 'done' });
    }
  }

  // ---------------------------------------------------------------- received: what does each account need?

  private async start(app: LoanApplicationEntity): Promise<StepResult | 'moved'> {
    const accounts = await this.borrowers.linkedAccounts(app.borrowerId);
    if (accounts.length === 0) {
      await this.move(app, 'failed', 'no_linked_account', { lastError: 'the borrower has no linked account' });
      return 'moved';
    }
    // Underwriting needs a consent for every account whose data it uses, synced now or not (docs/privacy.md).
    const purposes = purposesForTrigger('application');
    for (const account of accounts) {
      const consent = await this.consents.check(account.id, purposes, this.clock.now());
      if (!consent.ok) {
        await this.move(app, 'failed', 'consent_required', { lastError: new ConsentRequiredError(account.id, purposes, consent).message });
        return 'moved';
      }
    }
    const waits: AccountWait[] = [];
    for (const account of accounts) {
      const now = this.clock.now();
      const need = accountNeed(account, now, this.config.mono.syncMinIntervalSeconds);
      if (need !== 'sync') {
        waits.push({
          accountId: account.id,
          syncStatus: need,
          syncRunId: null,
          syncOutcome: null,
          // Any ingestion after the link counts as the first data.
          requestedAt: need === 'awaiting_data' ? account.createdAt : null,
        });
        continue;
      }
      try {
        const res = await this.sync.requestSync(account.id, 'application');
        let requestedAt = now;
        if (res.outcome === 'coalesced' || res.outcome === 'skipped_rate_limit') {
          // Joined an earlier request: its data counts, so wait for ingestion after *that* request.
          requestedAt = (await this.sync.getAccountSyncStatus(account.id)).lastSyncRequestedAt ?? now;
        }
        waits.push({
          accountId: account.id,
          syncStatus: waitForOutcome(res.outcome),
          syncRunId: res.syncRunId,
          syncOutcome: res.outcome,
          requestedAt,
        });
      } catch (err) {
        if (isConsentRequired(err)) {
          // Revoked since the check above: nothing was asked of Mono; the application cannot be underwritten.
          await this.move(app, 'failed', 'consent_required', { lastError: err.message });
          return 'moved';
        }
        this.logger.warn(
          { applicationId: app.id, accountId: account.id, err: err instanceof Error ? err.message : String(err) },
          'sync request failed',
        );
        waits.push({ accountId: account.id, syncStatus: 'failed', syncRunId: null, syncOutcome: 'error', requestedAt: now });
      }
    }
    const now = this.clock.now();
    const deadline = new Date(now.getTime() + this.config.applications.syncDeadlineSeconds * 1000);
    const verdict = judgeWaits(
      waits.map((w) => w.syncStatus),
      deadline,
      now,
    );
    await this.dataSource.transaction(async (m) => {
      await this.repo.saveAccountWaits(m, app.id, waits, now);
      if (verdict.kind === 'reauth_required') {
        await this.moveIn(m, app, 'reauth_required', 'reauth_required', { syncDeadlineAt: null });
        await this.announceReauth(
          m,
          app,
          waits.filter((w) => w.syncStatus === 'reauth_required').map((w) => w.accountId),
        );
      } else if (verdict.kind === 'score' && !verdict.stale) {
        await this.moveIn(m, app, 'scoring', verdict.reason, { staleData: false });
      } else {
        // Waiting, or a failed sync: the syncing state applies the deadline and the stale-data policy.
        await this.moveIn(m, app, 'syncing', 'sync_requested', { syncDeadlineAt: deadline });
      }
    });
    return 'moved';
  }

  // ---------------------------------------------------------------- syncing / reauth_required: is the data here?

  private async evaluate(app: LoanApplicationEntity): Promise<StepResult | 'moved'> {
    const now = this.clock.now();
    const facts = await this.repo.findAccountFacts(app.id);
    const statuses: AccountSyncStatus[] = [];
    // Poll-side reconciliation, in case an event was missed (crash, another instance): the account row is the truth.
    for (const f of facts) {
      let next: AccountSyncStatus = f.syncStatus;
      let requestedAt: Date | undefined;
      const ingestedSince = (t: Date | null): boolean =>
        f.lastIngestedAt !== null && t !== null && f.lastIngestedAt.getTime() >= t.getTime();
      if (f.syncStatus === 'awaiting_data' || f.syncStatus === 'syncing') {
        if (f.unlinked) next = 'failed';
        else if (ingestedSince(f.requestedAt)) next = 'fresh';
        else if (f.reauthRequired) next = 'reauth_required';
      } else if (f.syncStatus === 'reauth_required' && !f.reauthRequired) {
        // Re-authorised: data ingested after the account asked for reauth is fresh; otherwise wait for it.
        if (f.lastIngestedAt && f.lastIngestedAt.getTime() > f.updatedAt.getTime()) next = 'fresh';
        else {
          next = 'syncing';
          requestedAt = f.updatedAt;
        }
      }
      if (next !== f.syncStatus) {
        const moved = await this.repo.updateAccountWait(
          this.dataSource.manager,
          app.id,
          f.accountId,
          [f.syncStatus],
          next,
          now,
          requestedAt,
        );
        if (!moved) return { kind: 'wait', until: now }; // an event moved it meanwhile: look again
      }
      statuses.push(next);
    }

    const verdict = judgeWaits(statuses, app.status === 'reauth_required' ? null : app.syncDeadlineAt, now);
    switch (verdict.kind) {
      case 'reauth_required': {
        if (app.status === 'reauth_required') return { kind: 'wait', until: new Date(now.getTime() + REAUTH_POLL_MS) };
        await this.dataSource.transaction(async (m) => {
          await this.moveIn(m, app, 'reauth_required', 'reauth_required', { syncDeadlineAt: null });
          await this.announceReauth(
            m,
            app,
            facts.filter((_, i) => statuses[i] === 'reauth_required').map((f) => f.accountId),
          );
        });
        return 'moved';
      }
      case 'wait': {
        if (app.status === 'reauth_required') {
          // Back from reauth: a fresh deadline for the data that follows.
          await this.move(app, 'syncing', 'reauthorized', {
            syncDeadlineAt: new Date(now.getTime() + this.config.applications.syncDeadlineSeconds * 1000),
          });
          return 'moved';
        }
        return verdict;
      }
      case 'score': {
        await this.dataSource.transaction(async (m) => {
          if (verdict.timeOutWaiting) {
            for (const f of facts)
              await this.repo.updateAccountWait(m, app.id, f.accountId, ['awaiting_data', 'syncing'], 'timed_out', now);
          }
          await this.moveIn(m, app, 'scoring', verdict.reason, { staleData: verdict.stale });
        });
        return 'moved';
      }
    }
  }

  // ---------------------------------------------------------------- scoring: one transaction for decision + status + event

  private async score(app: LoanApplicationEntity): Promise<StepResult | 'moved'> {
    try {
      await this.scoring.scoreBorrower(app.borrowerId, {
        trigger: 'application',
        applicationId: app.id,
        requestedLoan: { amountMinor: app.amountMinor, tenorMonths: app.tenorMonths },
        staleData: app.staleData,
        referIfStale: this.config.applications.stalePolicy === 'refer',
        actor: ACTOR,
        onStored: async (m, decision) => {
          await this.moveIn(m, app, 'decided', 'scored', { decisionId: decision.id, lastError: null });
          await this.outbox.enqueue(m, 'application.decided', app.id, decidedPayload(app, decision));
          // Mono's income cross-check (MONO_INCOME_CROSSCHECK) as a job committed with the decision: it runs after,
          // never failing or delaying the decision, and survives a crash (docs/mono.md "Income cross-check").
          await this.incomeCrosscheck.enqueue(m, { applicationId: app.id, borrowerId: app.borrowerId, decisionId: decision.id });
        },
      });
      return 'moved';
    } catch (err) {
      if (err instanceof LostRaceError) return 'moved';
      const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
      this.logger.error({ applicationId: app.id, attempts: app.attempts, err: errorSummary(err) }, 'scoring failed');
      if (app.attempts >= MAX_SCORING_ATTEMPTS) {
        await this.move(app, 'failed', 'scoring_error', { lastError: message.slice(0, 2000) });
        return 'moved';
      }
      const backoffMs = Math.min(60_000, 1000 * 2 ** app.attempts);
      return { kind: 'wait', until: new Date(this.clock.now().getTime() + backoffMs) };
    }
  }

  // ---------------------------------------------------------------- transitions (conditional + audited)

  private async move(
    app: LoanApplicationEntity,
    to: ApplicationStatus,
    reason: TransitionReason,
    patch: TransitionPatch = {},
  ): Promise<void> {
    try {
      await this.dataSource.transaction((m) => this.moveIn(m, app, to, reason, patch));
    } catch (err) {
      if (!(err instanceof LostRaceError)) throw err;
    }
  }

  private async moveIn(
    m: EntityManager,
    app: LoanApplicationEntity,
    to: ApplicationStatus,
    reason: TransitionReason,
    patch: TransitionPatch = {},
  ): Promise<void> {
    const now = this.clock.now();
    const moved = await this.repo.transition(m, app.id, app.status, to, now, { ...patch, statusReason: reason });
    if (!moved) throw new LostRaceError(app.id);
    await this.audit.record(
      {
        actor: ACTOR,
        action: 'application.transition',
        entityType: 'loan_application',
        entityId: app.id,
        before: { status: app.status },
        after: {
          status: to,
          reason,
          ...(patch.staleData !== undefined ? { staleData: patch.staleData } : {}),
          ...(patch.decisionId ? { decisionId: patch.decisionId } : {}),
        },
      },
      m,
    );
  }

  private async announceReauth(m: EntityManager, app: LoanApplicationEntity, accountIds: string[]): Promise<void> {
    await this.outbox.enqueue(m, 'account.reauth_required', app.id, {
      applicationId: app.id,
      borrowerId: app.borrowerId,
      accountIds,
      next: `POST /v1/borrowers/${app.borrowerId}/reauth`,
    });
  }
}

function decidedPayload(app: LoanApplicationEntity, d: DecisionEntity): Record<string, unknown> {
  const contract = decisionContract({ ...d, limit: d.result.limit });
  return {
    applicationId: app.id,
    borrowerId: app.borrowerId,
    decisionId: d.id,
    decision: d.decision,
    recommendedLimit: d.recommendedLimitMinor,
    instalment: d.instalmentMinor,
    currency: d.currency,
    bindingConstraint: d.bindingConstraint,
    counterOffer: d.counterOffer,
    reasons: d.reasons.map((r) => r.code),
    staleData: app.staleData,
    // v2 (docs/api.md "Decision contract"); `requested.amount` is the v1 field, kept beside the v2 terms.
    outcome: contract.outcome,
    offer: contract.offer,
    limit: contract.limit,
    requested: { amount: app.amountMinor, ...(contract.requested ?? { amountMinor: app.amountMinor, tenorMonths: app.tenorMonths }) },
    dataAsOf: d.dataAsOf.toISOString(),
    policyVersion: d.policyVersion,
    engineVersion: d.engineVersion,
  };
}
