/**
 * Tenancy, enforced: one engine and one database per lender. The first start records LENDER_ID; a start with
 * another LENDER_ID on the same database fails with a configuration error (main.ts: exit 78) before any route or
 * job runs; the same lender starts again.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { createEngineApp } from '../../src/bootstrap.js';
import { AppConfig } from '../../src/config/app-config.js';
import { InvalidConfigurationError } from '../../src/config/environment.js';
import { createTestDatabase } from '../support/database.js';

describe('tenancy: one lender per engine and database', () => {
  const dbs: Array<{ drop(): Promise<void> }> = [];
  afterAll(async () => {
    for (const db of dbs) await db.drop();
  });

  it("should record the lender at the first start and refuse another lender's LENDER_ID on the same database", async () => {
    const db = await createTestDatabase();
    dbs.push(db);
    const start = (lender: string) =>
      createEngineApp({ config: AppConfig.forTest({ LOG_LEVEL: 'silent', LENDER_ID: lender }), databaseUrl: db.url, bufferLogs: true });

    const first = await start('acme-credit');
    await first.init();
    await first.close();

    const other = start('other-bank');
    await expect(other).rejects.toBeInstanceOf(InvalidConfigurationError);
    await expect(other).rejects.toThrow('This database belongs to lender "acme-credit", but LENDER_ID is "other-bank"');
    // Nothing of the other lender was started: no job schema work, the identity unchanged.
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    const { rows } = await client.query<{ lender_id: string }>('SELECT lender_id FROM engine_identity');
    await client.end();
    expect(rows).toEqual([{ lender_id: 'acme-credit' }]);

    const again = await start('acme-credit');
    await again.init();
    await again.close();
  });

  it('should refuse a malformed LENDER_ID at configuration time', () => {
    expect(() => AppConfig.forTest({ LENDER_ID: 'Acme Credit!' })).toThrow(/LENDER_ID must be 1–64 lowercase letters/);
  });
});
