import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, Repository, type EntityManager } from 'typeorm';
import { koboTransformer } from '../common/money.js';
import type { DecisionEntity } from '../scoring/entities/decision.entity.js';
import { ApplicationAccountEntity, type AccountSyncStatus } from './application-account.entity.js';
import { OPEN_STATUSES, assertTransition, type ApplicationStatus } from './application-status.js';
import { LoanApplicationEntity } from './loan-application.entity.js';

export interface NewApplication {
  borrowerId: string;
  apiKeyId: string;
  idempotencyKey: string;
  requestHash: string;
  amountMinor: number;
  currency: string;
  tenorMonths: number;
  purpose: string | null;
  now: Date;
}

export interface TransitionPatch {
  statusReason?: string | null;
  syncDeadlineAt?: Date | null;
  decisionId?: string | null;
  staleData?: boolean;
  lastError?: string | null;
}

export interface AccountWait {
  accountId: string;
  syncStatus: AccountSyncStatus;
  syncRunId: string | null;
  syncOutcome: string | null;
  requestedAt: Date | null;
}

/** An application as a submission answers it. */
export interface SubmittedRow {
  id: string;
  status: ApplicationStatus;
  requestHash: string;
}

/** What GET /v1/applications/{id} shows, read in one round trip. */
export interface ApplicationReadModel {
  application: Pick<
    LoanApplicationEntity,
    | 'id'
    | 'status'
    | 'statusReason'
    | 'borrowerId'
    | 'amountMinor'
    | 'currency'
    | 'tenorMonths'
    | 'purpose'
    | 'staleData'
    | 'syncDeadlineAt'
    | 'decisionId'
    | 'createdAt'
    | 'updatedAt'
  >;
  /** The application's account rows with the account's reauth flag (empty until the worker first examined it). */
  accounts: Array<{ accountId: string; syncStatus: AccountSyncStatus; reauthRequired: boolean }>;
  /**
   * The decision with the columns the response shows: not `features`, `cash_flow` or the full engine `result`
   * (only `result.limit.postLoanDsr` is read from it), which are most of a decision row's bytes.
   */
  decision: DecisionEntity | null;
}

interface ReadRow {
  id: string;
  status: ApplicationStatus;
  status_reason: string | null;
  borrower_id: string;
  amount_minor: string;
  currency: string;
  tenor_months: number;
  purpose: string | null;
  stale_data: boolean;
  sync_deadline_at: Date | null;
  decision_id: string | null;
  created_at: Date;
  updated_at: Date;
  accounts: Array<{ accountId: string; syncStatus: AccountSyncStatus; reauthRequired: boolean }>;
  d_id: string | null;
  d_borrower_id: string;
  d_application_id: string | null;
  d_trigger: DecisionEntity['trigger'];
  d_decision: DecisionEntity['decision'];
  d_recommended_limit_minor: string;
  d_instalment_minor: string;
  d_requested_amount_minor: string | null;
  d_requested_tenor_months: number | null;
  d_currency: string;
  d_binding_constraint: string;
  d_counter_offer: DecisionEntity['counterOffer'];
  d_reasons: DecisionEntity['reasons'];
  d_flags: string[];
  d_income: DecisionEntity['income'];
  d_obligations: DecisionEntity['obligations'];
  d_coverage: DecisionEntity['coverage'];
  d_limit: unknown;
  d_inputs_hash: string;
  d_policy_version: string;
  d_engine_version: string;
  d_data_as_of: Date;
  d_supersedes_id: string | null;
  d_actor: string | null;
  d_overrides: DecisionEntity['overrides'];
  d_created_at: Date;
}

const kobo = (v: string | null): number => koboTransformer.from(v) as number;

const OPEN = OPEN_STATUSES.map((s) => `'${s}'`).join(', ');

/** Loan applications and what they wait for; the only SQL of the applications module. */
@Injectable()
export class ApplicationsRepository {
  constructor(
    private readonly dataSource: DataSource,
    @InjectRepository(LoanApplicationEntity) private readonly applications: Repository<LoanApplicationEntity>,
    @InjectRepository(ApplicationAccountEntity) private readonly accounts: Repository<ApplicationAccountEntity>,
  ) {}

  findById(id: string, manager?: EntityManager): Promise<LoanApplicationEntity | null> {
    return (manager?.getRepository(LoanApplicationEntity) ?? this.applications).findOneBy({ id });
  }

  /** The read model of GET /v1/applications/{id}: application, account rows and decision in one query. */
  async findReadModel(id: string): Promise<ApplicationReadModel | null> {
    const rows = await this.dataSource.query<ReadRow[]>(
      `SELECT a.id, a.status, a.status_reason, a.borrower_id, a.amount_minor, a.currency, a.tenor_months, a.purpose, a.stale_data,
              a.sync_deadline_at, a.decision_id, a.created_at, a.updated_at,
              coalesce((SELECT json_agg(json_build_object('accountId', aa.account_id, 'syncStatus', aa.sync_status, 'reauthRequired', b.reauth_required)
                                        ORDER BY aa.created_at, aa.account_id)
                          FROM application_accounts aa JOIN bank_accounts b ON b.id = aa.account_id
                         WHERE aa.application_id = a.id), '[]'::json) AS accounts,
              d.id AS d_id, d.borrower_id AS d_borrower_id, d.application_id AS d_application_id, d.trigger AS d_trigger,
              d.decision AS d_decision, d.recommended_limit_minor AS d_recommended_limit_minor, d.instalment_minor AS d_instalment_minor,
              d.requested_amount_minor AS d_requested_amount_minor, d.requested_tenor_months AS d_requested_tenor_months,
              d.currency AS d_currency, d.binding_constraint AS d_binding_constraint, d.counter_offer AS d_counter_offer,
              d.reasons AS d_reasons, d.flags AS d_flags, d.income AS d_income, d.obligations AS d_obligations, d.coverage AS d_coverage,
              (d.result -> 'limit') - 'components' AS d_limit, d.inputs_hash AS d_inputs_hash,
              d.policy_version AS d_policy_version, d.engine_version AS d_engine_version, d.data_as_of AS d_data_as_of,
              d.supersedes_id AS d_supersedes_id, d.actor AS d_actor, d.overrides AS d_overrides, d.created_at AS d_created_at
         FROM loan_applications a LEFT JOIN decisions d ON d.id = a.decision_id
        WHERE a.id = $1`,
      [id],
    );
    const r = rows[0];
    if (!r) return null;
    const application: ApplicationReadModel['application'] = {
      id: r.id,
      status: r.status,
      statusReason: r.status_reason,
      borrowerId: r.borrower_id,
      amountMinor: kobo(r.amount_minor),
      currency: r.currency,
      tenorMonths: r.tenor_months,
      purpose: r.purpose,
      staleData: r.stale_data,
      syncDeadlineAt: r.sync_deadline_at,
      decisionId: r.decision_id,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
    };
    let decision: DecisionEntity | null = null;
    if (r.d_id) {
      // Deliberately partial (see ApplicationReadModel.decision): what DecisionResponseDto.from reads, nothing more.
      const partial: Omit<DecisionEntity, 'features' | 'cashFlow' | 'result' | 'postLoanDsr' | 'borrower' | 'consents'> & { result: unknown } = {
        id: r.d_id,
        borrowerId: r.d_borrower_id,
        applicationId: r.d_application_id,
        trigger: r.d_trigger,
        decision: r.d_decision,
        recommendedLimitMinor: kobo(r.d_recommended_limit_minor),
        instalmentMinor: kobo(r.d_instalment_minor),
        requestedAmountMinor: r.d_requested_amount_minor === null ? null : kobo(r.d_requested_amount_minor),
        requestedTenorMonths: r.d_requested_tenor_months,
        currency: r.d_currency,
        bindingConstraint: r.d_binding_constraint,
        counterOffer: r.d_counter_offer,
        reasons: r.d_reasons,
        flags: r.d_flags,
        income: r.d_income,
        obligations: r.d_obligations,
        coverage: r.d_coverage,
        result: { limit: r.d_limit },
        inputsHash: r.d_inputs_hash,
        policyVersion: r.d_policy_version,
        engineVersion: r.d_engine_version,
        dataAsOf: r.d_data_as_of,
        supersedesId: r.d_supersedes_id,
        actor: r.d_actor,
        overrides: r.d_overrides,
        createdAt: r.d_created_at,
      };
      decision = partial as unknown as DecisionEntity;
    }
    return { application, accounts: r.accounts, decision };
  }

  /**
   * What a submission needs to know, in one round trip: the application already created with this idempotency key
   * (if any), whether the borrower exists and whether it has a linked account.
   */
  async submissionFacts(
    apiKeyId: string,
    idempotencyKey: string,
    borrowerId: string,
  ): Promise<{ existing: SubmittedRow | null; borrowerExists: boolean; hasLinkedAccount: boolean }> {
    const rows = await this.dataSource.query<
      Array<{
        borrower_exists: boolean;
        has_linked: boolean;
        id: string | null;
        status: ApplicationStatus | null;
        request_hash: string | null;
      }>
    >(
      `SELECT f.borrower_exists, f.has_linked, e.id, e.status, e.request_hash
         FROM (SELECT EXISTS (SELECT 1 FROM borrowers WHERE id = $3) AS borrower_exists,
                      EXISTS (SELECT 1 FROM bank_accounts WHERE borrower_id = $3 AND unlinked_at IS NULL) AS has_linked) f
         LEFT JOIN loan_applications e ON e.api_key_id = $1 AND e.idempotency_key = $2`,
      [apiKeyId, idempotencyKey, borrowerId],
    );
    const r = rows[0];
    return {
      existing: r?.id && r.status && r.request_hash ? { id: r.id, status: r.status, requestHash: r.request_hash } : null,
      borrowerExists: r?.borrower_exists === true,
      hasLinkedAccount: r?.has_linked === true,
    };
  }

  /**
   * Inserts the application and its `application.received` audit entry in ONE statement. Null when (api key,
   * idempotency key) is taken: another request won the race. The audit row has the shape AuditService.record writes.
   * `withInserted` runs in the same transaction (the first step's job commits with the application).
   */
  async insertWithAuditUnlessKeyTaken(
    v: NewApplication,
    actor: string,
    withInserted?: (manager: EntityManager, id: string) => Promise<void>,
  ): Promise<SubmittedRow | null> {
    if (withInserted) {
      return this.dataSource.transaction(async (m) => {
        const row = await this.insertApplicationWithAudit(m, v, actor);
        if (row) await withInserted(m, row.id);
        return row;
      });
    }
    return this.insertApplicationWithAudit(this.dataSource.manager, v, actor);
  }

  private async insertApplicationWithAudit(manager: EntityManager, v: NewApplication, actor: string): Promise<SubmittedRow | null> {
    const rows = await manager.query<Array<{ id: string; status: ApplicationStatus; request_hash: string }>>(
      `WITH app AS (
         INSERT INTO loan_applications (borrower_id, api_key_id, idempotency_key, request_hash, amount_minor, currency, tenor_months, purpose, status, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'received', $9, $9)
         ON CONFLICT ON CONSTRAINT loan_applications_idempotency_uq DO NOTHING
         RETURNING id, status, request_hash, borrower_id, amount_minor, currency, tenor_months),
       audit AS (
         INSERT INTO audit_log (actor, action, entity_type, entity_id, before, after, reason)
         SELECT $10, 'application.received', 'loan_application', app.id::text, NULL,
                jsonb_build_object('status', app.status, 'borrowerId', app.borrower_id, 'amountMinor', app.amount_minor,
                                   'currency', app.currency, 'tenorMonths', app.tenor_months), NULL
           FROM app)
       SELECT id, status, request_hash FROM app`,
      [v.borrowerId, v.apiKeyId, v.idempotencyKey, v.requestHash, v.amountMinor, v.currency, v.tenorMonths, v.purpose, v.now, actor],
    );
    const r = rows[0];
    return r ? { id: r.id, status: r.status, requestHash: r.request_hash } : null;
  }

  findByIdempotencyKey(apiKeyId: string, idempotencyKey: string): Promise<LoanApplicationEntity | null> {
    return this.applications.findOneBy({ apiKeyId, idempotencyKey });
  }

  /** Inserts unless (api key, idempotency key) is taken; null when another request won the race. */
  async insertUnlessKeyTaken(manager: EntityManager, v: NewApplication): Promise<LoanApplicationEntity | null> {
    const rows = await manager.query<Array<{ id: string }>>(
      `INSERT INTO loan_applications (borrower_id, api_key_id, idempotency_key, request_hash, amount_minor, currency, tenor_months, purpose, status, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'received', $9, $9)
       ON CONFLICT ON CONSTRAINT loan_applications_idempotency_uq DO NOTHING
       RETURNING id`,
      [v.borrowerId, v.apiKeyId, v.idempotencyKey, v.requestHash, v.amountMinor, v.currency, v.tenorMonths, v.purpose, v.now],
    );
    const id = rows[0]?.id;
    return id ? this.findById(id, manager) : null;
  }

  /** Open (not terminal) applications, oldest first: each gets a queued step at start. */
  async openIds(): Promise<string[]> {
    const rows = await this.dataSource.query<Array<{ id: string }>>(`SELECT id FROM loan_applications WHERE status IN (${OPEN}) ORDER BY created_at`);
    return rows.map((r) => r.id);
  }

  /** Records why a step failed (pg-boss retries it). */
  async recordStepError(id: string, message: string): Promise<void> {
    await this.dataSource.query(`UPDATE loan_applications SET last_error = $2, attempts = attempts + 1 WHERE id = $1`, [id, message]);
  }

  /**
   * Conditional transition: only moves the row when it is still in `from` (checked against the transition table
   * first). Returns false when another worker moved it meanwhile.
   */
  async transition(
    manager: EntityManager,
    id: string,
    from: ApplicationStatus,
    to: ApplicationStatus,
    now: Date,
    patch: TransitionPatch = {},
  ): Promise<boolean> {
    assertTransition(from, to);
    const sets = ['status = $3', 'updated_at = $4'];
    const params: unknown[] = [id, from, to, now];
    const add = (column: string, value: unknown): void => {
      params.push(value);
      sets.push(`${column} = $${params.length}`);
    };
    if (patch.statusReason !== undefined) add('status_reason', patch.statusReason);
    if (patch.syncDeadlineAt !== undefined) add('sync_deadline_at', patch.syncDeadlineAt);
    if (patch.decisionId !== undefined) add('decision_id', patch.decisionId);
    if (patch.staleData !== undefined) add('stale_data', patch.staleData);
    if (patch.lastError !== undefined) add('last_error', patch.lastError);
    const rows = await manager.query<Array<{ id: string }>>(
      `WITH moved AS (UPDATE loan_applications SET ${sets.join(', ')} WHERE id = $1 AND status = $2 RETURNING id) SELECT id FROM moved`,
      params,
    );
    return rows.length === 1;
  }

  findAccountWaits(applicationId: string, manager?: EntityManager): Promise<ApplicationAccountEntity[]> {
    return (manager?.getRepository(ApplicationAccountEntity) ?? this.accounts).find({
      where: { applicationId },
      order: { createdAt: 'ASC', accountId: 'ASC' },
    });
  }

  /** Records what the application waits for on each account (re-running a step overwrites its own rows). */
  async saveAccountWaits(manager: EntityManager, applicationId: string, waits: AccountWait[], now: Date): Promise<void> {
    for (const w of waits) {
      await manager.query(
        `INSERT INTO application_accounts (application_id, account_id, sync_status, sync_run_id, sync_outcome, requested_at, fresh_at, updated_at)
         VALUES ($1, $2, $3::varchar, $4, $5, $6, CASE WHEN $3::varchar IN ('fresh', 'not_needed') THEN $7::timestamptz END, $7)
         ON CONFLICT (application_id, account_id) DO UPDATE
           SET sync_status = EXCLUDED.sync_status, sync_run_id = EXCLUDED.sync_run_id, sync_outcome = EXCLUDED.sync_outcome,
               requested_at = EXCLUDED.requested_at, fresh_at = EXCLUDED.fresh_at, updated_at = EXCLUDED.updated_at`,
        [applicationId, w.accountId, w.syncStatus, w.syncRunId, w.syncOutcome, w.requestedAt, now],
      );
    }
  }

  /** Moves one application's account rows from one of `from` to `to`. */
  async updateAccountWait(
    manager: EntityManager,
    applicationId: string,
    accountId: string,
    from: readonly AccountSyncStatus[],
    to: AccountSyncStatus,
    now: Date,
    requestedAt?: Date,
  ): Promise<boolean> {
    const rows = await manager.query<Array<{ account_id: string }>>(
      `WITH moved AS (
         UPDATE application_accounts SET sync_status = $4::varchar, updated_at = $5,
                fresh_at = CASE WHEN $4::varchar = 'fresh' THEN $5::timestamptz ELSE fresh_at END,
                requested_at = coalesce($6::timestamptz, requested_at)
          WHERE application_id = $1 AND account_id = $2 AND sync_status = ANY($3::varchar[])
         RETURNING account_id)
       SELECT account_id FROM moved`,
      [applicationId, accountId, from, to, now, requestedAt ?? null],
    );
    return rows.length > 0;
  }

  /**
   * Event side: moves every open application's rows for an account from one of `from` to `to` and returns the
   * applications touched (so they can be made due).
   */
  async updateWaitsForAccount(
    accountId: string,
    from: readonly AccountSyncStatus[],
    to: AccountSyncStatus,
    now: Date,
    opts: { syncRunId?: string } = {},
  ): Promise<string[]> {
    const params: unknown[] = [accountId, from, to, now];
    let runFilter = '';
    if (opts.syncRunId) {
      params.push(opts.syncRunId);
      runFilter = ` AND aa.sync_run_id = $${params.length}`;
    }
    const rows = await this.dataSource.query<Array<{ application_id: string }>>(
      `WITH moved AS (
         UPDATE application_accounts aa SET sync_status = $3::varchar, updated_at = $4,
                fresh_at = CASE WHEN $3::varchar = 'fresh' THEN $4::timestamptz ELSE aa.fresh_at END,
                requested_at = CASE WHEN $3::varchar = 'syncing' THEN $4::timestamptz ELSE aa.requested_at END
           FROM loan_applications a
          WHERE aa.application_id = a.id AND a.status IN (${OPEN})
            AND aa.account_id = $1 AND aa.sync_status = ANY($2::varchar[])${runFilter}
         RETURNING aa.application_id)
       SELECT DISTINCT application_id FROM moved`,
      params,
    );
    return rows.map((r) => r.application_id);
  }

  /** The application's account rows joined with the account facts the worker needs. */
  async findAccountFacts(applicationId: string): Promise<
    Array<{
      accountId: string;
      syncStatus: AccountSyncStatus;
      requestedAt: Date | null;
      updatedAt: Date;
      reauthRequired: boolean;
      lastIngestedAt: Date | null;
      unlinked: boolean;
    }>
  > {
    const rows = await this.dataSource.query<
      Array<{
        account_id: string;
        sync_status: AccountSyncStatus;
        requested_at: Date | null;
        updated_at: Date;
        reauth_required: boolean;
        last_ingested_at: Date | null;
        unlinked_at: Date | null;
      }>
    >(
      `SELECT aa.account_id, aa.sync_status, aa.requested_at, aa.updated_at, b.reauth_required, b.last_ingested_at, b.unlinked_at
         FROM application_accounts aa JOIN bank_accounts b ON b.id = aa.account_id
        WHERE aa.application_id = $1 ORDER BY aa.created_at, aa.account_id`,
      [applicationId],
    );
    return rows.map((r) => ({
      accountId: r.account_id,
      syncStatus: r.sync_status,
      requestedAt: r.requested_at,
      updatedAt: r.updated_at,
      reauthRequired: r.reauth_required,
      lastIngestedAt: r.last_ingested_at,
      unlinked: r.unlinked_at !== null,
    }));
  }
}
