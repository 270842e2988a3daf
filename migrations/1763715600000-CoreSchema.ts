import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The core data model. Constraints make bad states impossible: amounts are integer kobo (bigint) with a
 * currency, states are varchar + CHECK, provider ids are unique where Mono says they are, decisions and
 * the audit log are append-only (enforced by triggers).
 */
export class CoreSchema1763715600000 implements MigrationInterface {
  name = 'CoreSchema1763715600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE EXTENSION IF NOT EXISTS pgcrypto`);

    await q.query(`
      CREATE OR REPLACE FUNCTION forbid_mutation() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION '% is append-only: % is not allowed', TG_TABLE_NAME, TG_OP USING ERRCODE = 'restrict_violation';
      END $$`);

    await q.query(`
      CREATE TABLE api_keys (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name varchar(100) NOT NULL,
        role varchar(16) NOT NULL CHECK (role IN ('frontend', 'analyst', 'admin')),
        key_hash char(64) NOT NULL UNIQUE,
        key_prefix varchar(12) NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_used_at timestamptz,
        revoked_at timestamptz
      )`);

    await q.query(`
      CREATE TABLE borrowers (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        external_id varchar(128) NOT NULL UNIQUE,
        full_name varchar(200) NOT NULL CHECK (length(btrim(full_name)) > 0),
        email varchar(320) NOT NULL,
        phone varchar(64),
        bvn varchar(256),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);

    await q.query(`
      CREATE TABLE connect_sessions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        borrower_id uuid NOT NULL REFERENCES borrowers(id) ON DELETE CASCADE,
        reference varchar(64) NOT NULL UNIQUE,
        scope varchar(8) NOT NULL CHECK (scope IN ('auth', 'reauth')),
        account_id uuid,
        mono_url text,
        mono_customer_id varchar(64),
        status varchar(16) NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'completed', 'expired', 'failed')),
        created_at timestamptz NOT NULL DEFAULT now(),
        completed_at timestamptz
      )`);
    await q.query(`CREATE INDEX connect_sessions_borrower_idx ON connect_sessions (borrower_id, created_at DESC)`);

    await q.query(`
      CREATE TABLE bank_accounts (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        borrower_id uuid NOT NULL REFERENCES borrowers(id) ON DELETE RESTRICT,
        mono_account_id varchar(64) NOT NULL UNIQUE,
        mono_customer_id varchar(64),
        institution_name varchar(200),
        institution_bank_code varchar(32),
        institution_type varchar(32),
        account_name varchar(256),
        account_number varchar(256),
        account_type varchar(100),
        currency char(3) NOT NULL DEFAULT 'NGN',
        balance_minor bigint,
        auth_method varchar(32),
        data_status varchar(16) NOT NULL DEFAULT 'PROCESSING'
          CHECK (data_status IN ('PROCESSING', 'AVAILABLE', 'PARTIAL', 'UNAVAILABLE', 'FAILED')),
        retrieved_data text[] NOT NULL DEFAULT '{}',
        reauth_required boolean NOT NULL DEFAULT false,
        reauth_required_at timestamptz,
        last_synced_at timestamptz,
        last_sync_requested_at timestamptz,
        last_ingested_at timestamptz,
        last_transaction_date date,
        coverage jsonb,
        unlinked_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CHECK (reauth_required = (reauth_required_at IS NOT NULL))
      )`);
    await q.query(`CREATE INDEX bank_accounts_borrower_idx ON bank_accounts (borrower_id)`);
    await q.query(`CREATE INDEX bank_accounts_reauth_idx ON bank_accounts (reauth_required) WHERE reauth_required`);

    await q.query(`
      CREATE TABLE sync_runs (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        account_id uuid NOT NULL REFERENCES bank_accounts(id) ON DELETE CASCADE,
        trigger varchar(16) NOT NULL CHECK (trigger IN ('application', 'webhook', 'scheduled', 'manual', 'connect', 'reauth')),
        strategy varchar(16) NOT NULL CHECK (strategy IN ('legacy', 'realtime')),
        status varchar(24) NOT NULL DEFAULT 'pending'
          CHECK (status IN ('pending', 'requested', 'succeeded', 'failed', 'reauth_required', 'skipped_rate_limit', 'timed_out')),
        mono_code varchar(64),
        job_id varchar(128),
        has_new_data boolean,
        error jsonb,
        requested_at timestamptz,
        completed_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX sync_runs_account_idx ON sync_runs (account_id, created_at DESC)`);
    // At most one sync in flight per account: concurrent requests coalesce onto it.
    await q.query(`CREATE UNIQUE INDEX sync_runs_one_in_flight ON sync_runs (account_id) WHERE status IN ('pending', 'requested')`);

    await q.query(`
      CREATE TABLE ingestion_runs (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        account_id uuid NOT NULL REFERENCES bank_accounts(id) ON DELETE CASCADE,
        sync_run_id uuid REFERENCES sync_runs(id) ON DELETE SET NULL,
        trigger varchar(16) NOT NULL,
        status varchar(16) NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'succeeded', 'failed')),
        window_start date,
        window_end date,
        fetched integer NOT NULL DEFAULT 0,
        inserted integer NOT NULL DEFAULT 0,
        modified integer NOT NULL DEFAULT 0,
        removed integer NOT NULL DEFAULT 0,
        unchanged integer NOT NULL DEFAULT 0,
        error jsonb,
        started_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz
      )`);
    await q.query(`CREATE INDEX ingestion_runs_account_idx ON ingestion_runs (account_id, started_at DESC)`);

    await q.query(`
      CREATE TABLE bank_transactions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        account_id uuid NOT NULL REFERENCES bank_accounts(id) ON DELETE CASCADE,
        provider_txn_id varchar(128) NOT NULL,
        fingerprint char(64) NOT NULL,
        posted_at timestamptz NOT NULL,
        booking_date date NOT NULL,
        direction varchar(6) NOT NULL CHECK (direction IN ('credit', 'debit')),
        amount_minor bigint NOT NULL CHECK (amount_minor >= 0),
        balance_minor bigint,
        currency char(3) NOT NULL,
        narration text NOT NULL DEFAULT '',
        provider_category varchar(64),
        category varchar(32) NOT NULL DEFAULT 'other',
        category_rule varchar(64) NOT NULL DEFAULT 'unclassified',
        category_source varchar(16) NOT NULL DEFAULT 'rule' CHECK (category_source IN ('rule', 'analyst')),
        rail varchar(16) NOT NULL DEFAULT 'OTHER',
        counterparty varchar(256),
        memo text,
        status varchar(8) NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'removed')),
        version integer NOT NULL DEFAULT 1 CHECK (version >= 1),
        raw jsonb NOT NULL,
        first_seen_at timestamptz NOT NULL DEFAULT now(),
        last_seen_at timestamptz NOT NULL DEFAULT now(),
        modified_at timestamptz,
        removed_at timestamptz,
        CONSTRAINT bank_transactions_provider_uq UNIQUE (account_id, provider_txn_id),
        CHECK ((status = 'removed') = (removed_at IS NOT NULL))
      )`);
    await q.query(`CREATE INDEX bank_transactions_account_date_idx ON bank_transactions (account_id, booking_date DESC, posted_at DESC)`);
    await q.query(`CREATE INDEX bank_transactions_fingerprint_idx ON bank_transactions (account_id, fingerprint)`);

    await q.query(`
      CREATE TABLE transaction_revisions (
        id bigserial PRIMARY KEY,
        transaction_id uuid NOT NULL REFERENCES bank_transactions(id) ON DELETE CASCADE,
        account_id uuid NOT NULL,
        change varchar(16) NOT NULL CHECK (change IN ('modified', 'removed', 'restored', 'recategorised')),
        previous jsonb NOT NULL,
        current jsonb,
        ingestion_run_id uuid REFERENCES ingestion_runs(id) ON DELETE SET NULL,
        actor varchar(128),
        reason text,
        detected_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX transaction_revisions_txn_idx ON transaction_revisions (transaction_id, detected_at)`);

    await q.query(`
      CREATE TABLE balance_snapshots (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        account_id uuid NOT NULL REFERENCES bank_accounts(id) ON DELETE CASCADE,
        balance_minor bigint NOT NULL,
        currency char(3) NOT NULL,
        source varchar(16) NOT NULL CHECK (source IN ('account', 'balance', 'webhook')),
        ingestion_run_id uuid REFERENCES ingestion_runs(id) ON DELETE SET NULL,
        captured_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX balance_snapshots_account_idx ON balance_snapshots (account_id, captured_at DESC)`);

    await q.query(`
      CREATE TABLE data_quality_findings (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        account_id uuid NOT NULL REFERENCES bank_accounts(id) ON DELETE CASCADE,
        kind varchar(32) NOT NULL,
        transaction_id uuid REFERENCES bank_transactions(id) ON DELETE SET NULL,
        booking_date date,
        details jsonb NOT NULL DEFAULT '{}',
        ingestion_run_id uuid REFERENCES ingestion_runs(id) ON DELETE SET NULL,
        detected_at timestamptz NOT NULL DEFAULT now(),
        resolved_at timestamptz
      )`);
    await q.query(`CREATE INDEX data_quality_findings_account_idx ON data_quality_findings (account_id) WHERE resolved_at IS NULL`);

    await q.query(`
      CREATE TABLE webhook_events (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        provider_event_id varchar(128),
        payload_hash char(64) NOT NULL,
        event_type varchar(128) NOT NULL,
        mono_account_id varchar(64),
        payload jsonb NOT NULL,
        status varchar(16) NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'processing', 'processed', 'ignored', 'failed')),
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        locked_until timestamptz,
        last_error text,
        received_at timestamptz NOT NULL DEFAULT now(),
        processed_at timestamptz,
        CONSTRAINT webhook_events_payload_hash_uq UNIQUE (payload_hash)
      )`);
    await q.query(`CREATE UNIQUE INDEX webhook_events_provider_event_uq ON webhook_events (provider_event_id) WHERE provider_event_id IS NOT NULL`);
    await q.query(`CREATE INDEX webhook_events_due_idx ON webhook_events (next_attempt_at) WHERE status IN ('pending', 'processing')`);
    await q.query(`CREATE INDEX webhook_events_account_idx ON webhook_events (mono_account_id, received_at)`);

    await q.query(`
      CREATE TABLE loan_applications (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        borrower_id uuid NOT NULL REFERENCES borrowers(id) ON DELETE RESTRICT,
        api_key_id uuid NOT NULL REFERENCES api_keys(id) ON DELETE RESTRICT,
        idempotency_key varchar(128) NOT NULL,
        request_hash char(64) NOT NULL,
        amount_minor bigint NOT NULL CHECK (amount_minor > 0),
        currency char(3) NOT NULL DEFAULT 'NGN',
        tenor_months integer NOT NULL CHECK (tenor_months BETWEEN 1 AND 120),
        purpose varchar(500),
        status varchar(16) NOT NULL DEFAULT 'received'
          CHECK (status IN ('received', 'syncing', 'reauth_required', 'scoring', 'decided', 'failed')),
        status_reason varchar(64),
        sync_deadline_at timestamptz,
        decision_id uuid,
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        locked_until timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT loan_applications_idempotency_uq UNIQUE (api_key_id, idempotency_key),
        CHECK ((status = 'decided') = (decision_id IS NOT NULL))
      )`);
    await q.query(`CREATE INDEX loan_applications_borrower_idx ON loan_applications (borrower_id, created_at DESC)`);
    await q.query(`CREATE INDEX loan_applications_open_idx ON loan_applications (next_attempt_at) WHERE status NOT IN ('decided', 'failed')`);

    await q.query(`
      CREATE TABLE decision_inputs (
        inputs_hash char(64) PRIMARY KEY,
        payload jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);

    await q.query(`
      CREATE TABLE decisions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        borrower_id uuid NOT NULL REFERENCES borrowers(id) ON DELETE RESTRICT,
        application_id uuid REFERENCES loan_applications(id) ON DELETE RESTRICT,
        trigger varchar(16) NOT NULL CHECK (trigger IN ('application', 'scheduled', 'event', 'manual', 'override')),
        decision varchar(8) NOT NULL CHECK (decision IN ('approve', 'decline', 'refer')),
        recommended_limit_minor bigint NOT NULL CHECK (recommended_limit_minor >= 0),
        instalment_minor bigint NOT NULL CHECK (instalment_minor >= 0),
        requested_amount_minor bigint,
        requested_tenor_months integer,
        currency char(3) NOT NULL DEFAULT 'NGN',
        binding_constraint varchar(32) NOT NULL,
        post_loan_dsr numeric(12, 6),
        counter_offer jsonb,
        reasons jsonb NOT NULL,
        flags text[] NOT NULL DEFAULT '{}',
        income jsonb NOT NULL,
        obligations jsonb NOT NULL,
        cash_flow jsonb NOT NULL,
        coverage jsonb NOT NULL,
        features jsonb NOT NULL,
        result jsonb NOT NULL,
        inputs_hash char(64) NOT NULL REFERENCES decision_inputs(inputs_hash),
        policy_version varchar(128) NOT NULL,
        engine_version varchar(64) NOT NULL,
        data_as_of timestamptz NOT NULL,
        supersedes_id uuid REFERENCES decisions(id),
        actor varchar(128),
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX decisions_borrower_idx ON decisions (borrower_id, created_at DESC)`);
    await q.query(`CREATE TRIGGER decisions_append_only BEFORE UPDATE OR DELETE ON decisions FOR EACH ROW EXECUTE FUNCTION forbid_mutation()`);
    await q.query(`ALTER TABLE loan_applications ADD CONSTRAINT loan_applications_decision_fk FOREIGN KEY (decision_id) REFERENCES decisions(id)`);

    await q.query(`
      CREATE TABLE outbox_events (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        event_type varchar(64) NOT NULL,
        aggregate_id uuid,
        payload jsonb NOT NULL,
        status varchar(16) NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed', 'skipped')),
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        locked_until timestamptz,
        last_error text,
        created_at timestamptz NOT NULL DEFAULT now(),
        delivered_at timestamptz
      )`);
    await q.query(`CREATE INDEX outbox_events_due_idx ON outbox_events (next_attempt_at) WHERE status = 'pending'`);

    await q.query(`
      CREATE TABLE audit_log (
        id bigserial PRIMARY KEY,
        actor varchar(128) NOT NULL,
        action varchar(64) NOT NULL,
        entity_type varchar(64) NOT NULL,
        entity_id varchar(128),
        before jsonb,
        after jsonb,
        reason text,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX audit_log_entity_idx ON audit_log (entity_type, entity_id, created_at)`);
    await q.query(`CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION forbid_mutation()`);

    await q.query(`
      CREATE TABLE job_runs (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        job_name varchar(64) NOT NULL,
        status varchar(16) NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'succeeded', 'failed', 'skipped')),
        details jsonb,
        started_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [
      'job_runs',
      'audit_log',
      'outbox_events',
    ]) {
      await q.query(`DROP TABLE IF EXISTS ${table}`);
    }
    await q.query(`ALTER TABLE loan_applications DROP CONSTRAINT IF EXISTS loan_applications_decision_fk`);
    for (const table of [
      'decisions',
      'decision_inputs',
      'loan_applications',
      'webhook_events',
      'data_quality_findings',
      'balance_snapshots',
      'transaction_revisions',
      'bank_transactions',
      'ingestion_runs',
      'sync_runs',
      'bank_accounts',
      'connect_sessions',
      'borrowers',
      'api_keys',
    ]) {
      await q.query(`DROP TABLE IF EXISTS ${table}`);
    }
    await q.query(`DROP FUNCTION IF EXISTS forbid_mutation()`);
  }
}
