import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Scheduled re-underwriting and limit management: the credit limit per borrower, its append-only change log,
 * review cycles and their work items (a table-backed queue drained with FOR UPDATE SKIP LOCKED).
 */
export class Reunderwriting1764100000000 implements MigrationInterface {
  name = 'Reunderwriting1764100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE credit_limits (
        borrower_id uuid PRIMARY KEY REFERENCES borrowers(id) ON DELETE RESTRICT,
        current_limit_minor bigint NOT NULL CHECK (current_limit_minor >= 0),
        currency char(3) NOT NULL DEFAULT 'NGN',
        status varchar(8) NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'frozen')),
        outstanding_minor bigint NOT NULL DEFAULT 0 CHECK (outstanding_minor >= 0),
        last_increase_at timestamptz,
        weak_review_streak integer NOT NULL DEFAULT 0 CHECK (weak_review_streak >= 0),
        baseline_decision_id uuid NOT NULL REFERENCES decisions(id),
        last_review_decision_id uuid REFERENCES decisions(id),
        last_reviewed_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);

    await q.query(`
      CREATE TABLE review_cycles (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        trigger varchar(16) NOT NULL CHECK (trigger IN ('scheduled', 'manual')),
        status varchar(16) NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'completed', 'failed')),
        as_of timestamptz NOT NULL,
        review_max_age_days integer NOT NULL,
        budget integer NOT NULL CHECK (budget >= 0),
        mono_calls_spent integer NOT NULL DEFAULT 0 CHECK (mono_calls_spent >= 0 AND mono_calls_spent <= budget),
        counters jsonb NOT NULL DEFAULT '{}',
        requested_by varchar(128),
        error text,
        started_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz,
        CHECK ((status = 'running') = (finished_at IS NULL))
      )`);
    // At most one running cycle: a crashed one is resumed, never duplicated.
    await q.query(`CREATE UNIQUE INDEX review_cycles_one_running ON review_cycles ((true)) WHERE status = 'running'`);
    await q.query(`CREATE INDEX review_cycles_started_idx ON review_cycles (started_at DESC)`);

    await q.query(`
      CREATE TABLE review_items (
        id bigserial PRIMARY KEY,
        cycle_id uuid NOT NULL REFERENCES review_cycles(id) ON DELETE CASCADE,
        borrower_id uuid NOT NULL REFERENCES borrowers(id) ON DELETE CASCADE,
        reason varchar(16) NOT NULL CHECK (reason IN ('age', 'new_data')),
        status varchar(16) NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'syncing', 'scoring', 'done', 'failed', 'skipped')),
        attempts integer NOT NULL DEFAULT 0,
        locked_until timestamptz,
        worker_id varchar(128),
        decision_id uuid REFERENCES decisions(id),
        result jsonb,
        error text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz,
        CONSTRAINT review_items_cycle_borrower_uq UNIQUE (cycle_id, borrower_id),
        CHECK (status <> 'done' OR decision_id IS NOT NULL)
      )`);
    await q.query(`CREATE INDEX review_items_open_idx ON review_items (cycle_id, id) WHERE status IN ('pending', 'syncing', 'scoring')`);

    await q.query(`
      CREATE TABLE limit_changes (
        id bigserial PRIMARY KEY,
        borrower_id uuid NOT NULL REFERENCES borrowers(id) ON DELETE RESTRICT,
        from_limit_minor bigint NOT NULL CHECK (from_limit_minor >= 0),
        to_limit_minor bigint NOT NULL CHECK (to_limit_minor >= 0),
        from_status varchar(8) NOT NULL,
        to_status varchar(8) NOT NULL CHECK (to_status IN ('active', 'frozen')),
        currency char(3) NOT NULL DEFAULT 'NGN',
        action varchar(16) NOT NULL CHECK (action IN ('raised', 'lowered', 'frozen', 'unfrozen', 'unchanged')),
        reasons jsonb NOT NULL,
        review jsonb,
        limit_policy_version varchar(128) NOT NULL,
        decision_id uuid REFERENCES decisions(id),
        cycle_id uuid REFERENCES review_cycles(id) ON DELETE SET NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX limit_changes_borrower_idx ON limit_changes (borrower_id, created_at DESC)`);
    await q.query(
      `CREATE TRIGGER limit_changes_append_only BEFORE UPDATE OR DELETE ON limit_changes FOR EACH ROW EXECUTE FUNCTION forbid_mutation()`,
    );
    // Selection: "new data since the last decision" compares last_ingested_at per borrower.
    await q.query(`CREATE INDEX IF NOT EXISTS bank_accounts_borrower_ingested_idx ON bank_accounts (borrower_id, last_ingested_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS bank_accounts_borrower_ingested_idx`);
    await q.query(`DROP TABLE IF EXISTS limit_changes`);
    await q.query(`DROP TABLE IF EXISTS review_items`);
    await q.query(`DROP TABLE IF EXISTS review_cycles`);
    await q.query(`DROP TABLE IF EXISTS credit_limits`);
  }
}
