import 'reflect-metadata';
import { plainToInstance, Transform } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  Min,
  MinLength,
  validateSync,
  type ValidationError,
} from 'class-validator';

const toInt = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value.trim()) : value;
const toBool = ({ value }: { value: unknown }): unknown => {
  if (typeof value !== 'string') return value;
  const v = value.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  if (['0', 'false', 'no', 'off'].includes(v)) return false;
  return value;
};
const emptyToUndefined = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && value.trim() === '' ? undefined : value;

/**
 * Every environment variable the engine reads, validated at boot. This is the only place (with
 * `app-config.ts`) that touches `process.env`. Documented in `.env.example` and the README.
 */
export class EnvironmentVariables {
  @IsOptional() @IsIn(['development', 'production', 'test'])
  NODE_ENV?: 'development' | 'production' | 'test';

  @Transform(toInt) @IsInt() @Min(0) @Max(65535)
  PORT: number = 3000;

  @Transform(emptyToUndefined) @IsOptional() @IsString() @Matches(/^postgres(ql)?:\/\//, { message: 'DATABASE_URL must be a postgres:// URL' })
  DATABASE_URL?: string;

  @IsString() @MinLength(1)
  DATA_DIR: string = './.data';

  @Transform(toInt) @IsInt() @Min(1024) @Max(65535)
  EMBEDDED_PG_PORT: number = 54320;

  @Transform(emptyToUndefined) @IsOptional() @IsString()
  @Matches(/^(\s*(frontend|analyst|admin):[A-Za-z0-9._~-]{16,}\s*)(,\s*(frontend|analyst|admin):[A-Za-z0-9._~-]{16,}\s*)*$/, {
    message: 'API_KEYS must be a comma-separated list of role:key with role frontend|analyst|admin and keys of at least 16 URL-safe characters',
  })
  API_KEYS?: string;

  @Transform(emptyToUndefined) @IsOptional() @IsString() @MinLength(8)
  MONO_SECRET_KEY?: string;

  @Transform(emptyToUndefined) @IsOptional() @IsUrl({ require_tld: false, require_protocol: true })
  MONO_BASE_URL?: string;

  @Transform(emptyToUndefined) @IsOptional() @IsString() @MinLength(8)
  MONO_WEBHOOK_SECRET?: string;

  @Transform(toInt) @IsInt() @Min(0) @Max(65535)
  MONO_SANDBOX_PORT: number = 3100;

  /** Address the built-in sandbox listens on: loopback unless opened explicitly (docker-compose sets 0.0.0.0). */
  @IsString() @Matches(/^[0-9a-fA-F.:]+$/, { message: 'MONO_SANDBOX_HOST must be an IP address' })
  MONO_SANDBOX_HOST: string = '127.0.0.1';

  /**
   * Key of the built-in sandbox's admin API (`/sandbox/*`, header `x-sandbox-admin-key`). Unset: one is generated
   * into DATA_DIR/sandbox-admin-key.json and printed at start. At least 16 URL-safe characters.
   */
  @Transform(emptyToUndefined) @IsOptional() @IsString() @Matches(/^[A-Za-z0-9_-]{16,}$/, { message: 'MONO_SANDBOX_ADMIN_KEY must be at least 16 URL-safe characters' })
  MONO_SANDBOX_ADMIN_KEY?: string;

  /** Open the built-in sandbox's admin API without a key (explicit opt-in, e.g. a throwaway demo box). */
  @Transform(toBool) @IsBoolean()
  MONO_SANDBOX_ADMIN_OPEN: boolean = false;

  @IsIn(['legacy', 'realtime'])
  MONO_SYNC_STRATEGY: 'legacy' | 'realtime' = 'legacy';

  @Transform(toInt) @IsInt() @Min(0) @Max(86400)
  SYNC_MIN_INTERVAL_SECONDS: number = 120;

  @Transform(toBool) @IsBoolean()
  JOBS_ENABLED: boolean = true;

  /** false = an API-only instance: it stores and answers, worker instances on the same database do the work. */
  @Transform(toBool) @IsBoolean()
  WORKERS_ENABLED: boolean = true;

  @Transform(emptyToUndefined) @IsOptional() @IsUrl({ require_tld: false, require_protocol: true })
  PUBLIC_BASE_URL?: string;

  /** The one lender this engine and its database serve (docs/security.md, "Tenancy"): checked against the database at start. */
  @IsString() @Matches(/^[a-z0-9][a-z0-9_-]{0,63}$/, { message: 'LENDER_ID must be 1–64 lowercase letters, digits, - or _ (starting with a letter or digit)' })
  LENDER_ID: string = 'default';

  @Transform(toInt) @IsInt() @Min(100) @Max(120000)
  MONO_TIMEOUT_MS: number = 15000;

  @Transform(toInt) @IsInt() @Min(0) @Max(10)
  MONO_MAX_RETRIES: number = 4;

  @Transform(toInt) @IsInt() @Min(1) @Max(60000)
  MONO_RETRY_BASE_MS: number = 250;

  @Transform(toInt) @IsInt() @Min(1) @Max(1000)
  MONO_CIRCUIT_THRESHOLD: number = 5;

  @Transform(toInt) @IsInt() @Min(10) @Max(600000)
  MONO_CIRCUIT_HALF_OPEN_MS: number = 30000;

  @Transform(toBool) @IsBoolean()
  MONO_PAGINATE: boolean = true;

  @Transform(toInt) @IsInt() @Min(0) @Max(10000)
  MONO_PAGE_LIMIT: number = 0;

  @Transform(toInt) @IsInt() @Min(1) @Max(100000)
  MONO_MAX_PAGES: number = 1000;

  @Transform(toInt) @IsInt() @Min(1) @Max(86400)
  MONO_SYNC_RUN_TIMEOUT_SECONDS: number = 900;

  /** Ask Mono's (billed) v2 income product for a cross-check after an application's decision (docs/mono.md). */
  @Transform(toBool) @IsBoolean()
  MONO_INCOME_CROSSCHECK: boolean = false;

  /** Difference (percent of the larger figure) above which the analyst report explains Mono's vs our income. */
  @Transform(toInt) @IsInt() @Min(1) @Max(100)
  MONO_INCOME_CROSSCHECK_TOLERANCE_PCT: number = 15;

  @Transform(toInt) @IsInt() @Min(1) @Max(1000)
  WEBHOOK_MAX_ATTEMPTS: number = 12;

  @Transform(toInt) @IsInt() @Min(1) @Max(3600000)
  WEBHOOK_RETRY_BASE_MS: number = 1000;

  @Transform(toInt) @IsInt() @Min(1) @Max(64)
  WEBHOOK_INBOX_CONCURRENCY: number = 4;

  @Transform(toInt) @IsInt() @Min(5) @Max(3600)
  WEBHOOK_LEASE_SECONDS: number = 30;

  @Transform(toInt) @IsInt() @Min(0) @Max(90)
  INGESTION_OVERLAP_DAYS: number = 7;

  @Transform(toInt) @IsInt() @Min(1) @Max(36)
  INGESTION_HISTORY_MONTHS: number = 12;

  @Transform(toInt) @IsInt() @Min(1) @Max(86400)
  APPLICATION_SYNC_DEADLINE_SECONDS: number = 300;

  @IsIn(['decide_stale', 'refer'])
  APPLICATION_STALE_POLICY: 'decide_stale' | 'refer' = 'decide_stale';

  /** Underwriting policy JSON to decide with (validated at start); unset = the shipped default policy. */
  @Transform(emptyToUndefined) @IsOptional() @IsString()
  POLICY_FILE?: string;

  @Transform(emptyToUndefined) @IsOptional() @IsUrl({ require_tld: false, require_protocol: true })
  EVENTS_WEBHOOK_URL?: string;

  @Transform(emptyToUndefined) @IsOptional() @IsString() @MinLength(16)
  EVENTS_WEBHOOK_SECRET?: string;

  @IsString() @MinLength(9)
  REUNDERWRITE_CRON: string = '0 2 * * *';

  @Transform(toInt) @IsInt() @Min(1) @Max(3650)
  REVIEW_MAX_AGE_DAYS: number = 30;

  @Transform(toInt) @IsInt() @Min(0) @Max(10000000)
  REUNDERWRITE_SYNC_BUDGET: number = 1000;

  /** Review steps (sync requests, scoring) each worker process runs at once. */
  @Transform(toInt) @IsInt() @Min(1) @Max(64)
  REUNDERWRITE_CONCURRENCY: number = 4;

  /** Worker threads a backtest job replays on (0: the job's own thread). docs/scoring.md "Backtest". */
  @Transform(toInt) @IsInt() @Min(0) @Max(16)
  BACKTEST_WORKERS: number = 1;

  /** Default lifetime of a monitoring consent granted without expiresAt (docs/privacy.md). */
  @Transform(toInt) @IsInt() @Min(1) @Max(60)
  CONSENT_MONITORING_MONTHS: number = 12;

  /** Days before a consent's expiry when `consent.expiring` is sent (docs/privacy.md). */
  @Transform(toInt) @IsInt() @Min(1) @Max(365)
  CONSENT_EXPIRING_NOTICE_DAYS: number = 14;

  /** pg-boss cron (Africa/Lagos) of the consent lifecycle sweep: expiring notices, expiries, unlink retries. */
  @IsString() @MinLength(9)
  CONSENT_LIFECYCLE_CRON: string = '*/15 * * * *';

  /**
   * Days personal bank data is kept after the last need for it ended (last consent revoked or expired, last loan
   * closed, last application decided), then purged by the retention job (docs/privacy.md "Retention").
   */
  @Transform(toInt) @IsInt() @Min(1) @Max(36500)
  RETENTION_PERIOD_DAYS: number = 1826;

  /** pg-boss cron (Africa/Lagos) of the retention purge. */
  @IsString() @MinLength(9)
  RETENTION_CRON: string = '30 3 * * *';

  /** Borrowers purged per retention job (each in its own transaction); a full batch enqueues the next at once. */
  @Transform(toInt) @IsInt() @Min(1) @Max(10000)
  RETENTION_BATCH_SIZE: number = 100;

  @Transform(emptyToUndefined) @IsOptional() @IsString() @Matches(/^([A-Za-z0-9_-]+:)?[A-Za-z0-9+/=]{43,44}(,([A-Za-z0-9_-]+:)?[A-Za-z0-9+/=]{43,44})*$/, {
    message: 'PII_ENCRYPTION_KEYS must be comma-separated [id:]base64 32-byte keys, newest first',
  })
  PII_ENCRYPTION_KEYS?: string;

  @Transform(emptyToUndefined) @IsOptional() @IsString()
  CORS_ORIGINS?: string;

  @Transform(toInt) @IsInt() @Min(1) @Max(10000000)
  RATE_LIMIT_PER_MINUTE: number = 6000;

  /** Failed authentications per client address per minute before 429 (checked before the key lookup). */
  @Transform(toInt) @IsInt() @Min(1) @Max(10000000)
  UNAUTH_RATE_LIMIT_PER_MINUTE: number = 60;

  /** Failed authentications per minute over all addresses before every unknown key gets 429. */
  @Transform(toInt) @IsInt() @Min(1) @Max(10000000)
  UNAUTH_GLOBAL_RATE_LIMIT_PER_MINUTE: number = 3000;

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL: string = 'info';
}

/** Formats class-validator errors as one line per variable, naming it. */
export function formatEnvErrors(errors: ValidationError[]): string {
  return errors
    .map((e) => {
      const shown = e.value === undefined ? 'unset' : JSON.stringify(e.value);
      return `  ${e.property} (${shown}): ${Object.values(e.constraints ?? {}).join('; ')}`;
    })
    .join('\n');
}

export class InvalidConfigurationError extends Error {
  constructor(readonly details: string) {
    super(`Invalid configuration:\n${details}`);
    this.name = 'InvalidConfigurationError';
  }
}

const OPTIONAL_VARIABLES = [
  'NODE_ENV',
  'DATABASE_URL',
  'API_KEYS',
  'MONO_SECRET_KEY',
  'MONO_BASE_URL',
  'MONO_WEBHOOK_SECRET',
  'MONO_SANDBOX_ADMIN_KEY',
  'PUBLIC_BASE_URL',
  'EVENTS_WEBHOOK_URL',
  'EVENTS_WEBHOOK_SECRET',
  'PII_ENCRYPTION_KEYS',
  'CORS_ORIGINS',
  'POLICY_FILE',
];

/** Validates a raw environment record (defaults to process.env) and returns typed variables. */
export function validateEnvironment(raw: Record<string, string | undefined>): EnvironmentVariables {
  const known = Object.keys(new EnvironmentVariables()).concat(OPTIONAL_VARIABLES);
  const picked: Record<string, string> = {};
  for (const key of new Set(known)) {
    const value = raw[key];
    if (value !== undefined) picked[key] = value;
  }
  const env = plainToInstance(EnvironmentVariables, picked, { exposeDefaultValues: true });
  const errors = validateSync(env, { skipMissingProperties: false, forbidUnknownValues: false });
  if (errors.length > 0) throw new InvalidConfigurationError(formatEnvErrors(errors));
  return env;
}
