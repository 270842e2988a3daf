import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { validateEnvironment, type EnvironmentVariables } from './environment.js';

export type Role = 'frontend' | 'analyst' | 'admin';
export const ROLES: readonly Role[] = ['frontend', 'analyst', 'admin'];

/** Default webhook secret shared by the engine and the built-in Mono sandbox when none is configured. */
export const SANDBOX_SECRET_KEY = 'test_sk_sandbox_local_engine';
export const SANDBOX_WEBHOOK_SECRET = 'sandbox-webhook-secret-local';

/** The typed, validated configuration every module receives (token: `AppConfig`). */
export class AppConfig {
  readonly nodeEnv: 'development' | 'production' | 'test';
  readonly port: number;
  readonly logLevel: string;
  readonly publicBaseUrl: string;
  readonly corsOrigins: string[];
  readonly database: {
    /** Set when DATABASE_URL is given; otherwise the embedded Postgres is used. */
    url: string | undefined;
    dataDir: string;
    embeddedPort: number;
  };
  readonly seedApiKeys: Array<{ role: Role; key: string }>;
  readonly mono: {
    /** True when no MONO_SECRET_KEY is configured: the built-in sandbox serves as Mono. */
    useSandbox: boolean;
    secretKey: string;
    baseUrl: string;
    webhookSecret: string;
    sandboxPort: number;
    syncStrategy: 'legacy' | 'realtime';
    syncMinIntervalSeconds: number;
    timeoutMs: number;
    maxRetries: number;
  };
  readonly ingestion: { overlapDays: number; historyMonths: number };
  readonly applications: { syncDeadlineSeconds: number; stalePolicy: 'decide_stale' | 'refer' };
  readonly events: { url: string | undefined; secret: string | undefined };
  readonly jobs: { enabled: boolean; reunderwriteCron: string; reviewMaxAgeDays: number; syncBudget: number };
  readonly security: { piiKeys: Array<{ id: string; key: Buffer }> };

  constructor(env: EnvironmentVariables) {
    this.nodeEnv = env.NODE_ENV ?? 'development';
    this.port = env.PORT;
    this.logLevel = env.LOG_LEVEL;
    this.publicBaseUrl = (env.PUBLIC_BASE_URL ?? `http://localhost:${env.PORT}`).replace(/\/$/, '');
    this.corsOrigins = (env.CORS_ORIGINS ?? '').split(',').map((s) => s.trim()).filter(Boolean);
    this.database = { url: env.DATABASE_URL, dataDir: path.resolve(env.DATA_DIR), embeddedPort: env.EMBEDDED_PG_PORT };
    this.seedApiKeys = (env.API_KEYS ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)
      .map((pair) => {
        const idx = pair.indexOf(':');
        return { role: pair.slice(0, idx) as Role, key: pair.slice(idx + 1) };
      });
    const useSandbox = !env.MONO_SECRET_KEY;
    this.mono = {
      useSandbox,
      secretKey: env.MONO_SECRET_KEY ?? SANDBOX_SECRET_KEY,
      baseUrl: (env.MONO_BASE_URL ?? (useSandbox ? `http://127.0.0.1:${env.MONO_SANDBOX_PORT}` : 'https://api.withmono.com')).replace(/\/$/, ''),
      webhookSecret: env.MONO_WEBHOOK_SECRET ?? (useSandbox ? SANDBOX_WEBHOOK_SECRET : ''),
      sandboxPort: env.MONO_SANDBOX_PORT,
      syncStrategy: env.MONO_SYNC_STRATEGY,
      syncMinIntervalSeconds: env.SYNC_MIN_INTERVAL_SECONDS,
      timeoutMs: env.MONO_TIMEOUT_MS,
      maxRetries: env.MONO_MAX_RETRIES,
    };
    this.ingestion = { overlapDays: env.INGESTION_OVERLAP_DAYS, historyMonths: env.INGESTION_HISTORY_MONTHS };
    this.applications = { syncDeadlineSeconds: env.APPLICATION_SYNC_DEADLINE_SECONDS, stalePolicy: env.APPLICATION_STALE_POLICY };
    this.events = { url: env.EVENTS_WEBHOOK_URL, secret: env.EVENTS_WEBHOOK_SECRET };
    this.jobs = {
      enabled: env.JOBS_ENABLED,
      reunderwriteCron: env.REUNDERWRITE_CRON,
      reviewMaxAgeDays: env.REVIEW_MAX_AGE_DAYS,
      syncBudget: env.REUNDERWRITE_SYNC_BUDGET,
    };
    this.security = { piiKeys: parsePiiKeys(env.PII_ENCRYPTION_KEYS) };
  }

  /** Reads and validates process.env (or the given record). Throws InvalidConfigurationError naming each bad variable. */
  static fromEnvironment(raw: Record<string, string | undefined> = process.env): AppConfig {
    return new AppConfig(validateEnvironment(raw));
  }

  /** A config for tests and scripts: defaults overlaid with the given variables, ignoring process.env. */
  static forTest(overrides: Record<string, string | undefined> = {}): AppConfig {
    return new AppConfig(validateEnvironment({ NODE_ENV: 'test', JOBS_ENABLED: 'false', ...overrides }));
  }
}

function parsePiiKeys(raw: string | undefined): Array<{ id: string; key: Buffer }> {
  if (!raw) {
    // No key configured: PII encryption at rest is off (see docs/security.md); the security module decides.
    return [];
  }
  return raw.split(',').map((entry, i) => {
    const [maybeId, maybeKey] = entry.includes(':') ? entry.split(':') : [`k${i}`, entry];
    const key = Buffer.from(maybeKey ?? '', 'base64');
    if (key.length !== 32) throw new Error(`PII_ENCRYPTION_KEYS entry ${i + 1} is not a base64 32-byte key`);
    return { id: maybeId ?? `k${i}`, key };
  });
}

export function generateKey(): string {
  return randomBytes(24).toString('base64url');
}
