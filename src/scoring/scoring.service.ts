import { promisify } from 'node:util';
import { gunzipSync, gzip } from 'node:zlib';
import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { AuditEntry } from '../common/audit/audit.service.js';
import { Clock } from '../common/clock.js';
import { DomainError, NotFoundError } from '../common/errors/domain-error.js';
import { BorrowerDataService } from '../ingestion/borrower-data.service.js';
import { LoanExposureReader } from '../loans/loan-exposure.reader.js';
import { CONSENT_GATE, type ConsentGate, type ConsentPurpose } from '../mono/consent-gate.js';
import { canonicalJson, underwrite, type EngineInput, type EngineResult, type RequestedLoan } from './engine/index.js';
import { DecisionInputEntity } from './entities/decision-input.entity.js';
import { DecisionEntity, type DecisionConsent, type DecisionOverrides, type DecisionTrigger } from './entities/decision.entity.js';
import { AppConfig } from '../config/app-config.js';
import { DecisionsRepository } from './decisions.repository.js';
import { ShadowPolicies } from './shadow-policies.js';

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
    private readonly repo: DecisionsRepository,
    private readonly config: AppConfig,
    private readonly shadows: ShadowPolicies,
    @Optional() @Inject(CONSENT_GATE) private readonly consentGate?: ConsentGate,
  ) {}

  /**
   * The consent each account's data is held under at `at` (docs/privacy.md): a scheduled review relies on
   * `monitoring`, every other decision on `underwriting` first, then `monitoring`. Recorded with the decision; a
   * decision on stored data without a valid consent (an analyst's manual re-score) says so with consentId null.
   */
  private async consentsFor(trigger: DecisionTrigger, accountIds: string[], at: Date): Promise<DecisionConsent[] | null> {
    if (!this.consentGate) return null;
    const purposes: readonly ConsentPurpose[] = trigger === 'scheduled' ? ['monitoring'] : ['underwriting', 'monitoring'];
    const out: DecisionConsent[] = [];
    for (const accountId of accountIds) {
      const check = await this.consentGate.check(accountId, purposes, at);
      out.push(
        check.ok ? { accountId, consentId: check.consentId, purpose: check.purpose } : { accountId, consentId: null, purpose: null },
      );
    }
    return out;
  }

  async scoreBorrower(borrowerId: string, opts: ScoreOptions): Promise<DecisionEntity> {
    const applicantName = await this.repo.borrowerName(borrowerId);
    if (applicantName === null) throw new NotFoundError('Borrower', borrowerId);
    const asOf = opts.asOf ?? this.clock.now();
    const data = await this.borrowerData.loadEngineInput(borrowerId, asOf);
    // The lender's own open loans, read here and passed in: the engine itself reads no database.
    const exposure = await this.exposure.exposureInput(borrowerId);
    // Its repayment record with the lender (policy `repayment`): given when there is any loan, or when the policy's
    // starter cap applies to a first loan; otherwise omitted, so such inputs (and hashes) stay as they were.
    const policy = this.config.policy;
    const ownLoans = policy.repayment ? await this.exposure.ownLoans(borrowerId, asOf) : [];
    const giveOwnLoans = ownLoans.length > 0 || (policy.repayment?.graduation.starterCapMinor ?? null) !== null;
    const context: NonNullable<EngineInput['context']> = { applicantName };
    if (opts.staleData) context.staleData = true;
    const input: EngineInput = {
      borrowerId,
      accounts: data.accounts,
      transactions: data.transactions,
      asOf: asOf.toISOString(),
      policy,
      ...(opts.requestedLoan ? { requestedLoan: opts.requestedLoan } : {}),
      ...(exposure ? { exposure } : {}),
      ...(giveOwnLoans ? { ownLoans } : {}),
      context,
    };
    const result = underwrite(input);
    // Shadow mode: the same input under the active shadow policy, stored beside the decision, never acted on.
    const shadow = await this.shadows.compute(input);
    const consents = await this.consentsFor(
      opts.trigger,
      data.accounts.map((a) => a.accountId),
      asOf,
    );
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
        currency: policy.currency,
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
        consents,
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
          consentIds: [...new Set((consents ?? []).flatMap((c) => (c.consentId ? [c.consentId] : [])))],
        },
      };
      const row = await this.repo.insertWithInputAndAudit(manager, decision, payloadGzip, audit);
      decision.id = row.id;
      decision.createdAt = new Date(row.created_at);
      if (shadow) await this.shadows.store(manager, row.id, shadow, policy.currency);
      if (opts.onStored) await opts.onStored(manager, decision);
      return decision;
    };
    return opts.manager ? store(opts.manager) : this.dataSource.transaction(store);
  }

  /** Re-runs the engine on the stored input and compares with the stored result (canonical JSON, byte for byte). */
  async replay(decisionId: string): Promise<ReplayResult> {
    const decision = await this.repo.findForReplay(decisionId);
    if (!decision) throw new NotFoundError('Decision', decisionId);
    const stored = await this.repo.findInput(decision.inputsHash);
    if (!stored) throw new NotFoundError('DecisionInput', decision.inputsHash);
    if (!stored.payloadGzip && (stored.payload as { erased?: boolean } | null)?.erased === true) {
      throw new DomainError('INPUT_ERASED', `The engine input of decision ${decisionId} was erased with the borrower's personal data`, {
        decisionId,
      });
    }
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
    return this.repo.findById(id);
  }

  /** A borrower's decisions, newest first (keyset on created_at, id). */
  historyPage(borrowerId: string, limit: number, afterId: string | null): ReturnType<DecisionsRepository['historyPage']> {
    return this.repo.historyPage(borrowerId, limit, afterId);
  }

  findHistoryForBorrower(borrowerId: string, limit = 50): Promise<DecisionEntity[]> {
    return this.repo.historyForBorrower(borrowerId, limit);
  }

  findLatestForBorrower(borrowerId: string): Promise<DecisionEntity | null> {
    return this.repo.latestForBorrower(borrowerId);
  }
}

/** The stored engine input: gzip-compressed JSON text (current rows) or jsonb (rows written before compression). */
export function decodeDecisionInput(row: Pick<DecisionInputEntity, 'payload' | 'payloadGzip'>): EngineInput {
  if (row.payloadGzip) return JSON.parse(gunzipSync(row.payloadGzip).toString('utf8')) as EngineInput;
  if (row.payload) return row.payload;
  throw new Error('decision input has no payload');
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
