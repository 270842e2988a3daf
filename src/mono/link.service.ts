import { Injectable, Logger } from '@nestjs/common';
import { BankAccountEntity } from '../accounts/bank-account.entity.js';
import { Clock } from '../common/clock.js';
import { AuditService } from '../common/audit/audit.service.js';
import { DomainError, NotFoundError } from '../common/errors/domain-error.js';
import { AccountEventBus, type AccountEvent } from '../common/events/account-events.js';
import { ConnectSessionsRepository } from './connect-sessions.repository.js';
import { JobsService } from '../jobs/jobs.service.js';
import { detailsFromParsed, MonoAccountsRepository, type AccountDetailsUpdate } from './mono-accounts.repository.js';
import { MonoError } from './mono-error.js';
import { exchangeWidgetCode, toDomainError } from './mono-domain-errors.js';
import { MonoClient } from './mono.client.js';
import { newReference, ReauthService, type ReauthCompletion, type ReauthLink } from './reauth.service.js';
import { WebhookEventsRepository } from './webhook-events.repository.js';

/** Whether Mono's data for an account is worth reading (AVAILABLE, or PARTIAL that includes transactions). */
export function hasUsableData(dataStatus: string | null | undefined, retrievedData: readonly string[]): boolean {
  const status = dataStatus?.toUpperCase();
  if (status === 'AVAILABLE') return true;
  return status === 'PARTIAL' && retrievedData.map((x) => x.toLowerCase()).includes('transactions');
}

/** Connecting a borrower's bank account: hosted link, widget code exchange, attaching accounts Mono reports. */
@Injectable()
export class LinkService {
  private readonly logger = new Logger(LinkService.name);

  constructor(
    private readonly client: MonoClient,
    private readonly accounts: MonoAccountsRepository,
    private readonly sessions: ConnectSessionsRepository,
    private readonly inbox: WebhookEventsRepository,
    private readonly jobs: JobsService,
    private readonly reauth: ReauthService,
    private readonly bus: AccountEventBus,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  /** A Mono hosted link (scope auth) whose `meta.ref` is a fresh connect-session reference for this borrower. */
  async createConnectLink(borrowerId: string, opts: { redirectUrl?: string } = {}): Promise<{ monoUrl: string; reference: string }> {
    const borrower = await this.accounts.findBorrower(borrowerId);
    if (!borrower) throw new NotFoundError('Borrower', borrowerId);
    const reference = newReference('link');
    const session = await this.sessions.create({ borrowerId, reference, scope: 'auth', now: this.clock.now() });
    try {
      const link = await this.client.initiateLink({
        customer: { name: borrower.fullName, email: borrower.email },
        ref: reference,
        ...(opts.redirectUrl ? { redirectUrl: opts.redirectUrl } : {}),
      });
      await this.sessions.recordLink(session.id, link.monoUrl, link.customerId);
      return { monoUrl: link.monoUrl, reference };
    } catch (err) {
      await this.sessions.markFailed(session.id);
      throw toDomainError(err, 'Creating the connect link');
    }
  }

  /**
   * Widget flow: exchange the one-time code, fetch the account details and attach the account to the borrower.
   * 409 CONFLICT when that Mono account already belongs to another borrower.
   */
  async exchangeCode(borrowerId: string, code: string): Promise<BankAccountEntity> {
    const borrower = await this.accounts.findBorrower(borrowerId);
    if (!borrower) throw new NotFoundError('Borrower', borrowerId);
    const monoAccountId = await exchangeWidgetCode(this.client, code, 'Exchanging the code');
    let details: AccountDetailsUpdate = {};
    let detailsAsOf: Date | null = null;
    try {
      detailsAsOf = this.clock.now();
      const fetched = await this.client.getAccount(monoAccountId);
      details = detailsFromParsed(fetched, fetched.customerId ?? null);
    } catch (err) {
      // The account is linked at Mono whatever happens here; details arrive with account_updated.
      this.logger.warn({ err: err instanceof MonoError ? err.toJSON() : String(err) }, 'account details unavailable right after the code exchange');
    }
    const { account } = await this.attachAccount(borrowerId, monoAccountId, details, { actor: 'api', sessionId: null, detailsAsOf });
    await this.announceLinked(account, { quiet: true });
    return account;
  }

  /**
   * Unlinks the account at Mono (`POST /v2/accounts/{id}/unlink`) and marks it unlinked here, announcing
   * `account.unlinked`. Idempotent: an account already unlinked is left alone. Mono failures are domain errors (502).
   */
  async unlinkAtMono(accountId: string, actor: string, reason: string): Promise<boolean> {
    const account = await this.accounts.findById(accountId);
    if (!account) throw new NotFoundError('Account', accountId);
    if (account.unlinkedAt) return false;
    try {
      await this.client.unlink(account.monoAccountId);
    } catch (err) {
      throw toDomainError(err, 'Unlinking the account');
    }
    const now = this.clock.now();
    await this.accounts.markUnlinked(accountId, now);
    await this.audit.record({ actor, action: 'account.unlinked', entityType: 'bank_account', entityId: accountId, reason });
    try {
      await this.bus.publish({ type: 'account.unlinked', accountId });
    } catch (err) {
      this.logger.warn({ err, accountId }, 'account.unlinked subscriber failed after the unlink at Mono');
    }
    return true;
  }

  /** Hosted reauth link for an account flagged reauth_required (see ReauthService). */
  createReauthLink(accountId: string, opts: { redirectUrl?: string } = {}): Promise<ReauthLink> {
    return this.reauth.createReauthLink(accountId, opts);
  }

  /** The frontend reports a finished reauth, with the widget's code when Mono gave one (see ReauthService). */
  completeReauth(accountId: string, code?: string): Promise<ReauthCompletion> {
    return this.reauth.completeReauth(accountId, code);
  }

  /**
   * Attaches a Mono account to a borrower (idempotent), completes the connect session, and makes any webhook events
   * that arrived before the link (account_updated before account_connected) due again.
   */
  async attachAccount(
    borrowerId: string,
    monoAccountId: string,
    details: AccountDetailsUpdate,
    opts: { actor: string; sessionId: string | null; detailsAsOf?: Date | null },
  ): Promise<{ account: BankAccountEntity; created: boolean }> {
    const now = this.clock.now();
    const result = await this.accounts.upsertLinked(borrowerId, monoAccountId, details, now, opts.detailsAsOf ?? null);
    if (!result) {
      throw new DomainError('CONFLICT', 'This bank account is already linked to another borrower', { monoAccountId: `…${monoAccountId.slice(-4)}` });
    }
    if (opts.sessionId) await this.sessions.markCompleted(opts.sessionId, result.account.id, now);
    if (result.created) {
      await this.audit.record({ actor: opts.actor, action: 'account.linked', entityType: 'bank_account', entityId: result.account.id, after: { borrowerId, dataStatus: result.account.dataStatus } });
    }
    // Webhooks of this account that arrived before it was linked wait on a retry delay: make them due now.
    const deferred = await this.inbox.pendingIdsOfAccount(monoAccountId);
    if (deferred.length > 0) await this.jobs.promote('webhook-inbox', deferred);
    return result;
  }

  /** Publishes account.linked (+ data_available when the data is usable). `quiet`: log subscriber failures instead of throwing. */
  async announceLinked(account: BankAccountEntity, opts: { quiet: boolean }): Promise<void> {
    const events: AccountEvent[] = [{ type: 'account.linked', accountId: account.id, borrowerId: account.borrowerId }];
    if (hasUsableData(account.dataStatus, account.retrievedData)) {
      events.push({ type: 'account.data_available', accountId: account.id, dataStatus: account.dataStatus, retrievedData: account.retrievedData, syncRunId: null, hasNewData: null });
    }
    for (const event of events) {
      try {
        await this.bus.publish(event);
      } catch (err) {
        if (!opts.quiet) throw err;
        // Committed already; Mono's account_connected / account_updated webhooks publish again through the retried inbox.
        this.logger.warn({ err, event: event.type }, 'account event subscriber failed after linking');
      }
    }
  }
}
