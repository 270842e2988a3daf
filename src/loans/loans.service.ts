import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { Principal } from '../auth/api-keys.service.js';
import { AuditService } from '../common/audit/audit.service.js';
import { Clock } from '../common/clock.js';
import { DomainError, NotFoundError } from '../common/errors/domain-error.js';
import { OutboxService } from '../outbox/outbox.service.js';
import { canonicalJson } from '../scoring/engine/index.js';
import { AppConfig } from '../config/app-config.js';
import type { CreateLoanDto, CreateRepaymentDto, LoanEventDto, ScheduleItemDto } from './dto/loan-requests.dto.js';
import type { BorrowerLoansResponseDto, LoanResponseDto, RepaymentDto } from './dto/loan-responses.dto.js';
import { allocationDiff, evaluateLoan, instalmentViews, restructureSchedule, reverseAllocation } from './loan-ledger.js';
import {
  OverpaymentError,
  allocateRepayment,
  amortisedSchedule,
  daysPastDue,
  explicitSchedule,
  outstandingOf,
  outstandingPrincipal,
  type Instalment,
} from './loan-schedule.js';
import { canLoanTransition, isOpenLoanStatus, type LoanStatus } from './loan-status.js';
import { LoansRepository, type LoanAggregate, type LoanRow, type RepaymentRow } from './loans.repository.js';
import { LOAN_DEFAULT_DPD } from './loan-constants.js';

export { LOAN_DEFAULT_DPD };

/** DPD at which a loan is `defaulted` (Fineract's usual 90; issue 14 item 3 makes it policy data). */

export interface Created<T> {
  value: T;
  /** The same request was seen before (same Idempotency-Key / repayment reference): nothing was written. */
  replayed: boolean;
}

const PG_UNIQUE_VIOLATION = '23505';

function invalid(field: string, message: string): DomainError {
  return new DomainError('VALIDATION_FAILED', `Invalid request: ${field}`, { fields: [{ field, errors: [message] }] });
}

function isUniqueViolation(err: unknown, constraint: string): boolean {
  const e = err as { code?: string; constraint?: string; driverError?: { code?: string; constraint?: string } };
  const code = e?.code ?? e?.driverError?.code;
  const name = e?.constraint ?? e?.driverError?.constraint;
  return code === PG_UNIQUE_VIOLATION && name === constraint;
}

/** sha256 over the canonical JSON of the request body (defaults applied), for idempotency. */
export function loanRequestHash(dto: CreateLoanDto): string {
  return createHash('sha256')
    .update(
      canonicalJson({
        borrowerId: dto.borrowerId.toLowerCase(),
        applicationId: dto.applicationId?.toLowerCase() ?? null,
        principalMinor: dto.principalMinor,
        currency: dto.currency,
        disbursedAt: new Date(dto.disbursedAt).toISOString(),
        tenorMonths: dto.tenorMonths,
        monthlyRate: dto.monthlyRate ?? null,
        schedule: dto.schedule?.map((s) => ({ dueDate: s.dueDate, amountMinor: s.amountMinor })) ?? null,
      }),
    )
    .digest('hex');
}

/**
 * The lender's own loan book: disbursement (against an application's decision), repayments allocated oldest first,
 * lifecycle events, and the DPD/status evaluation that emits `loan.overdue` and `loan.closed`. Every money change is
 * one transaction with its audit row, its history rows, its outbox events and `credit_limits.outstanding_minor`.
 */
@Injectable()
export class LoansService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly repo: LoansRepository,
    private readonly audit: AuditService,
    private readonly outbox: OutboxService,
    private readonly clock: Clock,
    private readonly config: AppConfig,
  ) {}

  async create(dto: CreateLoanDto, principal: Principal, idempotencyKey: string): Promise<Created<LoanResponseDto>> {
    const requestHash = loanRequestHash(dto);
    const existing = await this.repo.findByIdempotencyKey(principal.apiKeyId, idempotencyKey);
    if (existing) return { value: await this.replayOr409(existing, requestHash), replayed: true };

    const now = this.clock.now();
    const disbursedAt = new Date(dto.disbursedAt);
    if (disbursedAt.getTime() > now.getTime()) throw invalid('disbursedAt', 'disbursedAt must not be in the future');
    if (!(await this.repo.borrowerExists(dto.borrowerId))) throw new NotFoundError('Borrower', dto.borrowerId);
    if (dto.schedule && dto.monthlyRate !== undefined) throw invalid('monthlyRate', 'give monthlyRate or schedule, not both');
    const schedule = dto.schedule
      ? this.explicit(dto.schedule, dto.principalMinor, dto.disbursedAt.slice(0, 10), 'schedule')
      : this.amortised(dto.principalMinor, dto.monthlyRate ?? this.config.policy.product.monthlyRate, dto.tenorMonths, dto.disbursedAt);
    const decisionId = dto.applicationId ? await this.checkAgainstDecision(dto) : null;
    const actor = `api-key:${principal.apiKeyId}`;

    let id: string | null;
    try {
      id = await this.dataSource.transaction(async (m) => {
        const loanId = await this.repo.insertLoanUnlessKeyTaken(m, {
          borrowerId: dto.borrowerId,
          applicationId: dto.applicationId ?? null,
          decisionId,
          principalMinor: dto.principalMinor,
          currency: dto.currency,
          disbursedAt,
          tenorMonths: dto.tenorMonths,
          monthlyRate: dto.schedule ? null : (dto.monthlyRate ?? this.config.policy.product.monthlyRate),
          scheduleKind: dto.schedule ? 'explicit' : 'amortised',
          apiKeyId: principal.apiKeyId,
          idempotencyKey,
          requestHash,
          now,
        });
        if (!loanId) return null;
        await this.repo.writeInstalments(m, loanId, schedule);
        const after = {
          borrowerId: dto.borrowerId,
          applicationId: dto.applicationId ?? null,
          decisionId,
          principalMinor: dto.principalMinor,
          currency: dto.currency,
          disbursedAt: disbursedAt.toISOString(),
          instalments: schedule.length,
        };
        await this.repo.insertEvent(m, loanId, 'disbursed', disbursedAt, after, actor);
        await this.audit.record({ actor, action: 'loan.disbursed', entityType: 'loan', entityId: loanId, after }, m);
        const locked = await this.repo.lockLoan(m, loanId);
        if (!locked) throw new Error('loan vanished inside its own transaction');
        await this.settle(m, locked.loan, locked.instalments, now, actor);
        return loanId;
      });
    } catch (err) {
      if (isUniqueViolation(err, 'loans_application_uq')) {
        throw new DomainError('LOAN_NOT_ALLOWED', 'A loan was already disbursed against this application', {
          reason: 'application_already_disbursed',
          applicationId: dto.applicationId,
        });
      }
      throw err;
    }
    if (!id) {
      // A concurrent request with the same key won the race.
      const winner = await this.repo.findByIdempotencyKey(principal.apiKeyId, idempotencyKey);
      if (!winner) throw new Error('idempotency conflict without a winning row');
      return { value: await this.replayOr409(winner, requestHash), replayed: true };
    }
    return { value: await this.get(id), replayed: false };
  }

  async repay(loanId: string, dto: CreateRepaymentDto, principal: Principal): Promise<Created<RepaymentDto>> {
    const paidAt = new Date(dto.paidAt);
    const previous = await this.repo.findRepayment(loanId, dto.reference);
    if (previous) return { value: this.sameRepaymentOr409(previous, dto.amountMinor, paidAt), replayed: true };
    const now = this.clock.now();
    if (paidAt.getTime() > now.getTime()) throw invalid('paidAt', 'paidAt must not be in the future');
    const actor = `api-key:${principal.apiKeyId}`;
    try {
      const repayment = await this.dataSource.transaction(async (m) => {
        const { loan, instalments } = await this.lockOr404(m, loanId);
        const raced = await this.repo.findRepayment(loanId, dto.reference, m);
        if (raced) return { row: this.sameRepaymentOr409(raced, dto.amountMinor, paidAt), replayed: true };
        this.assertOpen(loan, 'record a repayment on');
        if (paidAt.getTime() < loan.disbursedAt.getTime()) throw invalid('paidAt', 'paidAt must not be before the disbursement');
        let after: Instalment[];
        try {
          after = allocateRepayment(instalments, dto.amountMinor);
        } catch (err) {
          if (err instanceof OverpaymentError) {
            throw new DomainError(
              'OVERPAYMENT',
              `The repayment of ${err.amountMinor} kobo exceeds the ${err.outstandingMinor} kobo the loan owes`,
              {
                amountMinor: err.amountMinor,
                outstandingMinor: err.outstandingMinor,
              },
            );
          }
          throw err;
        }
        const allocation = allocationDiff(instalments, after);
        await this.repo.writePaid(m, loanId, after);
        const row = await this.repo.insertRepayment(m, {
          loanId,
          reference: dto.reference,
          amountMinor: dto.amountMinor,
          paidAt,
          allocation,
          outstandingPrincipalAfterMinor: outstandingPrincipal(after),
          now,
        });
        const payload = {
          repaymentId: row.id,
          reference: dto.reference,
          amountMinor: dto.amountMinor,
          allocation,
          outstandingPrincipalMinor: outstandingPrincipal(after),
        };
        await this.repo.insertEvent(m, loanId, 'repayment', paidAt, payload, actor);
        await this.audit.record(
          {
            actor,
            action: 'loan.repayment_recorded',
            entityType: 'loan',
            entityId: loanId,
            before: { outstandingPrincipalMinor: outstandingPrincipal(instalments) },
            after: payload,
          },
          m,
        );
        await this.settle(m, loan, after, now, actor);
        return { row: toRepaymentDto(row), replayed: false };
      });
      return { value: repayment.row, replayed: repayment.replayed };
    } catch (err) {
      if (isUniqueViolation(err, 'loan_repayments_reference_uq')) {
        const winner = await this.repo.findRepayment(loanId, dto.reference);
        if (winner) return { value: this.sameRepaymentOr409(winner, dto.amountMinor, paidAt), replayed: true };
      }
      throw err;
    }
  }

  async event(loanId: string, dto: LoanEventDto, principal: Principal): Promise<LoanResponseDto> {
    const now = this.clock.now();
    const actor = `api-key:${principal.apiKeyId}`;
    const reason = dto.reason ?? null;
    await this.dataSource.transaction(async (m) => {
      const { loan, instalments } = await this.lockOr404(m, loanId);
      const owed = instalments.reduce((s, i) => s + outstandingOf(i), 0);
      const before = { status: loan.status, outstandingPrincipalMinor: outstandingPrincipal(instalments), outstandingMinor: owed };
      switch (dto.type) {
        case 'write_off': {
          this.assertOpen(loan, 'write off');
          this.assertTransition(loan.status, 'written_off');
          await this.repo.updateLoan(m, loanId, { status: 'written_off', writtenOffAt: now }, now);
          const payload = { reason, ...before };
          await this.repo.insertEvent(m, loanId, 'written_off', now, payload, actor);
          await this.audit.record(
            { actor, action: 'loan.written_off', entityType: 'loan', entityId: loanId, before, after: { status: 'written_off' }, reason },
            m,
          );
          await this.writeExposure(m, loan.borrowerId, now);
          return;
        }
        case 'close': {
          this.assertOpen(loan, 'close');
          this.assertTransition(loan.status, 'closed');
          await this.close(m, loan, instalments, now, actor, { reason, waivedMinor: owed, by: 'event' });
          await this.audit.record(
            {
              actor,
              action: 'loan.closed',
              entityType: 'loan',
              entityId: loanId,
              before,
              after: { status: 'closed', waivedMinor: owed },
              reason,
            },
            m,
          );
          await this.writeExposure(m, loan.borrowerId, now);
          return;
        }
        case 'restructure': {
          this.assertOpen(loan, 'restructure');
          const outstanding = outstandingPrincipal(instalments);
          const today = now.toISOString().slice(0, 10);
          let replacement: Instalment[];
          if (dto.schedule) {
            if (dto.monthlyRate !== undefined || dto.tenorMonths !== undefined)
              throw invalid('schedule', 'give schedule or monthlyRate + tenorMonths, not both');
            replacement = this.explicit(dto.schedule, outstanding, today, 'schedule');
          } else {
            if (dto.tenorMonths === undefined)
              throw invalid('tenorMonths', 'restructure needs a schedule or tenorMonths (with an optional monthlyRate)');
            const rate = dto.monthlyRate ?? loan.monthlyRate ?? this.config.policy.product.monthlyRate;
            replacement = this.amortised(outstanding, rate, dto.tenorMonths, now.toISOString());
          }
          const next = restructureSchedule(instalments, replacement);
          await this.repo.writeInstalments(m, loanId, next);
          await this.repo.updateLoan(m, loanId, { restructuredAt: now }, now);
          const payload = {
            reason,
            outstandingPrincipalMinor: outstanding,
            droppedInterestMinor: owed - outstanding, // unpaid interest on the replaced instalments
            newInstalments: replacement.length,
          };
          await this.repo.insertEvent(m, loanId, 'restructured', now, payload, actor);
          await this.audit.record(
            { actor, action: 'loan.restructured', entityType: 'loan', entityId: loanId, before, after: payload, reason },
            m,
          );
          await this.settle(m, { ...loan, restructuredAt: now }, next, now, actor);
          return;
        }
        case 'reverse_repayment': {
          if (!dto.reference) throw invalid('reference', 'reverse_repayment needs the reference of the repayment');
          this.assertOpen(loan, 'reverse a repayment on');
          const target = await this.repo.findRepayment(loanId, dto.reference, m);
          if (!target) throw new NotFoundError('Repayment', dto.reference);
          if (target.reversedAt) {
            throw new DomainError('REPAYMENT_NOT_REVERSIBLE', 'This repayment was already reversed', {
              reason: 'already_reversed',
              reference: target.reference,
            });
          }
          if (loan.restructureRepaymentSeq !== null && target.seq <= loan.restructureRepaymentSeq) {
            throw new DomainError('REPAYMENT_NOT_REVERSIBLE', 'The loan was restructured after this repayment', {
              reason: 'restructured_since',
              reference: target.reference,
            });
          }
          const latest = await this.repo.latestActiveRepayment(m, loanId);
          if (latest && latest.id !== target.id) {
            throw new DomainError('REPAYMENT_NOT_REVERSIBLE', 'Only the latest repayment can be reversed: reverse the later ones first', {
              reason: 'later_repayments',
              reference: target.reference,
              latestReference: latest.reference,
            });
          }
          const after = reverseAllocation(instalments, target.allocation);
          await this.repo.writePaid(m, loanId, after);
          await this.repo.markReversed(m, target.id, now, reason);
          const payload = {
            repaymentId: target.id,
            reference: target.reference,
            amountMinor: target.amountMinor,
            allocation: target.allocation,
            reason,
          };
          await this.repo.insertEvent(m, loanId, 'repayment_reversed', now, payload, actor);
          await this.audit.record(
            { actor, action: 'loan.repayment_reversed', entityType: 'loan', entityId: loanId, before, after: payload, reason },
            m,
          );
          await this.settle(m, loan, after, now, actor);
          return;
        }
      }
    });
    return this.get(loanId);
  }

  /** One loan as of the engine clock (status and DPD re-evaluated first; see settle). */
  async get(id: string): Promise<LoanResponseDto> {
    const now = this.clock.now();
    let [agg] = await this.repo.findAggregates({ id });
    if (!agg) throw new NotFoundError('Loan', id);
    if (this.needsSettling(agg, now)) {
      await this.settleById(id, now);
      [agg] = await this.repo.findAggregates({ id });
    }
    return toLoanDto(agg, now);
  }

  async forBorrower(borrowerId: string): Promise<BorrowerLoansResponseDto> {
    const now = this.clock.now();
    let aggs = await this.repo.findAggregates({ borrowerId });
    if (aggs.length === 0 && !(await this.repo.borrowerExists(borrowerId))) throw new NotFoundError('Borrower', borrowerId);
    const stale = aggs.filter((a) => this.needsSettling(a, now));
    if (stale.length > 0) {
      for (const a of stale) await this.settleById(a.loan.id, now);
      aggs = await this.repo.findAggregates({ borrowerId });
    }
    const items = aggs.map((a) => toLoanDto(a, now));
    const open = items.filter((l) => isOpenLoanStatus(l.status as LoanStatus));
    return {
      borrowerId,
      openLoans: open.length,
      outstandingPrincipalMinor: open.reduce((s, l) => s + l.outstandingPrincipalMinor, 0),
      items,
    };
  }

  // ---------------------------------------------------------------------------------------------- internals

  private needsSettling(agg: LoanAggregate, now: Date): boolean {
    if (!isOpenLoanStatus(agg.loan.status)) return false;
    const e = evaluateLoan(agg.loan.status, agg.loan.lastDpd, agg.instalments, now.toISOString(), LOAN_DEFAULT_DPD);
    return e.path.length > 0 || e.dpd !== agg.loan.lastDpd;
  }

  private async settleById(id: string, now: Date): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      const locked = await this.repo.lockLoan(m, id);
      if (locked) await this.settle(m, locked.loan, locked.instalments, now, 'system:loan-evaluation');
    });
  }

  /**
   * Re-derives status and DPD at `now` and writes what changed, in the caller's transaction: the status steps (each
   * allowed by the transition table) as `status_changed` history, one `overdue` history row and `loan.overdue` event
   * per DPD threshold crossed, `loan.closed` when fully repaid, and the borrower's exposure.
   */
  private async settle(m: EntityManager, loan: LoanRow, schedule: readonly Instalment[], now: Date, actor: string): Promise<void> {
    if (!isOpenLoanStatus(loan.status)) return;
    const e = evaluateLoan(loan.status, loan.lastDpd, schedule, now.toISOString(), LOAN_DEFAULT_DPD);
    const outstanding = outstandingPrincipal(schedule);
    let from = loan.status;
    for (const to of e.path) {
      if (to === 'closed') {
        await this.close(m, loan, schedule, now, actor, { reason: 'repaid', waivedMinor: 0, by: 'repayment' });
      } else {
        await this.repo.insertEvent(m, loan.id, 'status_changed', now, { from, to, daysPastDue: e.dpd }, actor);
        await this.audit.record(
          {
            actor,
            action: 'loan.status_changed',
            entityType: 'loan',
            entityId: loan.id,
            before: { status: from },
            after: { status: to, daysPastDue: e.dpd },
          },
          m,
        );
      }
      from = to;
    }
    for (const threshold of e.crossed) {
      const payload = {
        loanId: loan.id,
        borrowerId: loan.borrowerId,
        threshold,
        daysPastDue: e.dpd,
        status: e.status,
        outstandingPrincipalMinor: outstanding,
        currency: loan.currency,
        occurredAt: now.toISOString(),
      };
      await this.repo.insertEvent(m, loan.id, 'overdue', now, { threshold, daysPastDue: e.dpd }, actor);
      await this.outbox.enqueue(m, 'loan.overdue', loan.id, payload);
    }
    const closed = e.status === 'closed';
    const patch: Parameters<LoansRepository['updateLoan']>[2] = {};
    if (e.dpd !== loan.lastDpd) patch.lastDpd = e.dpd;
    if (!closed && e.status !== loan.status) patch.status = e.status;
    if (Object.keys(patch).length > 0) await this.repo.updateLoan(m, loan.id, patch, now);
    await this.writeExposure(m, loan.borrowerId, now);
  }

  private async close(
    m: EntityManager,
    loan: LoanRow,
    schedule: readonly Instalment[],
    now: Date,
    actor: string,
    how: { reason: string | null; waivedMinor: number; by: 'repayment' | 'event' },
  ): Promise<void> {
    await this.repo.updateLoan(m, loan.id, { status: 'closed', closedAt: now, lastDpd: 0 }, now);
    const payload = { by: how.by, reason: how.reason, waivedMinor: how.waivedMinor };
    await this.repo.insertEvent(m, loan.id, 'closed', now, payload, actor);
    await this.outbox.enqueue(m, 'loan.closed', loan.id, {
      loanId: loan.id,
      borrowerId: loan.borrowerId,
      principalMinor: loan.principalMinor,
      currency: loan.currency,
      by: how.by,
      waivedMinor: how.waivedMinor,
      outstandingPrincipalMinor: outstandingPrincipal(schedule),
      occurredAt: now.toISOString(),
    });
  }

  private async writeExposure(m: EntityManager, borrowerId: string, now: Date): Promise<void> {
    const exposure = await this.repo.exposure(borrowerId, m);
    await this.repo.writeCreditLimitOutstanding(m, borrowerId, exposure.outstandingPrincipalMinor, now);
  }

  /** 409 LOAN_NOT_ALLOWED unless the application's decision allowed at least this principal. Returns the decision id. */
  private async checkAgainstDecision(dto: CreateLoanDto): Promise<string> {
    const applicationId = dto.applicationId!;
    const facts = await this.repo.applicationDecisionFacts(applicationId);
    if (!facts) throw new NotFoundError('Application', applicationId);
    const refuse = (reason: string, message: string, extra: Record<string, unknown> = {}): never => {
      throw new DomainError('LOAN_NOT_ALLOWED', message, { reason, applicationId, ...extra });
    };
    if (facts.borrowerId !== dto.borrowerId.toLowerCase())
      refuse('application_of_another_borrower', 'The application belongs to another borrower');
    if (facts.existingLoanId)
      refuse('application_already_disbursed', 'A loan was already disbursed against this application', { loanId: facts.existingLoanId });
    if (!facts.decisionId || !facts.decision)
      refuse('application_not_decided', 'The application has no decision yet', { status: facts.applicationStatus });
    if (facts.decision !== 'approve') {
      refuse('decision_not_approved', `The application's decision is ${facts.decision}: no loan may be disbursed against it`, {
        decisionId: facts.decisionId,
        decision: facts.decision,
      });
    }
    if (facts.currency !== dto.currency)
      refuse('currency_mismatch', `The application is in ${facts.currency}`, { decisionId: facts.decisionId });
    const allowed = facts.requestedAffordable ? (facts.requestedAmountMinor ?? 0) : (facts.counterOfferMinor ?? 0);
    if (dto.principalMinor > allowed) {
      refuse('amount_above_decision', `The principal exceeds the ${allowed} kobo the decision allowed`, {
        decisionId: facts.decisionId,
        allowedMinor: allowed,
        principalMinor: dto.principalMinor,
        basis: facts.requestedAffordable ? 'requested_amount' : 'counter_offer',
      });
    }
    return facts.decisionId!;
  }

  private amortised(principalMinor: number, rate: string, tenorMonths: number, from: string): Instalment[] {
    let schedule: Instalment[];
    try {
      schedule = amortisedSchedule(principalMinor, rate, tenorMonths, from);
    } catch (err) {
      if (err instanceof RangeError) throw invalid('monthlyRate', err.message);
      throw err;
    }
    return assertSafeTotal(schedule, 'monthlyRate');
  }

  private explicit(items: readonly ScheduleItemDto[], principalMinor: number, afterDate: string, field: string): Instalment[] {
    const dates = items.map((i) => i.dueDate);
    if (new Set(dates).size !== dates.length) throw invalid(field, 'schedule due dates must be distinct');
    if (dates.some((d) => d <= afterDate)) throw invalid(field, `schedule due dates must be after ${afterDate}`);
    if (items.reduce((t, i) => t + i.amountMinor, 0) > Number.MAX_SAFE_INTEGER)
      throw invalid(field, 'schedule total exceeds the safe integer range');
    try {
      return explicitSchedule(items, principalMinor);
    } catch (err) {
      if (err instanceof RangeError) throw invalid(field, err.message);
      throw err;
    }
  }

  private async lockOr404(m: EntityManager, id: string): Promise<{ loan: LoanRow; instalments: Instalment[] }> {
    const locked = await this.repo.lockLoan(m, id);
    if (!locked) throw new NotFoundError('Loan', id);
    return locked;
  }

  private assertOpen(loan: LoanRow, what: string): void {
    if (!isOpenLoanStatus(loan.status)) {
      throw new DomainError('LOAN_NOT_OPEN', `Cannot ${what} a loan that is ${loan.status}`, { loanId: loan.id, status: loan.status });
    }
  }

  private assertTransition(from: LoanStatus, to: LoanStatus): void {
    if (!canLoanTransition(from, to)) throw new DomainError('LOAN_NOT_OPEN', `A loan cannot move from ${from} to ${to}`, { from, to });
  }

  private async replayOr409(existing: { id: string; requestHash: string }, requestHash: string): Promise<LoanResponseDto> {
    if (existing.requestHash !== requestHash) {
      throw new DomainError('IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was already used with a different request body', {
        loanId: existing.id,
      });
    }
    return this.get(existing.id);
  }

  private sameRepaymentOr409(row: RepaymentRow, amountMinor: number, paidAt: Date): RepaymentDto {
    if (row.amountMinor !== amountMinor || row.paidAt.getTime() !== paidAt.getTime()) {
      throw new DomainError('REPAYMENT_REFERENCE_REUSED', 'This reference was already used for a different repayment on this loan', {
        reference: row.reference,
        repaymentId: row.id,
      });
    }
    return toRepaymentDto(row);
  }
}

/** The whole schedule (principal + interest) must stay an exact integer in JS: 400 otherwise, never a 500 on read. */
function assertSafeTotal(schedule: Instalment[], field: string): Instalment[] {
  const total = schedule.reduce((t, i) => t + i.principalMinor + i.interestMinor, 0);
  if (!Number.isSafeInteger(total) || schedule.some((i) => !Number.isSafeInteger(i.interestMinor))) {
    throw invalid(field, 'the schedule this rate and tenor give exceeds the safe integer range');
  }
  return schedule;
}

function toRepaymentDto(r: RepaymentRow): RepaymentDto {
  return {
    id: r.id,
    loanId: r.loanId,
    reference: r.reference,
    amountMinor: r.amountMinor,
    paidAt: r.paidAt.toISOString(),
    allocation: r.allocation,
    outstandingPrincipalAfterMinor: r.outstandingPrincipalAfterMinor,
    reversedAt: r.reversedAt ? r.reversedAt.toISOString() : null,
  };
}

function toLoanDto(agg: LoanAggregate, now: Date): LoanResponseDto {
  const { loan, instalments } = agg;
  const asOf = now.toISOString();
  const open = isOpenLoanStatus(loan.status);
  return {
    id: loan.id,
    borrowerId: loan.borrowerId,
    applicationId: loan.applicationId,
    decisionId: loan.decisionId,
    principalMinor: loan.principalMinor,
    currency: loan.currency,
    disbursedAt: loan.disbursedAt.toISOString(),
    tenorMonths: loan.tenorMonths,
    monthlyRate: loan.monthlyRate,
    scheduleKind: loan.scheduleKind,
    status: loan.status,
    daysPastDue: open ? daysPastDue(instalments, asOf) : 0,
    outstandingPrincipalMinor: outstandingPrincipal(instalments),
    outstandingMinor: instalments.reduce((s, i) => s + outstandingOf(i), 0),
    paidMinor: agg.repayments.filter((r) => !r.reversedAt).reduce((s, r) => s + r.amountMinor, 0),
    asOf,
    restructuredAt: loan.restructuredAt?.toISOString() ?? null,
    closedAt: loan.closedAt?.toISOString() ?? null,
    writtenOffAt: loan.writtenOffAt?.toISOString() ?? null,
    createdAt: loan.createdAt.toISOString(),
    schedule: instalmentViews(instalments, asOf),
    repayments: agg.repayments.map(toRepaymentDto),
    history: agg.events.map((e) => ({ type: e.type, at: e.at.toISOString(), payload: e.payload, actor: e.actor })),
  };
}
