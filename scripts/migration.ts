import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { AppConfig } from '../src/config/app-config.js';
import { dataSourceOptions } from '../src/database/data-source-options.js';
import { startEmbeddedPostgres } from '../src/database/embedded-postgres.js';

/** `npm run migration:run` / `npm run migration:revert` against DATABASE_URL or the embedded Postgres in DATA_DIR. */
async function main(): Promise<void> {
  const command = process.argv[2];
  if (command !== 'run' && command !== 'revert' && command !== 'show') {
    process.stderr.write('usage: migration.ts run|revert|show\n');
    process.exit(2);
  }
  const config = AppConfig.fromEnvironment();
  const embedded = config.database.url ? null : await startEmbeddedPostgres({ dataDir: config.database.dataDir, port: config.database.embeddedPort, attach: true });
  const ds = new DataSource(dataSourceOptions(config.database.url ?? embedded!.url, { poolSize: 1, applicationName: 'migrations' }));
  try {
    await ds.initialize();
    if (command === 'run') {
      const applied = await ds.runMigrations();
      process.stdout.write(applied.length ? applied.map((m) => `applied ${m.name}\n`).join('') : 'database is up to date\n');
    } else if (command === 'revert') {
      await ds.undoLastMigration();
      process.stdout.write('reverted the last migration\n');
    } else {
      const pending = await ds.showMigrations();
      process.stdout.write(pending ? 'there are pending migrations\n' : 'database is up to date\n');
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
