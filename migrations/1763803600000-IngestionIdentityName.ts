import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Ingestion stores only what it needs from Mono Identity: the verified full name, used as the holder name for
 * self-transfer name matching when the bank's account name is missing. Nothing else from Identity is kept.
 * Plus an index for the borrower transaction listing's keyset (newest first, id as the tie-breaker).
 */
export class IngestionIdentityName1763803600000 implements MigrationInterface {
  name = 'IngestionIdentityName1763803600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE bank_accounts ADD COLUMN identity_full_name varchar(200)`);
    await q.query(
      `CREATE INDEX bank_transactions_active_keyset_idx ON bank_transactions (account_id, booking_date DESC, posted_at DESC, id DESC) WHERE status = 'active'`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS bank_transactions_active_keyset_idx`);
    await q.query(`ALTER TABLE bank_accounts DROP COLUMN IF EXISTS identity_full_name`);
  }
}
