import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Backtests read every decision of a window in keyset order (created_at, id): without this index each batch of 250
 * sorted the whole decisions table (100,000 decisions: minutes of Postgres CPU). docs/benchmarks.md "Backtest".
 */
export class DecisionsCreatedIndex1766250000000 implements MigrationInterface {
  name = 'DecisionsCreatedIndex1766250000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX decisions_created_idx ON decisions (created_at, id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS decisions_created_idx`);
  }
}
