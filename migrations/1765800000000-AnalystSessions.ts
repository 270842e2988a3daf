import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Server-side analyst sessions (docs/security.md, "Analyst sessions"): the session cookie carries a random token,
 * never the API key; only its SHA-256 is stored. A session belongs to the API key it was opened with (revoking the key
 * ends its sessions), expires after SESSION_MAX_AGE_SECONDS, ends at logout (`revoked_at`), and carries its own CSRF
 * token. Cookies from before (which held the raw key) are not sessions: those analysts sign in again.
 */
export class AnalystSessions1765800000000 implements MigrationInterface {
  name = 'AnalystSessions1765800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE analyst_sessions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        token_hash char(64) NOT NULL UNIQUE,
        api_key_id uuid NOT NULL REFERENCES api_keys(id) ON DELETE CASCADE,
        csrf_token varchar(64) NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        revoked_at timestamptz
      )`);
    await q.query(`CREATE INDEX analyst_sessions_api_key ON analyst_sessions (api_key_id)`);
    await q.query(`CREATE INDEX analyst_sessions_expires ON analyst_sessions (expires_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS analyst_sessions`);
  }
}
