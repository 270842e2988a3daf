import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, In, Repository, type EntityManager } from 'typeorm';
import type { AuditEntry } from '../common/audit/audit.service.js';
import { assertKobo } from '../common/money.js';
import { DecisionInputEntity } from './entities/decision-input.entity.js';
import { DecisionEntity } from './entities/decision.entity.js';

function jsonOrNull(value: unknown): string | null {
  return value === null || value === undefined ? null : JSON.stringify(value);
}

/** The one owner of `decisions` and `decision_inputs` (typed rows at this boundary; amounts checked as kobo). */
@Injectable()
export class DecisionsRepository {
  constructor(
    private readonly dataSource: DataSource,
    @InjectRepository(DecisionEntity) private readonly decisions: Repository<DecisionEntity>,
  ) {}

  /** The borrower's name (the engine's applicant name), or null when there is no such borrower. */
  async borrowerName(borrowerId: string): Promise<string | null> {
    const [row] = await this.dataSource.query<Array<{ full_name: string }>>(`SELECT full_name FROM borrowers WHERE id = $1`, [borrowerId]);
    return row ? row.full_name : null;
  }

  /**
   * Stores a decision, its exact engine input (by hash, once) and its audit entry in the caller's transaction.
   */
  async insertWithInputAndAudit(
    manager: EntityManager,
    decision: Omit<DecisionEntity, 'id' | 'createdAt' | 'borrower'>,
    payloadGzip: Buffer,
    audit: AuditEntry,
  ): Promise<{ id: string; created_at: Date }> {
    // One statement, one round trip: the input (by hash, once), the decision, and its audit record (the audit_log
    // row AuditService.record would write). The decision's foreign key to decision_inputs is checked at the end of
    // the statement, when the input row exists.
    const [row] = await manager.query<Array<{ id: string; created_at: Date }>>(
      `WITH input AS (
         INSERT INTO decision_inputs (inputs_hash, payload_gzip) VALUES ($21, $28) ON CONFLICT (inputs_hash) DO NOTHING
       ), d AS (
         INSERT INTO decisions (borrower_id, application_id, trigger, decision, recommended_limit_minor, instalment_minor,
           requested_amount_minor, requested_tenor_months, currency, binding_constraint, post_loan_dsr, counter_offer, reasons, flags,
           income, obligations, cash_flow, coverage, features, result, inputs_hash, policy_version, engine_version, data_as_of,
           supersedes_id, actor, overrides, consents)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12::jsonb, $13::jsonb, $14, $15::jsonb, $16::jsonb, $17::jsonb,
           $18::jsonb, $19::jsonb, $20::jsonb, $21, $22, $23, $24, $25, $26, $27::jsonb, $33::jsonb)
         RETURNING id, created_at
       ), a AS (
         INSERT INTO audit_log (actor, action, entity_type, entity_id, after) SELECT $29, $30, $31, d.id::text, $32::jsonb FROM d
       )
       SELECT id, created_at FROM d`,
      [
        decision.borrowerId,
        decision.applicationId,
        decision.trigger,
        decision.decision,
        assertKobo(decision.recommendedLimitMinor, 'recommended_limit_minor'),
        assertKobo(decision.instalmentMinor, 'instalment_minor'),
        decision.requestedAmountMinor === null ? null : assertKobo(decision.requestedAmountMinor, 'requested_amount_minor'),
        decision.requestedTenorMonths,
        decision.currency,
        decision.bindingConstraint,
        decision.postLoanDsr,
        jsonOrNull(decision.counterOffer),
        JSON.stringify(decision.reasons),
        decision.flags,
        JSON.stringify(decision.income),
        JSON.stringify(decision.obligations),
        JSON.stringify(decision.cashFlow),
        JSON.stringify(decision.coverage),
        JSON.stringify(decision.features),
        JSON.stringify(decision.result),
        decision.inputsHash,
        decision.policyVersion,
        decision.engineVersion,
        decision.dataAsOf,
        decision.supersedesId,
        decision.actor,
        jsonOrNull(decision.overrides),
        payloadGzip,
        audit.actor,
        audit.action,
        audit.entityType,
        JSON.stringify(audit.after),
        jsonOrNull(decision.consents),
      ],
    );
    return row;
  }

  findForReplay(id: string): Promise<Pick<DecisionEntity, 'id' | 'inputsHash' | 'result' | 'policyVersion' | 'engineVersion'> | null> {
    return this.decisions.findOne({
      where: { id },
      select: { id: true, inputsHash: true, result: true, policyVersion: true, engineVersion: true },
    });
  }

  findInput(inputsHash: string): Promise<DecisionInputEntity | null> {
    return this.dataSource.getRepository(DecisionInputEntity).findOneBy({ inputsHash });
  }

  findById(id: string): Promise<DecisionEntity | null> {
    return this.decisions.findOneBy({ id });
  }

  /** A borrower's decisions, newest first (created_at, id). */
  /**
   * One page of the borrower's decisions, newest first, keyset-paginated on (created_at, id): `afterId` is the last
   * decision of the previous page (null when it is not the borrower's). `total` counts every decision of the borrower.
   */
  async historyPage(
    borrowerId: string,
    limit: number,
    afterId: string | null,
  ): Promise<{ items: DecisionEntity[]; hasMore: boolean; total: number; cursorValid: boolean }> {
    const [{ n }] = await this.dataSource.query<Array<{ n: number }>>(`SELECT count(*)::int AS n FROM decisions WHERE borrower_id = $1`, [
      borrowerId,
    ]);
    let ids: Array<{ id: string }>;
    if (afterId) {
      const [anchor] = await this.dataSource.query<unknown[]>(`SELECT 1 FROM decisions WHERE id = $1 AND borrower_id = $2`, [
        afterId,
        borrowerId,
      ]);
      if (!anchor) return { items: [], hasMore: false, total: n, cursorValid: false };
      ids = await this.dataSource.query(
        `SELECT d.id FROM decisions d, (SELECT created_at, id FROM decisions WHERE id = $2) a
          WHERE d.borrower_id = $1 AND (d.created_at, d.id) < (a.created_at, a.id)
          ORDER BY d.created_at DESC, d.id DESC LIMIT $3`,
        [borrowerId, afterId, limit + 1],
      );
    } else {
      ids = await this.dataSource.query(`SELECT id FROM decisions WHERE borrower_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2`, [
        borrowerId,
        limit + 1,
      ]);
    }
    const pageIds = ids.slice(0, limit).map((r) => r.id);
    const rows = pageIds.length > 0 ? await this.decisions.find({ where: { id: In(pageIds) } }) : [];
    const byId = new Map(rows.map((r) => [r.id, r]));
    return { items: pageIds.map((id) => byId.get(id)!), hasMore: ids.length > limit, total: n, cursorValid: true };
  }

  historyForBorrower(borrowerId: string, limit: number): Promise<DecisionEntity[]> {
    return this.decisions.find({ where: { borrowerId }, order: { createdAt: 'DESC', id: 'DESC' }, take: limit });
  }

  latestForBorrower(borrowerId: string): Promise<DecisionEntity | null> {
    return this.decisions.findOne({ where: { borrowerId }, order: { createdAt: 'DESC', id: 'DESC' } });
  }
}
