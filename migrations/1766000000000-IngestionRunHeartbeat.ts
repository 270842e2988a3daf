import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `ingestion_runs.heartbeat_at`: a running ingestion refreshes it every INGESTION_HEARTBEAT_SECONDS; a run whose
 * heartbeat lapsed for INGESTION_ABANDONED_SECONDS was left by a dead process and is closed as abandoned by the
 * per-minute `ingestion-runs-sweep` (any instance) instead of an hour later at that account's next ingestion.
 * Existing rows take their start as their last heartbeat.
 */
export class IngestionRunHeartbeat1766000000000 implements MigrationInterface {
  name = 'IngestionRunHeartbeat1766000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE ingestion_runs ADD COLUMN heartbeat_at timestamptz`);
    await q.query(`UPDATE ingestion_runs SET heartbeat_at = started_at`);
    await q.query(`CREATE INDEX ingestion_runs_running_heartbeat ON ingestion_runs (heartbeat_at) WHERE status = 'running'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS ingestion_runs_running_heartbeat`);
    await q.query(`ALTER TABLE ingestion_runs DROP COLUMN IF EXISTS heartbeat_at`);
  }
}
