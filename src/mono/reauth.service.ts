import { randomBytes } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { Clock } from '../common/clock.js';
import { DomainError, NotFoundError } from '../common/errors/domain-error.js';
import { AccountEventBus } from '../common/events/account-events.js';
import { ConnectSessionsRepository } from './connect-sessions.repository.js';
import { MonoAccountsRepository } from './mono-accounts.repository.js';
import { MonoError } from './mono-error.js';
import { exchangeWidgetCode, toDomainError } from './mono-domain-errors.js';
import { MonoClient } from './mono.client.js';

export interface ReauthLink {
  /** Hosted reauth page; null when only the legacy token could be issued. */
  monoUrl: string | null;
  reference: string;
  /** Legacy Connect.js reauth token (valid ~10 minutes), only when v2 initiate was refused. */
  reauthToken?: string;
}

/** What the engine knows after the frontend reported a finished re-authorisation. */
export interface ReauthCompletion {
  accountId: string;
  /** True when Mono's widget handed over a code and it exchanged to this very account (the reauth is confirmed). */
  codeExchanged: boolean;
  /** Still flagged: no code was given and Mono's `account_reauthorized` webhook has not arrived yet. */
  reauthRequired: boolean;
}

export function newReference(prefix: string): string {
  return `${prefix}_${randomBytes(12).toString('hex')}`;
}

/** Re-authorisation: raising / clearing the account flag (with events) and issuing reauth links. */
@Injectable()
export class ReauthService {
  private readonly logger = new Logger(ReauthService.name);

  constructor(
    private readonly client: MonoClient,
    private readonly accounts: MonoAccountsRepository,
    private readonly sessions: ConnectSessionsRepository,
    private readonly bus: AccountEventBus,
    private readonly clock: Clock,
  ) {}

  /** A hosted reauth link (v2 initiate, scope reauth); the legacy reauthorise token when v2 answers 400/404. */
  async createReauthLink(accountId: string, opts: { redirectUrl?: string } = {}): Promise<ReauthLink> {
    const account = await this.accounts.findById(accountId);
    if (!account) throw new NotFoundError('Account', accountId);
    if (account.unlinkedAt) throw new DomainError('ACCOUNT_UNLINKED', 'The account was unlinked; link it again instead', { accountId });
    if (!account.reauthRequired) throw new DomainError('REAUTH_NOT_REQUIRED', 'The account does not need re-authorisation', { accountId });
    const reference = newReference('reauth');
    const session = await this.sessions.create({ borrowerId: account.borrowerId, reference, scope: 'reauth', accountId, now: this.clock.now() });
    try {
      const { monoUrl } = await this.client.initiateReauth({ monoAccountId: account.monoAccountId, ref: reference, ...(opts.redirectUrl ? { redirectUrl: opts.redirectUrl } : {}) });
      await this.sessions.recordLink(session.id, monoUrl, account.monoCustomerId);
      return { monoUrl, reference };
    } catch (err) {
      if (!(err instanceof MonoError && (err.status === 404 || err.status === 400))) {
        await this.sessions.markFailed(session.id);
        throw toDomainError(err, 'Creating the reauth link');
      }
      this.logger.warn({ accountId, status: err.status }, 'v2 reauth initiate refused; falling back to the legacy reauthorise token');
      try {
        const { token } = await this.client.legacyReauthorise(account.monoAccountId);
        return { monoUrl: null, reference, reauthToken: token };
      } catch (legacyErr) {
        await this.sessions.markFailed(session.id);
        throw toDomainError(legacyErr, 'Creating the reauth link');
      }
    }
  }

  /**
   * The frontend reports that the borrower finished Mono's reauth widget. With the widget's code (Mono's `onSuccess`
   * may hand one over after a reauth — undocumented, docs/mono.md), the code is exchanged and must name this same
   * Mono account (409 CONFLICT otherwise): the reauth is then confirmed at once — flag cleared, reauth sessions
   * completed, `account.reauthorized` published — without waiting for the webhook. Without a code nothing is asked
   * of Mono: the `account_reauthorized` webhook clears the flag as before, and the answer says whether it already did.
   */
  async completeReauth(accountId: string, code?: string): Promise<ReauthCompletion> {
    const account = await this.accounts.findById(accountId);
    if (!account) throw new NotFoundError('Account', accountId);
    if (account.unlinkedAt) throw new DomainError('ACCOUNT_UNLINKED', 'The account was unlinked; link it again instead', { accountId });
    if (code === undefined) return { accountId, codeExchanged: false, reauthRequired: account.reauthRequired };
    const monoAccountId = await exchangeWidgetCode(this.client, code, 'Exchanging the reauth code');
    if (monoAccountId !== account.monoAccountId) {
      this.logger.warn({ accountId }, 'a reauth code exchanged to another Mono account');
      throw new DomainError('CONFLICT', 'The code belongs to another Mono account than the one being re-authorised', {
        accountId,
        monoAccountId: `…${monoAccountId.slice(-4)}`,
      });
    }
    await this.markReauthorized(accountId);
    return { accountId, codeExchanged: true, reauthRequired: false };
  }

  /** Raises the flag (idempotent) and announces it. Publishing errors propagate (the inbox retries). */
  async markReauthRequired(accountId: string, syncRunId: string | null): Promise<void> {
    await this.accounts.markReauthRequired(accountId, this.clock.now());
    await this.bus.publish({ type: 'account.reauth_required', accountId, syncRunId });
  }

  /** Clears the flag (idempotent), closes open reauth sessions, announces it. */
  async markReauthorized(accountId: string): Promise<void> {
    const now = this.clock.now();
    await this.accounts.clearReauthRequired(accountId, now);
    await this.sessions.completePendingReauth(accountId, now);
    await this.bus.publish({ type: 'account.reauthorized', accountId });
  }
}
