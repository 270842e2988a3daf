import { Injectable } from '@nestjs/common';
import type { BankAccountEntity } from '../accounts/bank-account.entity.js';
import { AuditService } from '../common/audit/audit.service.js';
import { DomainError, NotFoundError } from '../common/errors/domain-error.js';
import { TransactionsQueryService, type ListTransactionsQuery, type TransactionPage } from '../ingestion/transactions-query.service.js';
import { LinkService } from '../mono/link.service.js';
import type { ReauthCompletion } from '../mono/reauth.service.js';
import type { DecisionEntity } from '../scoring/entities/decision.entity.js';
import { ScoringService } from '../scoring/scoring.service.js';
import type { BorrowerEntity } from './borrower.entity.js';
import { BorrowersRepository } from './borrowers.repository.js';
import type { CreateBorrowerDto } from './dto/create-borrower.dto.js';

export interface BorrowerWithAccounts {
  borrower: BorrowerEntity;
  accounts: BankAccountEntity[];
}

/** Borrowers and the linking of their bank accounts (through the Mono module). */
@Injectable()
export class BorrowersService {
  constructor(
    private readonly repo: BorrowersRepository,
    private readonly links: LinkService,
    private readonly transactions: TransactionsQueryService,
    private readonly scoring: ScoringService,
    private readonly audit: AuditService,
  ) {}

  /** 409 BORROWER_EXISTS (details.id = the existing borrower) when the external id is taken. */
  async create(dto: CreateBorrowerDto, actor: string): Promise<BorrowerWithAccounts> {
    const result = await this.repo.insertUnlessExternalIdTaken({
      externalId: dto.externalId,
      fullName: dto.fullName,
      email: dto.email,
      phone: dto.phone ?? null,
      bvn: dto.bvn ?? null,
    });
    if ('existingId' in result) {
      throw new DomainError('BORROWER_EXISTS', `A borrower with externalId ${dto.externalId} already exists`, { id: result.existingId });
    }
    const borrower = result.created;
    // No PII in the audit trail: identifiers and which optional fields were given.
    await this.audit.record({
      actor,
      action: 'borrower.created',
      entityType: 'borrower',
      entityId: borrower.id,
      after: { externalId: borrower.externalId, hasPhone: borrower.phone !== null, hasBvn: borrower.bvn !== null },
    });
    return { borrower, accounts: [] };
  }

  async get(id: string): Promise<BorrowerWithAccounts> {
    const borrower = await this.requireBorrower(id);
    return { borrower, accounts: await this.repo.findLinkedAccounts(id) };
  }

  async requireBorrower(id: string): Promise<BorrowerEntity> {
    const borrower = await this.repo.findById(id);
    if (!borrower) throw new NotFoundError('Borrower', id);
    return borrower;
  }

  async assertExists(id: string): Promise<void> {
    if (!(await this.repo.exists(id))) throw new NotFoundError('Borrower', id);
  }

  /** Linked accounts of an existing borrower (404 for an unknown borrower). */
  async linkedAccounts(id: string): Promise<BankAccountEntity[]> {
    await this.assertExists(id);
    return this.repo.findLinkedAccounts(id);
  }

  async createConnectLink(id: string, redirectUrl?: string): Promise<{ monoUrl: string; reference: string }> {
    await this.assertExists(id);
    return this.links.createConnectLink(id, redirectUrl ? { redirectUrl } : {});
  }

  async linkAccount(id: string, code: string): Promise<BankAccountEntity> {
    await this.assertExists(id);
    return this.links.exchangeCode(id, code);
  }

  /** 404 when the account is not this borrower's; 409 REAUTH_NOT_REQUIRED when the bank does not ask for it. */
  async createReauthLink(
    id: string,
    accountId: string,
    redirectUrl?: string,
  ): Promise<{ monoUrl: string | null; reference: string; reauthToken?: string }> {
    await this.assertExists(id);
    const account = await this.repo.findAccountOfBorrower(id, accountId);
    if (!account) throw new NotFoundError('Account', accountId);
    return this.links.createReauthLink(accountId, redirectUrl ? { redirectUrl } : {});
  }

  /** 404 when the account is not this borrower's; the code (when given) must exchange to that same account. */
  async completeReauth(id: string, accountId: string, code?: string): Promise<ReauthCompletion> {
    await this.assertExists(id);
    const account = await this.repo.findAccountOfBorrower(id, accountId);
    if (!account) throw new NotFoundError('Account', accountId);
    return this.links.completeReauth(accountId, code);
  }

  listTransactions(id: string, query: ListTransactionsQuery): Promise<TransactionPage> {
    return this.transactions.listForBorrower(id, query);
  }

  /**
   * Decision history, newest first, one page: `cursor` is the previous page's `nextCursor` (opaque; 400 when it is
   * not one of this borrower's pages).
   */
  async decisionHistory(
    id: string,
    page: { limit?: number; cursor?: string } = {},
  ): Promise<{ items: DecisionEntity[]; nextCursor: string | null; total: number }> {
    await this.assertExists(id);
    const limit = page.limit ?? 50;
    const afterId = page.cursor === undefined ? null : decodeDecisionCursor(page.cursor);
    const result = await this.scoring.historyPage(id, limit, afterId);
    if (!result.cursorValid) throw new DomainError('BAD_REQUEST', 'cursor is not valid', { field: 'cursor' });
    const last = result.items[result.items.length - 1];
    return { items: result.items, nextCursor: result.hasMore && last ? encodeDecisionCursor(last.id) : null, total: result.total };
  }
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function encodeDecisionCursor(decisionId: string): string {
  return Buffer.from(JSON.stringify(['d', decisionId])).toString('base64url');
}

function decodeDecisionCursor(cursor: string): string {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === 2 && value[0] === 'd' && typeof value[1] === 'string' && UUID_RE.test(value[1]))
      return value[1];
  } catch {
    /* fall through */
  }
  throw new DomainError('BAD_REQUEST', 'cursor is not valid', { field: 'cursor' });
}
