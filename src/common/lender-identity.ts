import type { DataSource } from 'typeorm';
import { InvalidConfigurationError } from '../config/environment.js';

/**
 * Tenancy, enforced: one engine and one database serve one lender (docs/security.md, "Tenancy"). The first start
 * records LENDER_ID in `engine_identity`; a start with another LENDER_ID on the same database stops before any
 * worker or route runs (InvalidConfigurationError → exit 78), so two lenders' borrowers can never share tables,
 * keys, reports or decisions. Called by the DataSource factory (src/app.module.ts) right after the migrations.
 */
export async function assertLender(dataSource: DataSource, lenderId: string): Promise<void> {
  await dataSource.query(`INSERT INTO engine_identity (lender_id) VALUES ($1) ON CONFLICT (singleton) DO NOTHING`, [lenderId]);
  const [row] = await dataSource.query<Array<{ lender_id: string }>>(`SELECT lender_id FROM engine_identity`);
  if (row.lender_id !== lenderId) {
    throw new InvalidConfigurationError(
      `This database belongs to lender "${row.lender_id}", but LENDER_ID is "${lenderId}". One engine and one database serve one lender: ` +
        `point DATABASE_URL (or DATA_DIR) at ${lenderId}'s own database, or set LENDER_ID=${row.lender_id}.`,
    );
  }
}
