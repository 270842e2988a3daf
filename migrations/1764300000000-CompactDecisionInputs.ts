import { gunzipSync } from 'node:zlib';
import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Decision inputs (the exact engine input behind a decision, ~200 kB of JSON for 500 transactions) are stored
 * gzip-compressed as bytea (`payload_gzip`, ~15 kB) instead of jsonb: Postgres no longer parses, re-encodes and
 * TOAST-compresses hundreds of kB per decision. Rows written before keep their jsonb `payload`; exactly one of the two
 * is set. `payload_gzip` is already compressed, so it is stored EXTERNAL (out of line, no second compression attempt).
 *
 * down() decompresses every gzip row back into jsonb (in batches, in Node) before dropping the column.
 */
export class CompactDecisionInputs1764300000000 implements MigrationInterface {
  name = 'CompactDecisionInputs1764300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE decision_inputs ADD COLUMN payload_gzip bytea`);
    await q.query(`ALTER TABLE decision_inputs ALTER COLUMN payload_gzip SET STORAGE EXTERNAL`);
    await q.query(`ALTER TABLE decision_inputs ALTER COLUMN payload DROP NOT NULL`);
    await q.query(
      `ALTER TABLE decision_inputs ADD CONSTRAINT decision_inputs_one_payload CHECK ((payload IS NULL) <> (payload_gzip IS NULL))`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    for (;;) {
      const rows = (await q.query(
        `SELECT inputs_hash, payload_gzip FROM decision_inputs WHERE payload_gzip IS NOT NULL ORDER BY inputs_hash LIMIT 200`,
      )) as Array<{ inputs_hash: string; payload_gzip: Buffer }>;
      if (rows.length === 0) break;
      for (const r of rows) {
        await q.query(`UPDATE decision_inputs SET payload = $2::jsonb, payload_gzip = NULL WHERE inputs_hash = $1`, [
          r.inputs_hash,
          gunzipSync(r.payload_gzip).toString('utf8'),
        ]);
      }
    }
    await q.query(`ALTER TABLE decision_inputs DROP CONSTRAINT IF EXISTS decision_inputs_one_payload`);
    await q.query(`ALTER TABLE decision_inputs DROP COLUMN IF EXISTS payload_gzip`);
    await q.query(`ALTER TABLE decision_inputs ALTER COLUMN payload SET NOT NULL`);
  }
}
