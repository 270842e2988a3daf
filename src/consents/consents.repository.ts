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
}
