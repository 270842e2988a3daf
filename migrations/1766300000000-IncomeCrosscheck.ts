import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Mono income cross-check (issue 16, docs/mono.md "Income cross-check"): a third consent purpose,
 * `income_verification` (purpose widened to 32 characters), and `mono_income_checks`, one row per account and
 * application for which the engine asked Mono's v2 income product (`MONO_INCOME_CROSSCHECK=true`) or chose not to
 * (no consent). Only figures are kept — Mono's monthly, annual and total income and per stream its type, frequency,
 * monthly average, stability and counts — never the account name or number, the employer or a narration Mono sends.
 */
export class IncomeCrosscheck1766300000000 implements MigrationInterface {
  name = 'IncomeCrosscheck1766300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE consents ALTER COLUMN purpose TYPE varchar(32)`);
    await q.query(`ALTER TABLE consents DROP CONSTRAINT IF EXISTS consents_purpose_check`);
    await q.query(`ALTER TABLE consents ADD CONSTRAINT consents_purpose_check CHECK (purpose IN ('underwriting', 'monitoring', 'income_verification'))`);
    await q.query(`
      CREATE TABLE mono_income_checks (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        borrower_id uuid NOT NULL REFERENCES borrowers(id) ON DELETE CASCADE,
        account_id uuid NOT NULL REFERENCES bank_accounts(id) ON DELETE CASCADE,
        application_id uuid REFERENCES loan_applications(id) ON DELETE SET NULL,
        decision_id uuid REFERENCES decisions(id) ON DELETE SET NULL,
        consent_id uuid REFERENCES consents(id),
        status varchar(16) NOT NULL CHECK (status IN ('not_requested', 'requested', 'received', 'unavailable')),
        reason text CHECK (reason IS NULL OR char_length(reason) <= 300),
        requested_at timestamptz NOT NULL,
        settled_at timestamptz,
        monthly_income_minor bigint,
        annual_income_minor bigint,
        total_income_minor bigint,
        streams jsonb,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX mono_income_checks_decision ON mono_income_checks (decision_id)`);
    await q.query(`CREATE INDEX mono_income_checks_account ON mono_income_checks (account_id, requested_at DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS mono_income_checks`);
    await q.query(`DELETE FROM consents WHERE purpose = 'income_verification'`);
    await q.query(`ALTER TABLE consents DROP CONSTRAINT IF EXISTS consents_purpose_check`);
    await q.query(`ALTER TABLE consents ADD CONSTRAINT consents_purpose_check CHECK (purpose IN ('underwriting', 'monitoring'))`);
    await q.query(`ALTER TABLE consents ALTER COLUMN purpose TYPE varchar(16)`);
  }
}
