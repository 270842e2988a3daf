import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { Policy } from '../scoring/engine/policy.js';
import { DEFAULT_POLICY, loadPolicyFile } from '../scoring/policy/index.js';
import { InvalidConfigurationError, validateEnvironment, type EnvironmentVariables } from './environment.js';

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
  /** LENDER_ID: the one lender this engine and its database serve. */
  readonly lenderId: string;
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
    /** Listen address of the built-in sandbox (MONO_SANDBOX_HOST, default 127.0.0.1). */
    sandboxHost: string;
    /** MONO_SANDBOX_ADMIN_KEY (null: generated into DATA_DIR at start unless sandboxAdminOpen). */
    sandboxAdminKey: string | null;
    /** MONO_SANDBOX_ADMIN_OPEN: the sandbox admin API without a key. */
    sandboxAdminOpen: boolean;
    syncStrategy: 'legacy' | 'realtime';
    syncMinIntervalSeconds: number;
    timeoutMs: number;
    maxRetries: number;
    /** First retry delay; doubles per attempt with full jitter (capped), unless Mono sends Retry-After. */
    retryBaseMs: number;
    /** Consecutive failures (network, timeout, 5xx) that open the per-host circuit breaker. */
    circuitThreshold: number;
    /** How long the circuit stays open before a half-open trial call. */
    circuitHalfOpenMs: number;
    /** Drain transactions page by page (true) or ask for `paginate=false` (one response). */
    paginate: boolean;
    /** `limit` sent when paginating; 0 leaves Mono's default page size. */
    pageLimit: number;
    /** Guard against endless pagination (a `page` that never ends). */
    maxPages: number;
    /** An in-flight sync run older than this is marked timed_out so it no longer blocks the account. */
    syncRunTimeoutSeconds: number;
    /**
     * Mono's billed v2 income product as a cross-check of the engine's verified income (MONO_INCOME_CROSSCHECK, off by
     * default): asked once per account after an application's decision, under an `income_verification` consent.
     * `tolerancePct`: a difference above this share of the larger figure is explained on the analyst report.
     */
    incomeCrosscheck: { enabled: boolean; tolerancePct: number };
  };
  readonly webhooks: {
    maxAttempts: number;
    retryBaseMs: number;
    /** Inbox events processed at once by this process (each claimed on its own, so instances share the inbox). */
    concurrency: number;
    /** Lease on a claimed event, renewed while it is processed; after a crash the event is retried once it expires. */
    leaseMs: number;
  };
  readonly ingestion: { overlapDays: number; historyMonths: number };
  readonly applications: { syncDeadlineSeconds: number; stalePolicy: 'decide_stale' | 'refer' };
  readonly events: { url: string | undefined; secret: string | undefined };
  readonly consents: { monitoringMonths: number; expiringNoticeDays: number; lifecycleCron: string };
  /** Retention of personal data after the last need ended (docs/privacy.md "Retention"). */
  readonly retention: { periodDays: number; cron: string; batchSize: number };
  readonly jobs: {
    enabled: boolean;
    reunderwriteCron: string;
    reviewMaxAgeDays: number;
    syncBudget: number;
    reviewConcurrency: number;
    backtestWorkers: number;
  };
  /**
   * Whether this process works the queues (applications, webhook inbox, outbox): right after it stores work itself
   * (the kick) and, with JOBS_ENABLED, on a poll. false = API-only instance (no kicks, no pollers for those queues);
   * worker instances on the same database pick the work up.
   */
  readonly workers: { enabled: boolean };
  readonly security: { piiKeys: Array<{ id: string; key: Buffer }>; rateLimitPerMinute: number; unauthPerMinute: number; unauthGlobalPerMinute: number };
  /** The underwriting policy every new decision uses (POLICY_FILE, else the shipped default), validated. */
  readonly policy: Policy;
  readonly policyFile: string | undefined;

  constructor(env: EnvironmentVariables) {
    this.nodeEnv = env.NODE_ENV ?? 'development';
    this.port = env.PORT;
    this.logLevel = env.LOG_LEVEL;
    this.publicBaseUrl = (env.PUBLIC_BASE_URL ?? `http://localhost:${env.PORT}`).replace(/\/$/, '');
    this.lenderId = env.LENDER_ID;
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
      sandboxHost: env.MONO_SANDBOX_HOST,
      sandboxAdminKey: env.MONO_SANDBOX_ADMIN_KEY ?? null,
      sandboxAdminOpen: env.MONO_SANDBOX_ADMIN_OPEN,
      syncStrategy: env.MONO_SYNC_STRATEGY,
      syncMinIntervalSeconds: env.SYNC_MIN_INTERVAL_SECONDS,
      timeoutMs: env.MONO_TIMEOUT_MS,
      maxRetries: env.MONO_MAX_RETRIES,
      retryBaseMs: env.MONO_RETRY_BASE_MS,
      circuitThreshold: env.MONO_CIRCUIT_THRESHOLD,
      circuitHalfOpenMs: env.MONO_CIRCUIT_HALF_OPEN_MS,
      paginate: env.MONO_PAGINATE,
      pageLimit: env.MONO_PAGE_LIMIT,
      maxPages: env.MONO_MAX_PAGES,
      syncRunTimeoutSeconds: env.MONO_SYNC_RUN_TIMEOUT_SECONDS,
      incomeCrosscheck: { enabled: env.MONO_INCOME_CROSSCHECK, tolerancePct: env.MONO_INCOME_CROSSCHECK_TOLERANCE_PCT },
    };
    this.webhooks = {
      maxAttempts: env.WEBHOOK_MAX_ATTEMPTS,
      retryBaseMs: env.WEBHOOK_RETRY_BASE_MS,
      concurrency: env.WEBHOOK_INBOX_CONCURRENCY,
      leaseMs: env.WEBHOOK_LEASE_SECONDS * 1000,
    };
    this.ingestion = { overlapDays: env.INGESTION_OVERLAP_DAYS, historyMonths: env.INGESTION_HISTORY_MONTHS };
    this.applications = { syncDeadlineSeconds: env.APPLICATION_SYNC_DEADLINE_SECONDS, stalePolicy: env.APPLICATION_STALE_POLICY };
    this.events = { url: env.EVENTS_WEBHOOK_URL, secret: env.EVENTS_WEBHOOK_SECRET };
    this.consents = {
      monitoringMonths: env.CONSENT_MONITORING_MONTHS,
      expiringNoticeDays: env.CONSENT_EXPIRING_NOTICE_DAYS,
      lifecycleCron: env.CONSENT_LIFECYCLE_CRON,
    };
    this.retention = { periodDays: env.RETENTION_PERIOD_DAYS, cron: env.RETENTION_CRON, batchSize: env.RETENTION_BATCH_SIZE };
    this.jobs = {
      enabled: env.JOBS_ENABLED,
      reunderwriteCron: env.REUNDERWRITE_CRON,
      reviewMaxAgeDays: env.REVIEW_MAX_AGE_DAYS,
      syncBudget: env.REUNDERWRITE_SYNC_BUDGET,
      reviewConcurrency: env.REUNDERWRITE_CONCURRENCY,
      backtestWorkers: env.BACKTEST_WORKERS,
    };
    this.workers = { enabled: env.WORKERS_ENABLED };
    this.policyFile = env.POLICY_FILE ? path.resolve(env.POLICY_FILE) : undefined;
    try {
      this.policy = this.policyFile ? loadPolicyFile(this.policyFile) : DEFAULT_POLICY;
    } catch (err) {
      throw new InvalidConfigurationError(`  POLICY_FILE (${JSON.stringify(env.POLICY_FILE)}): ${err instanceof Error ? err.message : String(err)}`);
    }
    this.security = {
      piiKeys: parsePiiKeys(env.PII_ENCRYPTION_KEYS),
      rateLimitPerMinute: env.RATE_LIMIT_PER_MINUTE,
      unauthPerMinute: env.UNAUTH_RATE_LIMIT_PER_MINUTE,
      unauthGlobalPerMinute: env.UNAUTH_GLOBAL_RATE_LIMIT_PER_MINUTE,
    };
  }

  /** Reads and validates process.env (or the given record). Throws InvalidConfigurationError naming each bad variable. */
  /**
   * The same configuration with the Mono client pointed at `url`: the built-in sandbox's bound address when it was
   * asked for any free port (MONO_SANDBOX_PORT=0), which the default base URL cannot know in advance.
   */
  withMonoBaseUrl(url: string): AppConfig {
    return Object.assign(Object.create(AppConfig.prototype) as AppConfig, this, { mono: { ...this.mono, baseUrl: url.replace(/\/$/, '') } });
  }

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
