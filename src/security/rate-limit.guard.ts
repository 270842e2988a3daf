import { Injectable, SetMetadata, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Response } from 'express';
import type { AuthenticatedRequest } from '../auth/api-key.guard.js';
import { AppConfig } from '../config/app-config.js';
import { Clock } from '../common/clock.js';
import { DomainError } from '../common/errors/domain-error.js';
import { TokenBuckets } from './token-bucket.js';

export const SKIP_RATE_LIMIT = 'skipRateLimit';
/** Exempts a route or controller (Mono webhooks, health) from per-key rate limiting. */
export const SkipRateLimit = () => SetMetadata(SKIP_RATE_LIMIT, true);

/**
 * Per-API-key token bucket (RATE_LIMIT_PER_MINUTE, bursts up to one minute's worth). Runs after the API-key
 * guard, so the caller is known; unauthenticated routes are tracked by client address.
 *
 * Why not @nestjs/throttler: its current major is CommonJS and `require`s the ESM-only @nestjs/common 12,
 * which jest's ESM runtime cannot load next to our static imports of @nestjs/common (Node 20: no require(esm);
 * Node 24: "Cannot require() ES Module … in a cycle"). The semantics here are the same (429 + Retry-After), per
 * process; docs/security.md explains how to put a shared limiter in front of several instances.
 */
@Injectable()
export class RateLimitGuard implements CanActivate {
  private readonly buckets = new TokenBuckets();
  private readonly perMinute: number;

  constructor(
    private readonly reflector: Reflector,
    private readonly clock: Clock,
    config: AppConfig,
  ) {
    this.perMinute = config.security.rateLimitPerMinute;
  }

  canActivate(context: ExecutionContext): boolean {
    if (this.reflector.getAllAndOverride<boolean>(SKIP_RATE_LIMIT, [context.getHandler(), context.getClass()])) return true;
    const http = context.switchToHttp();
    const req = http.getRequest<AuthenticatedRequest>();
    const tracker = req.principal ? `key:${req.principal.apiKeyId}` : `ip:${req.ip ?? 'unknown'}`;
    const taken = this.buckets.take(tracker, this.perMinute, this.clock.now().getTime());
    if (!taken.ok) {
      const retryAfter = taken.retryAfterSeconds;
      http.getResponse<Response>().setHeader('Retry-After', String(retryAfter));
      throw new DomainError('RATE_LIMITED', `Too many requests for this API key: retry after ${retryAfter}s`, { retryAfterSeconds: retryAfter });
    }
    return true;
  }
}
