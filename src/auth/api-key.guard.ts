import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import type { Role } from '../config/app-config.js';
import { DomainError } from '../common/errors/domain-error.js';
import { AuthThrottle } from '../security/auth-throttle.js';
import { AnalystSessionsService, hashSessionToken, type AnalystSession } from './analyst-sessions.service.js';
import { ApiKeysService, hashKey, type Principal } from './api-keys.service.js';
import { PUBLIC_KEY, ROLES_KEY } from './roles.decorator.js';

export type AuthenticatedRequest = Request & { principal?: Principal; analystSession?: AnalystSession };

/**
 * `Authorization: Bearer <key>` → principal, or the analyst session cookie → its server-side session's principal;
 * 401 without a valid key or live session, 403 for the wrong role. The header wins when both are sent.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly keys: ApiKeysService,
    private readonly sessions: AnalystSessionsService,
    private readonly throttle: AuthThrottle,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const http = context.switchToHttp();
    const req = http.getRequest<AuthenticatedRequest>();
    const res = http.getResponse<Response>();
    const credential = extractCredential(req);
    if (credential?.kind === 'session') {
      const session = await authenticate(
        this.throttle,
        req,
        res,
        credential.value,
        hashSessionToken,
        async (t) => {
          const s = await this.sessions.resolve(t);
          return s ? { principal: s.principal, session: s } : null;
        },
        'The analyst session has ended (signed out, expired or its key revoked): sign in again',
      );
      req.principal = session.principal;
      req.analystSession = session.session;
    } else {
      req.principal = await authenticateThrottled(this.keys, this.throttle, req, credential?.value ?? null, res);
    }
    const principal = req.principal;
    const allowed = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets) ?? ['admin'];
    if (!allowed.includes(principal.role)) {
      throw new DomainError('FORBIDDEN', `Role ${principal.role} may not call this route (allowed: ${allowed.join(', ')})`);
    }
    return true;
  }
}

export const SESSION_COOKIE = 'uw_session';

function extractCredential(req: Request): { kind: 'key' | 'session'; value: string } | null {
  const header = req.headers.authorization;
  if (typeof header === 'string') {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    return match ? { kind: 'key', value: match[1] } : { kind: 'key', value: '' };
  }
  const token = sessionToken(req);
  return token === null ? null : { kind: 'session', value: token };
}

/** The analyst session cookie's token, if the request carries one. */
export function sessionToken(req: Request): string | null {
  const cookie = req.headers.cookie;
  if (typeof cookie !== 'string') return null;
  for (const part of cookie.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k !== SESSION_COOKIE) continue;
    try {
      return decodeURIComponent(v.join('='));
    } catch {
      return '';
    }
  }
  return null;
}

/** The client address as the socket sees it (`trust proxy` is off: X-Forwarded-For is not believed). */
export function clientAddress(req: Request): string {
  return req.ip ?? req.socket.remoteAddress ?? 'unknown';
}

/**
 * The unauthenticated throttle (AuthThrottle) first, then the credential: 429 + Retry-After for a throttled caller,
 * 401 (counted as a failure) for a missing or wrong one.
 */
async function authenticate<T extends { principal: Principal }>(
  throttle: AuthThrottle,
  req: Request,
  res: Response,
  credential: string | null,
  hash: (credential: string) => string,
  lookup: (credential: string) => Promise<T | null>,
  invalid: string,
): Promise<T> {
  const address = clientAddress(req);
  const credentialHash = credential ? hash(credential) : null;
  let attempt: { reserved: boolean };
  try {
    attempt = throttle.check(address, credentialHash);
  } catch (err) {
    if (err instanceof DomainError) res.setHeader('Retry-After', String((err.details as { retryAfterSeconds: number }).retryAfterSeconds));
    throw err;
  }
  const found = credential ? await lookup(credential) : null;
  if (!found || !credentialHash) {
    throttle.failed(address, attempt);
    throw new DomainError('UNAUTHENTICATED', credential ? invalid : 'Missing API key: send Authorization: Bearer <key>');
  }
  throttle.succeeded(credentialHash, address, attempt);
  return found;
}

/** An API key (header or the analyst login form) → principal, throttled like every authentication. */
export async function authenticateThrottled(
  keys: ApiKeysService,
  throttle: AuthThrottle,
  req: Request,
  key: string | null,
  res: Response,
): Promise<Principal> {
  const found = await authenticate(
    throttle,
    req,
    res,
    key,
    hashKey,
    async (k) => {
      const principal = await keys.authenticate(k);
      return principal ? { principal } : null;
    },
    'Invalid or revoked API key',
  );
  return found.principal;
}
