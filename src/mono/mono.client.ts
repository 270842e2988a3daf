import { Injectable, Logger, Optional } from '@nestjs/common';
import {
  BrokenCircuitError,
  CircuitState,
  ConsecutiveBreaker,
  TimeoutStrategy,
  circuitBreaker,
  handleWhen,
  retry,
  timeout,
  type CircuitBreakerPolicy,
  type IBackoff,
  type IBackoffFactory,
  type IRetryBackoffContext,
  type RetryPolicy,
  type TimeoutPolicy,
} from 'cockatiel';
import { Registry, type Counter, type Gauge, type Histogram } from 'prom-client';
import { AppConfig } from '../config/app-config.js';
import {
  isObject,
  MonoDataError,
  parseMinorUnits,
  parseMonoAccountDetails,
  parseMonoTransactions,
  normaliseCurrency,
  type ParsedMonoAccount,
  type ParsedMonoTransaction,
} from './wire/mono-transaction.js';
import { parseMonoIncomeReport, type MonoIncomeReport } from './wire/mono-income.js';
import { getOrCreateCounter, getOrCreateGauge, getOrCreateHistogram } from '../metrics/metrics.js';
import { MonoError, type MonoErrorKind } from './mono-error.js';

export type MonoCustomer = { name: string; email: string } | { id: string };

/** A v2 real-time job as announced by the `x-job-id` / `x-job-status` response headers. */
export interface MonoJobHeaders {
  id: string | null;
  /** Lower-cased: processing | finished | failed (Mono writes both cases). */
  status: string | null;
  /** `x-has-new-data`: true / false once the job finished, null when absent (no Mono page says when it is omitted). */
  hasNewData: boolean | null;
}

export interface MonoAccountDetails extends ParsedMonoAccount {
  customerId?: string;
  ref?: string;
}

export interface MonoIdentity {
  fullName: string | null;
  email: string | null;
  phone: string | null;
  gender: string | null;
  dob: string | null;
  bvn: string | null;
  addressLine1: string | null;
  maritalStatus: string | null;
}

export interface LegacySyncResult {
  /** successful | failed (lower-cased). */
  status: string;
  hasNewData: boolean;
  /** SYNC_SUCCESSFUL | REAUTHORISATION_REQUIRED | SYNC_ERROR | INCOMPLETE_STATEMENT_ERROR | … (upper-cased). */
  code: string;
  message: string | null;
}

export interface MonoJob {
  id: string;
  /** processing | finished | failed (lower-cased). */
  status: string;
  name: string | null;
}

/**
 * Which failures a call may be retried on.
 * - `safe`: reads (GET) — network, timeout, 5xx, 429, malformed body. Also `initiate` (a second hosted link for the
 *   same `meta.ref` is harmless) and the code exchange (if a lost answer had consumed the single-use code, the retry
 *   gets 400 "already used" — the same failure we would report without retrying; the account_connected webhook
 *   still arrives).
 * - `unsent_or_429`: POSTs with effects — only when the request never left (connection refused / DNS) or Mono answered
 *   429 (it refused to process it): legacy reauthorise (mints a token), unlink.
 * - `unsent`: POST /accounts/{id}/sync — Mono allows one per 2 minutes, so a 429 or a 5xx is reported to the caller
 *   (the sync run records a retryable failure) rather than hammered.
 */
type RetryMode = 'safe' | 'unsent_or_429' | 'unsent';

interface RequestSpec {
  method: 'GET' | 'POST';
  /** Template used in logs and metric labels: `GET /v2/accounts/{id}`. */
  endpoint: string;
  path: string;
  accountId?: string;
  query?: Record<string, string>;
  body?: unknown;
  headers?: Record<string, string>;
  retry: RetryMode;
  /** Return non-2xx responses whose body has these fields instead of throwing (legacy sync codes). */
  acceptErrorBodyWith?: string;
  /**
   * A circuit breaker of its own instead of the host's: an optional product (the income cross-check) must not open
   * the circuit that syncs and code exchanges go through.
   */
  breakerKey?: string;
}

interface RawResponse {
  status: number;
  headers: Headers;
  body: unknown;
}

const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT', 'EHOSTUNREACH', 'ENETUNREACH']);
const MAX_RETRY_DELAY_MS = 30_000;

/** Exponential backoff with full jitter; a Retry-After from Mono takes precedence (capped). */
class MonoBackoff implements IBackoffFactory<IRetryBackoffContext<unknown>> {
  constructor(private readonly baseMs: number) {}

  next(context: IRetryBackoffContext<unknown>): IBackoff<IRetryBackoffContext<unknown>> {
    const error = 'error' in context.result ? context.result.error : undefined;
    const ceiling = Math.min(MAX_RETRY_DELAY_MS, this.baseMs * 2 ** Math.max(0, context.attempt - 1));
    const duration =
      error instanceof MonoError && error.retryAfterMs !== null ? Math.min(error.retryAfterMs, MAX_RETRY_DELAY_MS) : ceiling / 2 + Math.random() * (ceiling / 2);
    return { duration, next: (c) => this.next(c) };
  }
}

/** Masks an account id to its last 4 characters for logs. */
export function maskId(id: string | undefined): string | undefined {
  if (id === undefined) return undefined;
  return id.length <= 4 ? '****' : `…${id.slice(-4)}`;
}

/** `YYYY-MM-DD` → Mono's `DD-MM-YYYY` filter format. */
export function toMonoDate(isoDate: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(isoDate);
  if (!m) throw new RangeError(`expected a YYYY-MM-DD date, got "${isoDate}"`);
  return `${m[3]}-${m[2]}-${m[1]}`;
}

function str(value: unknown): string | null {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : null;
}

function pick(obj: Record<string, unknown>, ...keys: string[]): unknown {
  for (const k of keys) if (obj[k] !== undefined) return obj[k];
  return undefined;
}

/** The v2 envelope's `data`, or the bare body (legacy shapes, and the v2 exchange shown bare in Mono's guide). */
function unwrap(body: unknown): unknown {
  if (isObject(body) && 'data' in body && (typeof body.status === 'string' || 'message' in body || 'timestamp' in body)) return body.data;
  return body;
}

function hasStringField(body: unknown, field: string): boolean {
  if (!isObject(body)) return false;
  return typeof body[field] === 'string' || (isObject(body.data) && typeof body.data[field] === 'string');
}

function parseBool(value: unknown): boolean | null {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') {
    const v = value.trim().toLowerCase();
    if (v === 'true') return true;
    if (v === 'false') return false;
  }
  return null;
}

function parseRetryAfter(value: string | null, now: number): number | null {
  if (!value) return null;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

/**
 * Typed client for Mono's v2 API plus the legacy Data Sync paths. Resilience (cockatiel): a per-attempt timeout,
 * retries with exponential backoff + jitter only where safe (see RetryMode), Retry-After honoured on 429, and a
 * consecutive-failure circuit breaker per host. Every attempt is logged (endpoint template, masked account id,
 * status, duration, attempt) and counted in Prometheus metrics; no secret, body or PII is ever logged.
 */
@Injectable()
export class MonoClient {
  private readonly logger = new Logger(MonoClient.name);
  private readonly baseUrl: string;
  private readonly breakers = new Map<string, CircuitBreakerPolicy>();
  private readonly retries: Record<RetryMode, RetryPolicy>;
  private readonly timeoutPolicy: TimeoutPolicy;
  private readonly requests: Counter<'endpoint' | 'status'>;
  private readonly duration: Histogram<'endpoint'>;
  private readonly retriesTotal: Counter<'endpoint'>;
  private readonly circuitState: Gauge<'host'>;

  constructor(
    private readonly config: AppConfig,
    @Optional() registry?: Registry,
  ) {
    const reg = registry ?? new Registry();
    this.baseUrl = config.mono.baseUrl.replace(/\/$/, '');
    this.requests = getOrCreateCounter(reg, 'mono_requests_total', 'Mono API calls (every attempt) by endpoint template and HTTP status or failure kind', ['endpoint', 'status']);
    this.duration = getOrCreateHistogram(reg, 'mono_request_duration_seconds', 'Duration of one Mono API attempt', ['endpoint'], [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]);
    this.retriesTotal = getOrCreateCounter(reg, 'mono_retries_total', 'Retried Mono API calls by endpoint template', ['endpoint']);
    this.circuitState = getOrCreateGauge(reg, 'mono_circuit_state', 'Circuit breaker per Mono host: 0 closed, 1 open, 2 half-open, 3 isolated', ['host']);
    const backoff = new MonoBackoff(config.mono.retryBaseMs);
    const maxAttempts = config.mono.maxRetries;
    this.retries = {
      safe: retry(handleWhen((e) => e instanceof MonoError && e.retryable), { maxAttempts, backoff }),
      unsent_or_429: retry(
        handleWhen((e) => e instanceof MonoError && (!e.sent || e.kind === 'rate_limited')),
        { maxAttempts, backoff },
      ),
      unsent: retry(handleWhen((e) => e instanceof MonoError && !e.sent && !e.circuitOpen), { maxAttempts, backoff }),
    };
    this.timeoutPolicy = timeout(config.mono.timeoutMs, TimeoutStrategy.Cooperative);
  }

  // ---------------------------------------------------------------- linking

  /** Hosted link, scope auth (`POST /v2/accounts/initiate`). `ref` comes back as `meta.ref` on webhooks. */
  async initiateLink(input: { customer: MonoCustomer; ref: string; redirectUrl?: string }): Promise<{ monoUrl: string; customerId: string | null; ref: string }> {
    const endpoint = 'POST /v2/accounts/initiate';
    return this.request(
      {
        method: 'POST',
        endpoint,
        path: '/v2/accounts/initiate',
        body: { customer: input.customer, scope: 'auth', meta: { ref: input.ref }, ...(input.redirectUrl ? { redirect_url: input.redirectUrl } : {}) },
        retry: 'safe',
      },
      (res) => {
        const data = this.object(unwrap(res.body), endpoint);
        const monoUrl = this.requiredString(pick(data, 'mono_url', 'monoUrl'), endpoint, 'mono_url');
        const customer = pick(data, 'customer');
        const customerId = isObject(customer) ? str(pick(customer, 'id', '_id')) : str(customer);
        const meta = pick(data, 'meta');
        return { monoUrl, customerId, ref: (isObject(meta) ? str(meta.ref) : null) ?? input.ref };
      },
    );
  }

  /** Hosted link, scope reauth, for an account whose bank demands MFA again. */
  async initiateReauth(input: { monoAccountId: string; ref: string; redirectUrl?: string }): Promise<{ monoUrl: string }> {
    const endpoint = 'POST /v2/accounts/initiate';
    return this.request(
      {
        method: 'POST',
        endpoint,
        path: '/v2/accounts/initiate',
        accountId: input.monoAccountId,
        body: { scope: 'reauth', account: input.monoAccountId, meta: { ref: input.ref }, ...(input.redirectUrl ? { redirect_url: input.redirectUrl } : {}) },
        retry: 'safe',
      },
      (res) => ({ monoUrl: this.requiredString(pick(this.object(unwrap(res.body), endpoint), 'mono_url', 'monoUrl'), endpoint, 'mono_url') }),
    );
  }

  /** Legacy reauthorisation token (valid 10 minutes) for Connect.js; the fallback when v2 initiate is refused. */
  async legacyReauthorise(monoAccountId: string): Promise<{ token: string }> {
    const endpoint = 'POST /accounts/{id}/reauthorise';
    return this.request(
      { method: 'POST', endpoint, path: `/accounts/${encodeURIComponent(monoAccountId)}/reauthorise`, accountId: monoAccountId, retry: 'unsent_or_429' },
      (res) => ({ token: this.requiredString(pick(this.object(unwrap(res.body), endpoint), 'token'), endpoint, 'token') }),
    );
  }

  /** Widget code → permanent account id (`POST /v2/accounts/auth`; envelope `data.id` or bare `{id}`). */
  async exchangeCode(code: string): Promise<{ monoAccountId: string }> {
    const endpoint = 'POST /v2/accounts/auth';
    return this.request({ method: 'POST', endpoint, path: '/v2/accounts/auth', body: { code }, retry: 'safe' }, (res) => ({
      monoAccountId: this.requiredString(pick(this.object(unwrap(res.body), endpoint), 'id', '_id'), endpoint, 'id'),
    }));
  }

  // ---------------------------------------------------------------- data

  async getAccount(monoAccountId: string): Promise<MonoAccountDetails> {
    const endpoint = 'GET /v2/accounts/{id}';
    return this.request({ method: 'GET', endpoint, path: `/v2/accounts/${encodeURIComponent(monoAccountId)}`, accountId: monoAccountId, retry: 'safe' }, (res) => {
      const data = this.object(unwrap(res.body), endpoint);
      const parsed = parseMonoAccountDetails(data);
      const customer = pick(data, 'customer');
      const customerId = isObject(customer) ? str(pick(customer, 'id', '_id')) : str(customer);
      const meta = pick(data, 'meta');
      const ref = isObject(meta) ? str(meta.ref) : null;
      return { ...parsed, ...(customerId ? { customerId } : {}), ...(ref ? { ref } : {}) };
    });
  }

  /** Balance in minor units; null when Mono has none to give yet (`data: null`: processing, or a real-time refresh enqueued). */
  async getBalance(monoAccountId: string, opts: { realtime?: boolean } = {}): Promise<{ balanceMinor: number | null; currency: string; job?: MonoJobHeaders }> {
    const endpoint = 'GET /v2/accounts/{id}/balance';
    return this.request(
      {
        method: 'GET',
        endpoint,
        path: `/v2/accounts/${encodeURIComponent(monoAccountId)}/balance`,
        accountId: monoAccountId,
        headers: opts.realtime ? { 'x-realtime': 'true' } : {},
        retry: 'safe',
      },
      (res) => {
        const job = this.jobHeaders(res.headers);
        if (!isObject(res.body)) throw new MonoError('malformed', 'balance response is not a JSON object', { status: res.status, retryable: false, endpoint });
        const data = unwrap(res.body);
        if (data === null) return { balanceMinor: null, currency: 'NGN', ...(job ? { job } : {}) };
        const obj = this.object(data, endpoint);
        const balanceMinor = parseMinorUnits(obj.balance, 'balance.balance', { allowNegative: true });
        return { balanceMinor, currency: normaliseCurrency(obj.currency) ?? 'NGN', ...(job ? { job } : {}) };
      },
    );
  }

  /**
   * Every transaction in the window, all pages drained. The next request follows Mono's `meta.next` when it is usable
   * (same host, the transactions path of this account, `page` = the next page); otherwise — e.g. the docs sample whose
   * `next` omits `/accounts/` — it is built from our own page counter with the same filters. The loop stops on an empty
   * page, on `next: null`, or once the distinct rows reach `total`, and refuses to run past `MONO_MAX_PAGES`. A row seen
   * on two pages (the set shifted while we paged) is kept once. `x-realtime` is only sent with the first page (each
   * call would open a billed session). A page with `data: null` is Mono's "not ready" (enqueued real-time fetch, still
   * processing, or an empty-filter answer): a retryable `not_ready` MonoError, never an empty history.
   */
  async getTransactions(
    monoAccountId: string,
    opts: { start?: string; end?: string; realtime?: boolean } = {},
  ): Promise<{ transactions: ParsedMonoTransaction[]; pages: number; job?: MonoJobHeaders; duplicatesDropped: number; nextLinksFollowed: number }> {
    const endpoint = 'GET /v2/accounts/{id}/transactions';
    const path = `/v2/accounts/${encodeURIComponent(monoAccountId)}/transactions`;
    const baseQuery: Record<string, string> = {};
    if (opts.start) baseQuery.start = toMonoDate(opts.start);
    if (opts.end) baseQuery.end = toMonoDate(opts.end);
    const paginate = this.config.mono.paginate;
    if (!paginate) baseQuery.paginate = 'false';
    else if (this.config.mono.pageLimit > 0) baseQuery.limit = String(this.config.mono.pageLimit);

    const byId = new Map<string, ParsedMonoTransaction>();
    let duplicatesDropped = 0;
    let nextLinksFollowed = 0;
    let job: MonoJobHeaders | undefined;
    let pages = 0;
    let query: Record<string, string> = paginate ? { ...baseQuery, page: '1' } : baseQuery;
    for (let page = 1; ; page++) {
      if (page > this.config.mono.maxPages) {
        throw new MonoError('malformed', `pagination did not end after ${this.config.mono.maxPages} pages`, { status: 200, retryable: false, endpoint });
      }
      const { rows, paging, headers } = await this.request(
        {
          method: 'GET',
          endpoint,
          path,
          accountId: monoAccountId,
          query,
          headers: opts.realtime && page === 1 ? { 'x-realtime': 'true' } : {},
          retry: 'safe',
        },
        (res) => {
          if (!isObject(res.body)) throw new MonoError('malformed', 'transactions response is not a JSON object', { status: res.status, retryable: false, endpoint });
          if (res.body.data === null) {
            throw new MonoError('not_ready', 'Mono has no transactions to give yet (data: null); try again later', {
              status: res.status,
              retryable: true,
              endpoint,
              providerMessage: str(res.body.message),
            });
          }
          return { rows: parseMonoTransactions(res.body), paging: this.paging(res.body), headers: res.headers };
        },
      );
      pages++;
      if (page === 1) job = this.jobHeaders(headers) ?? undefined;
      for (const row of rows) {
        if (byId.has(row.providerId)) duplicatesDropped++;
        else byId.set(row.providerId, row);
      }
      if (!paginate || rows.length === 0) break;
      if (paging.next === null) break;
      if (paging.pages !== null && page >= paging.pages) break;
      if (paging.total !== null && byId.size >= paging.total) break;
      const followed = this.usableNext(paging.next, path, page + 1);
      if (followed) nextLinksFollowed++;
      query = followed ?? { ...baseQuery, page: String(page + 1) };
    }
    const transactions = [...byId.values()].sort((a, b) => (a.postedAt < b.postedAt ? 1 : a.postedAt > b.postedAt ? -1 : a.providerId.localeCompare(b.providerId)));
    return { transactions, pages, ...(job ? { job } : {}), duplicatesDropped, nextLinksFollowed };
  }

  /** The query of Mono's `meta.next` when it points at `path` on our Mono host and asks for `page`; else null. */
  private usableNext(next: string | null | undefined, path: string, page: number): Record<string, string> | null {
    if (typeof next !== 'string') return null;
    let url: URL;
    let base: URL;
    try {
      base = new URL(this.baseUrl);
      url = new URL(next, base);
    } catch {
      return null;
    }
    if (url.origin !== base.origin || url.pathname !== base.pathname.replace(/\/$/, '') + path) return null;
    if (url.searchParams.get('page') !== String(page)) return null;
    const query: Record<string, string> = {};
    for (const [k, v] of url.searchParams) query[k] = v;
    return query;
  }

  /**
   * Opens a v2 real-time session: the first transactions page and the balance with `x-realtime: true`. Only the job
   * headers matter (the data in these answers may be stale or null while the job runs); read the data again without
   * the header once `mono.accounts.jobs.update` / `account_updated` say the job finished.
   */
  async requestRealtimeRefresh(monoAccountId: string): Promise<{ transactionsJob: MonoJobHeaders | null; balanceJob: MonoJobHeaders | null }> {
    const id = encodeURIComponent(monoAccountId);
    const transactionsJob = await this.request(
      {
        method: 'GET',
        endpoint: 'GET /v2/accounts/{id}/transactions',
        path: `/v2/accounts/${id}/transactions`,
        accountId: monoAccountId,
        query: { page: '1' },
        headers: { 'x-realtime': 'true' },
        retry: 'safe',
      },
      (res) => this.jobHeaders(res.headers),
    );
    const balanceJob = await this.request(
      { method: 'GET', endpoint: 'GET /v2/accounts/{id}/balance', path: `/v2/accounts/${id}/balance`, accountId: monoAccountId, headers: { 'x-realtime': 'true' }, retry: 'safe' },
      (res) => this.jobHeaders(res.headers),
    );
    return { transactionsJob, balanceJob };
  }

  /** Identity from the bank (contains PII: never log it). Null when the bank does not provide it. */
  async getIdentity(monoAccountId: string): Promise<MonoIdentity | null> {
    const endpoint = 'GET /v2/accounts/{id}/identity';
    return this.request(
      { method: 'GET', endpoint, path: `/v2/accounts/${encodeURIComponent(monoAccountId)}/identity`, accountId: monoAccountId, retry: 'safe' },
      (res) => {
        const data = unwrap(res.body);
        if (data === null || data === undefined) return null;
        const o = this.object(data, endpoint);
        if (Object.keys(o).length === 0) return null;
        return {
          fullName: str(pick(o, 'full_name', 'fullName')),
          email: str(pick(o, 'email')),
          phone: str(pick(o, 'phone')),
          gender: str(pick(o, 'gender')),
          dob: str(pick(o, 'dob')),
          bvn: str(pick(o, 'bvn')),
          addressLine1: str(pick(o, 'address_line1', 'addressLine1')),
          maritalStatus: str(pick(o, 'marital_status', 'maritalStatus')),
        };
      },
    );
  }

  /** Legacy manual Data Sync (`POST /accounts/{id}/sync`). `failed` codes come back as data, not as errors. */
  async legacySync(monoAccountId: string, opts: { allowIncomplete?: boolean } = {}): Promise<LegacySyncResult> {
    const endpoint = 'POST /accounts/{id}/sync';
    return this.request(
      {
        method: 'POST',
        endpoint,
        path: `/accounts/${encodeURIComponent(monoAccountId)}/sync`,
        accountId: monoAccountId,
        query: opts.allowIncomplete ? { allow_incomplete_statement: 'true' } : {},
        retry: 'unsent',
        acceptErrorBodyWith: 'code',
      },
      (res) => {
        let o = this.object(res.body, endpoint);
        // Tolerate an envelope around the legacy body.
        if (typeof o.code !== 'string' && isObject(o.data)) o = o.data;
        const code = str(o.code)?.toUpperCase();
        if (!code) throw new MonoError('malformed', 'sync response has no code', { status: res.status, retryable: false, endpoint });
        const status = str(o.status)?.toLowerCase() ?? (code === 'SYNC_SUCCESSFUL' ? 'successful' : 'failed');
        return { status, hasNewData: parseBool(pick(o, 'hasNewData', 'has_new_data')) ?? false, code, message: str(o.message) };
      },
    );
  }

  /** v2 real-time job status. */
  async getJob(monoAccountId: string, jobId: string): Promise<MonoJob> {
    const endpoint = 'GET /v2/accounts/{id}/jobs/{jobId}';
    return this.request(
      {
        method: 'GET',
        endpoint,
        path: `/v2/accounts/${encodeURIComponent(monoAccountId)}/jobs/${encodeURIComponent(jobId)}`,
        accountId: monoAccountId,
        retry: 'safe',
      },
      (res) => {
        const o = this.object(unwrap(res.body), endpoint);
        return {
          id: str(pick(o, 'id', '_id', 'job_id')) ?? jobId,
          status: this.requiredString(pick(o, 'status'), endpoint, 'status').toLowerCase(),
          name: str(o.name),
        };
      },
    );
  }

  /**
   * v2 Income (`GET /v2/accounts/{id}/income[?period=N]`, reference §5.3): asynchronous and **billed** — Mono answers
   * at once with `data: null` and sends the report as `mono.events.account_income`. A GET with side effects, so it is
   * retried only when it provably never left (a second analysis would be billed again), and it has its own circuit
   * breaker: a failing income product never opens the one syncs use.
   */
  async requestIncome(monoAccountId: string, opts: { periodMonths?: number } = {}): Promise<void> {
    const endpoint = 'GET /v2/accounts/{id}/income';
    await this.request(
      {
        method: 'GET',
        endpoint,
        path: `/v2/accounts/${encodeURIComponent(monoAccountId)}/income`,
        accountId: monoAccountId,
        query: opts.periodMonths ? { period: String(opts.periodMonths) } : {},
        retry: 'unsent',
        breakerKey: 'income',
      },
      () => undefined,
    );
  }

  /** Past income reports (`GET /v2/accounts/{id}/income-records?page=`), newest first, parsed to their figures. */
  async getIncomeRecords(monoAccountId: string, opts: { page?: number } = {}): Promise<{ records: Array<MonoIncomeReport & { createdAt: string | null }>; next: boolean }> {
    const endpoint = 'GET /v2/accounts/{id}/income-records';
    return this.request(
      {
        method: 'GET',
        endpoint,
        path: `/v2/accounts/${encodeURIComponent(monoAccountId)}/income-records`,
        accountId: monoAccountId,
        query: { page: String(opts.page ?? 1) },
        retry: 'safe',
        breakerKey: 'income',
      },
      (res) => {
        const data = unwrap(res.body);
        if (!Array.isArray(data)) throw new MonoError('malformed', 'income-records data is not a list', { status: res.status, retryable: true, endpoint });
        const records = data.map((entry) => {
          try {
            return { ...parseMonoIncomeReport(entry), createdAt: isObject(entry) ? str(pick(entry, 'created_at', 'createdAt')) : null };
          } catch (err) {
            if (err instanceof MonoDataError) throw new MonoError('malformed', err.message, { status: res.status, retryable: true, endpoint });
            throw err;
          }
        });
        const meta = isObject(res.body) && isObject(res.body.meta) ? res.body.meta : {};
        return { records, next: typeof meta.next === 'string' && meta.next !== '' };
      },
    );
  }

  async unlink(monoAccountId: string): Promise<void> {
    const endpoint = 'POST /v2/accounts/{id}/unlink';
    await this.request(
      { method: 'POST', endpoint, path: `/v2/accounts/${encodeURIComponent(monoAccountId)}/unlink`, accountId: monoAccountId, retry: 'unsent_or_429' },
      () => undefined,
    );
  }

  /** Current breaker state for the configured host (exposed for health/diagnostics). */
  circuitStateFor(host = new URL(this.baseUrl).host): CircuitState {
    return this.breakers.get(host)?.state ?? CircuitState.Closed;
  }

  // ---------------------------------------------------------------- plumbing

  private breakerFor(host: string): CircuitBreakerPolicy {
    let breaker = this.breakers.get(host);
    if (!breaker) {
      breaker = circuitBreaker(
        handleWhen((e) => e instanceof MonoError && e.isHostFailure),
        { halfOpenAfter: this.config.mono.circuitHalfOpenMs, breaker: new ConsecutiveBreaker(this.config.mono.circuitThreshold) },
      );
      const created = breaker;
      this.circuitState.set({ host }, CircuitState.Closed);
      created.onStateChange((state) => {
        this.circuitState.set({ host }, state);
        this.logger.warn({ host, state: CircuitState[state] }, 'mono circuit breaker state changed');
      });
      this.breakers.set(host, created);
    }
    return breaker;
  }

  /** Runs one call under retry → circuit breaker → timeout. `parse` runs inside each attempt, so a body that cannot be
   * parsed is a (retryable, for reads) `malformed` failure of that attempt rather than a silent success. */
  private async request<T>(spec: RequestSpec, parse: (res: RawResponse) => T): Promise<T> {
    const url = new URL(this.baseUrl + spec.path);
    for (const [k, v] of Object.entries(spec.query ?? {})) url.searchParams.set(k, v);
    const breaker = this.breakerFor(spec.breakerKey ? `${url.host} ${spec.breakerKey}` : url.host);
    const policy = this.retries[spec.retry];
    let attempt = 0;
    return policy.execute(async () => {
      attempt++;
      if (attempt > 1) this.retriesTotal.inc({ endpoint: spec.endpoint });
      try {
        return await breaker.execute(() => this.timeoutPolicy.execute(({ signal }) => this.attempt(spec, url, signal, attempt, parse)));
      } catch (err) {
        if (err instanceof BrokenCircuitError) {
          this.requests.inc({ endpoint: spec.endpoint, status: 'circuit_open' });
          throw new MonoError('network', `circuit open for ${url.host}: call not attempted`, {
            status: null,
            retryable: true,
            endpoint: spec.endpoint,
            sent: false,
            circuitOpen: true,
          });
        }
        throw err;
      }
    });
  }

  private async attempt<T>(spec: RequestSpec, url: URL, signal: AbortSignal, attempt: number, parse: (res: RawResponse) => T): Promise<T> {
    const started = performance.now();
    let status: number | null = null;
    const record = (error: unknown): void => {
      const seconds = (performance.now() - started) / 1000;
      const kind = error === undefined ? undefined : error instanceof MonoError ? error.kind : 'unknown';
      const outcome = kind === 'malformed' ? 'malformed' : status !== null ? String(status) : (kind ?? 'unknown');
      this.requests.inc({ endpoint: spec.endpoint, status: outcome });
      this.duration.observe({ endpoint: spec.endpoint }, seconds);
      const entry = { method: spec.method, endpoint: spec.endpoint, account: maskId(spec.accountId), status: outcome, attempt, durationMs: Math.round(seconds * 1000) };
      if (error === undefined) this.logger.debug(entry, 'mono call');
      else this.logger.warn({ ...entry, kind }, 'mono call failed');
    };
    try {
      const headers: Record<string, string> = { 'mono-sec-key': this.config.mono.secretKey, accept: 'application/json', ...spec.headers };
      if (spec.body !== undefined) headers['content-type'] = 'application/json';
      let res: Response;
      try {
        res = await fetch(url, { method: spec.method, headers, body: spec.body === undefined ? undefined : JSON.stringify(spec.body), signal });
      } catch (err) {
        throw this.transportError(err, spec, signal);
      }
      status = res.status;
      let text: string;
      try {
        text = await res.text();
      } catch (err) {
        throw this.transportError(err, spec, signal);
      }
      let body: unknown = null;
      let malformed = false;
      if (text.trim() !== '') {
        try {
          body = JSON.parse(text);
        } catch {
          malformed = true;
        }
      }
      if (res.ok) {
        if (malformed) {
          throw new MonoError('malformed', 'Mono answered with a body that is not JSON', { status, retryable: spec.retry === 'safe', endpoint: spec.endpoint });
        }
        const value = this.parseAttempt(parse, { status, headers: res.headers, body }, spec);
        record(undefined);
        return value;
      }
      if (spec.acceptErrorBodyWith && status !== 429 && status < 500 && hasStringField(body, spec.acceptErrorBodyWith)) {
        const value = this.parseAttempt(parse, { status, headers: res.headers, body }, spec);
        record(undefined);
        return value;
      }
      throw this.httpError(status, body, res.headers, spec);
    } catch (err) {
      record(err);
      throw err;
    }
  }

  private parseAttempt<T>(parse: (res: RawResponse) => T, raw: RawResponse, spec: RequestSpec): T {
    try {
      return parse(raw);
    } catch (err) {
      if (err instanceof MonoDataError) {
        throw new MonoError('malformed', `Mono sent an unusable payload (${err.path}: ${err.reason})`, {
          status: raw.status,
          retryable: spec.retry === 'safe',
          endpoint: spec.endpoint,
          cause: err,
        });
      }
      if (err instanceof MonoError && err.kind === 'malformed' && spec.retry === 'safe' && !err.retryable) {
        throw new MonoError('malformed', err.message, { status: err.status, retryable: true, endpoint: spec.endpoint, cause: err });
      }
      throw err;
    }
  }

  private transportError(err: unknown, spec: RequestSpec, signal: AbortSignal): MonoError {
    if (signal.aborted) {
      return new MonoError('timeout', `Mono did not answer within ${this.config.mono.timeoutMs} ms`, {
        status: null,
        retryable: spec.retry === 'safe',
        endpoint: spec.endpoint,
        cause: err,
      });
    }
    const code = (err as { cause?: { code?: string } })?.cause?.code;
    const sent = !(code && NOT_SENT_CODES.has(code));
    return new MonoError('network', `network error calling Mono${code ? ` (${code})` : ''}`, {
      status: null,
      retryable: spec.retry === 'safe' || !sent,
      endpoint: spec.endpoint,
      sent,
      cause: err,
    });
  }

  private httpError(status: number, body: unknown, headers: Headers, spec: RequestSpec): MonoError {
    const providerMessage = isObject(body) ? str(body.message) : null;
    const base = { status, endpoint: spec.endpoint, providerMessage };
    const suffix = providerMessage ? `: ${providerMessage}` : '';
    if (status === 429) {
      return new MonoError('rate_limited', `Mono rate limit (429)${suffix}`, {
        ...base,
        retryable: true,
        retryAfterMs: parseRetryAfter(headers.get('retry-after'), Date.now()),
      });
    }
    let kind: MonoErrorKind = 'http';
    if (status === 401 || status === 403) kind = 'unauthorized';
    else if (status === 404) kind = 'not_found';
    else if (status === 400 || status === 402 || status === 409 || status === 422) kind = 'bad_request';
    const retryable = status >= 500 && spec.retry === 'safe';
    return new MonoError(kind, `Mono answered ${status}${suffix}`, { ...base, retryable });
  }

  private jobHeaders(headers: Headers): MonoJobHeaders | null {
    const id = headers.get('x-job-id');
    const status = headers.get('x-job-status');
    const hasNew = headers.get('x-has-new-data');
    if (!id && !status && hasNew === null) return null;
    return { id: id?.trim() || null, status: status?.trim().toLowerCase() || null, hasNewData: parseBool(hasNew) };
  }

  private paging(body: unknown): { total: number | null; pages: number | null; next: string | null | undefined } {
    let meta: unknown = isObject(body) ? (body.meta ?? body.paging) : undefined;
    if (meta === undefined && isObject(body) && isObject(body.data)) meta = body.data.paging;
    if (!isObject(meta)) return { total: null, pages: null, next: undefined };
    const num = (v: unknown): number | null => (typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : null);
    const next = meta.next === undefined ? undefined : typeof meta.next === 'string' && meta.next.trim() !== '' ? meta.next : null;
    return { total: num(meta.total), pages: num(meta.pages), next };
  }

  private object(value: unknown, endpoint: string): Record<string, unknown> {
    if (!isObject(value)) {
      throw new MonoError('malformed', `expected a JSON object in the response, got ${value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value}`, {
        status: 200,
        retryable: false,
        endpoint,
      });
    }
    return value;
  }

  private requiredString(value: unknown, endpoint: string, field: string): string {
    const s = str(value);
    if (!s) throw new MonoError('malformed', `response field ${field} is missing or not a string`, { status: 200, retryable: false, endpoint });
    return s;
  }
}
