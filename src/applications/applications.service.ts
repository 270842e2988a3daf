import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Principal } from '../auth/api-keys.service.js';
import { BorrowersService } from '../borrowers/borrowers.service.js';
import { Clock } from '../common/clock.js';
import { DomainError, NotFoundError } from '../common/errors/domain-error.js';
import { CONSENT_GATE, ConsentRequiredError, purposesForTrigger, type ConsentGate } from '../mono/consent-gate.js';
import { canonicalJson } from '../scoring/engine/index.js';
import type { DecisionEntity } from '../scoring/entities/decision.entity.js';
import { ApplicationsRepository, type ApplicationReadModel, type SubmittedRow } from './applications.repository.js';
import { ApplicationsWorker } from './applications.worker.js';
import type { ApplicationAccountDto } from './dto/application-response.dto.js';
import type { CreateApplicationDto } from './dto/create-application.dto.js';

export interface SubmittedApplication {
  application: SubmittedRow;
  /** True when the Idempotency-Key was seen before with the same body (nothing new was created). */
  replayed: boolean;
}

export interface ApplicationView {
  application: ApplicationReadModel['application'];
  accounts: ApplicationAccountDto[];
  /** Partial: the columns the API response shows (ApplicationsRepository.findReadModel). */
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
    private readonly repo: ApplicationsRepository,
    private readonly borrowers: BorrowersService,
    private readonly worker: ApplicationsWorker,
    private readonly clock: Clock,
    @Inject(CONSENT_GATE) private readonly consents: ConsentGate,
  ) {}

  /**
   * Same key + same body → the same application; same key + another body → 409 IDEMPOTENCY_KEY_REUSED. Keys are
   * scoped to the API key. A borrower without a linked account → 409 NO_LINKED_ACCOUNT; a linked account without an
   * underwriting or monitoring consent → 409 CONSENT_REQUIRED (nothing stored, Mono not called).
   */
  async submit(dto: CreateApplicationDto, principal: Principal, idempotencyKey: string): Promise<SubmittedApplication> {
    const requestHash = applicationRequestHash(dto);
    // One round trip for the replay check and the borrower's state, one for the insert (+ audit): the hot path of the API.
    const facts = await this.repo.submissionFacts(principal.apiKeyId, idempotencyKey, dto.borrowerId);
    if (facts.existing) return { application: this.sameRequestOr409(facts.existing, requestHash), replayed: true };
    if (!facts.borrowerExists) throw new NotFoundError('Borrower', dto.borrowerId);
    if (!facts.hasLinkedAccount) {
      throw new DomainError('NO_LINKED_ACCOUNT', 'The borrower has no linked bank account: connect one first', {
        borrowerId: dto.borrowerId,
        next: `POST /v1/borrowers/${dto.borrowerId}/connect`,
      });
    }
    await this.assertConsented(dto.borrowerId);

    // The application, its audit row and its first step commit together.
    const created = await this.repo.insertWithAuditUnlessKeyTaken(
      {
        borrowerId: dto.borrowerId,
        apiKeyId: principal.apiKeyId,
        idempotencyKey,
        requestHash,
        amountMinor: dto.amount,
        currency: dto.currency ?? 'NGN',
        tenorMonths: dto.tenorMonths,
        purpose: dto.purpose ?? null,
        now: this.clock.now(),
      },
      `api-key:${principal.apiKeyId}`,
      async (m, id) => {
        await this.worker.enqueue(id, 0, m);
      },
    );
    if (!created) {
      // A concurrent request with the same key won the race.
      const winner = await this.repo.findByIdempotencyKey(principal.apiKeyId, idempotencyKey);
      if (!winner) throw new Error('idempotency conflict without a winning row');
      return { application: this.sameRequestOr409(winner, requestHash), replayed: true };
    }
    return { application: created, replayed: false };
  }

  /** One query for the application, its account rows and its decision (plus one for a not yet examined application). */
  async get(id: string): Promise<ApplicationView> {
    const view = await this.repo.findReadModel(id);
    if (!view) throw new NotFoundError('Application', id);
    const { application, decision } = view;
    let accounts: ApplicationAccountDto[];
    if (view.accounts.length > 0) {
      accounts = view.accounts.map((w) => ({ id: w.accountId, syncStatus: w.syncStatus, reauthRequired: w.reauthRequired }));
    } else {
      const linked = await this.borrowers.linkedAccounts(application.borrowerId);
      accounts = linked.map((a) => ({ id: a.id, syncStatus: 'pending', reauthRequired: a.reauthRequired }));
    }
    return { application, accounts, decision };
  }

  private async assertConsented(borrowerId: string): Promise<void> {
    const purposes = purposesForTrigger('application');
    const now = this.clock.now();
    for (const account of await this.borrowers.linkedAccounts(borrowerId)) {
      const consent = await this.consents.check(account.id, purposes, now);
      if (!consent.ok) throw new ConsentRequiredError(account.id, purposes, consent);
    }
  }

  private sameRequestOr409(existing: SubmittedRow, requestHash: string): SubmittedRow {
    if (existing.requestHash !== requestHash) {
      throw new DomainError('IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was already used with a different request body', {
        applicationId: existing.id,
      });
    }
    return existing;
  }
}
