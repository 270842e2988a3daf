import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The lender's own loan book (issue 14): loans with their schedule, repayments (idempotent on the lender's
 * reference) and an append-only history. Amounts are bigint kobo. docs/underwriting.md "The loan book".
 */
export class Loans1765300000000 implements MigrationInterface {
  name = 'Loans1765300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE loans (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        borrower_id uuid NOT NULL REFERENCES borrowers(id) ON DELETE RESTRICT,
        application_id uuid REFERENCES loan_applications(id) ON DELETE RESTRICT,
        decision_id uuid REFERENCES decisions(id),
        principal_minor bigint NOT NULL CHECK (principal_minor > 0),
        currency char(3) NOT NULL DEFAULT 'NGN',
        disbursed_at timestamptz NOT NULL,
        tenor_months integer NOT NULL CHECK (tenor_months > 0),
        monthly_rate numeric(12, 8) CHECK (monthly_rate >= 0),
        schedule_kind varchar(16) NOT NULL CHECK (schedule_kind IN ('amortised', 'explicit')),
        status varchar(16) NOT NULL DEFAULT 'current' CHECK (status IN ('current', 'late', 'defaulted', 'closed', 'written_off')),
        last_dpd integer NOT NULL DEFAULT 0 CHECK (last_dpd >= 0),
        restructured_at timestamptz,
        -- The last repayment (loan_repayments.seq) recorded before the last restructure: earlier ones cannot be reversed.
        restructure_repayment_seq bigint,
        closed_at timestamptz,
        written_off_at timestamptz,
        api_key_id uuid NOT NULL,
        idempotency_key varchar(128) NOT NULL,
        request_hash char(64) NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT loans_idempotency_uq UNIQUE (api_key_id, idempotency_key),
        CHECK ((status = 'closed') = (closed_at IS NOT NULL)),
        CHECK ((status = 'written_off') = (written_off_at IS NOT NULL))
      )`);
    // One loan per application: a second disbursement against the same decision is refused.
    await q.query(`CREATE UNIQUE INDEX loans_application_uq ON loans (application_id) WHERE application_id IS NOT NULL`);
    await q.query(`CREATE INDEX loans_borrower_idx ON loans (borrower_id, disbursed_at DESC)`);
    await q.query(`CREATE INDEX loans_open_idx ON loans (borrower_id) WHERE status IN ('current', 'late', 'defaulted')`);

    await q.query(`
      CREATE TABLE loan_instalments (
        loan_id uuid NOT NULL REFERENCES loans(id) ON DELETE CASCADE,
        seq integer NOT NULL CHECK (seq > 0),
        due_date date NOT NULL,
        principal_minor bigint NOT NULL CHECK (principal_minor >= 0),
        interest_minor bigint NOT NULL CHECK (interest_minor >= 0),
        paid_principal_minor bigint NOT NULL DEFAULT 0 CHECK (paid_principal_minor >= 0 AND paid_principal_minor <= principal_minor),
        paid_interest_minor bigint NOT NULL DEFAULT 0 CHECK (paid_interest_minor >= 0 AND paid_interest_minor <= interest_minor),
        PRIMARY KEY (loan_id, seq)
      )`);

    await q.query(`
      CREATE TABLE loan_repayments (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        -- Recording order (business timestamps can tie under a fixed clock; only the latest repayment is reversible).
        seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
        loan_id uuid NOT NULL REFERENCES loans(id) ON DELETE CASCADE,
        reference varchar(128) NOT NULL,
        amount_minor bigint NOT NULL CHECK (amount_minor > 0),
        paid_at timestamptz NOT NULL,
        allocation jsonb NOT NULL,
        outstanding_principal_after_minor bigint NOT NULL CHECK (outstanding_principal_after_minor >= 0),
        reversed_at timestamptz,
        reversal_reason text,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT loan_repayments_reference_uq UNIQUE (loan_id, reference)
      )`);

    await q.query(`
      CREATE TABLE loan_events (
        id bigserial PRIMARY KEY,
        loan_id uuid NOT NULL REFERENCES loans(id) ON DELETE CASCADE,
        type varchar(32) NOT NULL,
        at timestamptz NOT NULL,
        payload jsonb NOT NULL DEFAULT '{}',
        actor varchar(128) NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX loan_events_loan_idx ON loan_events (loan_id, id)`);
    await q.query(
      `CREATE TRIGGER loan_events_append_only BEFORE UPDATE OR DELETE ON loan_events FOR EACH ROW EXECUTE FUNCTION forbid_mutation()`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS loan_events`);
    await q.query(`DROP TABLE IF EXISTS loan_repayments`);
    await q.query(`DROP TABLE IF EXISTS loan_instalments`);
    await q.query(`DROP TABLE IF EXISTS loans`);
  }
}
