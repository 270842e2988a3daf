import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/database/data-source-options.js';
import { startEmbeddedPostgres } from '../../src/database/embedded-postgres.js';

export const TEMPLATE_DB = 'engine_test_template';

/**
 * Starts ONE embedded Postgres for the whole jest run (or uses TEST_DATABASE_URL), runs every migration once
 * into a template database, and publishes its URL; each test file clones it (test/support/database.ts).
 */
export default async function globalSetup(): Promise<void> {
  let adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) {
    const dataDir = path.resolve('.test-data', `pg-${process.pid}`);
    fs.rmSync(dataDir, { recursive: true, force: true });
    const port = 55000 + (process.pid % 5000);
    const handle = await startEmbeddedPostgres({ dataDir, port, database: 'postgres' });
    adminUrl = handle.url;
    (globalThis as { __EMBEDDED_PG__?: unknown }).__EMBEDDED_PG__ = { handle, dataDir };
  }
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${TEMPLATE_DB}`);
  await admin.query(`CREATE DATABASE ${TEMPLATE_DB}`);
  await admin.end();
  const templateUrl = withDatabase(adminUrl, TEMPLATE_DB);
  const ds = new DataSource(dataSourceOptions(templateUrl, { poolSize: 1 }));
  await ds.initialize();
  await ds.runMigrations();
  await ds.destroy();
  process.env.TEST_ADMIN_DATABASE_URL = adminUrl;
  process.env.TEST_TEMPLATE_DATABASE = TEMPLATE_DB;
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}
