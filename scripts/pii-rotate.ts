import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { AppConfig } from '../src/config/app-config.js';
import { dataSourceOptions } from '../src/database/data-source-options.js';
import { startEmbeddedPostgres } from '../src/database/embedded-postgres.js';
import { decryptPii, encryptPii, isEncrypted, piiKeyIds } from '../src/security/pii-cipher.js';
import { initialisePiiKeys } from '../src/security/pii-keys.js';

/**
 * Re-encrypts every PII value with the newest key (the first of PII_ENCRYPTION_KEYS). Run after adding a new
 * key in front; afterwards the old key can be removed. Idempotent; commits in batches of 500 rows.
 */
const COLUMNS: Array<{ table: string; column: string }> = [
  { table: 'borrowers', column: 'bvn' },
  { table: 'borrowers', column: 'phone' },
  { table: 'bank_accounts', column: 'account_number' },
];

async function main(): Promise<void> {
  const config = AppConfig.fromEnvironment();
  initialisePiiKeys(config);
  const newest = piiKeyIds()[0];
  const embedded = config.database.url ? null : await startEmbeddedPostgres({ dataDir: config.database.dataDir, port: config.database.embeddedPort, attach: true });
  const ds = new DataSource(dataSourceOptions(config.database.url ?? embedded!.url, { poolSize: 1, applicationName: 'pii-rotate' }));
  try {
    await ds.initialize();
    for (const { table, column } of COLUMNS) {
      let rotated = 0;
      for (;;) {
        const rows = await ds.query<Array<{ id: string; value: string }>>(
          `SELECT id, ${column} AS value FROM ${table}
            WHERE ${column} IS NOT NULL AND ${column} NOT LIKE $1 ORDER BY id LIMIT 500`,
          [`enc:v1:${newest}:%`],
        );
        if (rows.length === 0) break;
        await ds.transaction(async (m) => {
          for (const row of rows) {
            const plain = isEncrypted(row.value) ? decryptPii(row.value) : row.value;
            await m.query(`UPDATE ${table} SET ${column} = $1 WHERE id = $2`, [encryptPii(plain), row.id]);
          }
        });
        rotated += rows.length;
      }
      process.stdout.write(`${table}.${column}: re-encrypted ${rotated} value(s) with key ${newest}\n`);
    }
  } finally {
    await ds.destroy().catch(() => undefined);
    await embedded?.stop();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
