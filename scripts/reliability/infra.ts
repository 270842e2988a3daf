/**
 * What the reliability scripts run against, all on loopback and all removed on exit: an embedded Postgres in a
 * temporary directory (migrated template database, one fresh database per run) and the Mono sandbox in-process.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/database/data-source-options.js';
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from '../../src/database/embedded-postgres.js';
import { startSandbox, type SandboxOptions } from '../../src/sandbox/sandbox-server.js';
import { freePort, stopAllEngines } from './engine-process.js';

export const SANDBOX_SECRET_KEY = 'test_sk_reliability_0123456789';
export const SANDBOX_WEBHOOK_SECRET = 'reliability-webhook-secret-0123';

export type Sandbox = Awaited<ReturnType<typeof startSandbox>>;

export interface Infra {
  adminUrl: string;
  /** A fresh, migrated database (cloned from the template). */
  createDatabase(name: string): Promise<string>;
  startSandbox(overrides?: Partial<SandboxOptions>): Promise<Sandbox>;
  /** Engine environment pointing at a sandbox (keys, fast retries), plus `extra`. */
  monoEnv(sandbox: { url: string }, extra?: Record<string, string>): Record<string, string>;
  close(): Promise<void>;
}

const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };

export async function startInfra(name: string, log: (line: string) => void = () => undefined): Promise<Infra> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `engine-${name}-`));
  // Postgres runs as its own user when we are root; it must be able to enter the directory.
  fs.chmodSync(dir, 0o755);
  const sandboxes: Sandbox[] = [];
  // One PII key for every process of the run (engines and drain workers must decrypt what the others wrote).
  const piiKeys = `run:${randomBytes(32).toString('base64')}`;
  let pgHandle: EmbeddedPostgresHandle | null = null;
  const close = async (): Promise<void> => {
    await stopAllEngines();
    for (const s of sandboxes.splice(0)) await s.close().catch(() => undefined);
    await pgHandle?.stop().catch(() => undefined);
    pgHandle = null;
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    const port = await freePort();
    log(`starting embedded Postgres in ${dir} on 127.0.0.1:${port}`);
    pgHandle = await startEmbeddedPostgres({ dataDir: dir, port, database: 'postgres' });
    const adminUrl = pgHandle.url;
    const withDb = (db: string): string => {
      const u = new URL(adminUrl);
      u.pathname = `/${db}`;
      return u.toString();
    };
    const admin = async (sql: string): Promise<void> => {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      try {
        await c.query(sql);
      } finally {
        await c.end();
      }
    };
    await admin('CREATE DATABASE engine_template');
    const ds = new DataSource(dataSourceOptions(withDb('engine_template'), { poolSize: 1 }));
    await ds.initialize();
    await ds.runMigrations();
    await ds.destroy();
    return {
      adminUrl,
      createDatabase: async (db: string) => {
        if (!/^[a-z_][a-z0-9_]*$/.test(db)) throw new Error(`bad database name ${db}`);
        await admin(`CREATE DATABASE ${db} TEMPLATE engine_template`);
        return withDb(db);
      },
      startSandbox: async (overrides = {}) => {
        const s = await startSandbox({
          port: 0,
          host: '127.0.0.1',
          secretKey: SANDBOX_SECRET_KEY,
          webhookSecret: SANDBOX_WEBHOOK_SECRET,
          syncMinIntervalMs: 0,
          realtimeWindowMs: 0,
          webhookDelayMs: [0, 40],
          jobDurationMs: 50,
          linkProcessingMs: [10, 60],
          webhookRetry: { baseMs: 50, maxMs: 1_000, maxAttempts: 40 },
          logger: silent,
          ...overrides,
        });
        sandboxes.push(s);
        return s;
      },
      monoEnv: (sandbox, extra = {}) => ({
        MONO_BASE_URL: sandbox.url,
        MONO_SECRET_KEY: SANDBOX_SECRET_KEY,
        MONO_WEBHOOK_SECRET: SANDBOX_WEBHOOK_SECRET,
        MONO_RETRY_BASE_MS: '5',
        MONO_TIMEOUT_MS: '10000',
        MONO_MAX_RETRIES: '4',
        MONO_CIRCUIT_HALF_OPEN_MS: '50',
        SYNC_MIN_INTERVAL_SECONDS: '0',
        WEBHOOK_RETRY_BASE_MS: '20',
        LOG_LEVEL: 'error',
        PII_ENCRYPTION_KEYS: piiKeys,
        // Nothing a process of the run writes (keys, state) lands in the repository's DATA_DIR.
        DATA_DIR: path.join(dir, 'data'),
        ...extra,
      }),
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}

/** Runs `main` with cleanup on success, failure, Ctrl-C and SIGTERM; exits with its code. */
export function runScript(main: (onCleanup: (fn: () => Promise<void>) => void) => Promise<number>): void {
  const cleanups: Array<() => Promise<void>> = [];
  let cleaning: Promise<void> | null = null;
  const cleanup = (): Promise<void> =>
    (cleaning ??= (async () => {
      for (const fn of cleanups.reverse()) await fn().catch(() => undefined);
      await stopAllEngines();
    })());
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      process.stderr.write(`\n${sig}: cleaning up\n`);
      void cleanup().finally(() => process.exit(130));
    });
  }
  main((fn) => cleanups.push(fn))
    .then(
      async (code) => {
        await cleanup();
        process.exit(code);
      },
      async (err: unknown) => {
        process.stderr.write(`failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
        await cleanup();
        process.exit(1);
      },
    )
    .catch(() => process.exit(1));
}
