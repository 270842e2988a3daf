import type { MigrationInterface, QueryRunner } from 'typeorm';

/** BVN, phone and account numbers are stored encrypted (AES-256-GCM, base64): widen their columns. */
export class WidenEncryptedPii1763719200000 implements MigrationInterface {
  name = 'WidenEncryptedPii1763719200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE borrowers ALTER COLUMN bvn TYPE varchar(512), ALTER COLUMN phone TYPE varchar(512)`);
    await q.query(`ALTER TABLE bank_accounts ALTER COLUMN account_number TYPE varchar(512)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE bank_accounts ALTER COLUMN account_number TYPE varchar(256)`);
    await q.query(`ALTER TABLE borrowers ALTER COLUMN bvn TYPE varchar(256), ALTER COLUMN phone TYPE varchar(64)`);
  }
}
