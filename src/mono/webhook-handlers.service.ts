import { Injectable, Logger } from '@nestjs/common';
import type { BankAccountEntity } from '../accounts/bank-account.entity.js';
import { Clock } from '../common/clock.js';
import { DomainError } from '../common/errors/domain-error.js';
import { AccountEventBus } from '../common/events/account-events.js';
import { isObject, MonoDataError, parseMonoAccountDetails } from './wire/mono-transaction.js';
import { ConnectSessionsRepository } from './connect-sessions.repository.js';
import { IncomeCrosscheckService } from './income-crosscheck.service.js';
import { LinkService, hasUsableData } from './link.service.js';
import { asDataStatus, detailsFromParsed, MonoAccountsRepository, type AccountDetailsUpdate } from './mono-accounts.repository.js';
import { MonoError } from './mono-error.js';
import { MonoClient } from './mono.client.js';
import { ReauthService } from './reauth.service.js';
import type { SyncRunEntity } from './sync-run.entity.js';
import { SyncRunsRepository } from './sync-runs.repository.js';
import type { ClaimedWebhookEvent } from './webhook-events.repository.js';
import { boolField, eventTimeOf, metaOf, MONO_EVENTS, stringField } from './webhook-payload.js';

/** What the inbox does with an event after a handler ran. */
export type HandlerOutcome =
  | { kind: 'processed' }
  | { kind: 'ignored'; reason: string }
  /** Not an error: the account is not known yet (events arrive out of order). Try again later, boundedly. */
  | { kind: 'defer'; reason: string };

const PROCESSED: HandlerOutcome = { kind: 'processed' };

/**
 * One handler per Mono event. Handlers are idempotent (an event may be processed again after a crash or a failing
 * subscriber): every write is a guarded update or an upsert, and republished events are harmless by contract.
 */
@Injectable()
export class WebhookHandlersService {
  private readonly logger = new Logger(WebhookHandlersService.name);

  constructor(
    private readonly client: MonoClient,
    private readonly accounts: MonoAccountsRepository,
    private readonly sessions: ConnectSessionsRepository,
    private readonly runs: SyncRunsRepository,
    private readonly link: LinkService,
    private readonly reauth: ReauthService,
    private readonly bus: AccountEventBus,
    private readonly clock: Clock,
    private readonly incomeCrosscheck: IncomeCrosscheckService,
  ) {}

  async handle(event: ClaimedWebhookEvent): Promise<HandlerOutcome> {
    const data = isObject(event.payload.data) ? event.payload.data : {};
    switch (event.eventType) {
      case MONO_EVENTS.accountConnected:
        return this.accountConnected(event, data);
      case MONO_EVENTS.accountUpdated:
        return this.withAccount(event, (account) => this.accountUpdated(account, data, eventTimeOf(event.payload), event.receivedAt));
      case MONO_EVENTS.reauthorisationRequired:
        return this.withAccount(event, (account) => this.reauthorisationRequired(account));
      case MONO_EVENTS.accountReauthorized:
        return this.withAccount(event, async (account) => {
          await this.reauth.markReauthorized(account.id);
          return PROCESSED;
        });
      case MONO_EVENTS.syncFailed:
        return this.withAccount(event, (account) => this.syncFailed(account));
      case MONO_EVENTS.accountUnlinked:
        return this.withAccount(event, async (account) => {
          await this.accounts.markUnlinked(account.id, this.clock.now());
          await this.bus.publish({ type: 'account.unlinked', accountId: account.id });
          return PROCESSED;
        });
      case MONO_EVENTS.jobsUpdate:
        return this.withAccount(event, (account) => this.jobsUpdate(account, data));
      case MONO_EVENTS.accountIncome:
        return this.withAccount(event, async (account) => {
          const outcome = await this.incomeCrosscheck.recordReport(account, data);
          return outcome === 'unmatched' ? { kind: 'ignored', reason: 'no income cross-check waiting for this account' } : PROCESSED;
        });
      default:
        return { kind: 'ignored', reason: `event ${event.eventType.slice(0, 80)} is not handled` };
    }
  }

  private async withAccount(event: ClaimedWebhookEvent, fn: (account: BankAccountEntity) => Promise<HandlerOutcome>): Promise<HandlerOutcome> {
    if (!event.monoAccountId) return { kind: 'ignored', reason: 'no account id in the payload' };
    const account = await this.accounts.findByMonoAccountId(event.monoAccountId);
    if (!account) return { kind: 'defer', reason: 'account not linked yet' };
    return fn(account);
  }

  // ---------------------------------------------------------------- account_connected

  private async accountConnected(event: ClaimedWebhookEvent, data: Record<string, unknown>): Promise<HandlerOutcome> {
    const monoAccountId = event.monoAccountId;
    if (!monoAccountId) return { kind: 'ignored', reason: 'account_connected without an account id' };
    const meta = metaOf(data);
    const ref = stringField(meta, 'ref', 'reference');
    const session = ref ? await this.sessions.findByReference(ref) : null;
    let borrowerId = session?.scope === 'auth' ? session.borrowerId : null;
    const existing = await this.accounts.findByMonoAccountId(monoAccountId);
    if (!borrowerId) {
      // Widget flow: the code exchange links the account; the webhook may come first, so wait for it.
      if (!existing) return { kind: 'defer', reason: ref ? 'no connect session for this reference yet' : 'account_connected without meta.ref for an unknown account' };
      borrowerId = existing.borrowerId;
    }
    const customer = data.customer;
    const fromWebhook: AccountDetailsUpdate = {
      // A late account_connected (PROCESSING) must not roll back a status a later event already stored.
      dataStatus: existing ? null : asDataStatus(stringField(meta, 'data_status', 'dataStatus')),
      authMethod: stringField(meta, 'auth_method', 'authMethod'),
      monoCustomerId: typeof customer === 'string' ? customer : isObject(customer) ? stringField(customer, 'id', '_id') : null,
    };
    let details = fromWebhook;
    let detailsAsOf = eventTimeOf(event.payload);
    try {
      const fetchedAt = this.clock.now();
      const fetched = await this.client.getAccount(monoAccountId);
      detailsAsOf = fetchedAt;
      details = { ...detailsFromParsed(fetched, fetched.customerId ?? null), ...dropNulls(fromWebhook), dataStatus: asDataStatus(fetched.dataStatus) ?? fromWebhook.dataStatus ?? null };
    } catch (err) {
      // Details also come with account_updated; linking must not wait for them.
      this.logger.warn({ err: err instanceof MonoError ? err.toJSON() : String(err) }, 'account details unavailable on account_connected');
    }
    let account: BankAccountEntity;
    try {
      ({ account } = await this.link.attachAccount(borrowerId, monoAccountId, details, {
        actor: 'mono-webhook',
        sessionId: session?.scope === 'auth' ? session.id : null,
        detailsAsOf,
      }));
    } catch (err) {
      // Retrying cannot change whose account it is: settle it (the row and last_error stay for an analyst).
      if (err instanceof DomainError && err.code === 'CONFLICT') return { kind: 'ignored', reason: 'the Mono account is linked to another borrower' };
      throw err;
    }
    await this.link.announceLinked(account, { quiet: false });
    return PROCESSED;
  }

  // ---------------------------------------------------------------- account_updated

  private async accountUpdated(account: BankAccountEntity, data: Record<string, unknown>, sentAt: Date | null, receivedAt: Date): Promise<HandlerOutcome> {
    const now = this.clock.now();
    const meta = metaOf(data);
    let details: AccountDetailsUpdate = {};
    if (isObject(data.account)) {
      try {
        details = detailsFromParsed(parseMonoAccountDetails(data, 'data'));
      } catch (err) {
        if (!(err instanceof MonoDataError)) throw err;
        // A bad field (e.g. a fractional balance) must not be stored; keep the rest of the event's meaning.
        this.logger.warn({ path: err.path }, 'account_updated carried an unusable account object; details ignored');
      }
    }
    const dataStatus = asDataStatus(stringField(meta, 'data_status', 'dataStatus')) ?? details.dataStatus ?? null;
    const retrieved = Array.isArray(meta.retrieved_data) ? meta.retrieved_data.filter((x): x is string => typeof x === 'string').map((x) => x.toLowerCase()) : null;
    const fresh = await this.accounts.applyDetails(account.id, { ...details, dataStatus, retrievedData: retrieved ?? details.retrievedData ?? null }, now, { asOf: sentAt });
    if (!fresh) this.logger.debug({ accountId: account.id }, 'account_updated older than the stored details; details skipped');

    const syncStatus = stringField(meta, 'sync_status', 'syncStatus')?.toUpperCase() ?? null;
    const jobId = stringField(meta, 'job_id', 'jobId');
    const hasNewData = boolField(meta, 'has_new_data', 'hasNewData');
    const run = await this.findRun(account.id, jobId);

    if (syncStatus === 'REAUTHORISATION_REQUIRED') {
      if (run) await this.runs.transition(run.id, 'reauth_required', now, { monoCode: syncStatus, ...(jobId ? { jobId } : {}), error: { kind: 'reauth_required' } });
      await this.reauth.markReauthRequired(account.id, run?.id ?? null);
      return PROCESSED;
    }
    if (syncStatus === 'FAILED') {
      if (run) await this.runs.transition(run.id, 'failed', now, { monoCode: 'SYNC_FAILED', error: { kind: 'sync_failed', retryable: true } });
      await this.bus.publish({ type: 'account.sync_failed', accountId: account.id, syncRunId: run?.id ?? null, reason: 'SYNC_FAILED' });
      return PROCESSED;
    }
    if (syncStatus === 'SUCCESSFUL' && run) {
      // jobs.update for the same job may have finished the run meanwhile (the inbox works events in parallel lanes),
      // so `run.status` read above can be stale: when the transition does not apply, record what this event knows on
      // the run if it has succeeded by now (guarded in SQL), or has_new_data would be lost.
      if (!(await this.runs.transition(run.id, 'succeeded', now, { monoCode: 'SYNC_SUCCESSFUL', hasNewData }))) {
        if (hasNewData !== null) await this.runs.recordHasNewData(run.id, hasNewData);
      }
    }
    const updated = (await this.accounts.findById(account.id)) ?? account;
    if (syncStatus === 'SUCCESSFUL' || hasUsableData(updated.dataStatus, updated.retrievedData)) await this.accounts.markSynced(account.id, now);
    if (hasUsableData(updated.dataStatus, updated.retrievedData)) {
      await this.bus.publish({
        type: 'account.data_available',
        accountId: account.id,
        dataStatus: updated.dataStatus,
        retrievedData: updated.retrievedData,
        syncRunId: run?.id ?? null,
        hasNewData,
        announcedAt: receivedAt,
      });
    }
    return PROCESSED;
  }

  /** The run an update answers: by job id when Mono gives one, else the account's in-flight run. */
  private async findRun(accountId: string, jobId: string | null): Promise<SyncRunEntity | null> {
    if (jobId) {
      const byJob = await this.runs.findByJobId(accountId, jobId);
      if (byJob) return byJob;
    }
    return this.runs.findInFlight(accountId);
  }

  // ---------------------------------------------------------------- the rest

  private async reauthorisationRequired(account: BankAccountEntity): Promise<HandlerOutcome> {
    const run = await this.runs.findInFlight(account.id);
    if (run) await this.runs.transition(run.id, 'reauth_required', this.clock.now(), { monoCode: 'REAUTHORISATION_REQUIRED', error: { kind: 'reauth_required' } });
    await this.reauth.markReauthRequired(account.id, run?.id ?? null);
    return PROCESSED;
  }

  private async syncFailed(account: BankAccountEntity): Promise<HandlerOutcome> {
    const run = await this.runs.findInFlight(account.id);
    if (run) await this.runs.transition(run.id, 'failed', this.clock.now(), { monoCode: 'SYNC_FAILED', error: { kind: 'sync_failed', retryable: true } });
    await this.bus.publish({ type: 'account.sync_failed', accountId: account.id, syncRunId: run?.id ?? null, reason: 'mono.events.sync_failed' });
    return PROCESSED;
  }

  private async jobsUpdate(account: BankAccountEntity, data: Record<string, unknown>): Promise<HandlerOutcome> {
    const jobId = stringField(data, 'id', 'job_id', 'jobId', '_id');
    const status = stringField(data, 'status')?.toLowerCase() ?? null;
    if (!jobId || !status) return { kind: 'ignored', reason: 'jobs.update without job id or status' };
    const run = await this.runs.findByJobId(account.id, jobId);
    if (!run) return { kind: 'ignored', reason: 'no sync run for this job' };
    const now = this.clock.now();
    if (status === 'finished' || status === 'successful' || status === 'completed') {
      await this.runs.transition(run.id, 'succeeded', now, { monoCode: 'JOB_FINISHED' });
    } else if (status === 'failed') {
      // account_updated follows with the reason (REAUTHORISATION_REQUIRED / FAILED) and publishes the event.
      await this.runs.transition(run.id, 'failed', now, { monoCode: 'JOB_FAILED', error: { kind: 'job_failed', retryable: true } });
    }
    return PROCESSED;
  }
}

function dropNulls(update: AccountDetailsUpdate): AccountDetailsUpdate {
  const kept: AccountDetailsUpdate = Object.fromEntries(Object.entries(update).filter(([, v]) => v !== null && v !== undefined));
  return kept;
}
