import { Injectable } from '@nestjs/common';
import { DataSource, In, IsNull, type EntityManager } from 'typeorm';
import { BankAccountEntity } from '../accounts/bank-account.entity.js';
import { LoanApplicationEntity } from '../applications/loan-application.entity.js';
import { BorrowerEntity } from '../borrowers/borrower.entity.js';
import type { ConsentPurpose } from '../mono/consent-gate.js';
import { ConsentEntity } from './consent.entity.js';

export interface NewConsent {
  borrowerId: string;
  purpose: ConsentPurpose;
  noticeVersion: string;
  channel: string;
  grantedAt: Date;
  expiresAt: Date | null;
  accountIds: string[] | null;
  applicationId: string | null;
}

/** Consent records and the few facts about borrowers, accounts and applications they need; the module's only SQL. */
@Injectable()
export class ConsentsRepository {
  constructor(private readonly dataSource: DataSource) {}

  private repo(manager?: EntityManager) {
    return (manager ?? this.dataSource.manager).getRepository(ConsentEntity);
  }

  async borrowerExists(borrowerId: string): Promise<boolean> {
    return (await this.dataSource.getRepository(BorrowerEntity).countBy({ id: borrowerId })) > 0;
  }

  /** Which of `accountIds` are accounts of the borrower (linked or not). */
  async accountsOfBorrower(borrowerId: string, accountIds: string[]): Promise<Set<string>> {
    if (accountIds.length === 0) return new Set();
    const rows = await this.dataSource.getRepository(BankAccountEntity).find({ where: { borrowerId, id: In(accountIds) }, select: { id: true } });
    return new Set(rows.map((r) => r.id));
  }

  /** Linked (not unlinked) accounts of the borrower: all, or those listed. */
  linkedAccounts(borrowerId: string, accountIds: string[] | null): Promise<BankAccountEntity[]> {
    return this.dataSource.getRepository(BankAccountEntity).find({
      where: { borrowerId, unlinkedAt: IsNull(), ...(accountIds ? { id: In(accountIds) } : {}) },
      order: { createdAt: 'ASC', id: 'ASC' },
    });
  }

  /** Linked accounts of the borrower (all, or those listed) whose data was never fetched. */
  neverIngestedAccounts(borrowerId: string, accountIds: string[] | null): Promise<BankAccountEntity[]> {
    return this.dataSource.getRepository(BankAccountEntity).find({
      where: { borrowerId, unlinkedAt: IsNull(), lastIngestedAt: IsNull(), ...(accountIds ? { id: In(accountIds) } : {}) },
      order: { createdAt: 'ASC', id: 'ASC' },
    });
  }

  async isApplicationOfBorrower(applicationId: string, borrowerId: string): Promise<boolean> {
    return (await this.dataSource.getRepository(LoanApplicationEntity).countBy({ id: applicationId, borrowerId })) > 0;
  }

  insert(manager: EntityManager, values: NewConsent): Promise<ConsentEntity> {
    const repo = this.repo(manager);
    return repo.save(repo.create(values));
  }

  /** Newest first. */
  listForBorrower(borrowerId: string): Promise<ConsentEntity[]> {
    return this.repo().find({ where: { borrowerId }, order: { grantedAt: 'DESC', createdAt: 'DESC', id: 'ASC' } });
  }

  findById(id: string, manager?: EntityManager): Promise<ConsentEntity | null> {
    return this.repo(manager).findOne({ where: { id } });
  }

  /** The consent row locked for its revocation (concurrent revocations queue; the second sees revoked_at). */
  lockById(manager: EntityManager, id: string): Promise<ConsentEntity | null> {
    return this.repo(manager).findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
  }

  async markRevoked(manager: EntityManager, id: string, at: Date, reason: string | null): Promise<void> {
    await this.repo(manager).update({ id }, { revokedAt: at, revokedReason: reason });
  }

  /**
   * Every consent of the account's borrower for one of `purposes` whose coverage includes the account (account_ids
   * null or empty = all of the borrower's accounts), newest grant first, whatever its state: the gate decides.
   */
  findCoveringAccount(accountId: string, purposes: readonly ConsentPurpose[], manager?: EntityManager): Promise<ConsentEntity[]> {
    return this.repo(manager)
      .createQueryBuilder('c')
      .innerJoin(BankAccountEntity, 'a', 'a.borrowerId = c.borrowerId')
      .where('a.id = :accountId', { accountId })
      .andWhere('c.purpose IN (:...purposes)', { purposes: [...purposes] })
      .andWhere('(c.accountIds IS NULL OR cardinality(c.accountIds) = 0 OR CAST(:accountId AS uuid) = ANY(c.accountIds))')
      .orderBy('c.grantedAt', 'DESC')
      .addOrderBy('c.createdAt', 'DESC')
      .getMany();
  }

  /**
   * Active consents expiring within (now, until] not yet announced, oldest expiry first, locked for this sweep (another
   * instance's sweep skips them).
   */
  lockExpiringUnnotified(manager: EntityManager, now: Date, until: Date, limit: number): Promise<ConsentEntity[]> {
    return this.repo(manager)
      .createQueryBuilder('c')
      .where('c.revokedAt IS NULL AND c.expiringNotifiedAt IS NULL AND c.expiryHandledAt IS NULL')
      .andWhere('c.expiresAt > :now AND c.expiresAt <= :until AND c.grantedAt <= :now', { now, until })
      .orderBy('c.expiresAt', 'ASC')
      .addOrderBy('c.id', 'ASC')
      .limit(limit)
      .setLock('pessimistic_write')
      .setOnLocked('skip_locked')
      .getMany();
  }

  async markExpiringNotified(manager: EntityManager, ids: string[], at: Date): Promise<void> {
    if (ids.length > 0) await this.repo(manager).update({ id: In(ids) }, { expiringNotifiedAt: at });
  }

  /** Ids of consents whose expiry has passed (not revoked) and that the lifecycle job has not handled, oldest first. */
  async dueExpiries(now: Date, limit: number): Promise<string[]> {
    const rows = await this.repo()
      .createQueryBuilder('c')
      .select('c.id', 'id')
      .where('c.revokedAt IS NULL AND c.expiryHandledAt IS NULL AND c.expiresAt <= :now', { now })
      .orderBy('c.expiresAt', 'ASC')
      .addOrderBy('c.id', 'ASC')
      .limit(limit)
      .getRawMany<{ id: string }>();
    return rows.map((r) => r.id);
  }

  async markExpiryHandled(manager: EntityManager, id: string, at: Date): Promise<void> {
    await this.repo(manager).update({ id }, { expiryHandledAt: at });
  }

  /**
   * Linked accounts that some consent covered once but none covers validly at `now` (revoked or expired, and no other
   * active): accounts a full revocation or expiry should have unlinked at Mono but did not (Mono unreachable then).
   * Accounts never covered by any consent (linked before the borrower recorded one) are not listed: their data is
   * held back until a consent comes.
   */
  async lapsedLinkedAccounts(now: Date, limit: number): Promise<string[]> {
    const rows = await this.dataSource.query<Array<{ id: string }>>(
      `SELECT a.id FROM bank_accounts a
        WHERE a.unlinked_at IS NULL
          AND EXISTS (SELECT 1 FROM consents c WHERE c.borrower_id = a.borrower_id
                        AND (c.account_ids IS NULL OR cardinality(c.account_ids) = 0 OR a.id = ANY(c.account_ids)))
          AND NOT EXISTS (SELECT 1 FROM consents c WHERE c.borrower_id = a.borrower_id
                        AND (c.account_ids IS NULL OR cardinality(c.account_ids) = 0 OR a.id = ANY(c.account_ids))
                        AND c.revoked_at IS NULL AND (c.expires_at IS NULL OR c.expires_at > $1))
        ORDER BY a.created_at, a.id LIMIT $2`,
      [now, limit],
    );
    return rows.map((r) => r.id);
  }

  /**
   * Borrowers whose personal data the retention job purges: not erased yet, no consent active at `now`, no open loan,
   * no application in flight, and the last need for the data ended on or before `cutoff`. The last need is the latest
   * of: a consent's revocation or expiry, a loan's closing or write-off, an application's last change, an account's
   * unlinking, and the borrower's creation. Oldest need first.
   */
  async retentionCandidates(now: Date, cutoff: Date, limit: number): Promise<Array<{ id: string; lastNeedEndedAt: Date }>> {
    const rows = await this.dataSource.query<Array<{ id: string; last_need: Date }>>(
      `SELECT b.id, n.last_need FROM borrowers b
         CROSS JOIN LATERAL (SELECT GREATEST(
             b.created_at,
             (SELECT max(LEAST(coalesce(c.revoked_at, 'infinity'), coalesce(c.expires_at, 'infinity'))) FROM consents c WHERE c.borrower_id = b.id),
             (SELECT max(GREATEST(coalesce(l.closed_at, '-infinity'), coalesce(l.written_off_at, '-infinity'))) FROM loans l WHERE l.borrower_id = b.id),
             (SELECT max(p.updated_at) FROM loan_applications p WHERE p.borrower_id = b.id),
             (SELECT max(a.unlinked_at) FROM bank_accounts a WHERE a.borrower_id = b.id)
           ) AS last_need) n
        WHERE b.erased_at IS NULL
          AND NOT EXISTS (SELECT 1 FROM consents c WHERE c.borrower_id = b.id AND c.revoked_at IS NULL AND (c.expires_at IS NULL OR c.expires_at > $1))
          AND NOT EXISTS (SELECT 1 FROM loans l WHERE l.borrower_id = b.id AND l.status IN ('current', 'late', 'defaulted'))
          AND NOT EXISTS (SELECT 1 FROM loan_applications p WHERE p.borrower_id = b.id AND p.status NOT IN ('decided', 'failed'))
          AND n.last_need <= $2
        ORDER BY n.last_need, b.id LIMIT $3`,
      [now, cutoff, limit],
    );
    return rows.map((r) => ({ id: r.id, lastNeedEndedAt: r.last_need }));
  }
}
