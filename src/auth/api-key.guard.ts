import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import type { Role } from '../config/app-config.js';
import { DomainError } from '../common/errors/domain-error.js';
import { AuthThrottle } from '../security/auth-throttle.js';
import { ApiKeysService, hashKey, type Principal } from './api-keys.service.js';
import { PUBLIC_KEY, ROLES_KEY } from './roles.decorator.js';

export type AuthenticatedRequest = Request & { principal?: Principal };

/** `Authorization: Bearer <key>` (or the analyst session cookie) → principal; 401 without a valid key, 403 for the wrong role. */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly keys: ApiKeysService,
    private readonly throttle: AuthThrottle,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const http = context.switchToHttp();
    const req = http.getRequest<AuthenticatedRequest>();
    const key = extractKey(req);
    req.principal = await authenticateThrottled(this.keys, this.throttle, req, key, http.getResponse<Response>());
    const principal = req.principal;
    const allowed = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets) ?? ['admin'];
    if (!allowed.includes(principal.role)) {
      throw new DomainError('FORBIDDEN', `Role ${principal.role} may not call this route (allowed: ${allowed.join(', ')})`);
    }
    return true;
  }
}

export const SESSION_COOKIE = 'uw_session';

function extractKey(req: Request): string | null {
  const header = req.headers.authorization;
  if (typeof header === 'string') {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    return match?.[1] ?? null;
  }
  const cookie = req.headers.cookie;
  if (typeof cookie === 'string') {
    for (const part of cookie.split(';')) {
      const [k, ...v] = part.trim().split('=');
      if (k === SESSION_COOKIE) return decodeURIComponent(v.join('='));
    }
  }
  return null;
}

/** The client address as the socket sees it (`trust proxy` is off: X-Forwarded-For is not believed). */
export function clientAddress(req: Request): string {
  return req.ip ?? req.socket.remoteAddress ?? 'unknown';
}

/**
 * The unauthenticated throttle (AuthThrottle) first, then the key: 429 + Retry-After for a throttled caller,
 * 401 (counted as a failure) for a missing or wrong key.
 */
export async function authenticateThrottled(keys: ApiKeysService, throttle: AuthThrottle, req: Request, key: string | null, res: Response): Promise<Principal> {
  const address = clientAddress(req);
  const keyHash = key ? hashKey(key) : null;
  let attempt: { reserved: boolean };
  try {
    attempt = throttle.check(address, keyHash);
  } catch (err) {
    if (err instanceof DomainError) res.setHeader('Retry-After', String((err.details as { retryAfterSeconds: number }).retryAfterSeconds));
    throw err;
  }
  const principal = key ? await keys.authenticate(key) : null;
  if (!principal || !keyHash) {
    throttle.failed(address, attempt);
    throw new DomainError('UNAUTHENTICATED', key ? 'Invalid or revoked API key' : 'Missing API key: send Authorization: Bearer <key>');
  }
  throttle.succeeded(keyHash, address, attempt);
  return principal;
}
