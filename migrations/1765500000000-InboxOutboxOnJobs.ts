import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Outbound events, stored Mono webhooks and loan applications are worked by pg-boss jobs (queues `outbox-delivery`,
 * `webhook-inbox` with job id = row id, and `application-step` keyed by application): the rows keep what operators and reports read (status, attempts, last error, settled at) and lose
 * the hand-built queues' columns (`next_attempt_at`, `locked_until`) and due indexes. Unsettled rows are given their
 * job by the engine at start. down() restores the columns with every unsettled row due now.
 */
export class InboxOutboxOnJobs1765500000000 implements MigrationInterface {
  name = 'InboxOutboxOnJobs1765500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS outbox_events_due_idx`);
    await q.query(`ALTER TABLE outbox_events DROP COLUMN locked_until, DROP COLUMN next_attempt_at`);
    await q.query(`CREATE INDEX outbox_events_pending_idx ON outbox_events (created_at) WHERE status = 'pending'`);
    await q.query(`DROP INDEX IF EXISTS webhook_events_due_idx`);
    await q.query(`ALTER TABLE webhook_events DROP COLUMN locked_until, DROP COLUMN next_attempt_at`);
    await q.query(`CREATE INDEX webhook_events_unsettled_idx ON webhook_events (received_at) WHERE status IN ('pending', 'processing')`);
    await q.query(`ALTER TABLE loan_applications DROP COLUMN locked_until, DROP COLUMN next_attempt_at`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE loan_applications ADD COLUMN next_attempt_at timestamptz NOT NULL DEFAULT now(), ADD COLUMN locked_until timestamptz`);
    await q.query(`CREATE INDEX loan_applications_open_idx ON loan_applications (next_attempt_at) WHERE status NOT IN ('decided', 'failed')`);
    await q.query(`DROP INDEX IF EXISTS webhook_events_unsettled_idx`);
    await q.query(`ALTER TABLE webhook_events ADD COLUMN next_attempt_at timestamptz NOT NULL DEFAULT now(), ADD COLUMN locked_until timestamptz`);
    await q.query(`CREATE INDEX webhook_events_due_idx ON webhook_events (next_attempt_at) WHERE status IN ('pending', 'processing')`);
    await q.query(`DROP INDEX IF EXISTS outbox_events_pending_idx`);
    await q.query(`ALTER TABLE outbox_events ADD COLUMN next_attempt_at timestamptz NOT NULL DEFAULT now(), ADD COLUMN locked_until timestamptz`);
    await q.query(`CREATE INDEX outbox_events_due_idx ON outbox_events (next_attempt_at) WHERE status = 'pending'`);
  }
}
