import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import type { Role } from '../config/app-config.js';
import { DomainError } from '../common/errors/domain-error.js';
import { ApiKeysService, type Principal } from './api-keys.service.js';
import { PUBLIC_KEY, ROLES_KEY } from './roles.decorator.js';

export type AuthenticatedRequest = Request & { principal?: Principal };

/** `Authorization: Bearer <key>` (or the analyst session cookie) → principal; 401 without a valid key, 403 for the wrong role. */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly keys: ApiKeysService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const req = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const key = extractKey(req);
    if (!key) throw new DomainError('UNAUTHENTICATED', 'Missing API key: send Authorization: Bearer <key>');
    const principal = await this.keys.authenticate(key);
    if (!principal) throw new DomainError('UNAUTHENTICATED', 'Invalid or revoked API key');
    req.principal = principal;
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
