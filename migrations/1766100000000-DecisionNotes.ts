import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Analyst notes (docs/reports.md, "Analyst notes"): a free-text memo per decision, versioned — every save is a new
 * row (version 1, 2, …), nothing is updated in place — and audited (`decision.note_saved`). Erasure scrubs the text
 * (it may name people) and keeps the versions, authors and times.
 */
export class DecisionNotes1766100000000 implements MigrationInterface {
  name = 'DecisionNotes1766100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE decision_notes (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        decision_id uuid NOT NULL REFERENCES decisions(id) ON DELETE CASCADE,
        borrower_id uuid NOT NULL REFERENCES borrowers(id) ON DELETE CASCADE,
        version integer NOT NULL CHECK (version >= 1),
        body text NOT NULL CHECK (char_length(body) <= 4000),
        author varchar(200) NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (decision_id, version)
      )`);
    await q.query(`CREATE INDEX decision_notes_borrower ON decision_notes (borrower_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS decision_notes`);
  }
}
