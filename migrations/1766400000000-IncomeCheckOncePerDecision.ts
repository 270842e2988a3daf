import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The income cross-check of a decision is a pg-boss job (`income-crosscheck`, sent in the decision's transaction) that
 * a crash may run twice: at most one `mono_income_checks` row per decision and account, so a retried job skips the
 * accounts it already recorded (and never asks Mono's billed product twice for them).
 */
export class IncomeCheckOncePerDecision1766400000000 implements MigrationInterface {
  name = 'IncomeCheckOncePerDecision1766400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE UNIQUE INDEX mono_income_checks_decision_account ON mono_income_checks (decision_id, account_id) WHERE decision_id IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS mono_income_checks_decision_account`);
  }
}
