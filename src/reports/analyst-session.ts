import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';
import { SESSION_COOKIE, type AuthenticatedRequest } from '../auth/api-key.guard.js';
import { SESSION_MAX_AGE_SECONDS } from '../auth/analyst-sessions.service.js';

export { SESSION_MAX_AGE_SECONDS };
const CSRF_CONTEXT = 'analyst-csrf-v1';

/**
 * The CSRF token forms on this request's pages carry: the server-side session's own random token for a cookie
 * session; for a request with an `Authorization` header (reports rendered as HTML through the API) an HMAC of the
 * key — a browser never attaches that header by itself, so such a request cannot be forged cross-site anyway.
 */
export function csrfFor(req: Request): string {
  const r = req as AuthenticatedRequest;
  if (r.analystSession) return r.analystSession.csrf;
  const header = req.headers.authorization;
  const key = typeof header === 'string' ? (/^Bearer\s+(\S+)\s*$/i.exec(header)?.[1] ?? '') : '';
  const keyHash = createHash('sha256').update(key, 'utf8').digest();
  return createHmac('sha256', keyHash).update(CSRF_CONTEXT).digest('base64url');
}

/** A form post's token against the session's (constant time). Only cookie sessions post forms. */
export function csrfMatches(req: Request, token: string | undefined): boolean {
  const session = (req as AuthenticatedRequest).analystSession;
  if (!session || !token) return false;
  const expected = Buffer.from(session.csrf);
  const given = Buffer.from(token);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/** The cookie holds the session token (random, server-side), never the API key. */
export function sessionCookie(token: string, secure: boolean): string {
  return `${SESSION_COOKIE}=${encodeURIComponent(token)}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${SESSION_MAX_AGE_SECONDS}${secure ? '; Secure' : ''}`;
}

export function clearedSessionCookie(secure: boolean): string {
  return `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0${secure ? '; Secure' : ''}`;
}
