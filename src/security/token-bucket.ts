/**
 * Token buckets keyed by a string (capacity = one minute's budget, refilled continuously), in one process's memory.
 * Idle buckets are evicted once the map grows past `maxEntries`, so a flood of distinct keys cannot grow it forever.
 */
export class TokenBuckets {
  private readonly buckets = new Map<string, { tokens: number; updatedMs: number }>();

  constructor(private readonly maxEntries = 100_000) {}

  /** Tokens available now for `key` (a full bucket when never seen). */
  available(key: string, perMinute: number, nowMs: number): number {
    const b = this.buckets.get(key);
    if (!b) return perMinute;
    // A clock that steps back (NTP, or a test's injected clock) refills nothing rather than draining the bucket.
    return Math.min(perMinute, b.tokens + Math.max(0, nowMs - b.updatedMs) * (perMinute / 60_000));
  }

  /** Takes one token if there is one; otherwise says how many seconds until there is. */
  take(key: string, perMinute: number, nowMs: number): { ok: true } | { ok: false; retryAfterSeconds: number } {
    const tokens = this.available(key, perMinute, nowMs);
    if (tokens < 1) {
      this.buckets.set(key, { tokens, updatedMs: nowMs });
      return { ok: false, retryAfterSeconds: this.retryAfter(tokens, perMinute) };
    }
    this.buckets.set(key, { tokens: tokens - 1, updatedMs: nowMs });
    if (this.buckets.size > this.maxEntries) this.evictIdle(nowMs);
    return { ok: true };
  }

  /** Gives one token back (a reservation that turned out not to be owed), never above the bucket's capacity. */
  give(key: string, perMinute: number, nowMs: number): void {
    const b = this.buckets.get(key);
    if (!b) return;
    this.buckets.set(key, { tokens: Math.min(perMinute, this.available(key, perMinute, nowMs) + 1), updatedMs: nowMs });
  }

  retryAfter(tokens: number, perMinute: number): number {
    return Math.max(1, Math.ceil((1 - tokens) / (perMinute / 60_000) / 1000));
  }

  private evictIdle(nowMs: number): void {
    for (const [key, b] of this.buckets) if (Math.abs(nowMs - b.updatedMs) > 120_000) this.buckets.delete(key);
  }
}
