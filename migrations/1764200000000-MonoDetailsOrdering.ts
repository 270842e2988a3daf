import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Mono webhooks are not ordered: an older `account_updated` processed after a newer one (a retry, a deferral) must not
 * roll the account's data status or balance back. `mono_details_at` is the as-of time of the details stored (the
 * webhook's `timestamp`, or the time of a REST fetch); older details are skipped.
 */
export class MonoDetailsOrdering1764200000000 implements MigrationInterface {
  name = 'MonoDetailsOrdering1764200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE bank_accounts ADD COLUMN mono_details_at timestamptz`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE bank_accounts DROP COLUMN IF EXISTS mono_details_at`);
  }
}
