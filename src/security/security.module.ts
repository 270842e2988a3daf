import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { RateLimitGuard } from './rate-limit.guard.js';

/**
 * Per-API-key rate limiting. Imported after AuthModule so its global guard runs after the API-key guard and
 * sees the caller. Mono webhooks and health checks are exempt (@SkipRateLimit).
 */
@Module({ providers: [{ provide: APP_GUARD, useClass: RateLimitGuard }] })
export class SecurityModule {}
