import { Injectable } from '@nestjs/common';
import { AuditService } from '../common/audit/audit.service.js';
import type { TransactionCategory } from '../common/domain/transaction.js';
import { DomainError, NotFoundError } from '../common/errors/domain-error.js';
import { TransactionsQueryService } from '../ingestion/transactions-query.service.js';
import { ScoringService } from '../scoring/scoring.service.js';
import type { NotIncomeKind } from './dto/report-query.dto.js';
import { ReportsRepository, type DecisionRow } from './reports.repository.js';

/**
 * "Not income" is carried to the engine through the transaction category, the one input the engine reads.
 * The engine never counts these credit categories as income. `other_non_income` uses `interest`: the only
 * never-income category that still counts the money as cash-flow inflow (a gift or a family contribution was
 * received and spent), while `self_transfer` also drops it from cash flow, as the engine does for own money.
 */
export const NOT_INCOME_CATEGORY: Record<NotIncomeKind, TransactionCategory> = {
  other_non_income: 'interest',
  self_transfer: 'self_transfer',
  loan: 'loan_disbursement',
  reversal: 'reversal',
};

export interface OverrideOutcome {
  decisionId: string;
  changedTransactions: number;
}

/**
 * Analyst overrides: each writes the transaction change through ingestion (revision + audit, category_source
 * 'analyst' so syncs keep it), records what/why in the audit log, and re-runs the decision with trigger
 * 'override' and the analyst as actor.
 */
@Injectable()
export class AnalystOverridesService {
  constructor(
    private readonly repo: ReportsRepository,
    private readonly transactions: TransactionsQueryService,
    private readonly scoring: ScoringService,
    private readonly audit: AuditService,
  ) {}

  async recategorise(
    borrowerId: string,
    transactionId: string,
    category: TransactionCategory,
    reason: string,
    actor: string,
  ): Promise<OverrideOutcome> {
    const tx = await this.repo.findTransaction(transactionId);
    if (!tx || tx.borrowerId !== borrowerId) throw new NotFoundError('Transaction', transactionId);
    const base = await this.repo.findDecision(borrowerId);
    await this.transactions.recategorise(transactionId, category, actor, reason.trim());
    const decision = await this.rescore(borrowerId, base, actor);
    return { decisionId: decision, changedTransactions: 1 };
  }

  async markStreamNotIncome(
    borrowerId: string,
    decisionId: string,
    streamKey: string,
    kind: NotIncomeKind,
    reason: string,
    actor: string,
  ): Promise<OverrideOutcome> {
    const decision = await this.repo.findDecision(borrowerId, decisionId);
    if (!decision) throw new NotFoundError('Decision', decisionId);
    const stream = decision.result.income.streams.find((s) => s.id === streamKey);
    if (!stream) throw new NotFoundError('Income stream', streamKey);
    const category = NOT_INCOME_CATEGORY[kind];
    const rows = await this.repo.listTransactions(borrowerId, { ids: stream.transactionIds });
    const credits = rows.filter((t) => t.direction === 'credit' && t.status === 'active');
    if (credits.length === 0) throw new DomainError('CONFLICT', 'None of the stream’s transactions is still active', { stream: streamKey });
    const text = reason.trim();
    let changed = 0;
    for (const t of credits) {
      if (t.category === category && t.categorySource === 'analyst') continue;
      await this.transactions.recategorise(t.id, category, actor, `not income (stream ${stream.id} ${stream.label}): ${text}`);
      changed += 1;
    }
    const latest = await this.repo.findDecision(borrowerId);
    const newDecisionId = await this.rescore(borrowerId, latest, actor);
    await this.audit.record({
      actor,
      action: 'income_stream.marked_not_income',
      entityType: 'borrower',
      entityId: borrowerId,
      before: {
        decisionId,
        stream: {
          key: stream.id,
          label: stream.label,
          counterparty: stream.counterparty,
          monthlyAmountMinor: stream.monthlyAmountMinor,
          countedMonthlyMinor: stream.countedMonthlyMinor,
        },
      },
      after: { decisionId: newDecisionId, kind, category, transactionIds: credits.map((t) => t.id) },
      reason: text,
    });
    return { decisionId: newDecisionId, changedTransactions: changed };
  }

  /** Re-runs the decision; the requested loan of the decision being revised is kept so the two compare. */
  private async rescore(borrowerId: string, base: DecisionRow | null, actor: string): Promise<string> {
    const requested =
      base?.requestedAmountMinor && base.requestedTenorMonths
        ? { amountMinor: base.requestedAmountMinor, tenorMonths: base.requestedTenorMonths }
        : undefined;
    const decision = await this.scoring.scoreBorrower(borrowerId, {
      trigger: 'override',
      actor,
      ...(requested ? { requestedLoan: requested } : {}),
    });
    return decision.id;
  }
}
