import { createHash, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '../common/clock.js';
import type { Role } from '../config/app-config.js';
import type { Principal } from './api-keys.service.js';

/** Eight hours: a working day; the analyst signs in again after. */
export const SESSION_MAX_AGE_SECONDS = 8 * 3600;

export interface AnalystSession {
  id: string;
  principal: Principal;
  /** The session's CSRF token: random per session, compared on every form post. */
  csrf: string;
  expiresAt: Date;
}

export function hashSessionToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/**
 * Server-side analyst sessions in `analyst_sessions`: the cookie holds a random 256-bit token (only its SHA-256 is
 * stored), never the API key. A session ends at logout, at expiry, or when its API key is revoked; every instance
 * sees the same sessions.
 */
@Injectable()
export class AnalystSessionsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  /** Opens a session for a key that has just authenticated; returns the cookie token (shown once) and the session. */
  async open(principal: Principal): Promise<{ token: string; session: AnalystSession }> {
    await this.purgeEnded();
    const token = randomBytes(32).toString('base64url');
    const csrf = randomBytes(24).toString('base64url');
    const expiresAt = new Date(this.clock.now().getTime() + SESSION_MAX_AGE_SECONDS * 1000);
    const [row] = await this.dataSource.query<Array<{ id: string }>>(
      `INSERT INTO analyst_sessions (token_hash, api_key_id, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
      [hashSessionToken(token), principal.apiKeyId, csrf, this.clock.now(), expiresAt],
    );
    return { token, session: { id: row.id, principal, csrf, expiresAt } };
  }

  /** The live session a cookie token names, or null (unknown, expired, logged out, or its key revoked). */
  async resolve(token: string): Promise<AnalystSession | null> {
    if (token.length === 0 || token.length > 128) return null;
    const [row] = await this.dataSource.query<
      Array<{ id: string; csrf_token: string; expires_at: Date; key_id: string; name: string; role: Role }>
    >(
      `SELECT s.id, s.csrf_token, s.expires_at, k.id AS key_id, k.name, k.role
         FROM analyst_sessions s JOIN api_keys k ON k.id = s.api_key_id
        WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > $2 AND k.revoked_at IS NULL`,
      [hashSessionToken(token), this.clock.now()],
    );
    if (!row) return null;
    return {
      id: row.id,
      principal: { apiKeyId: row.key_id, name: row.name, role: row.role },
      csrf: row.csrf_token,
      expiresAt: new Date(row.expires_at),
    };
  }

  /** Logout: the session ends for every instance at once. */
  async revoke(sessionId: string): Promise<void> {
    await this.dataSource.query(`UPDATE analyst_sessions SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL`, [
      sessionId,
      this.clock.now(),
    ]);
  }

  /** Housekeeping on every sign-in: sessions that ended more than a day ago are deleted. */
  private async purgeEnded(): Promise<void> {
    const cutoff = new Date(this.clock.now().getTime() - 24 * 3600 * 1000);
    await this.dataSource.query(`DELETE FROM analyst_sessions WHERE expires_at < $1 OR revoked_at < $1`, [cutoff]);
  }
}
