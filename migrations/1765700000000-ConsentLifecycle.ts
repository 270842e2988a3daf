import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The consent lifecycle and retention (docs/privacy.md):
 * - `consents.expiring_notified_at`: when `consent.expiring` was sent (once per consent);
 * - `consents.expiry_handled_at`: when the lifecycle job handled the expiry (audit `consent.expired`, event, unlink);
 * - `decisions.consents`: the consent each of the decision's accounts was retrieved under at decision time
 *   (`[{ accountId, consentId, purpose }]`, consentId null when none was valid); null for decisions made before this;
 * - `borrowers.erased_at` / `erasure_basis`: when the personal data was erased, on request or by the retention job.
 *
 * Existing data: consents already expired are marked handled as of this migration without an event (their expiry
 * was already enforced by every sync); nothing is notified retroactively.
 */
export class ConsentLifecycle1765700000000 implements MigrationInterface {
  name = 'ConsentLifecycle1765700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE consents ADD COLUMN expiring_notified_at timestamptz, ADD COLUMN expiry_handled_at timestamptz`);
    await q.query(`UPDATE consents SET expiry_handled_at = now() WHERE revoked_at IS NULL AND expires_at IS NOT NULL AND expires_at <= now()`);
    await q.query(`CREATE INDEX consents_open_expiry ON consents (expires_at) WHERE revoked_at IS NULL AND expires_at IS NOT NULL AND expiry_handled_at IS NULL`);
    await q.query(`ALTER TABLE decisions ADD COLUMN consents jsonb`);
    await q.query(`
      ALTER TABLE borrowers ADD COLUMN erased_at timestamptz,
        ADD COLUMN erasure_basis varchar(16) CHECK (erasure_basis IN ('request', 'retention')),
        ADD CONSTRAINT borrowers_erasure_basis CHECK ((erased_at IS NULL) = (erasure_basis IS NULL))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE borrowers DROP CONSTRAINT IF EXISTS borrowers_erasure_basis, DROP COLUMN IF EXISTS erasure_basis, DROP COLUMN IF EXISTS erased_at`);
    await q.query(`ALTER TABLE decisions DROP COLUMN IF EXISTS consents`);
    await q.query(`DROP INDEX IF EXISTS consents_open_expiry`);
    await q.query(`ALTER TABLE consents DROP COLUMN IF EXISTS expiry_handled_at, DROP COLUMN IF EXISTS expiring_notified_at`);
  }
}
