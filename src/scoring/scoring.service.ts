import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, Repository, type EntityManager } from 'typeorm';
import { BorrowerEntity } from '../borrowers/borrower.entity.js';
import { AuditService } from '../common/audit/audit.service.js';
import { Clock } from '../common/clock.js';
import { NotFoundError } from '../common/errors/domain-error.js';
import { BorrowerDataService } from '../ingestion/borrower-data.service.js';
import { canonicalJson, underwrite, type EngineInput, type EngineResult, type RequestedLoan } from './engine/index.js';
import { DecisionInputEntity } from './entities/decision-input.entity.js';
import { DecisionEntity, type DecisionOverrides, type DecisionTrigger } from './entities/decision.entity.js';
import { DEFAULT_POLICY } from './policy/index.js';

export interface ScoreOptions {
  trigger: DecisionTrigger;
  applicationId?: string;
  requestedLoan?: RequestedLoan;
  /** The data could not be refreshed: the engine adds STALE_DATA and caps the limit. */
  staleData?: boolean;
  /** Orchestration policy on stale data: 'refer' turns the engine's decision into a referral (recorded in overrides). */
  referIfStale?: boolean;
  actor?: string;
  asOf?: Date;
  /**
   * Runs inside the transaction that stores the decision (e.g. the application's status change and its outbox
   * event). Throwing rolls the decision back too.
   */
  onStored?: (manager: EntityManager, decision: DecisionEntity) => Promise<void>;
}

export interface ReplayResult {
  decisionId: string;
  identical: boolean;
  inputsHash: string;
  storedPolicyVersion: string;
  storedEngineVersion: string;
  replayedEngineVersion: string;
  /** Top-level result members that differ (empty when identical). */
  differences: string[];
}

/**
 * Scores a borrower from stored bank data with the pure engine and keeps an immutable, replayable record:
 * the exact engine input (decision_inputs, by hash) and the decision with its features, versions and result.
 */
@Injectable()
export class ScoringService {
  private readonly logger = new Logger(ScoringService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly borrowerData: BorrowerDataService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    @InjectRepository(DecisionEntity) private readonly decisions: Repository<DecisionEntity>,
    @InjectRepository(BorrowerEntity) private readonly borrowers: Repository<BorrowerEntity>,
  ) {}

  async scoreBorrower(borrowerId: string, opts: ScoreOptions): Promise<DecisionEntity> {
    const borrower = await this.borrowers.findOne({ where: { id: borrowerId }, select: { id: true, fullName: true } });
    if (!borrower) throw new NotFoundError('Borrower', borrowerId);
    const asOf = opts.asOf ?? this.clock.now();
    const data = await this.borrowerData.loadEngineInput(borrowerId, asOf);
    const context: NonNullable<EngineInput['context']> = { applicantName: borrower.fullName };
    if (opts.staleData) context.staleData = true;
    const input: EngineInput = {
      borrowerId,
      accounts: data.accounts,
      transactions: data.transactions,
      asOf: asOf.toISOString(),
      policy: DEFAULT_POLICY,
      ...(opts.requestedLoan ? { requestedLoan: opts.requestedLoan } : {}),
      context,
    };
    const result = underwrite(input);
    let overrides: DecisionOverrides | null = null;
    if (opts.staleData && opts.referIfStale && result.decision !== 'refer') {
      overrides = { decision: { from: result.decision, to: 'refer', reason: 'STALE_DATA_POLICY_REFER' } };
    }

    return this.dataSource.transaction(async (manager) => {
      // The payload is the exact engine input, so a replay feeds the engine what it saw (same inputs hash).
      await manager.query(
        `INSERT INTO decision_inputs (inputs_hash, payload) VALUES ($1, $2::jsonb) ON CONFLICT (inputs_hash) DO NOTHING`,
        [result.inputsHash, JSON.stringify(input)],
      );
      const decision = await manager.getRepository(DecisionEntity).save(
        manager.getRepository(DecisionEntity).create({
          borrowerId,
          applicationId: opts.applicationId ?? null,
          trigger: opts.trigger,
          decision: overrides?.decision?.to ?? result.decision,
          recommendedLimitMinor: result.limit.recommendedMinor,
          instalmentMinor: result.limit.instalmentMinor,
          requestedAmountMinor: opts.requestedLoan?.amountMinor ?? null,
          requestedTenorMonths: opts.requestedLoan?.tenorMonths ?? null,
          currency: DEFAULT_POLICY.currency,
          bindingConstraint: result.limit.bindingConstraint,
          postLoanDsr: result.limit.postLoanDsr,
          counterOffer: result.limit.counterOffer,
          reasons: result.reasons,
          flags: result.flags,
          income: result.income,
          obligations: result.obligations,
          cashFlow: result.cashFlow,
          coverage: result.coverage,
          features: result.features,
          result,
          inputsHash: result.inputsHash,
          policyVersion: result.policyVersion,
          engineVersion: result.engineVersion,
          dataAsOf: new Date(data.dataAsOf),
          supersedesId: null,
          actor: opts.actor ?? null,
          overrides,
        }),
      );
      await this.audit.record(
        {
          actor: opts.actor ?? 'system',
          action: 'decision.recorded',
          entityType: 'decision',
          entityId: decision.id,
          after: {
            borrowerId,
            applicationId: decision.applicationId,
            trigger: decision.trigger,
            decision: decision.decision,
            recommendedLimitMinor: decision.recommendedLimitMinor,
            inputsHash: decision.inputsHash,
            policyVersion: decision.policyVersion,
            engineVersion: decision.engineVersion,
            overrides,
          },
        },
        manager,
      );
      if (opts.onStored) await opts.onStored(manager, decision);
      return decision;
    });
  }

  /** Re-runs the engine on the stored input and compares with the stored result (canonical JSON, byte for byte). */
  async replay(decisionId: string): Promise<ReplayResult> {
    const decision = await this.decisions.findOne({
      where: { id: decisionId },
      select: { id: true, inputsHash: true, result: true, policyVersion: true, engineVersion: true },
    });
    if (!decision) throw new NotFoundError('Decision', decisionId);
    const stored = await this.dataSource.getRepository(DecisionInputEntity).findOneBy({ inputsHash: decision.inputsHash });
    if (!stored) throw new NotFoundError('DecisionInput', decision.inputsHash);
    const replayed = underwrite(stored.payload);
    const differences = diffTopLevel(decision.result, replayed);
    return {
      decisionId,
      identical: differences.length === 0,
      inputsHash: decision.inputsHash,
      storedPolicyVersion: decision.policyVersion,
      storedEngineVersion: decision.engineVersion,
      replayedEngineVersion: replayed.engineVersion,
      differences,
    };
  }

  findById(id: string): Promise<DecisionEntity | null> {
    return this.decisions.findOneBy({ id });
  }

  /** A borrower's decisions, newest first (keyset on created_at, id). */
  findHistoryForBorrower(borrowerId: string, limit = 50): Promise<DecisionEntity[]> {
    return this.decisions.find({ where: { borrowerId }, order: { createdAt: 'DESC', id: 'DESC' }, take: limit });
  }

  findLatestForBorrower(borrowerId: string): Promise<DecisionEntity | null> {
    return this.decisions.findOne({ where: { borrowerId }, order: { createdAt: 'DESC', id: 'DESC' } });
  }
}

function diffTopLevel(stored: EngineResult, replayed: EngineResult): string[] {
  const keys = new Set([...Object.keys(stored), ...Object.keys(replayed)]);
  const a = stored as unknown as Record<string, unknown>;
  const b = replayed as unknown as Record<string, unknown>;
  return [...keys].filter((k) => canonicalJson(a[k]) !== canonicalJson(b[k])).sort();
}
