/**
 * Fault injection for the Mono API routes (never the `/sandbox/*` admin routes or the hosted link page). Every
 * request draws the same number of values from one seeded stream, so a given seed and request order always give the
 * same faults.
 */
import { badRequest } from './envelope.js';
import { SeededRandom, hashSeed } from './random.js';

export interface FaultConfig {
  /** Added to every Mono API response. */
  latencyMs: number;
  /** Extra uniform latency in [0, jitter]. */
  latencyJitterMs: number;
  /** Share of requests answered 500/502/503/504. */
  errorRate: number;
  /** Deterministic 429 bursts: in every cycle of `every` requests, the last `length` get 429. */
  rateLimitBurst: { every: number; length: number } | null;
  /** Share of requests answered 429 at random. */
  rateLimitRate: number;
  /** Share of requests that never get an answer in time (hang) or lose their connection (destroy). */
  timeoutRate: number;
  timeoutMode: 'hang' | 'destroy' | 'mixed';
  /** How long a hung request is held before its socket is destroyed. */
  timeoutHangMs: number;
  /** Share of responses sent malformed: invalid JSON or wrong types (amounts as decimal strings). */
  malformedRate: number;
  /** Share of webhooks delivered twice (same event_id). */
  webhookDuplicateRate: number;
  /** Deliver each batch of webhooks in reverse order (e.g. account_updated before account_connected). */
  webhookReorder: boolean;
  /**
   * A transactions filter that matches nothing answers `data: null, meta: null` (seen in a community SDK's recorded
   * answer, API reference §1.3) instead of the sandbox's default `data: []` with `meta.total: 0`.
   */
  emptyFilterNull: boolean;
  /**
   * The v2 income product is down: `GET /v2/accounts/{id}/income` answers 503 (v2 envelope) and starts nothing, while
   * every other route works — to show that an income cross-check fault never touches the decision.
   */
  incomeError: boolean;
  seed: number;
}

export const NO_FAULTS: FaultConfig = {
  latencyMs: 0,
  latencyJitterMs: 0,
  errorRate: 0,
  rateLimitBurst: null,
  rateLimitRate: 0,
  timeoutRate: 0,
  timeoutMode: 'mixed',
  timeoutHangMs: 60_000,
  malformedRate: 0,
  webhookDuplicateRate: 0,
  webhookReorder: false,
  emptyFilterNull: false,
  incomeError: false,
  seed: 1,
};

export type FaultOutcome =
  | { kind: 'none' }
  | { kind: 'rate_limit' }
  | { kind: 'error'; status: 500 | 502 | 503 | 504 }
  | { kind: 'timeout'; mode: 'hang' | 'destroy' }
  | { kind: 'malformed'; variant: 'invalid_json' | 'wrong_types' };

export interface FaultDecision {
  latencyMs: number;
  outcome: FaultOutcome;
}

const ERROR_STATUSES = [500, 502, 503, 504] as const;

export class FaultInjector {
  private config: FaultConfig = { ...NO_FAULTS };
  private rng = new SeededRandom(hashSeed(1, 'faults'));
  private requestIndex = 0;

  get(): FaultConfig {
    return { ...this.config };
  }

  active(): boolean {
    const c = this.config;
    return (
      c.latencyMs > 0 ||
      c.latencyJitterMs > 0 ||
      c.errorRate > 0 ||
      c.rateLimitBurst !== null ||
      c.rateLimitRate > 0 ||
      c.timeoutRate > 0 ||
      c.malformedRate > 0
    );
  }

  /** Replaces the configuration (unset fields → no fault) and restarts the seeded stream. */
  set(input: unknown): FaultConfig {
    this.config = parseFaultConfig(input);
    this.rng = new SeededRandom(hashSeed(this.config.seed, 'faults'));
    this.requestIndex = 0;
    return this.get();
  }

  clear(): void {
    this.set({});
  }

  /** A second stream for webhook faults, so webhook timing never shifts the API fault sequence. */
  webhookRng(): SeededRandom {
    return new SeededRandom(hashSeed(this.config.seed, 'webhooks'));
  }

  decide(): FaultDecision {
    const c = this.config;
    const index = this.requestIndex++;
    // Always draw six values, whatever the configuration, so the sequence only depends on seed and request count.
    const [jitter, rl, timeout, error, malformed, variant] = [0, 0, 0, 0, 0, 0].map(() => this.rng.next());
    const latencyMs = c.latencyMs + Math.floor(jitter * (c.latencyJitterMs + 1));
    const burst = c.rateLimitBurst;
    if ((burst && index % burst.every >= burst.every - burst.length) || rl < c.rateLimitRate) {
      return { latencyMs, outcome: { kind: 'rate_limit' } };
    }
    if (timeout < c.timeoutRate) {
      const mode = c.timeoutMode === 'mixed' ? (variant < 0.5 ? 'hang' : 'destroy') : c.timeoutMode;
      return { latencyMs, outcome: { kind: 'timeout', mode } };
    }
    if (error < c.errorRate) {
      return { latencyMs, outcome: { kind: 'error', status: ERROR_STATUSES[Math.floor(variant * ERROR_STATUSES.length)] } };
    }
    if (malformed < c.malformedRate) {
      return { latencyMs, outcome: { kind: 'malformed', variant: variant < 0.5 ? 'invalid_json' : 'wrong_types' } };
    }
    return { latencyMs, outcome: { kind: 'none' } };
  }
}

function rate(body: Record<string, unknown>, key: string): number {
  const v = body[key];
  if (v === undefined || v === null) return 0;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 1) throw badRequest(`${key} must be a number between 0 and 1`);
  return v;
}

function nonNegativeInt(body: Record<string, unknown>, key: string, fallback: number): number {
  const v = body[key];
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw badRequest(`${key} must be a non-negative integer (ms)`);
  return v;
}

export function parseFaultConfig(input: unknown): FaultConfig {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw badRequest('faults must be a JSON object');
  const body = input as Record<string, unknown>;
  const known = new Set(Object.keys(NO_FAULTS));
  const unknown = Object.keys(body).filter((k) => !known.has(k));
  if (unknown.length > 0) throw badRequest(`unknown fault setting(s): ${unknown.join(', ')}`);
  let burst: FaultConfig['rateLimitBurst'] = null;
  if (body.rateLimitBurst !== undefined && body.rateLimitBurst !== null) {
    const b = body.rateLimitBurst as Record<string, unknown>;
    const every = b?.every;
    const length = b?.length;
    if (typeof every !== 'number' || typeof length !== 'number' || !Number.isSafeInteger(every) || !Number.isSafeInteger(length) || every < 1 || length < 1 || length > every) {
      throw badRequest('rateLimitBurst must be {every: N, length: M} with integers 1 ≤ M ≤ N');
    }
    burst = { every, length };
  }
  const mode = body.timeoutMode ?? 'mixed';
  if (mode !== 'hang' && mode !== 'destroy' && mode !== 'mixed') throw badRequest('timeoutMode must be hang, destroy or mixed');
  const reorder = body.webhookReorder ?? false;
  if (typeof reorder !== 'boolean') throw badRequest('webhookReorder must be a boolean');
  const emptyFilterNull = body.emptyFilterNull ?? false;
  if (typeof emptyFilterNull !== 'boolean') throw badRequest('emptyFilterNull must be a boolean');
  const incomeError = body.incomeError ?? false;
  if (typeof incomeError !== 'boolean') throw badRequest('incomeError must be a boolean');
  const seed = body.seed ?? 1;
  if (typeof seed !== 'number' || !Number.isSafeInteger(seed)) throw badRequest('seed must be an integer');
  return {
    latencyMs: nonNegativeInt(body, 'latencyMs', 0),
    latencyJitterMs: nonNegativeInt(body, 'latencyJitterMs', 0),
    errorRate: rate(body, 'errorRate'),
    rateLimitBurst: burst,
    rateLimitRate: rate(body, 'rateLimitRate'),
    timeoutRate: rate(body, 'timeoutRate'),
    timeoutMode: mode,
    timeoutHangMs: nonNegativeInt(body, 'timeoutHangMs', NO_FAULTS.timeoutHangMs),
    malformedRate: rate(body, 'malformedRate'),
    webhookDuplicateRate: rate(body, 'webhookDuplicateRate'),
    webhookReorder: reorder,
    emptyFilterNull,
    incomeError,
    seed,
  };
}

/** Wrong types where a strict client must notice: kobo amounts and balances turned into decimal naira strings. */
export function corruptTypes(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(corruptTypes);
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = (k === 'amount' || k === 'balance') && typeof v === 'number' ? (v / 100 + 0.5).toString() : corruptTypes(v);
  }
  return out;
}
