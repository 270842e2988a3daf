import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Sync-on-apply bookkeeping: which accounts an application waits for (and why), the stale-data outcome of an
 * application, orchestration overrides recorded beside an immutable decision, and a due index for the outbox.
 */
export class ApplicationFlow1763800000000 implements MigrationInterface {
  name = 'ApplicationFlow1763800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE application_accounts (
        application_id uuid NOT NULL REFERENCES loan_applications(id) ON DELETE CASCADE,
        account_id uuid NOT NULL REFERENCES bank_accounts(id) ON DELETE RESTRICT,
        sync_status varchar(16) NOT NULL
          CHECK (sync_status IN ('not_needed', 'awaiting_data', 'syncing', 'fresh', 'reauth_required', 'failed', 'timed_out')),
        sync_run_id uuid,
        sync_outcome varchar(32),
        requested_at timestamptz,
        fresh_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (application_id, account_id)
      )`);
    await q.query(
      `CREATE INDEX application_accounts_account_idx ON application_accounts (account_id) WHERE sync_status IN ('awaiting_data', 'syncing', 'reauth_required')`,
    );
    await q.query(`ALTER TABLE loan_applications ADD COLUMN stale_data boolean NOT NULL DEFAULT false`);
    await q.query(`ALTER TABLE loan_applications ADD COLUMN last_error text`);
    await q.query(`ALTER TABLE decisions ADD COLUMN overrides jsonb`);
    await q.query(`CREATE INDEX decisions_application_idx ON decisions (application_id) WHERE application_id IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS decisions_application_idx`);
    // decisions is append-only (trigger) but DDL is not affected by row triggers.
    await q.query(`ALTER TABLE decisions DROP COLUMN IF EXISTS overrides`);
    await q.query(`ALTER TABLE loan_applications DROP COLUMN IF EXISTS last_error`);
    await q.query(`ALTER TABLE loan_applications DROP COLUMN IF EXISTS stale_data`);
    await q.query(`DROP TABLE IF EXISTS application_accounts`);
  }
}
