import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { koboTransformer } from '../common/money.js';
import type { AllocationLine } from './loan-ledger.js';
import type { Instalment } from './loan-schedule.js';
import type { LoanStatus } from './loan-status.js';

const kobo = (v: string | number | null): number => koboTransformer.from(v === null ? null : String(v)) as number;

/** SQL list of the open statuses (the exposure counts these). */
export const OPEN_LOAN_STATUSES: readonly LoanStatus[] = ['current', 'late', 'defaulted'];
const OPEN = OPEN_LOAN_STATUSES.map((s) => `'${s}'`).join(', ');

export interface LoanRow {
  id: string;
  borrowerId: string;
  applicationId: string | null;
  decisionId: string | null;
  principalMinor: number;
  currency: string;
  disbursedAt: Date;
  tenorMonths: number;
  monthlyRate: string | null;
  scheduleKind: 'amortised' | 'explicit';
  status: LoanStatus;
  lastDpd: number;
  restructuredAt: Date | null;
  /** loan_repayments.seq of the last repayment recorded before the last restructure. */
  restructureRepaymentSeq: number | null;
  closedAt: Date | null;
  writtenOffAt: Date | null;
  requestHash: string;
  createdAt: Date;
}

export interface RepaymentRow {
  id: string;
  seq: number;
  loanId: string;
  reference: string;
  amountMinor: number;
  paidAt: Date;
  allocation: AllocationLine[];
  outstandingPrincipalAfterMinor: number;
  reversedAt: Date | null;
  createdAt: Date;
}

export interface LoanEventRow {
  type: string;
  at: Date;
  payload: Record<string, unknown>;
  actor: string;
}

/** A loan with everything GET shows, read in one round trip. */
export interface LoanAggregate {
  loan: LoanRow;
  instalments: Instalment[];
  repayments: RepaymentRow[];
  events: LoanEventRow[];
}

export interface NewLoan {
  borrowerId: string;
  applicationId: string | null;
  decisionId: string | null;
  principalMinor: number;
  currency: string;
  disbursedAt: Date;
  tenorMonths: number;
  monthlyRate: string | null;
  scheduleKind: 'amortised' | 'explicit';
  apiKeyId: string;
  idempotencyKey: string;
  requestHash: string;
  now: Date;
}

/** What POST /v1/loans checks against the application and the decision it was given. */
export interface ApplicationDecisionFacts {
  applicationId: string;
  borrowerId: string;
  applicationStatus: string;
  currency: string;
  decisionId: string | null;
  decision: 'approve' | 'decline' | 'refer' | null;
  requestedAmountMinor: number | null;
  requestedAffordable: boolean | null;
  counterOfferMinor: number | null;
  existingLoanId: string | null;
}

export interface Exposure {
  openLoans: number;
  outstandingPrincipalMinor: number;
}

interface LoanDbRow {
  id: string;
  borrower_id: string;
  application_id: string | null;
  decision_id: string | null;
  principal_minor: string;
  currency: string;
  disbursed_at: Date;
  tenor_months: number;
  monthly_rate: string | null;
  schedule_kind: 'amortised' | 'explicit';
  status: LoanStatus;
  last_dpd: number;
  restructured_at: Date | null;
  restructure_repayment_seq: string | null;
  closed_at: Date | null;
  written_off_at: Date | null;
  request_hash: string;
  created_at: Date;
}

interface InstalmentDbRow {
  seq: number;
  due_date: string;
  principal_minor: string;
  interest_minor: string;
  paid_principal_minor: string;
  paid_interest_minor: string;
}

interface RepaymentDbRow {
  id: string;
  seq: string | number;
  loan_id: string;
  reference: string;
  amount_minor: string;
  paid_at: string | Date;
  allocation: AllocationLine[];
  outstanding_principal_after_minor: string;
  reversed_at: string | Date | null;
  created_at: string | Date;
}

const LOAN_COLUMNS = `l.id, l.borrower_id, l.application_id, l.decision_id, l.principal_minor, l.currency, l.disbursed_at, l.tenor_months,
  l.monthly_rate::text AS monthly_rate, l.schedule_kind, l.status, l.last_dpd, l.restructured_at, l.restructure_repayment_seq, l.closed_at, l.written_off_at,
  l.request_hash, l.created_at`;

const INSTALMENTS_JSON = `coalesce((SELECT json_agg(json_build_object('seq', i.seq, 'due_date', to_char(i.due_date, 'YYYY-MM-DD'),
  'principal_minor', i.principal_minor::text, 'interest_minor', i.interest_minor::text,
  'paid_principal_minor', i.paid_principal_minor::text, 'paid_interest_minor', i.paid_interest_minor::text) ORDER BY i.seq)
  FROM loan_instalments i WHERE i.loan_id = l.id), '[]'::json)`;

function toLoan(r: LoanDbRow): LoanRow {
  return {
    id: r.id,
    borrowerId: r.borrower_id,
    applicationId: r.application_id,
    decisionId: r.decision_id,
    principalMinor: kobo(r.principal_minor),
    currency: r.currency,
    disbursedAt: new Date(r.disbursed_at),
    tenorMonths: r.tenor_months,
    monthlyRate: r.monthly_rate === null ? null : normaliseRate(r.monthly_rate),
    scheduleKind: r.schedule_kind,
    status: r.status,
    lastDpd: r.last_dpd,
    restructuredAt: r.restructured_at ? new Date(r.restructured_at) : null,
    restructureRepaymentSeq: r.restructure_repayment_seq === null ? null : Number(r.restructure_repayment_seq),
    closedAt: r.closed_at ? new Date(r.closed_at) : null,
    writtenOffAt: r.written_off_at ? new Date(r.written_off_at) : null,
    requestHash: r.request_hash,
    createdAt: new Date(r.created_at),
  };
}

/** numeric(12,8) comes back padded ("0.05000000"): trailing zeros dropped ("0.05"). */
function normaliseRate(v: string): string {
  return v.includes('.') ? v.replace(/0+$/, '').replace(/\.$/, '') : v;
}

function toInstalment(r: InstalmentDbRow): Instalment {
  return {
    seq: r.seq,
    dueDate: r.due_date,
    principalMinor: kobo(r.principal_minor),
    interestMinor: kobo(r.interest_minor),
    paidPrincipalMinor: kobo(r.paid_principal_minor),
    paidInterestMinor: kobo(r.paid_interest_minor),
  };
}

function toRepayment(r: RepaymentDbRow): RepaymentRow {
  return {
    id: r.id,
    seq: Number(r.seq),
    loanId: r.loan_id,
    reference: r.reference,
    amountMinor: kobo(r.amount_minor),
    paidAt: new Date(r.paid_at),
    allocation: r.allocation,
    outstandingPrincipalAfterMinor: kobo(r.outstanding_principal_after_minor),
    reversedAt: r.reversed_at ? new Date(r.reversed_at) : null,
    createdAt: new Date(r.created_at),
  };
}

/** The loan book's SQL: every query of the loans module, typed. */
@Injectable()
export class LoansRepository {
  constructor(private readonly dataSource: DataSource) {}

  private q(manager?: EntityManager): EntityManager {
    return manager ?? this.dataSource.manager;
  }

  async findByIdempotencyKey(apiKeyId: string, idempotencyKey: string): Promise<{ id: string; requestHash: string } | null> {
    const rows = await this.dataSource.query<Array<{ id: string; request_hash: string }>>(
      `SELECT id, request_hash FROM loans WHERE api_key_id = $1 AND idempotency_key = $2`,
      [apiKeyId, idempotencyKey],
    );
    return rows[0] ? { id: rows[0].id, requestHash: rows[0].request_hash } : null;
  }

  async borrowerExists(borrowerId: string): Promise<boolean> {
    const rows = await this.dataSource.query<Array<{ ok: boolean }>>(`SELECT EXISTS (SELECT 1 FROM borrowers WHERE id = $1) AS ok`, [
      borrowerId,
    ]);
    return rows[0]?.ok === true;
  }

  /** The application, its decision (the amount it allowed) and any loan already disbursed against it. */
  async applicationDecisionFacts(applicationId: string): Promise<ApplicationDecisionFacts | null> {
    const rows = await this.dataSource.query<
      Array<{
        id: string;
        borrower_id: string;
        status: string;
        currency: string;
        decision_id: string | null;
        decision: ApplicationDecisionFacts['decision'];
        requested_amount_minor: string | null;
        affordable: boolean | null;
        counter_offer_minor: string | null;
        existing_loan_id: string | null;
      }>
    >(
      `SELECT a.id, a.borrower_id, a.status, a.currency, d.id AS decision_id, d.decision, d.requested_amount_minor,
              (d.result -> 'limit' -> 'requested' ->> 'affordable')::boolean AS affordable,
              d.counter_offer ->> 'amountMinor' AS counter_offer_minor,
              (SELECT l.id FROM loans l WHERE l.application_id = a.id) AS existing_loan_id
         FROM loan_applications a LEFT JOIN decisions d ON d.id = a.decision_id
        WHERE a.id = $1`,
      [applicationId],
    );
    const r = rows[0];
    if (!r) return null;
    return {
      applicationId: r.id,
      borrowerId: r.borrower_id,
      applicationStatus: r.status,
      currency: r.currency,
      decisionId: r.decision_id,
      decision: r.decision,
      requestedAmountMinor: r.requested_amount_minor === null ? null : kobo(r.requested_amount_minor),
      requestedAffordable: r.affordable,
      counterOfferMinor: r.counter_offer_minor === null ? null : kobo(r.counter_offer_minor),
      existingLoanId: r.existing_loan_id,
    };
  }

  /** Inserts the loan unless (api key, idempotency key) is taken (then null: another request won the race). */
  async insertLoanUnlessKeyTaken(manager: EntityManager, v: NewLoan): Promise<string | null> {
    const rows = await manager.query<Array<{ id: string }>>(
      `INSERT INTO loans (borrower_id, application_id, decision_id, principal_minor, currency, disbursed_at, tenor_months, monthly_rate,
                          schedule_kind, status, api_key_id, idempotency_key, request_hash, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'current', $10, $11, $12, $13, $13)
       ON CONFLICT ON CONSTRAINT loans_idempotency_uq DO NOTHING
       RETURNING id`,
      [
        v.borrowerId,
        v.applicationId,
        v.decisionId,
        v.principalMinor,
        v.currency,
        v.disbursedAt,
        v.tenorMonths,
        v.monthlyRate,
        v.scheduleKind,
        v.apiKeyId,
        v.idempotencyKey,
        v.requestHash,
        v.now,
      ],
    );
    return rows[0]?.id ?? null;
  }

  /** Replaces a loan's schedule (one DELETE, one INSERT from arrays). */
  async writeInstalments(manager: EntityManager, loanId: string, schedule: readonly Instalment[]): Promise<void> {
    await manager.query(`DELETE FROM loan_instalments WHERE loan_id = $1`, [loanId]);
    await manager.query(
      `INSERT INTO loan_instalments (loan_id, seq, due_date, principal_minor, interest_minor, paid_principal_minor, paid_interest_minor)
       SELECT $1, s.seq, s.due_date, s.p, s.i, s.pp, s.pi
         FROM unnest($2::int[], $3::date[], $4::bigint[], $5::bigint[], $6::bigint[], $7::bigint[]) AS s(seq, due_date, p, i, pp, pi)`,
      [
        loanId,
        schedule.map((i) => i.seq),
        schedule.map((i) => i.dueDate),
        schedule.map((i) => i.principalMinor),
        schedule.map((i) => i.interestMinor),
        schedule.map((i) => i.paidPrincipalMinor),
        schedule.map((i) => i.paidInterestMinor),
      ],
    );
  }

  /** Writes the paid amounts of the given instalments (one UPDATE from arrays). */
  async writePaid(manager: EntityManager, loanId: string, schedule: readonly Instalment[]): Promise<void> {
    await manager.query(
      `UPDATE loan_instalments i SET paid_principal_minor = s.pp, paid_interest_minor = s.pi
         FROM unnest($2::int[], $3::bigint[], $4::bigint[]) AS s(seq, pp, pi)
        WHERE i.loan_id = $1 AND i.seq = s.seq AND (i.paid_principal_minor, i.paid_interest_minor) IS DISTINCT FROM (s.pp, s.pi)`,
      [loanId, schedule.map((i) => i.seq), schedule.map((i) => i.paidPrincipalMinor), schedule.map((i) => i.paidInterestMinor)],
    );
  }

  /** The loan row locked for this transaction, with its schedule (null when unknown). */
  async lockLoan(manager: EntityManager, id: string): Promise<{ loan: LoanRow; instalments: Instalment[] } | null> {
    const rows = await manager.query<Array<LoanDbRow & { instalments: InstalmentDbRow[] }>>(
      `SELECT ${LOAN_COLUMNS}, ${INSTALMENTS_JSON} AS instalments FROM loans l WHERE l.id = $1 FOR UPDATE OF l`,
      [id],
    );
    const r = rows[0];
    return r ? { loan: toLoan(r), instalments: r.instalments.map(toInstalment) } : null;
  }

  /** Loans with schedule, repayments and history, in one round trip (by id, or every loan of a borrower, newest first). */
  async findAggregates(where: { id: string } | { borrowerId: string }): Promise<LoanAggregate[]> {
    const [filter, param] = 'id' in where ? ['l.id = $1', where.id] : ['l.borrower_id = $1', where.borrowerId];
    const rows = await this.dataSource.query<
      Array<
        LoanDbRow & {
          instalments: InstalmentDbRow[];
          repayments: RepaymentDbRow[];
          events: Array<{ type: string; at: string; payload: Record<string, unknown>; actor: string }>;
        }
      >
    >(
      `SELECT ${LOAN_COLUMNS}, ${INSTALMENTS_JSON} AS instalments,
              coalesce((SELECT json_agg(json_build_object('id', r.id, 'seq', r.seq, 'loan_id', r.loan_id, 'reference', r.reference,
                          'amount_minor', r.amount_minor::text, 'paid_at', r.paid_at, 'allocation', r.allocation,
                          'outstanding_principal_after_minor', r.outstanding_principal_after_minor::text,
                          'reversed_at', r.reversed_at, 'created_at', r.created_at) ORDER BY r.seq)
                          FROM loan_repayments r WHERE r.loan_id = l.id), '[]'::json) AS repayments,
              coalesce((SELECT json_agg(json_build_object('type', e.type, 'at', e.at, 'payload', e.payload, 'actor', e.actor) ORDER BY e.id)
                          FROM loan_events e WHERE e.loan_id = l.id), '[]'::json) AS events
         FROM loans l WHERE ${filter}
        ORDER BY l.disbursed_at DESC, l.id`,
      [param],
    );
    return rows.map((r) => ({
      loan: toLoan(r),
      instalments: r.instalments.map(toInstalment),
      repayments: r.repayments.map(toRepayment),
      events: r.events.map((e) => ({ type: e.type, at: new Date(e.at), payload: e.payload, actor: e.actor })),
    }));
  }

  async findRepayment(loanId: string, reference: string, manager?: EntityManager): Promise<RepaymentRow | null> {
    const rows = await this.q(manager).query<RepaymentDbRow[]>(
      `SELECT id, seq, loan_id, reference, amount_minor, paid_at, allocation, outstanding_principal_after_minor, reversed_at, created_at
         FROM loan_repayments WHERE loan_id = $1 AND reference = $2`,
      [loanId, reference],
    );
    return rows[0] ? toRepayment(rows[0]) : null;
  }

  /** The newest repayment of a loan that is not reversed (only it can be reversed). */
  async latestActiveRepayment(manager: EntityManager, loanId: string): Promise<RepaymentRow | null> {
    const rows = await manager.query<RepaymentDbRow[]>(
      `SELECT id, seq, loan_id, reference, amount_minor, paid_at, allocation, outstanding_principal_after_minor, reversed_at, created_at
         FROM loan_repayments WHERE loan_id = $1 AND reversed_at IS NULL ORDER BY seq DESC LIMIT 1`,
      [loanId],
    );
    return rows[0] ? toRepayment(rows[0]) : null;
  }

  async insertRepayment(
    manager: EntityManager,
    v: {
      loanId: string;
      reference: string;
      amountMinor: number;
      paidAt: Date;
      allocation: AllocationLine[];
      outstandingPrincipalAfterMinor: number;
      now: Date;
    },
  ): Promise<RepaymentRow> {
    const rows = await manager.query<RepaymentDbRow[]>(
      `INSERT INTO loan_repayments (loan_id, reference, amount_minor, paid_at, allocation, outstanding_principal_after_minor, created_at)
       VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7)
       RETURNING id, seq, loan_id, reference, amount_minor, paid_at, allocation, outstanding_principal_after_minor, reversed_at, created_at`,
      [v.loanId, v.reference, v.amountMinor, v.paidAt, JSON.stringify(v.allocation), v.outstandingPrincipalAfterMinor, v.now],
    );
    return toRepayment(rows[0]);
  }

  async markReversed(manager: EntityManager, repaymentId: string, now: Date, reason: string | null): Promise<void> {
    await manager.query(`UPDATE loan_repayments SET reversed_at = $2, reversal_reason = $3 WHERE id = $1 AND reversed_at IS NULL`, [
      repaymentId,
      now,
      reason,
    ]);
  }

  async insertEvent(
    manager: EntityManager,
    loanId: string,
    type: string,
    at: Date,
    payload: Record<string, unknown>,
    actor: string,
  ): Promise<void> {
    await manager.query(`INSERT INTO loan_events (loan_id, type, at, payload, actor) VALUES ($1, $2, $3, $4::jsonb, $5)`, [
      loanId,
      type,
      at,
      JSON.stringify(payload),
      actor,
    ]);
  }

  async updateLoan(
    manager: EntityManager,
    id: string,
    patch: { status?: LoanStatus; lastDpd?: number; closedAt?: Date; writtenOffAt?: Date; restructuredAt?: Date },
    now: Date,
  ): Promise<void> {
    const sets = ['updated_at = $2'];
    const params: unknown[] = [id, now];
    const add = (column: string, value: unknown): void => {
      params.push(value);
      sets.push(`${column} = $${params.length}`);
    };
    if (patch.status !== undefined) add('status', patch.status);
    if (patch.lastDpd !== undefined) add('last_dpd', patch.lastDpd);
    if (patch.closedAt !== undefined) add('closed_at', patch.closedAt);
    if (patch.writtenOffAt !== undefined) add('written_off_at', patch.writtenOffAt);
    if (patch.restructuredAt !== undefined) {
      add('restructured_at', patch.restructuredAt);
      sets.push(`restructure_repayment_seq = (SELECT max(seq) FROM loan_repayments WHERE loan_id = $1)`);
    }
    await manager.query(`UPDATE loans SET ${sets.join(', ')} WHERE id = $1`, params);
  }

  /** Outstanding principal across the borrower's open loans (current, late, defaulted). */
  async exposure(borrowerId: string, manager?: EntityManager): Promise<Exposure> {
    const rows = await this.q(manager).query<Array<{ open_loans: number; outstanding: string }>>(
      `SELECT count(DISTINCT l.id)::int AS open_loans, coalesce(sum(i.principal_minor - i.paid_principal_minor), 0)::text AS outstanding
         FROM loans l LEFT JOIN loan_instalments i ON i.loan_id = l.id
        WHERE l.borrower_id = $1 AND l.status IN (${OPEN})`,
      [borrowerId],
    );
    return { openLoans: rows[0]?.open_loans ?? 0, outstandingPrincipalMinor: kobo(rows[0]?.outstanding ?? '0') };
  }

  /**
   * Writes `credit_limits.outstanding_minor` from the loan book (the re-underwriting floor reads it). A borrower
   * without a limit row yet has nothing to update; the row's creation starts at 0 and the next loan change sets it.
   */
  async writeCreditLimitOutstanding(manager: EntityManager, borrowerId: string, outstandingMinor: number, now: Date): Promise<void> {
    await manager.query(
      `UPDATE credit_limits SET outstanding_minor = $2, updated_at = $3 WHERE borrower_id = $1 AND outstanding_minor <> $2`,
      [borrowerId, outstandingMinor, now],
    );
  }
}
