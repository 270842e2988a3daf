import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { BankAccountEntity } from '../accounts/bank-account.entity.js';
import { BorrowerEntity } from '../borrowers/borrower.entity.js';
import { AuditService } from '../common/audit/audit.service.js';
import { Clock } from '../common/clock.js';
import { NotFoundError } from '../common/errors/domain-error.js';
import { readKobo, readKoboOrNull } from '../common/money.js';
import { ConsentEntity } from './consent.entity.js';
import { ConsentResponseDto } from './dto/consent.dto.js';

/**
 * The data subject's right of access (NDPA 2023; docs/privacy.md "Access"): everything the engine holds about one
 * borrower — profile (PII decrypted: it is theirs), consents, linked accounts, every transaction as stored, decisions
 * with their reasons, applications, loans with schedules and repayments, Mono income cross-checks, shadow-policy
 * results, and the audit trail of those records — as one
 * JSON document, or as a ZIP of CSVs with that document (data-export.zip.ts). Admin only; the export itself is audited
 * (who, when, how many rows, which format), never its content.
 */
export interface BorrowerExport {
  format: 'borrower-export/v1';
  generatedAt: string;
  borrower: Record<string, unknown>;
  consents: Array<Record<string, unknown>>;
  accounts: Array<Record<string, unknown>>;
  transactions: Array<Record<string, unknown>>;
  decisions: Array<Record<string, unknown>>;
  applications: Array<Record<string, unknown>>;
  loans: Array<Record<string, unknown>>;
  /** Mono's income estimate per account when the lender cross-checked it (MONO_INCOME_CROSSCHECK; figures only). */
  incomeChecks: Array<Record<string, unknown>>;
  /** What a shadow policy the lender was evaluating would have decided beside each live decision (never acted on). */
  shadowDecisions: Array<Record<string, unknown>>;
  audit: Array<Record<string, unknown>>;
  counts: Record<string, number>;
}

/** `json`: the document above; `zip`: the same document with one CSV per section and a README (data-export.zip.ts). */
export const BORROWER_EXPORT_FORMATS = ['json', 'zip'] as const;
export type BorrowerExportFormat = (typeof BORROWER_EXPORT_FORMATS)[number];

@Injectable()
export class DataExportService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  /** Reads the export in one snapshot and audits it (`format`: what the caller is sent, the JSON or the ZIP of it). */
  async export(borrowerId: string, actor: string, format: BorrowerExportFormat = 'json'): Promise<BorrowerExport> {
    const now = this.clock.now();
    const doc = await this.dataSource.transaction('REPEATABLE READ', async (m) => {
      const borrower = await m.getRepository(BorrowerEntity).findOneBy({ id: borrowerId });
      if (!borrower) throw new NotFoundError('Borrower', borrowerId);
      const accounts = await m.getRepository(BankAccountEntity).find({ where: { borrowerId }, order: { createdAt: 'ASC', id: 'ASC' } });
      const consents = await m.getRepository(ConsentEntity).find({ where: { borrowerId }, order: { grantedAt: 'ASC', id: 'ASC' } });
      const accountIds = accounts.map((a) => a.id);
      const transactions = await m.query<Array<Record<string, unknown>>>(
        `SELECT id, account_id, provider_txn_id, posted_at, booking_date::text AS booking_date, direction, amount_minor::text AS amount_minor,
                balance_minor::text AS balance_minor, currency, narration, category, category_source, counterparty, status, first_seen_at, removed_at
           FROM bank_transactions WHERE account_id = ANY($1::uuid[]) ORDER BY account_id, posted_at, id`,
        [accountIds],
      );
      const decisions = await m.query<Array<Record<string, unknown>>>(
        `SELECT id, created_at, trigger, application_id, decision, recommended_limit_minor::text AS recommended_limit_minor, currency,
                binding_constraint, reasons, flags, policy_version, engine_version, data_as_of, actor, overrides
           FROM decisions WHERE borrower_id = $1 ORDER BY created_at, id`,
        [borrowerId],
      );
      const applications = await m.query<Array<Record<string, unknown>>>(
        `SELECT id, created_at, status, status_reason, amount_minor::text AS amount_minor, currency, tenor_months, purpose, decision_id, stale_data
           FROM loan_applications WHERE borrower_id = $1 ORDER BY created_at, id`,
        [borrowerId],
      );
      const loans = await m.query<Array<Record<string, unknown>>>(
        `SELECT l.id, l.application_id, l.principal_minor::text AS principal_minor, l.currency, l.disbursed_at, l.tenor_months, l.monthly_rate::text AS monthly_rate,
                l.status, l.closed_at, l.written_off_at,
                coalesce((SELECT json_agg(json_build_object('seq', i.seq, 'dueDate', i.due_date, 'principalMinor', i.principal_minor::text,
                                  'interestMinor', i.interest_minor::text, 'paidPrincipalMinor', i.paid_principal_minor::text,
                                  'paidInterestMinor', i.paid_interest_minor::text) ORDER BY i.seq) FROM loan_instalments i WHERE i.loan_id = l.id), '[]') AS instalments,
                coalesce((SELECT json_agg(json_build_object('reference', r.reference, 'amountMinor', r.amount_minor::text, 'paidAt', r.paid_at,
                                  'reversedAt', r.reversed_at) ORDER BY r.seq) FROM loan_repayments r WHERE r.loan_id = l.id), '[]') AS repayments
           FROM loans l WHERE l.borrower_id = $1 ORDER BY l.disbursed_at, l.id`,
        [borrowerId],
      );
      const incomeChecks = await m.query<Array<Record<string, unknown>>>(
        `SELECT id, account_id, decision_id, status, reason, requested_at, settled_at, monthly_income_minor::text AS monthly_income_minor,
                annual_income_minor::text AS annual_income_minor, total_income_minor::text AS total_income_minor
           FROM mono_income_checks WHERE borrower_id = $1 ORDER BY requested_at, id`,
        [borrowerId],
      );
      const shadowDecisions = await m.query<Array<Record<string, unknown>>>(
        `SELECT s.decision_id, s.created_at, s.policy_version, s.decision, s.recommended_limit_minor::text AS recommended_limit_minor, s.currency,
                s.grade, s.reason_codes
           FROM shadow_decisions s JOIN decisions d ON d.id = s.decision_id WHERE d.borrower_id = $1 ORDER BY s.created_at, s.decision_id`,
        [borrowerId],
      );
      const entityIds = [
        borrowerId,
        ...accountIds,
        ...consents.map((c) => c.id),
        ...applications.map((a) => String(a.id)),
        ...loans.map((l) => String(l.id)),
      ];
      const audit = await m.query<Array<Record<string, unknown>>>(
        `SELECT created_at, actor, action, entity_type, entity_id, reason FROM audit_log WHERE entity_id = ANY($1::text[]) ORDER BY created_at, id`,
        [entityIds],
      );
      const kobo = (v: unknown): number | null => (typeof v === 'string' || typeof v === 'number' ? readKobo(v) : null);
      return {
        format: 'borrower-export/v1' as const,
        generatedAt: now.toISOString(),
        borrower: {
          id: borrower.id,
          externalId: borrower.externalId,
          fullName: borrower.fullName,
          email: borrower.email,
          phone: borrower.phone,
          bvn: borrower.bvn,
          createdAt: borrower.createdAt.toISOString(),
        },
        // The same view as GET /v1/borrowers/{id}/consents.
        consents: consents.map((c) => ({ ...ConsentResponseDto.from(c, now) })),
        accounts: accounts.map((a) => ({
          id: a.id,
          monoAccountId: a.monoAccountId,
          institution: a.institutionName,
          accountName: a.accountName,
          accountNumber: a.accountNumber,
          accountType: a.accountType,
          currency: a.currency,
          balanceMinor: readKoboOrNull(a.balanceMinor),
          linkedAt: a.createdAt.toISOString(),
          unlinkedAt: a.unlinkedAt?.toISOString() ?? null,
        })),
        transactions: transactions.map((t) => ({ ...t, amount_minor: kobo(t.amount_minor), balance_minor: kobo(t.balance_minor) })),
        decisions: decisions.map((d) => ({ ...d, recommended_limit_minor: kobo(d.recommended_limit_minor) })),
        applications: applications.map((a) => ({ ...a, amount_minor: kobo(a.amount_minor) })),
        loans: loans.map((l) => ({ ...l, principal_minor: kobo(l.principal_minor) })),
        incomeChecks: incomeChecks.map((c) => ({
          ...c,
          monthly_income_minor: kobo(c.monthly_income_minor),
          annual_income_minor: kobo(c.annual_income_minor),
          total_income_minor: kobo(c.total_income_minor),
        })),
        shadowDecisions: shadowDecisions.map((d) => ({ ...d, recommended_limit_minor: kobo(d.recommended_limit_minor) })),
        audit,
        counts: {
          consents: consents.length,
          accounts: accounts.length,
          transactions: transactions.length,
          decisions: decisions.length,
          applications: applications.length,
          loans: loans.length,
          incomeChecks: incomeChecks.length,
          shadowDecisions: shadowDecisions.length,
          audit: audit.length,
        },
      };
    });
    await this.audit.record({
      actor,
      action: 'borrower.exported',
      entityType: 'borrower',
      entityId: borrowerId,
      after: { counts: doc.counts, format },
      reason: 'data subject access',
    });
    return doc;
  }
}
