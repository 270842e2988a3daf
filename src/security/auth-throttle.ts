import { Injectable } from '@nestjs/common';
import { Clock } from '../common/clock.js';
import { DomainError } from '../common/errors/domain-error.js';
import { AppConfig } from '../config/app-config.js';
import { TokenBuckets } from './token-bucket.js';

/**
 * Throttling of unauthenticated callers, checked BEFORE an API key is looked up (so a key-guessing flood costs no
 * hashing of its guesses against the database and cannot crowd out real clients):
 *
 * - every failed authentication (missing, unknown or revoked key) takes a token from its client address's bucket
 *   (UNAUTH_RATE_LIMIT_PER_MINUTE) and from one global bucket (UNAUTH_GLOBAL_RATE_LIMIT_PER_MINUTE, against a flood
 *   spread over many addresses). The tokens are taken when the attempt is let through — before the key lookup, so
 *   concurrent attempts cannot all pass one last token — and given back when the key turns out good;
 * - an address whose bucket is empty, or any address while the global bucket is empty, gets 429 + Retry-After
 *   before its key is checked — except for a key that authenticated successfully in the last KNOWN_GOOD_TTL_MS
 *   (held as a hash in memory): real clients keep being served during a flood, even from the flooding address.
 *   Being "known good" only skips the throttle; the key is still authenticated (revocation applies as before).
 *
 * Successful requests cost nothing here; they have their own per-key budget (RateLimitGuard).
 */
@Injectable()
export class AuthThrottle {
  static readonly KNOWN_GOOD_TTL_MS = 10 * 60_000;
  private readonly buckets = new TokenBuckets();
  private readonly knownGood = new Map<string, number>();
  private readonly perAddress: number;
  private readonly global: number;

  constructor(
    private readonly clock: Clock,
    config: AppConfig,
  ) {
    this.perAddress = config.security.unauthPerMinute;
    this.global = config.security.unauthGlobalPerMinute;
  }

  /**
   * Throws RATE_LIMITED (with retryAfterSeconds in details) when this caller may not try a key now; otherwise reserves
   * the attempt's tokens and says so (a known-good key reserves nothing). Pass the answer to failed()/succeeded().
   */
  check(address: string, keyHash: string | null): { reserved: boolean } {
    const now = this.clock.now().getTime();
    if (keyHash !== null && (this.knownGood.get(keyHash) ?? 0) > now) return { reserved: false };
    const own = this.buckets.available(`ip:${address}`, this.perAddress, now);
    const all = this.buckets.available('global', this.global, now);
    if (own >= 1 && all >= 1) {
      this.buckets.take(`ip:${address}`, this.perAddress, now);
      this.buckets.take('global', this.global, now);
      return { reserved: true };
    }
    const retryAfter = own < 1 ? this.buckets.retryAfter(own, this.perAddress) : this.buckets.retryAfter(all, this.global);
    throw new DomainError('RATE_LIMITED', `Too many failed authentications: retry after ${retryAfter}s`, { retryAfterSeconds: retryAfter });
  }

  /** A failed authentication: its tokens were reserved by check(), or (a known-good key that failed now) are taken. */
  failed(address: string, attempt: { reserved: boolean }): void {
    if (attempt.reserved) return;
    const now = this.clock.now().getTime();
    this.buckets.take(`ip:${address}`, this.perAddress, now);
    this.buckets.take('global', this.global, now);
  }

  /** A good key: the reserved tokens are given back (successful requests cost nothing here). */
  succeeded(keyHash: string, address: string, attempt: { reserved: boolean }): void {
    const now = this.clock.now().getTime();
    if (attempt.reserved) {
      this.buckets.give(`ip:${address}`, this.perAddress, now);
      this.buckets.give('global', this.global, now);
    }
    if (this.knownGood.size > 10_000) for (const [k, until] of this.knownGood) if (until <= now) this.knownGood.delete(k);
    if (this.knownGood.size <= 10_000) this.knownGood.set(keyHash, now + AuthThrottle.KNOWN_GOOD_TTL_MS);
  }
}
