import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, QueryFailedError, Repository, type EntityManager } from 'typeorm';
import { BankAccountEntity } from '../accounts/bank-account.entity.js';
import { BorrowerEntity } from './borrower.entity.js';

export interface NewBorrower {
  externalId: string;
  fullName: string;
  email: string;
  phone: string | null;
  bvn: string | null;
}

function isUniqueViolation(err: unknown, constraint?: string): boolean {
  if (!(err instanceof QueryFailedError)) return false;
  const driverError = err.driverError as { code?: string; constraint?: string };
  return driverError.code === '23505' && (constraint === undefined || driverError.constraint === constraint);
}

/** Borrowers and their linked accounts; the only place in this module that touches SQL. */
@Injectable()
export class BorrowersRepository {
  constructor(
    @InjectRepository(BorrowerEntity) private readonly borrowers: Repository<BorrowerEntity>,
    @InjectRepository(BankAccountEntity) private readonly accounts: Repository<BankAccountEntity>,
  ) {}

  /**
   * Inserts a borrower, or reports the existing one with the same external id. Race-safe: the unique
   * constraint decides, so two concurrent creates give one row and one 'exists'.
   */
  async insertUnlessExternalIdTaken(
    values: NewBorrower,
    manager?: EntityManager,
  ): Promise<{ created: BorrowerEntity } | { existingId: string }> {
    const repo = manager ? manager.getRepository(BorrowerEntity) : this.borrowers;
    try {
      const entity = repo.create(values);
      return { created: await repo.save(entity) };
    } catch (err) {
      if (!isUniqueViolation(err, 'borrowers_external_id_key')) throw err;
      const existing = await this.borrowers.findOne({ where: { externalId: values.externalId }, select: { id: true } });
      if (!existing) throw err;
      return { existingId: existing.id };
    }
  }

  findById(id: string): Promise<BorrowerEntity | null> {
    return this.borrowers.findOneBy({ id });
  }

  async exists(id: string): Promise<boolean> {
    return (await this.borrowers.countBy({ id })) > 0;
  }

  /** Accounts still linked (not unlinked at Mono), oldest first. */
  findLinkedAccounts(borrowerId: string): Promise<BankAccountEntity[]> {
    return this.accounts.find({ where: { borrowerId, unlinkedAt: IsNull() }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  findAccountOfBorrower(borrowerId: string, accountId: string): Promise<BankAccountEntity | null> {
    return this.accounts.findOneBy({ id: accountId, borrowerId });
  }
}
