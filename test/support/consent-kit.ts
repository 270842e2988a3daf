/**
 * Consent helpers for suites that link accounts and sync (docs/privacy.md: no Mono call without a consent for the
 * purpose). Suites working over HTTP grant through the API, like a lender's frontend; suites that seed borrowers in
 * SQL insert the rows directly.
 */
import request from 'supertest';
import type { TestApp } from './app.js';

export const TEST_NOTICE_VERSION = 'test-notice-v1';
export type TestPurpose = 'underwriting' | 'monitoring';

/** Grants each purpose over HTTP (frontend key), covering every account of the borrower; returns the consent ids. */
export async function grantConsents(t: TestApp, borrowerId: string, purposes: TestPurpose[] = ['underwriting', 'monitoring']): Promise<string[]> {
  const ids: string[] = [];
  for (const purpose of purposes) {
    const res = await request(t.url || t.app.getHttpServer())
      .post(`/v1/borrowers/${borrowerId}/consents`)
      .set(t.auth('frontend'))
      .send({ purpose, noticeVersion: TEST_NOTICE_VERSION, channel: 'test' });
    if (res.status !== 201) throw new Error(`granting ${purpose} consent → ${res.status}: ${JSON.stringify(res.body)}`);
    ids.push(res.body.id as string);
  }
  return ids;
}

/** Inserts consents for the borrower's accounts directly (granted at the database's now(), or `grantedAt`). */
export async function insertConsents(
  db: { query(sql: string, params?: unknown[]): Promise<unknown> },
  borrowerId: string,
  purposes: TestPurpose[] = ['underwriting', 'monitoring'],
  grantedAt?: Date,
): Promise<void> {
  for (const purpose of purposes) {
    await db.query(
      `INSERT INTO consents (borrower_id, purpose, notice_version, channel, granted_at) VALUES ($1, $2, $3, 'test', COALESCE($4::timestamptz, now()))`,
      [borrowerId, purpose, TEST_NOTICE_VERSION, grantedAt ?? null],
    );
  }
}
