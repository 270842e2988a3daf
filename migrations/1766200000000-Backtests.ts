import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Policy backtests and shadow mode (docs/scoring.md "Backtest", "Shadow policy"):
 * - `backtests`: one admin-requested replay of the stored decisions under a candidate policy, run as a pg-boss job
 *   (`backtest-run`), with its progress and its stored result (figures only: counts, rates, decision ids).
 * - `shadow_policies`: candidate policies marked shadow; at most one is active. Every live decision made while one is
 *   active is also computed under it and stored in `shadow_decisions` (never returned to the frontend, never acted on).
 * - `loans (decision_id)`: the backtest reads the loan booked on each decision.
 */
export class Backtests1766200000000 implements MigrationInterface {
  name = 'Backtests1766200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE backtests (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        status varchar(16) NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'succeeded', 'failed')),
        candidate_policy jsonb NOT NULL,
        candidate_policy_version varchar(128) NOT NULL,
        baseline varchar(160) NOT NULL,
        baseline_policy jsonb,
        window_from date,
        window_to date,
        outcomes_as_of timestamptz NOT NULL,
        progress_done integer NOT NULL DEFAULT 0,
        progress_total integer NOT NULL DEFAULT 0,
        result jsonb,
        error text,
        requested_by varchar(128) NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        started_at timestamptz,
        finished_at timestamptz,
        CHECK ((status = 'succeeded') = (result IS NOT NULL))
      )`);
    await q.query(`CREATE INDEX backtests_created ON backtests (created_at DESC)`);
    await q.query(`
      CREATE TABLE shadow_policies (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        policy jsonb NOT NULL,
        policy_version varchar(128) NOT NULL,
        active boolean NOT NULL DEFAULT true,
        created_by varchar(128) NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        retired_at timestamptz,
        CHECK (active = (retired_at IS NULL))
      )`);
    await q.query(`CREATE UNIQUE INDEX shadow_policies_one_active ON shadow_policies ((true)) WHERE active`);
    await q.query(`
      CREATE TABLE shadow_decisions (
        decision_id uuid PRIMARY KEY REFERENCES decisions(id) ON DELETE CASCADE,
        shadow_policy_id uuid NOT NULL REFERENCES shadow_policies(id),
        policy_version varchar(128) NOT NULL,
        decision varchar(8) NOT NULL CHECK (decision IN ('approve', 'refer', 'decline')),
        recommended_limit_minor bigint NOT NULL CHECK (recommended_limit_minor >= 0),
        currency char(3) NOT NULL DEFAULT 'NGN',
        grade char(1) NOT NULL CHECK (grade IN ('A', 'B', 'C', 'D', 'E')),
        reason_codes text[] NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX shadow_decisions_policy ON shadow_decisions (shadow_policy_id, created_at)`);
    await q.query(`CREATE INDEX loans_decision_idx ON loans (decision_id) WHERE decision_id IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS loans_decision_idx`);
    await q.query(`DROP TABLE IF EXISTS shadow_decisions`);
    await q.query(`DROP TABLE IF EXISTS shadow_policies`);
    await q.query(`DROP TABLE IF EXISTS backtests`);
  }
}
