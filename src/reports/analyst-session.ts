import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';
import { SESSION_COOKIE } from '../auth/api-key.guard.js';

/** Eight hours: a working day; the analyst signs in again after. */
export const SESSION_MAX_AGE_SECONDS = 8 * 3600;
const CSRF_CONTEXT = 'analyst-csrf-v1';

/** The API key the request authenticated with (session cookie or bearer header), as the guard reads it. */
export function presentedKey(req: Request): string | null {
  const header = req.headers.authorization;
  if (typeof header === 'string') return /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1] ?? null;
  const cookie = req.headers.cookie;
  if (typeof cookie !== 'string') return null;
  for (const part of cookie.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === SESSION_COOKIE) {
      try {
        return decodeURIComponent(v.join('='));
      } catch {
        return null;
      }
    }
  }
  return null;
}

/**
 * The per-session CSRF token: HMAC-SHA256 keyed by the SHA-256 of the session's API key. A cross-site page can
 * neither read the HttpOnly cookie nor compute the token, and every instance derives the same token.
 */
export function csrfToken(apiKey: string): string {
  const keyHash = createHash('sha256').update(apiKey, 'utf8').digest();
  return createHmac('sha256', keyHash).update(CSRF_CONTEXT).digest('base64url');
}

export function csrfMatches(apiKey: string | null, token: string | undefined): boolean {
  if (!apiKey || !token) return false;
  const expected = Buffer.from(csrfToken(apiKey));
  const given = Buffer.from(token);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

export function sessionCookie(apiKey: string, secure: boolean): string {
  return `${SESSION_COOKIE}=${encodeURIComponent(apiKey)}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${SESSION_MAX_AGE_SECONDS}${secure ? '; Secure' : ''}`;
}

export function clearedSessionCookie(secure: boolean): string {
  return `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0${secure ? '; Secure' : ''}`;
}
