import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { ApiKeysService } from '../../src/auth/api-keys.service.js';
import { AnalystController } from '../../src/reports/analyst.controller.js';
import { ScoringService } from '../../src/scoring/scoring.service.js';
import { createTestApp, TEST_KEYS, type TestApp } from '../support/app.js';
import { pdfTextOf } from '../support/pdf-text.js';
import { binaryBody, seedBorrower, type SeededBorrower } from './reports-seed.js';

/** A cookie that holds a raw API key, as sessions were before they became server-side: no longer a session. */
const rawKeyCookie = (key: string): string => `uw_session=${encodeURIComponent(key)}`;

interface Session {
  cookie: string;
  csrf: string;
}

/** Signs in through the login form, as a browser does; the page's forms carry the session's CSRF token. */
async function signIn(server: Parameters<typeof request>[0], apiKey: string): Promise<Session> {
  const res = await request(server).post('/analyst/login').type('form').send({ apiKey }).expect(303);
  const cookie = String(res.headers['set-cookie']).split(';')[0];
  const page = await request(server).get('/analyst').set('Cookie', cookie).expect(200);
  const csrf = /name="csrf" value="([^"]+)"/.exec(page.text)?.[1];
  if (!csrf) throw new Error('no CSRF token on the page');
  return { cookie, csrf };
}

describe(AnalystController.name, () => {
  let t: TestApp;
  let db: DataSource;
  let seeded: SeededBorrower;
  let decisionId: string;
  let analyst: Session;
  let admin: Session;

  beforeAll(async () => {
    t = await createTestApp();
    db = t.app.get(DataSource);
    analyst = await signIn(t.app.getHttpServer(), TEST_KEYS.analyst);
    admin = await signIn(t.app.getHttpServer(), TEST_KEYS.admin);
    seeded = await seedBorrower(db, { fullName: 'Chinedu <b>Okafor</b>', externalId: 'los-chi-042' });
    decisionId = (await t.app.get(ScoringService).scoreBorrower(seeded.borrowerId, { trigger: 'application' })).id;
  });

  afterAll(async () => {
    await t.close();
  });

  it('should sign analysts in with an HttpOnly SameSite=Strict session cookie and refuse other roles', async () => {
    const server = t.app.getHttpServer();
    const form = await request(server).get('/analyst/login').expect(200);
    expect(form.text).toContain('name="apiKey"');
    const ok = await request(server).post('/analyst/login').type('form').send({ apiKey: TEST_KEYS.analyst }).expect(303);
    expect(ok.headers.location).toBe('/analyst');
    const set = String(ok.headers['set-cookie']);
    expect(set).toContain('uw_session=');
    expect(set).toContain('HttpOnly');
    expect(set).toContain('SameSite=Strict');
    // The cookie carries a random session token, never the key; only the token's hash is stored.
    const token = decodeURIComponent(set.split(';')[0].slice('uw_session='.length));
    expect(token).not.toContain(TEST_KEYS.analyst);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const stored = await db.query<Array<{ token_hash: string }>>(`SELECT token_hash FROM analyst_sessions`);
    expect(stored.some((r) => r.token_hash === createHash('sha256').update(token).digest('hex'))).toBe(true);
    expect(JSON.stringify(stored)).not.toContain(token);
    const frontend = await request(server).post('/analyst/login').type('form').send({ apiKey: TEST_KEYS.frontend }).expect(403);
    expect(frontend.headers['set-cookie']).toBeUndefined();
    await request(server).post('/analyst/login').type('form').send({ apiKey: 'nope' }).expect(401);
  });

  it('should redirect without a session and answer 403 to a frontend session', async () => {
    const server = t.app.getHttpServer();
    const anon = await request(server).get(`/analyst/borrowers/${seeded.borrowerId}`).expect(303);
    expect(anon.headers.location).toBe('/analyst/login');
    // A cookie holding a raw key (the old scheme) is no session.
    const raw = await request(server).get('/analyst').set('Cookie', rawKeyCookie(TEST_KEYS.analyst)).expect(303);
    expect(raw.headers.location).toBe('/analyst/login');
    // A frontend key can open no session; through the API header it is refused the pages.
    const denied = await request(server).get('/analyst').set(t.auth('frontend')).expect(403);
    expect(denied.headers['content-type']).toMatch(/^text\/html/);
    expect(denied.text).toContain('Not allowed');
  });

  it('should list, search and page borrowers with their latest decision', async () => {
    const server = t.app.getHttpServer();
    const list = await request(server).get('/analyst').set('Cookie', analyst.cookie).expect(200);
    expect(list.text).toContain('Chinedu &lt;b&gt;Okafor&lt;/b&gt;');
    expect(list.text).not.toContain('<b>Okafor</b>');
    const hit = await request(server).get('/analyst?q=chi-042').set('Cookie', analyst.cookie).expect(200);
    expect(hit.text).toContain(`/analyst/borrowers/${seeded.borrowerId}`);
    const miss = await request(server).get('/analyst?q=nobody-here').set('Cookie', analyst.cookie).expect(200);
    expect(miss.text).toContain('No borrowers match.');
    await request(server).get('/analyst?page=2').set('Cookie', admin.cookie).expect(200);
  });

  it('should drill down to exactly the transactions behind a stream and a month', async () => {
    const server = t.app.getHttpServer();
    const [d] = await db.query<
      Array<{
        result: { income: { streams: Array<{ id: string; transactionIds: string[] }> }; cashFlow: { months: Array<{ month: string }> } };
      }>
    >(`SELECT result FROM decisions WHERE id = $1`, [decisionId]);
    const stream = d.result.income.streams[0];
    const page = await request(server)
      .get(`/analyst/borrowers/${seeded.borrowerId}/transactions?decisionId=${decisionId}&stream=${stream.id}`)
      .set('Cookie', analyst.cookie)
      .expect(200);
    const shown = [...page.text.matchAll(/data-transaction="([0-9a-f-]{36})"/g)].map((m) => m[1]);
    expect(shown.sort()).toEqual([...stream.transactionIds].sort());
    const month = d.result.cashFlow.months[0].month;
    const byMonth = await request(server)
      .get(`/analyst/borrowers/${seeded.borrowerId}/transactions?month=${month}`)
      .set('Cookie', analyst.cookie)
      .expect(200);
    const [{ n }] = await db.query<Array<{ n: number }>>(
      `SELECT count(*)::int AS n FROM bank_transactions WHERE account_id = $1 AND to_char(booking_date, 'YYYY-MM') = $2`,
      [seeded.accountId, month],
    );
    expect([...byMonth.text.matchAll(/data-transaction=/g)]).toHaveLength(n);
    await request(server)
      .get(`/analyst/borrowers/${seeded.borrowerId}/transactions?month=2026-13`)
      .set('Cookie', analyst.cookie)
      .expect(400);
  });

  it('should refuse an override without the session’s CSRF token', async () => {
    const server = t.app.getHttpServer();
    await request(server)
      .post(`/analyst/borrowers/${seeded.borrowerId}/transactions/${seeded.transactionIds[0]}/category`)
      .set('Cookie', analyst.cookie)
      .type('form')
      .send({ csrf: admin.csrf, category: 'other', reason: 'forged' })
      .expect(403);
    const [{ n }] = await db.query<Array<{ n: number }>>(`SELECT count(*)::int AS n FROM decisions WHERE borrower_id = $1`, [
      seeded.borrowerId,
    ]);
    expect(n).toBe(1);
  });

  it('should recategorise a transaction, record who and why, and re-run the decision', async () => {
    const server = t.app.getHttpServer();
    const [salary] = await db.query<Array<{ id: string }>>(
      `SELECT id FROM bank_transactions WHERE account_id = $1 AND category = 'salary' ORDER BY booking_date DESC LIMIT 1`,
      [seeded.accountId],
    );
    const res = await request(server)
      .post(`/analyst/borrowers/${seeded.borrowerId}/transactions/${salary.id}/category`)
      .set('Cookie', analyst.cookie)
      .type('form')
      .send({ csrf: analyst.csrf, category: 'self_transfer', reason: 'Own money from the Kuda account' })
      .expect(303);
    const [latest] = await db.query<Array<{ id: string; trigger: string; actor: string }>>(
      `SELECT id, trigger, actor FROM decisions WHERE borrower_id = $1 ORDER BY created_at DESC LIMIT 1`,
      [seeded.borrowerId],
    );
    expect(res.headers.location).toBe(`/analyst/borrowers/${seeded.borrowerId}?decisionId=${latest.id}&done=recategorised`);
    expect(latest).toMatchObject({ trigger: 'override', actor: 'analyst:test-analyst' });
    const [tx] = await db.query<Array<{ category: string; category_source: string }>>(
      `SELECT category, category_source FROM bank_transactions WHERE id = $1`,
      [salary.id],
    );
    expect(tx).toEqual({ category: 'self_transfer', category_source: 'analyst' });
    const audit = await db.query<Array<{ actor: string; reason: string }>>(
      `SELECT actor, reason FROM audit_log WHERE action = 'transaction.recategorised' AND entity_id = $1`,
      [salary.id],
    );
    expect(audit).toEqual([{ actor: 'analyst:test-analyst', reason: 'Own money from the Kuda account' }]);
    const [rev] = await db.query<Array<{ change: string; actor: string }>>(
      `SELECT change, actor FROM transaction_revisions WHERE transaction_id = $1`,
      [salary.id],
    );
    expect(rev).toEqual({ change: 'recategorised', actor: 'analyst:test-analyst' });
    const page = await request(server).get(String(res.headers.location)).set('Cookie', analyst.cookie).expect(200);
    expect(page.text).toContain('This is the new decision.');
    expect(page.text).toContain(latest.id);
  });

  it('should mark an income stream as not income so the re-run decision no longer counts it', async () => {
    const server = t.app.getHttpServer();
    const [base] = await db.query<
      Array<{
        id: string;
        result: {
          income: {
            verifiedMonthlyMinor: number;
            streams: Array<{ id: string; counterparty: string; countedMonthlyMinor: number; transactionIds: string[] }>;
          };
        };
      }>
    >(`SELECT id, result FROM decisions WHERE borrower_id = $1 ORDER BY created_at DESC LIMIT 1`, [seeded.borrowerId]);
    const friend = base.result.income.streams.find((s) => s.counterparty.includes('JOHN DOE'));
    expect(friend).toBeDefined();
    const res = await request(server)
      .post(`/analyst/borrowers/${seeded.borrowerId}/streams/${friend!.id}/not-income`)
      .set('Cookie', analyst.cookie)
      .type('form')
      .send({ csrf: analyst.csrf, decisionId: base.id, reason: 'Family support, not earnings' })
      .expect(303);
    const [next] = await db.query<
      Array<{
        id: string;
        trigger: string;
        result: {
          income: { verifiedMonthlyMinor: number; streams: Array<{ counterparty: string }>; irregular: { transactionIds: string[] } };
        };
      }>
    >(`SELECT id, trigger, result FROM decisions WHERE borrower_id = $1 ORDER BY created_at DESC LIMIT 1`, [seeded.borrowerId]);
    expect(res.headers.location).toBe(`/analyst/borrowers/${seeded.borrowerId}?decisionId=${next.id}&done=not_income`);
    expect(next.trigger).toBe('override');
    expect(next.result.income.streams.some((s) => s.counterparty.includes('JOHN DOE'))).toBe(false);
    for (const id of friend!.transactionIds) expect(next.result.income.irregular.transactionIds).not.toContain(id);
    expect(next.result.income.verifiedMonthlyMinor).toBeLessThanOrEqual(base.result.income.verifiedMonthlyMinor);
    const [audit] = await db.query<
      Array<{
        actor: string;
        reason: string;
        before: { decisionId: string };
        after: { decisionId: string; transactionIds: string[] };
      }>
    >(`SELECT actor, reason, before, after FROM audit_log WHERE action = 'income_stream.marked_not_income'`);
    expect(audit.actor).toBe('analyst:test-analyst');
    expect(audit.reason).toBe('Family support, not earnings');
    expect(audit.before.decisionId).toBe(base.id);
    expect(audit.after.decisionId).toBe(next.id);
    expect(audit.after.transactionIds.sort()).toEqual([...friend!.transactionIds].sort());
  });

  it('should keep versioned, audited analyst notes per decision, on the page and in the PDF', async () => {
    const server = t.app.getHttpServer();
    const [latest] = await db.query<Array<{ id: string }>>(
      `SELECT id FROM decisions WHERE borrower_id = $1 ORDER BY created_at DESC LIMIT 1`,
      [seeded.borrowerId],
    );
    const path = `/analyst/borrowers/${seeded.borrowerId}/decisions/${latest.id}/notes`;
    // No CSRF token, no note; a blank note is refused.
    await request(server).post(path).set('Cookie', analyst.cookie).type('form').send({ body: 'forged' }).expect(400);
    await request(server).post(path).set('Cookie', analyst.cookie).type('form').send({ csrf: admin.csrf, body: 'forged' }).expect(403);
    await request(server).post(path).set('Cookie', analyst.cookie).type('form').send({ csrf: analyst.csrf, body: '   ' }).expect(400);
    const first = await request(server)
      .post(path)
      .set('Cookie', analyst.cookie)
      .type('form')
      .send({ csrf: analyst.csrf, body: 'Salary confirmed with the employer letter <b>on file</b>.' })
      .expect(303);
    expect(first.headers.location).toBe(`/analyst/borrowers/${seeded.borrowerId}?decisionId=${latest.id}&done=note`);
    await request(server)
      .post(path)
      .set('Cookie', analyst.cookie)
      .type('form')
      .send({ csrf: analyst.csrf, body: 'Salary confirmed; second look at the Kuda transfers: own money.' })
      .expect(303);
    const page = await request(server).get(String(first.headers.location)).set('Cookie', analyst.cookie).expect(200);
    expect(page.text).toContain('Note saved as a new version');
    expect(page.text).toContain('Version 2 by analyst:test-analyst');
    expect(page.text).toContain('second look at the Kuda transfers');
    expect(page.text).toContain('Earlier versions (1)');
    expect(page.text).toContain('Salary confirmed with the employer letter &lt;b&gt;on file&lt;/b&gt;.');
    const rows = await db.query<Array<{ version: number; author: string }>>(
      `SELECT version, author FROM decision_notes WHERE decision_id = $1 ORDER BY version`,
      [latest.id],
    );
    expect(rows).toEqual([
      { version: 1, author: 'analyst:test-analyst' },
      { version: 2, author: 'analyst:test-analyst' },
    ]);
    const audit = await db.query<Array<{ actor: string; after: { version: number; length: number } }>>(
      `SELECT actor, after FROM audit_log WHERE action = 'decision.note_saved' AND entity_id = $1 ORDER BY id`,
      [latest.id],
    );
    expect(audit.map((a) => [a.actor, a.after.version])).toEqual([
      ['analyst:test-analyst', 1],
      ['analyst:test-analyst', 2],
    ]);
    // The audit holds versions and lengths, not the text.
    expect(JSON.stringify(audit)).not.toContain('Kuda');
    const pdf = await request(server)
      .get(`/v1/reports/borrowers/${seeded.borrowerId}?format=pdf&decisionId=${latest.id}`)
      .set(t.auth('analyst'))
      .buffer(true)
      .parse(binaryBody)
      .expect(200);
    const text = pdfTextOf(pdf.body as Buffer, { joinLines: true });
    expect(text).toContain('Analyst notes');
    expect(text).toContain('second look at the Kuda transfers');
    // Another borrower's decision id under this borrower is not found.
    await request(server)
      .post(`/analyst/borrowers/${seeded.borrowerId}/decisions/00000000-0000-4000-8000-000000000000/notes`)
      .set('Cookie', analyst.cookie)
      .type('form')
      .send({ csrf: analyst.csrf, body: 'x' })
      .expect(404);
  });

  it('should serve the portfolio page and log out with the CSRF token', async () => {
    const server = t.app.getHttpServer();
    const page = await request(server).get('/analyst/portfolio').set('Cookie', analyst.cookie).expect(200);
    expect(page.text).toContain('Top reason codes');
    await request(server).post('/analyst/logout').set('Cookie', analyst.cookie).type('form').send({ csrf: 'wrong' }).expect(403);
    const out = await request(server)
      .post('/analyst/logout')
      .set('Cookie', analyst.cookie)
      .type('form')
      .send({ csrf: analyst.csrf })
      .expect(303);
    expect(String(out.headers['set-cookie'])).toContain('Max-Age=0');
    // Logout ends the session on the server: the old cookie no longer works, on this or any instance.
    const after = await request(server).get('/analyst/portfolio').set('Cookie', analyst.cookie).expect(303);
    expect(after.headers.location).toBe('/analyst/login');
    analyst = await signIn(server, TEST_KEYS.analyst);
  });

  it('should end a session at its expiry and when its API key is revoked, and give each session its own CSRF token', async () => {
    const server = t.app.getHttpServer();
    const a = await signIn(server, TEST_KEYS.analyst);
    const b = await signIn(server, TEST_KEYS.analyst);
    expect(a.csrf).not.toBe(b.csrf);
    // b's token does not pass for a.
    await request(server).post('/analyst/logout').set('Cookie', a.cookie).type('form').send({ csrf: b.csrf }).expect(403);
    await db.query(`UPDATE analyst_sessions SET expires_at = now() - interval '1 second' WHERE token_hash = $1`, [
      createHash('sha256')
        .update(decodeURIComponent(a.cookie.slice('uw_session='.length)))
        .digest('hex'),
    ]);
    expect((await request(server).get('/analyst').set('Cookie', a.cookie).expect(303)).headers.location).toBe('/analyst/login');
    await request(server).get('/analyst').set('Cookie', b.cookie).expect(200);
    const { key } = await t.app.get(ApiKeysService).create('analyst', 'short-lived');
    const c = await signIn(server, key);
    const [{ id }] = await db.query<Array<{ id: string }>>(`SELECT id FROM api_keys WHERE name = 'short-lived'`);
    await t.app.get(ApiKeysService).revoke(id);
    expect((await request(server).get('/analyst').set('Cookie', c.cookie).expect(303)).headers.location).toBe('/analyst/login');
  });
});
