import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Erasure (docs/privacy.md "Erasure") must scrub personal data out of the append-only tables (decisions, audit_log)
 * while their rows — the audit trail — stay. The guard now lets an UPDATE through only inside a transaction that set
 * `engine.erasure = 'on'` (SET LOCAL, which the erasure service alone does); DELETE stays forbidden everywhere.
 */
export class ErasureWrites1765600000000 implements MigrationInterface {
  name = 'ErasureWrites1765600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE OR REPLACE FUNCTION forbid_mutation() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'UPDATE' AND current_setting('engine.erasure', true) = 'on' THEN
          RETURN NEW;
        END IF;
        RAISE EXCEPTION '% is append-only: % is not allowed', TG_TABLE_NAME, TG_OP USING ERRCODE = 'restrict_violation';
      END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE OR REPLACE FUNCTION forbid_mutation() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION '% is append-only: % is not allowed', TG_TABLE_NAME, TG_OP USING ERRCODE = 'restrict_violation';
      END $$`);
  }
}
