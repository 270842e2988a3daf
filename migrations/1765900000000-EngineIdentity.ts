import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Tenancy: one lender per engine and database (docs/security.md, "Tenancy"). `engine_identity` holds one row, the
 * lender the database belongs to, written at the first start from LENDER_ID; every later start compares
 * (src/common/lender-identity.ts) and refuses another lender's LENDER_ID.
 */
export class EngineIdentity1765900000000 implements MigrationInterface {
  name = 'EngineIdentity1765900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE engine_identity (
        singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
        lender_id varchar(64) NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS engine_identity`);
  }
}
