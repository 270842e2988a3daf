import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Outbound events are delivered by pg-boss jobs (queue `outbox-delivery`, job id = event id): the row keeps what the
 * lender's operators read (status, attempts, last error, delivered at) and loses the hand-built queue's columns
 * (`next_attempt_at`, `locked_until`) and its due index. Pending rows are given their job by the engine at start.
 * down() restores the columns with every pending event due now.
 */
export class OutboxOnJobs1765500000000 implements MigrationInterface {
  name = 'OutboxOnJobs1765500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS outbox_events_due_idx`);
    await q.query(`ALTER TABLE outbox_events DROP COLUMN locked_until, DROP COLUMN next_attempt_at`);
    await q.query(`CREATE INDEX outbox_events_pending_idx ON outbox_events (created_at) WHERE status = 'pending'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS outbox_events_pending_idx`);
    await q.query(`ALTER TABLE outbox_events ADD COLUMN next_attempt_at timestamptz NOT NULL DEFAULT now(), ADD COLUMN locked_until timestamptz`);
    await q.query(`CREATE INDEX outbox_events_due_idx ON outbox_events (next_attempt_at) WHERE status = 'pending'`);
  }
}
