/**
 * `not_ready`: Mono answered 200 with `data: null` where data was asked for — a real-time fetch enqueued (over 30 s), an
 * account still processing, or a filter Mono found nothing for. Never read as "no data": retry later.
 */
export type MonoErrorKind = 'timeout' | 'network' | 'http' | 'rate_limited' | 'malformed' | 'not_ready' | 'not_found' | 'unauthorized' | 'bad_request';

export interface MonoErrorOptions {
  /** HTTP status when Mono answered; null for timeouts, network failures and an open circuit. */
  status: number | null;
  /** Whether trying again later can succeed (network, timeout, 5xx, 429, a truncated body). */
  retryable: boolean;
  /** Endpoint template, e.g. `GET /v2/accounts/{id}/transactions` (never a real account id). */
  endpoint: string;
  /** Milliseconds Mono asked us to wait (Retry-After), when it said. */
  retryAfterMs?: number | null;
  /** False when the request provably never left this process (connection refused, DNS), so even a POST may be retried. */
  sent?: boolean;
  /** True when the per-host circuit breaker refused the call without contacting Mono. */
  circuitOpen?: boolean;
  /** Mono's `message` (human text, no PII by Mono's design) or our parse diagnosis. */
  providerMessage?: string | null;
  cause?: unknown;
}

/** Every failure of a Mono call, typed. Callers branch on `kind` and `retryable`, never on message text. */
export class MonoError extends Error {
  readonly status: number | null;
  readonly retryable: boolean;
  readonly endpoint: string;
  readonly retryAfterMs: number | null;
  readonly sent: boolean;
  readonly circuitOpen: boolean;
  readonly providerMessage: string | null;

  constructor(
    readonly kind: MonoErrorKind,
    message: string,
    opts: MonoErrorOptions,
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'MonoError';
    this.status = opts.status;
    this.retryable = opts.retryable;
    this.endpoint = opts.endpoint;
    this.retryAfterMs = opts.retryAfterMs ?? null;
    this.sent = opts.sent ?? true;
    this.circuitOpen = opts.circuitOpen ?? false;
    this.providerMessage = opts.providerMessage ?? null;
  }

  /** Failures that say something about the health of Mono's host (they count towards opening the circuit). */
  get isHostFailure(): boolean {
    return this.kind === 'timeout' || this.kind === 'network' || (this.kind === 'http' && (this.status ?? 0) >= 500);
  }

  /** A JSON-safe summary for sync_runs.error / logs. */
  toJSON(): Record<string, unknown> {
    return {
      kind: this.kind,
      status: this.status,
      retryable: this.retryable,
      endpoint: this.endpoint,
      message: this.message,
      ...(this.circuitOpen ? { circuitOpen: true } : {}),
    };
  }
}
