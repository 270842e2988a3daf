import { promisify } from 'node:util';
import { gunzipSync, gzip } from 'node:zlib';
import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, Repository, type EntityManager } from 'typeorm';
import type { AuditEntry } from '../common/audit/audit.service.js';
import { Clock } from '../common/clock.js';
import { NotFoundError } from '../common/errors/domain-error.js';
import { assertKobo } from '../common/money.js';
import { BorrowerDataService } from '../ingestion/borrower-data.service.js';
import { LoanExposureReader } from '../loans/loan-exposure.reader.js';
import { canonicalJson, underwrite, type EngineInput, type EngineResult, type RequestedLoan } from './engine/index.js';
import { DecisionInputEntity } from './entities/decision-input.entity.js';
import { DecisionEntity, type DecisionOverrides, type DecisionTrigger } from './entities/decision.entity.js';
import { DEFAULT_POLICY } from './policy/index.js';

const gzipAsync = promisify(gzip);

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
  /**
   * Store the decision in the caller's transaction (committed or rolled back by the caller) instead of a transaction of
   * its own. The borrower's data is still read outside it.
   */
  manager?: EntityManager;
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
  /**
   * The stored decision was made by another engine version than the one replaying it: differences then reflect the
   * method changes between the two versions (docs/scoring.md), not a corrupt input or a non-deterministic engine.
   */
  engineVersionChanged: boolean;
  /** One sentence saying what the comparison means. */
  explanation: string;
}

/**
 * Scores a borrower from stored bank data with the pure engine and keeps an immutable, replayable record:
 * the exact engine input (decision_inputs, by hash, gzip-compressed JSON) and the decision with its features, versions
 * and result.
 */
@Injectable()
export class ScoringService {
  private readonly logger = new Logger(ScoringService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly borrowerData: BorrowerDataService,
    private readonly clock: Clock,
    private readonly exposure: LoanExposureReader,
    @InjectRepository(DecisionEntity) private readonly decisions: Repository<DecisionEntity>,
  ) {}

  async scoreBorrower(borrowerId: string, opts: ScoreOptions): Promise<DecisionEntity> {
    const [borrower] = await this.dataSource.query<Array<{ full_name: string }>>(`SELECT full_name FROM borrowers WHERE id = $1`, [
      borrowerId,
    ]);
    if (!borrower) throw new NotFoundError('Borrower', borrowerId);
    const asOf = opts.asOf ?? this.clock.now();
    const data = await this.borrowerData.loadEngineInput(borrowerId, asOf);
    // The lender's own open loans, read here and passed in: the engine itself reads no database.
    const exposure = await this.exposure.exposureInput(borrowerId);
    const context: NonNullable<EngineInput['context']> = { applicantName: borrower.full_name };
    if (opts.staleData) context.staleData = true;
    const input: EngineInput = {
      borrowerId,
      accounts: data.accounts,
      transactions: data.transactions,
      asOf: asOf.toISOString(),
      policy: DEFAULT_POLICY,
      ...(opts.requestedLoan ? { requestedLoan: opts.requestedLoan } : {}),
      ...(exposure ? { exposure } : {}),
      context,
    };
    const result = underwrite(input);
    let overrides: DecisionOverrides | null = null;
    if (opts.staleData && opts.referIfStale && result.decision !== 'refer') {
      overrides = { decision: { from: result.decision, to: 'refer', reason: 'STALE_DATA_POLICY_REFER' } };
    }

    // The stored input is the exact engine input (its JSON text, gzip-compressed), so a replay feeds the engine what it
    // saw (same inputs hash). Compressed off the event loop, before the transaction starts.
    const payloadGzip = await gzipAsync(JSON.stringify(input), { level: 1 });
    const store = async (manager: EntityManager): Promise<DecisionEntity> => {
      const decision = Object.assign(new DecisionEntity(), {
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
      } satisfies Omit<DecisionEntity, 'id' | 'createdAt' | 'borrower'>);
      const audit: AuditEntry = {
        actor: opts.actor ?? 'system',
        action: 'decision.recorded',
        entityType: 'decision',
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
      };
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
             supersedes_id, actor, overrides)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12::jsonb, $13::jsonb, $14, $15::jsonb, $16::jsonb, $17::jsonb,
             $18::jsonb, $19::jsonb, $20::jsonb, $21, $22, $23, $24, $25, $26, $27::jsonb)
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
        ],
      );
      decision.id = row.id;
      decision.createdAt = new Date(row.created_at);
      if (opts.onStored) await opts.onStored(manager, decision);
      return decision;
    };
    return opts.manager ? store(opts.manager) : this.dataSource.transaction(store);
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
    const replayed = underwrite(decodeDecisionInput(stored));
    const differences = diffTopLevel(decision.result, replayed);
    const engineVersionChanged = decision.engineVersion !== replayed.engineVersion;
    return {
      decisionId,
      identical: differences.length === 0,
      inputsHash: decision.inputsHash,
      storedPolicyVersion: decision.policyVersion,
      storedEngineVersion: decision.engineVersion,
      replayedEngineVersion: replayed.engineVersion,
      differences,
      engineVersionChanged,
      explanation: replayExplanation(decision.engineVersion, replayed.engineVersion, decision.policyVersion, differences),
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

/** The stored engine input: gzip-compressed JSON text (current rows) or jsonb (rows written before compression). */
export function decodeDecisionInput(row: Pick<DecisionInputEntity, 'payload' | 'payloadGzip'>): EngineInput {
  if (row.payloadGzip) return JSON.parse(gunzipSync(row.payloadGzip).toString('utf8')) as EngineInput;
  if (row.payload) return row.payload;
  throw new Error('decision input has no payload');
}

function jsonOrNull(value: unknown): string | null {
  return value === null || value === undefined ? null : JSON.stringify(value);
}

/** What a replay comparison means, in one sentence for the admin who asked. */
export function replayExplanation(
  storedEngine: string,
  replayedEngine: string,
  policyVersion: string,
  differences: readonly string[],
): string {
  if (storedEngine !== replayedEngine) {
    const method = differences.filter((d) => d !== 'engineVersion');
    return (
      `Decided on engine ${storedEngine}, replayed on engine ${replayedEngine} under the stored policy ${policyVersion}: ` +
      (method.length === 0
        ? 'only the engine version differs; the result is otherwise the same.'
        : `${method.join(', ')} differ because the engine's method changed between those versions (docs/scoring.md), not because the stored input or policy changed; engine ${storedEngine} reproduces the stored result.`)
    );
  }
  return differences.length === 0
    ? `Reproduced byte for byte on engine ${replayedEngine} under policy ${policyVersion}.`
    : `Not reproduced on the same engine ${replayedEngine}: ${differences.join(', ')} differ, which should never happen for a stored input and policy; investigate.`;
}

function diffTopLevel(stored: EngineResult, replayed: EngineResult): string[] {
  const keys = new Set([...Object.keys(stored), ...Object.keys(replayed)]);
  const a = stored as unknown as Record<string, unknown>;
  const b = replayed as unknown as Record<string, unknown>;
  return [...keys].filter((k) => canonicalJson(a[k]) !== canonicalJson(b[k])).sort();
}
