import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditService } from '../common/audit/audit.service.js';
import { Clock } from '../common/clock.js';
import { DomainError, NotFoundError } from '../common/errors/domain-error.js';
import { AccountEventBus } from '../common/events/account-events.js';
import { AppConfig } from '../config/app-config.js';
import { ANY_PURPOSE } from '../mono/consent-gate.js';
import { hasUsableData, LinkService } from '../mono/link.service.js';
import { ConsentGateService } from './consent-gate.service.js';
import { OutboxService } from '../outbox/outbox.service.js';
import { consentStatusAt, type ConsentEntity } from './consent.entity.js';
import { ConsentsRepository } from './consents.repository.js';
import type { GrantConsentDto } from './dto/consent.dto.js';

function invalid(field: string, error: string): DomainError {
  return new DomainError('VALIDATION_FAILED', `Invalid request: ${field}`, { fields: [{ field, errors: [error] }] });
}

/** `months` calendar months after `from` (UTC); day overflow rolls forward (31 Jan + 1 month = 3 Mar). */
export function addMonths(from: Date, months: number): Date {
  const d = new Date(from.getTime());
  d.setUTCMonth(d.getUTCMonth() + months);
  return d;
}

/** What an audit row or an outbound event says about a consent: identifiers and terms, no personal data. */
function auditView(c: ConsentEntity): Record<string, unknown> {
  return {
    borrowerId: c.borrowerId,
    purpose: c.purpose,
    noticeVersion: c.noticeVersion,
    channel: c.channel,
    grantedAt: c.grantedAt.toISOString(),
    expiresAt: c.expiresAt?.toISOString() ?? null,
    revokedAt: c.revokedAt?.toISOString() ?? null,
    accountIds: c.accountIds,
    applicationId: c.applicationId,
  };
}

/** Granting, listing and revoking consents (docs/privacy.md). Every write is audited in its own transaction. */
@Injectable()
export class ConsentsService implements OnModuleInit {
  private readonly logger = new Logger(ConsentsService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly repo: ConsentsRepository,
    private readonly audit: AuditService,
    private readonly outbox: OutboxService,
    private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly bus: AccountEventBus,
    private readonly gate: ConsentGateService,
    private readonly links: LinkService,
  ) {}

  now(): Date {
    return this.clock.now();
  }

  /** 404 unknown borrower; 400 for an expiry not in the future, accounts not the borrower's, or a misplaced applicationId. */
  async grant(borrowerId: string, dto: GrantConsentDto, actor: string): Promise<ConsentEntity> {
    if (!(await this.repo.borrowerExists(borrowerId))) throw new NotFoundError('Borrower', borrowerId);
    const now = this.clock.now();
    let expiresAt: Date | null = dto.expiresAt ? new Date(dto.expiresAt) : null;
    if (expiresAt && expiresAt.getTime() <= now.getTime()) throw invalid('expiresAt', 'expiresAt must be in the future');
    if (!expiresAt && dto.purpose === 'monitoring') expiresAt = addMonths(now, this.config.consents.monitoringMonths);

    const accountIds = dto.accountIds && dto.accountIds.length > 0 ? dto.accountIds.map((id) => id.toLowerCase()) : null;
    if (accountIds) {
      const owned = await this.repo.accountsOfBorrower(borrowerId, accountIds);
      const foreign = accountIds.filter((id) => !owned.has(id));
      if (foreign.length > 0) throw invalid('accountIds', `accountIds must be accounts of this borrower (${foreign.length} are not)`);
    }
    const applicationId = dto.applicationId?.toLowerCase() ?? null;
    if (applicationId) {
      if (dto.purpose !== 'underwriting') throw invalid('applicationId', 'applicationId is only for an underwriting consent');
      if (!(await this.repo.isApplicationOfBorrower(applicationId, borrowerId))) {
        throw invalid('applicationId', 'applicationId must be an application of this borrower');
      }
    }

    const consent = await this.dataSource.transaction(async (m) => {
      const inserted = await this.repo.insert(m, {
        borrowerId,
        purpose: dto.purpose,
        noticeVersion: dto.noticeVersion,
        channel: dto.channel,
        grantedAt: now,
        expiresAt,
        accountIds,
        applicationId,
      });
      await this.audit.record({ actor, action: 'consent.granted', entityType: 'consent', entityId: inserted.id, after: auditView(inserted) }, m);
      return inserted;
    });
    await this.releaseHeldBackData(consent);
    return consent;
  }

  /**
   * Accounts linked before any consent had their first data held back (nothing fetched). With this consent Mono's
   * "data available" is announced again for them, as linking does, so ingestion fetches it now (and an application
   * waiting for that first data goes on). Failures are logged: the next sync or webhook fetches the data too.
   */
  private async releaseHeldBackData(consent: ConsentEntity): Promise<void> {
    for (const account of await this.repo.neverIngestedAccounts(consent.borrowerId, consent.accountIds)) {
      if (!hasUsableData(account.dataStatus, account.retrievedData)) continue;
      try {
        await this.bus.publish({
          type: 'account.data_available',
          accountId: account.id,
          dataStatus: account.dataStatus,
          retrievedData: account.retrievedData,
          syncRunId: null,
          hasNewData: null,
        });
      } catch (err) {
        this.logger.warn({ err, accountId: account.id, consentId: consent.id }, 'first ingestion after the consent failed; the next sync fetches the data');
      }
    }
  }

  onModuleInit(): void {
    this.bus.subscribe('consents', async (event) => {
      if (event.type === 'account.unlinked') await this.revokeAtSource(event.accountId);
    });
  }

  /**
   * The borrower unlinked the account at Mono (Mono Portal, `account_unlinked`): a withdrawal at source. Every active
   * consent that covered only accounts no longer linked is revoked (audited, `consent.revoked`), so nothing is
   * fetched for the borrower on its basis again; a consent that still covers another linked account stays. Idempotent:
   * our own unlink after a full revocation finds nothing left to revoke.
   */
  async revokeAtSource(accountId: string): Promise<string[]> {
    const now = this.clock.now();
    const covering = (await this.repo.findCoveringAccount(accountId, ANY_PURPOSE)).filter((c) => consentStatusAt(c, now) === 'active');
    const revoked: string[] = [];
    for (const consent of covering) {
      if ((await this.repo.linkedAccounts(consent.borrowerId, consent.accountIds?.length ? consent.accountIds : null)).length > 0) continue;
      try {
        await this.revoke(consent.id, 'the borrower unlinked the account at Mono (revocation at source)', 'mono:account_unlinked');
        revoked.push(consent.id);
      } catch (err) {
        if (!(err instanceof DomainError && err.code === 'CONSENT_ALREADY_REVOKED')) throw err;
      }
    }
    if (revoked.length > 0) this.logger.log({ accountId, consentIds: revoked }, 'consents revoked at source (account unlinked at Mono)');
    return revoked;
  }

  async list(borrowerId: string): Promise<ConsentEntity[]> {
    if (!(await this.repo.borrowerExists(borrowerId))) throw new NotFoundError('Borrower', borrowerId);
    return this.repo.listForBorrower(borrowerId);
  }

  /**
   * Revocation takes effect at once: every sync decides under the account lock after reading consents, so one that
   * starts after this commit is refused. 404 unknown consent; 409 CONSENT_ALREADY_REVOKED the second time. Emits
   * `consent.revoked` in the same transaction.
   */
  async revoke(id: string, reason: string | null, actor: string): Promise<{ consent: ConsentEntity; unlinkedAccountIds: string[] }> {
    const consent = await this.dataSource.transaction(async (m) => {
      const consent = await this.repo.lockById(m, id);
      if (!consent) throw new NotFoundError('Consent', id);
      if (consent.revokedAt) {
        throw new DomainError('CONSENT_ALREADY_REVOKED', `Consent ${id} was already revoked`, { consentId: id, revokedAt: consent.revokedAt.toISOString() });
      }
      const now = this.clock.now();
      const before = auditView(consent);
      await this.repo.markRevoked(m, id, now, reason);
      const revoked: ConsentEntity = { ...consent, revokedAt: now, revokedReason: reason };
      await this.audit.record({ actor, action: 'consent.revoked', entityType: 'consent', entityId: id, before, after: auditView(revoked), reason }, m);
      await this.outbox.enqueue(m, 'consent.revoked', consent.borrowerId, {
        consentId: id,
        borrowerId: consent.borrowerId,
        purpose: consent.purpose,
        accountIds: consent.accountIds,
        revokedAt: now.toISOString(),
        occurredAt: now.toISOString(),
      });
      return revoked;
    });
    return { consent, unlinkedAccountIds: await this.unlinkUncovered(consent, actor) };
  }

  /**
   * Full revocation: an account this consent covered that no other consent covers now is unlinked at Mono, so Mono
   * stops retrieving its data too. A Mono failure is logged and leaves the account linked (every sync and fetch is
   * refused anyway); there is no automatic retry of the unlink yet (docs/privacy.md).
   */
  private async unlinkUncovered(consent: ConsentEntity, actor: string): Promise<string[]> {
    const unlinked: string[] = [];
    const now = this.clock.now();
    for (const account of await this.repo.linkedAccounts(consent.borrowerId, consent.accountIds)) {
      if ((await this.gate.check(account.id, ANY_PURPOSE, now)).ok) continue;
      try {
        if (await this.links.unlinkAtMono(account.id, actor, `every consent revoked or expired (last: ${consent.id})`)) unlinked.push(account.id);
      } catch (err) {
        this.logger.warn({ err, accountId: account.id, consentId: consent.id }, 'unlinking at Mono after the full revocation failed; the account stays linked but nothing is fetched');
      }
    }
    return unlinked;
  }
}
