import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Consent records per borrower and purpose (docs/privacy.md), and the consent each sync run relied on.
 *
 * Existing data: the borrower of every account still linked gets one `underwriting` consent (channel `migration`,
 * notice_version `pre-consent-migration`, granted when their first such account was linked), covering exactly
 * those accounts: the consent assumed from the original application. No `monitoring` consent is assumed, so
 * scheduled re-underwriting skips these borrowers until one is recorded (CHANGELOG.md).
 *
 * down() drops the column and the table (the consent records are lost).
 */
export class Consents1765200000000 implements MigrationInterface {
  name = 'Consents1765200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE consents (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        borrower_id uuid NOT NULL REFERENCES borrowers(id),
        purpose varchar(16) NOT NULL CHECK (purpose IN ('underwriting', 'monitoring')),
        notice_version text NOT NULL CHECK (length(notice_version) BETWEEN 1 AND 64),
        channel text NOT NULL CHECK (length(channel) BETWEEN 1 AND 32),
        granted_at timestamptz NOT NULL,
        expires_at timestamptz,
        revoked_at timestamptz,
        revoked_reason text,
        account_ids uuid[],
        application_id uuid REFERENCES loan_applications(id),
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT consents_expiry_after_grant CHECK (expires_at IS NULL OR expires_at > granted_at),
        CONSTRAINT consents_application_underwriting CHECK (application_id IS NULL OR purpose = 'underwriting'),
        CONSTRAINT consents_reason_with_revocation CHECK (revoked_reason IS NULL OR revoked_at IS NOT NULL)
      )`);
    await q.query(`CREATE INDEX consents_borrower_purpose ON consents (borrower_id, purpose, granted_at DESC)`);
    await q.query(`ALTER TABLE sync_runs ADD COLUMN consent_id uuid REFERENCES consents(id)`);
    await q.query(`
      INSERT INTO consents (borrower_id, purpose, notice_version, channel, granted_at, account_ids)
      SELECT borrower_id, 'underwriting', 'pre-consent-migration', 'migration', min(created_at), array_agg(id ORDER BY created_at, id)
        FROM bank_accounts
       WHERE unlinked_at IS NULL
       GROUP BY borrower_id`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE sync_runs DROP COLUMN IF EXISTS consent_id`);
    await q.query(`DROP TABLE IF EXISTS consents`);
  }
}
