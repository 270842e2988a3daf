import { gunzipSync } from 'node:zlib';
import { Injectable, Logger } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditService } from '../common/audit/audit.service.js';
import { Clock } from '../common/clock.js';
import { DomainError, NotFoundError } from '../common/errors/domain-error.js';
import { LinkService } from '../mono/link.service.js';
import { OutboxService } from '../outbox/outbox.service.js';
import { consentStatusAt } from './consent.entity.js';
import { ConsentsRepository } from './consents.repository.js';

/**
 * The right to erasure (NDPA 2023; docs/privacy.md "Erasure"). What goes: the raw bank data (transactions, their
 * revisions and balance snapshots, the stored webhook payloads), identity (name, email, phone, BVN; account names and
 * numbers), free text (application purposes), the decisions' engine inputs, and personal names inside stored results
 * and audit snapshots. What stays, pseudonymous: every decision with its outcome, reasons, flags, features and
 * counts, the applications and the lender's loans (its own legal record), the audit trail (rows, actors, actions),
 * the borrower row under its externalId. Refused (409 ERASURE_BLOCKED) while a consent is active, a loan is open or an
 * application is in flight: those still need the data. One transaction; linked accounts are unlinked at Mono first.
 */
export interface ErasurePlan {
  borrowerId: string;
  dryRun: boolean;
  blockers: Array<{ reason: 'active_consent' | 'open_loan' | 'open_application'; ids: string[] }>;
  erase: Record<string, number>;
  keep: Array<{ what: string; why: string }>;
  erasedAt: string | null;
}

const KEEP: ErasurePlan['keep'] = [
  { what: 'decisions (outcome, limit, reasons, flags, features, versions, counts)', why: 'the audit trail of each credit decision; no personal data once names are scrubbed' },
  { what: 'loan applications (amount, tenor, status) and the lender’s loans, schedules and repayments', why: 'the lender’s own legal record of credit granted (keyed by ids, no personal data)' },
  { what: 'consent records (purpose, notice version, dates)', why: 'proof of the lawful basis each past retrieval relied on' },
  { what: 'audit log rows (actor, action, entity, time)', why: 'accountability; personal data inside snapshots is scrubbed' },
  { what: 'the borrower row (id, externalId)', why: 'pseudonymous link to the lender’s own customer record' },
];

const ERASED = 'erased';

@Injectable()
export class ErasureService {
  private readonly logger = new Logger(ErasureService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly consents: ConsentsRepository,
    private readonly audit: AuditService,
    private readonly outbox: OutboxService,
    private readonly links: LinkService,
    private readonly clock: Clock,
  ) {}

  async erase(
    borrowerId: string,
    opts: { dryRun: boolean; actor: string; basis?: 'request' | 'retention'; reason?: string },
  ): Promise<ErasurePlan> {
    const basis = opts.basis ?? 'request';
    if (!(await this.consents.borrowerExists(borrowerId))) throw new NotFoundError('Borrower', borrowerId);
    const plan = await this.plan(this.dataSource.manager, borrowerId, opts.dryRun);
    if (opts.dryRun) return plan;
    if (plan.blockers.length > 0) {
      throw new DomainError('ERASURE_BLOCKED', `Borrower ${borrowerId} cannot be erased yet: ${plan.blockers.map((b) => b.reason).join(', ')}`, {
        blockers: plan.blockers,
      });
    }
    // Mono must stop holding the link too (the unlink is a Mono call and cannot be rolled back: before the scrub).
    for (const account of await this.consents.linkedAccounts(borrowerId, null)) {
      await this.links.unlinkAtMono(account.id, opts.actor, 'erasure of the borrower’s personal data');
    }
    const now = this.clock.now();
    return this.dataSource.transaction(async (m) => {
      await m.query(`SELECT id FROM borrowers WHERE id = $1 FOR UPDATE`, [borrowerId]);
      const again = await this.plan(m, borrowerId, false);
      if (again.blockers.length > 0) throw new DomainError('ERASURE_BLOCKED', `Borrower ${borrowerId} cannot be erased yet`, { blockers: again.blockers });
      await m.query(`SET LOCAL engine.erasure = 'on'`);
      await this.scrub(m, borrowerId, now, basis);
      const done: ErasurePlan = { ...again, dryRun: false, erasedAt: now.toISOString() };
      await this.audit.record(
        {
          actor: opts.actor,
          action: 'borrower.erased',
          entityType: 'borrower',
          entityId: borrowerId,
          after: { erase: done.erase, basis },
          reason: opts.reason ?? (basis === 'retention' ? 'retention period ended' : 'data subject erasure'),
        },
        m,
      );
      await this.outbox.enqueue(m, 'borrower.erased', borrowerId, { borrowerId, basis, erasedAt: now.toISOString(), occurredAt: now.toISOString() });
      this.logger.log({ borrowerId, basis, erase: done.erase }, 'borrower personal data erased');
      return done;
    });
  }

  /** The names to redact from decisions: those held before the scrub, and those the stored results carry. */
  private async namesOf(m: EntityManager, borrowerId: string, prior: Array<{ name: string | null }>): Promise<string[]> {
    const fromResults = await m.query<Array<{ name: string | null }>>(
      `SELECT DISTINCT s->>'counterparty' AS name FROM decisions d, jsonb_array_elements(coalesce(d.result->'income'->'streams', '[]'::jsonb)) s WHERE d.borrower_id = $1
       UNION SELECT DISTINCT h FROM decisions d, jsonb_array_elements_text(coalesce(d.result->'risk'->'nameMatch'->'holderNames', '[]'::jsonb)) h WHERE d.borrower_id = $1
       UNION SELECT DISTINCT c FROM decisions d, jsonb_array_elements_text(coalesce(d.result->'risk'->'passThrough'->'topCounterparties', '[]'::jsonb)) c WHERE d.borrower_id = $1`,
      [borrowerId],
    );
    return [...prior, ...fromResults].map((r) => r.name).filter((n): n is string => typeof n === 'string');
  }

  private async plan(m: EntityManager, borrowerId: string, dryRun: boolean): Promise<ErasurePlan> {
    const now = this.clock.now();
    const consents = (await this.consents.listForBorrower(borrowerId)).filter((c) => consentStatusAt(c, now) === 'active');
    const openLoans = await m.query<Array<{ id: string }>>(`SELECT id FROM loans WHERE borrower_id = $1 AND status IN ('current', 'late', 'defaulted')`, [borrowerId]);
    const openApps = await m.query<Array<{ id: string }>>(`SELECT id FROM loan_applications WHERE borrower_id = $1 AND status NOT IN ('decided', 'failed')`, [borrowerId]);
    const blockers: ErasurePlan['blockers'] = [];
    if (consents.length > 0) blockers.push({ reason: 'active_consent', ids: consents.map((c) => c.id) });
    if (openLoans.length > 0) blockers.push({ reason: 'open_loan', ids: openLoans.map((l) => l.id) });
    if (openApps.length > 0) blockers.push({ reason: 'open_application', ids: openApps.map((a) => a.id) });
    const [c] = await m.query<Array<Record<string, number>>>(
      `SELECT (SELECT count(*)::int FROM bank_transactions t JOIN bank_accounts a ON a.id = t.account_id WHERE a.borrower_id = $1) AS transactions,
              (SELECT count(*)::int FROM balance_snapshots s JOIN bank_accounts a ON a.id = s.account_id WHERE a.borrower_id = $1) AS "balanceSnapshots",
              (SELECT count(*)::int FROM webhook_events w JOIN bank_accounts a ON a.mono_account_id = w.mono_account_id WHERE a.borrower_id = $1) AS "webhookPayloads",
              (SELECT count(*)::int FROM bank_accounts WHERE borrower_id = $1) AS "accountIdentities",
              (SELECT count(DISTINCT inputs_hash)::int FROM decisions WHERE borrower_id = $1) AS "decisionInputs",
              (SELECT count(*)::int FROM decisions WHERE borrower_id = $1) AS "decisionNamesScrubbed",
              (SELECT count(*)::int FROM loan_applications WHERE borrower_id = $1 AND purpose IS NOT NULL) AS "applicationPurposes"`,
      [borrowerId],
    );
    return { borrowerId, dryRun, blockers, erase: { profile: 1, ...c }, keep: KEEP, erasedAt: null };
  }

  private async scrub(m: EntityManager, borrowerId: string, now: Date, basis: 'request' | 'retention'): Promise<void> {
    const accounts = await m.query<Array<{ id: string; mono_account_id: string }>>(`SELECT id, mono_account_id FROM bank_accounts WHERE borrower_id = $1`, [borrowerId]);
    const ids = accounts.map((a) => a.id);
    const monoIds = accounts.map((a) => a.mono_account_id);
    // Names held before anything is scrubbed: the profile, account holders, and every counterparty of the transactions.
    const prior = await m.query<Array<{ name: string | null }>>(
      `SELECT full_name AS name FROM borrowers WHERE id = $1
       UNION SELECT account_name FROM bank_accounts WHERE borrower_id = $1
       UNION SELECT identity_full_name FROM bank_accounts WHERE borrower_id = $1
       UNION SELECT DISTINCT counterparty FROM bank_transactions WHERE account_id = ANY($2::uuid[])`,
      [borrowerId, ids],
    );
    await m.query(`DELETE FROM bank_transactions WHERE account_id = ANY($1::uuid[])`, [ids]);
    await m.query(`DELETE FROM balance_snapshots WHERE account_id = ANY($1::uuid[])`, [ids]);
    await m.query(`UPDATE data_quality_findings SET details = '{}'::jsonb WHERE account_id = ANY($1::uuid[])`, [ids]);
    await m.query(`UPDATE webhook_events SET payload = jsonb_build_object('erased', true) WHERE mono_account_id = ANY($1::text[])`, [monoIds]);
    await m.query(
      `UPDATE bank_accounts SET account_name = NULL, identity_full_name = NULL, account_number = NULL, balance_minor = NULL, coverage = NULL, updated_at = $2
        WHERE borrower_id = $1`,
      [borrowerId, now],
    );
    await m.query(
      `UPDATE borrowers SET full_name = 'Erased borrower', email = 'erased-' || id::text || '@erased.invalid', phone = NULL, bvn = NULL, updated_at = $2,
              erased_at = $2, erasure_basis = $3 WHERE id = $1`,
      [borrowerId, now, basis],
    );
    await m.query(`UPDATE loan_applications SET purpose = NULL WHERE borrower_id = $1`, [borrowerId]);
    // Analyst notes are free text about the person: the text goes, the versions, authors and times stay.
    await m.query(`UPDATE decision_notes SET body = '[erased]' WHERE borrower_id = $1`, [borrowerId]);
    // Mono's income estimates of the person (the income cross-check): the figures go, the request records stay.
    await m.query(
      `UPDATE mono_income_checks SET monthly_income_minor = NULL, annual_income_minor = NULL, total_income_minor = NULL, streams = NULL WHERE borrower_id = $1`,
      [borrowerId],
    );
    // Engine inputs hold every transaction and the applicant's name: replaced by a marker that keeps the policy (not
    // personal data), so the analyst's "how this limit was set" still reproduces; a replay answers 410 INPUT_ERASED.
    const inputs = await m.query<Array<{ inputs_hash: string }>>(`SELECT DISTINCT inputs_hash FROM decisions WHERE borrower_id = $1`, [borrowerId]);
    for (const { inputs_hash } of inputs) {
      const [row] = await m.query<Array<{ payload: { policy?: unknown } | null; payload_gzip: Buffer | null }>>(
        `SELECT payload, payload_gzip FROM decision_inputs WHERE inputs_hash = $1`,
        [inputs_hash],
      );
      if (!row) continue;
      const policy = row.payload_gzip ? (JSON.parse(gunzipSync(row.payload_gzip).toString('utf8')) as { policy?: unknown }).policy : row.payload?.policy;
      await m.query(`UPDATE decision_inputs SET payload = $2::jsonb, payload_gzip = NULL WHERE inputs_hash = $1`, [
        inputs_hash,
        JSON.stringify({ erased: true, erasedAt: now.toISOString(), policy: policy ?? null }),
      ]);
    }
    // Names inside stored decisions (stream labels, counterparties, holder names, reason messages): every name the
    // borrower's records held is replaced wherever it appears in the decision's income, reasons and result.
    const names = await this.namesOf(m, borrowerId, prior);
    const decisions = await m.query<Array<{ id: string; income: unknown; reasons: unknown; result: unknown }>>(
      `SELECT id, income, reasons, result FROM decisions WHERE borrower_id = $1`,
      [borrowerId],
    );
    for (const d of decisions) {
      await m.query(`UPDATE decisions SET income = $2::jsonb, reasons = $3::jsonb, result = $4::jsonb WHERE id = $1`, [
        d.id,
        redact(JSON.stringify(d.income), names),
        redact(JSON.stringify(d.reasons), names),
        redact(JSON.stringify(d.result), names),
      ]);
    }
    // Audit snapshots of the borrower's identity records: rows stay, their personal content goes.
    await m.query(
      `UPDATE audit_log SET before = CASE WHEN before IS NULL THEN NULL ELSE jsonb_build_object('erased', true) END,
                            after = CASE WHEN after IS NULL THEN NULL ELSE jsonb_build_object('erased', true) END
        WHERE (entity_type = 'borrower' AND entity_id = $1) OR (entity_type = 'bank_account' AND entity_id = ANY($2::text[]))`,
      [borrowerId, ids],
    );
  }
}

/** Every occurrence of any of `names` (case-insensitive, at least 4 characters) in a JSON text, replaced. */
export function redact(json: string, names: readonly string[]): string {
  const usable = [...new Set(names.map((n) => n.trim()).filter((n) => n.length >= 4))].sort((a, b) => b.length - a.length);
  if (usable.length === 0) return json;
  const escaped = usable.map((n) => JSON.stringify(n).slice(1, -1).replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return json.replace(new RegExp(escaped.join('|'), 'gi'), `[${ERASED}]`);
}
