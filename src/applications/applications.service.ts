import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Principal } from '../auth/api-keys.service.js';
import { BorrowersService } from '../borrowers/borrowers.service.js';
import { AuditService } from '../common/audit/audit.service.js';
import { Clock } from '../common/clock.js';
import { DomainError, NotFoundError } from '../common/errors/domain-error.js';
import { canonicalJson } from '../scoring/engine/index.js';
import type { DecisionEntity } from '../scoring/entities/decision.entity.js';
import { ScoringService } from '../scoring/scoring.service.js';
import { ApplicationsRepository } from './applications.repository.js';
import { ApplicationsWorker } from './applications.worker.js';
import type { ApplicationAccountDto } from './dto/application-response.dto.js';
import type { CreateApplicationDto } from './dto/create-application.dto.js';
import type { LoanApplicationEntity } from './loan-application.entity.js';

export interface SubmittedApplication {
  application: LoanApplicationEntity;
  /** True when the Idempotency-Key was seen before with the same body (nothing new was created). */
  replayed: boolean;
}

export interface ApplicationView {
  application: LoanApplicationEntity;
  accounts: ApplicationAccountDto[];
  decision: DecisionEntity | null;
}

/** sha256 over the canonical JSON of the request body (defaults applied), for idempotency. */
export function applicationRequestHash(dto: CreateApplicationDto): string {
  const canonical = canonicalJson({
    borrowerId: dto.borrowerId.toLowerCase(),
    amount: dto.amount,
    currency: dto.currency ?? 'NGN',
    tenorMonths: dto.tenorMonths,
    purpose: dto.purpose ?? null,
  });
  return createHash('sha256').update(canonical).digest('hex');
}

/** Loan applications for the frontend: submit (idempotent) and read. The worker does the rest. */
@Injectable()
export class ApplicationsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly repo: ApplicationsRepository,
    private readonly borrowers: BorrowersService,
    private readonly scoring: ScoringService,
    private readonly worker: ApplicationsWorker,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  /**
   * Same key + same body → the same application; same key + another body → 409 IDEMPOTENCY_KEY_REUSED. Keys are
   * scoped to the API key. A borrower without a linked account → 409 NO_LINKED_ACCOUNT.
   */
  async submit(dto: CreateApplicationDto, principal: Principal, idempotencyKey: string): Promise<SubmittedApplication> {
    const requestHash = applicationRequestHash(dto);
    const existing = await this.repo.findByIdempotencyKey(principal.apiKeyId, idempotencyKey);
    if (existing) return { application: this.sameRequestOr409(existing, requestHash), replayed: true };

    const accounts = await this.borrowers.linkedAccounts(dto.borrowerId);
    if (accounts.length === 0) {
      throw new DomainError('NO_LINKED_ACCOUNT', 'The borrower has no linked bank account: connect one first', {
        borrowerId: dto.borrowerId,
        next: `POST /v1/borrowers/${dto.borrowerId}/connect`,
      });
    }

    const created = await this.dataSource.transaction(async (m) => {
      const app = await this.repo.insertUnlessKeyTaken(m, {
        borrowerId: dto.borrowerId,
        apiKeyId: principal.apiKeyId,
        idempotencyKey,
        requestHash,
        amountMinor: dto.amount,
        currency: dto.currency ?? 'NGN',
        tenorMonths: dto.tenorMonths,
        purpose: dto.purpose ?? null,
        now: this.clock.now(),
      });
      if (app) {
        await this.audit.record(
          {
            actor: `api-key:${principal.apiKeyId}`,
            action: 'application.received',
            entityType: 'loan_application',
            entityId: app.id,
            after: {
              status: app.status,
              borrowerId: app.borrowerId,
              amountMinor: app.amountMinor,
              currency: app.currency,
              tenorMonths: app.tenorMonths,
            },
          },
          m,
        );
      }
      return app;
    });
    if (!created) {
      // A concurrent request with the same key won the race.
      const winner = await this.repo.findByIdempotencyKey(principal.apiKeyId, idempotencyKey);
      if (!winner) throw new Error('idempotency conflict without a winning row');
      return { application: this.sameRequestOr409(winner, requestHash), replayed: true };
    }
    this.worker.kick();
    return { application: created, replayed: false };
  }

  async get(id: string): Promise<ApplicationView> {
    const application = await this.repo.findById(id);
    if (!application) throw new NotFoundError('Application', id);
    const waits = await this.repo.findAccountFacts(id);
    let accounts: ApplicationAccountDto[];
    if (waits.length > 0) {
      accounts = waits.map((w) => ({ id: w.accountId, syncStatus: w.syncStatus, reauthRequired: w.reauthRequired }));
    } else {
      const linked = await this.borrowers.linkedAccounts(application.borrowerId);
      accounts = linked.map((a) => ({ id: a.id, syncStatus: 'pending', reauthRequired: a.reauthRequired }));
    }
    const decision = application.decisionId ? await this.scoring.findById(application.decisionId) : null;
    return { application, accounts, decision };
  }

  private sameRequestOr409(existing: LoanApplicationEntity, requestHash: string): LoanApplicationEntity {
    if (existing.requestHash !== requestHash) {
      throw new DomainError('IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was already used with a different request body', {
        applicationId: existing.id,
      });
    }
    return existing;
  }
}
