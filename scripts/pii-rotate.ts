import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { AppConfig } from '../src/config/app-config.js';
import { dataSourceOptions } from '../src/database/data-source-options.js';
import { startEmbeddedPostgres } from '../src/database/embedded-postgres.js';
import { decryptPii, encryptPii, isEncrypted, piiKeyIds } from '../src/security/pii-cipher.js';
import { reprotectPayload } from '../src/mono/webhook-events.repository.js';
import { initialisePiiKeys } from '../src/security/pii-keys.js';

/**
 * Re-encrypts every PII value with the newest key (the first of PII_ENCRYPTION_KEYS). Run after adding a new
 * key in front; afterwards the old key can be removed. Idempotent; commits in batches of 500 rows.
 * The webhook inbox's stored bodies too: every string under a personal-data key (docs/security.md) that is in
 * plaintext (a row stored before inbox encryption) or under an older key is encrypted with the newest key.
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
  const embedded = config.database.url
    ? null
    : await startEmbeddedPostgres({ dataDir: config.database.dataDir, port: config.database.embeddedPort, attach: true });
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
    let after = '00000000-0000-0000-0000-000000000000';
    let payloads = 0;
    for (;;) {
      const rows = await ds.query<Array<{ id: string; payload: unknown }>>(
        `SELECT id, payload FROM webhook_events WHERE id > $1 ORDER BY id LIMIT 500`,
        [after],
      );
      if (rows.length === 0) break;
      await ds.transaction(async (m) => {
        for (const row of rows) {
          const next = reprotectPayload(row.payload, newest);
          if (!next.changed) continue;
          // Only if the row was not changed meanwhile (the inbox may have processed or pruned it).
          await m.query(`UPDATE webhook_events SET payload = $1::jsonb WHERE id = $2 AND payload = $3::jsonb`, [
            JSON.stringify(next.payload),
            row.id,
            JSON.stringify(row.payload),
          ]);
          payloads += 1;
        }
      });
      after = rows[rows.length - 1].id;
    }
    process.stdout.write(`webhook_events.payload: re-encrypted ${payloads} payload(s) with key ${newest}\n`);
  } finally {
    await ds.destroy().catch(() => undefined);
    await embedded?.stop();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
