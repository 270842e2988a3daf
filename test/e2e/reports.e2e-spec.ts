import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { ReportsController } from '../../src/reports/reports.controller.js';
import { parseCsv } from '../../src/reports/csv.js';
import type { EngineResult } from '../../src/scoring/engine/index.js';
import { ScoringService } from '../../src/scoring/scoring.service.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { binaryBody, seedBorrower, type SeededBorrower } from './reports-seed.js';
import { pdfTextOf } from '../support/pdf-text.js';
import { riskGrade } from '../../src/scoring/engine/index.js';


describe(ReportsController.name, () => {
  let t: TestApp;
  let db: DataSource;
  let seeded: SeededBorrower;
  let decisionId: string;

  beforeAll(async () => {
    t = await createTestApp();
    db = t.app.get(DataSource);
    seeded = await seedBorrower(db, { fullName: 'Ada Obi', externalId: 'los-ada-001' });
    const scoring = t.app.get(ScoringService);
    await scoring.scoreBorrower(seeded.borrowerId, { trigger: 'application', requestedLoan: { amountMinor: 50_000_000, tenorMonths: 6 } });
    // A second, later decision so the history has a diff.
    await db.query(`UPDATE bank_transactions SET category = 'loan_repayment', counterparty = 'CARBON' WHERE id = $1`, [
      seeded.transactionIds[seeded.transactionIds.length - 1],
    ]);
    decisionId = (
      await scoring.scoreBorrower(seeded.borrowerId, { trigger: 'scheduled', requestedLoan: { amountMinor: 50_000_000, tenorMonths: 6 } })
    ).id;
  });

  afterAll(async () => {
    await t.close();
  });

  it('should report exactly the stored decision’s numbers', async () => {
    const res = await request(t.app.getHttpServer()).get(`/v1/reports/borrowers/${seeded.borrowerId}`).set(t.auth('analyst')).expect(200);
    const [row] = await db.query<
      Array<{
        id: string;
        decision: string;
        l: string;
        i: string;
        binding_constraint: string;
        dsr: string | null;
        reasons: Array<{ code: string }>;
        flags: string[];
        result: EngineResult;
      }>
    >(
      `SELECT id, decision, recommended_limit_minor::text AS l, instalment_minor::text AS i, binding_constraint, post_loan_dsr::text AS dsr, reasons, flags, result
         FROM decisions WHERE id = $1`,
      [decisionId],
    );
    const r = res.body;
    expect(r.decision.id).toBe(row.id);
    expect(r.decision.decision).toBe(row.decision);
    expect(r.decision.recommendedLimitMinor).toBe(Number(row.l));
    expect(r.decision.instalmentMinor).toBe(Number(row.i));
    expect(r.decision.bindingConstraint).toBe(row.binding_constraint);
    expect(r.decision.postLoanDsr === null ? null : Number(r.decision.postLoanDsr)).toBe(row.dsr === null ? null : Number(row.dsr));
    expect(r.decision.reasons.map((x: { code: string }) => x.code)).toEqual(row.reasons.map((x) => x.code));
    expect(r.decision.reasons.map((x: { rank: number }) => x.rank)).toEqual(row.reasons.map((_, k) => k + 1));
    expect(r.flags.codes).toEqual(row.flags);
    // The risk grade is the documented function of the stored result, every point listed.
    expect(r.decision.grade).toEqual(riskGrade(row.result));
    expect(r.decision.grade.grade).toMatch(/^[A-E]$/);
    expect(r.income.verifiedMonthlyMinor).toBe(row.result.income.verifiedMonthlyMinor);
    expect(
      r.income.streams.map((s: { key: string; monthlyAmountMinor: number; transactionIds: string[] }) => [
        s.key,
        s.monthlyAmountMinor,
        s.transactionIds,
      ]),
    ).toEqual(
      row.result.income.streams.map((s: { id: string; monthlyAmountMinor: number; transactionIds: string[] }) => [
        s.id,
        s.monthlyAmountMinor,
        s.transactionIds,
      ]),
    );
    expect(r.cashFlow.months).toEqual(
      row.result.cashFlow.months.map((m) => ({
        month: m.month,
        inflowMinor: m.inflowMinor,
        outflowMinor: m.outflowMinor,
        netMinor: m.netMinor,
      })),
    );
    expect(r.cashFlow.negativeBalanceDays).toBe(row.result.cashFlow.negativeBalanceDays);
    expect(r.obligations.monthlyTotalMinor).toBe(row.result.obligations.monthlyTotalMinor);
    expect(r.obligations.lenders.map((l: { lender: string; monthlyMinor: number }) => [l.lender, l.monthlyMinor])).toEqual(
      row.result.obligations.lenders.map((l: { lender: string; monthlyMinor: number }) => [l.lender, l.monthlyMinor]),
    );
    // The rebuilt balance line agrees with the engine's count of negative days.
    expect(r.cashFlow.dailyBalances).toHaveLength(row.result.cashFlow.balanceWindowDays);
    expect(r.cashFlow.dailyBalances.filter((d: { balanceMinor: number }) => d.balanceMinor < 0).length).toBe(
      row.result.cashFlow.negativeBalanceDays,
    );
    // Every stream payment is a transaction with a date and amount.
    for (const s of r.income.streams) for (const p of s.payments) expect(p.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(r.borrower.bvn).toBe('•••••••5678');
    expect(r.borrower.phone).toMatch(/4567$/);
    expect(JSON.stringify(r)).not.toContain('22212345678');
    expect(r.accounts[0]).toMatchObject({ freshnessHours: 2, dataStatus: 'AVAILABLE', reauthRequired: false });
    expect(r.history).toHaveLength(2);
    expect(r.history[0].id).toBe(decisionId);
    expect(r.history[1].changes).toEqual([]);
  });

  it('should show a past decision with ?decisionId and record what changed between reviews', async () => {
    const all = await db.query<Array<{ id: string }>>(`SELECT id FROM decisions WHERE borrower_id = $1 ORDER BY created_at`, [
      seeded.borrowerId,
    ]);
    const res = await request(t.app.getHttpServer())
      .get(`/v1/reports/borrowers/${seeded.borrowerId}?decisionId=${all[0].id}`)
      .set(t.auth('admin'))
      .expect(200);
    expect(res.body.decision.id).toBe(all[0].id);
    const latest = res.body.history[0];
    expect(latest.id).toBe(all[1].id);
    expect(latest.changes.map((c: { field: string }) => c.field)).toContain('obligationsMonthlyMinor');
    await request(t.app.getHttpServer())
      .get(`/v1/reports/borrowers/${seeded.borrowerId}?decisionId=00000000-0000-4000-8000-000000000000`)
      .set(t.auth('analyst'))
      .expect(404);
  });

  it('should give the transactions as CSV that parses back to the same rows', async () => {
    await db.query(`UPDATE bank_transactions SET narration = $2 WHERE id = $1`, [
      seeded.transactionIds[0],
      'Quote " comma, and\r\nnew line',
    ]);
    await db.query(`UPDATE bank_transactions SET narration = $2 WHERE id = $1`, [seeded.transactionIds[1], '=HYPERLINK("http://evil")']);
    const res = await request(t.app.getHttpServer())
      .get(`/v1/reports/borrowers/${seeded.borrowerId}/transactions.csv`)
      .set(t.auth('analyst'))
      .expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    const [header, ...rows] = parseCsv(res.text);
    expect(header.slice(0, 8)).toEqual([
      'transaction_id',
      'account_id',
      'booking_date',
      'posted_at',
      'direction',
      'amount_kobo',
      'amount_naira',
      'signed_amount_kobo',
    ]);
    const db_rows = await db.query<Array<{ id: string; d: string; direction: string; a: string; narration: string }>>(
      `SELECT id, booking_date::text AS d, direction, amount_minor::text AS a, narration FROM bank_transactions WHERE account_id = $1 ORDER BY booking_date, posted_at, id`,
      [seeded.accountId],
    );
    expect(rows).toHaveLength(db_rows.length);
    const col = (name: string): number => header.indexOf(name);
    rows.forEach((row, k) => {
      const d = db_rows[k];
      expect(row[col('transaction_id')]).toBe(d.id);
      expect(row[col('booking_date')]).toBe(d.d);
      expect(row[col('amount_kobo')]).toBe(d.a);
      expect(row[col('amount_naira')]).toBe(`${Math.floor(Number(d.a) / 100)}.${String(Number(d.a) % 100).padStart(2, '0')}`);
      expect(row[col('narration')]).toBe(d.narration.startsWith('=') ? `'${d.narration}` : d.narration);
    });
    expect(rows.find((r) => r[col('transaction_id')] === seeded.transactionIds[0])?.[col('narration')]).toBe(
      'Quote " comma, and\r\nnew line',
    );
    // ?format=csv is the same file.
    const same = await request(t.app.getHttpServer())
      .get(`/v1/reports/borrowers/${seeded.borrowerId}?format=csv`)
      .set(t.auth('analyst'))
      .expect(200);
    expect(same.text).toBe(res.text);
  });

  it('should render a valid PDF carrying the borrower’s limit', async () => {
    const res = await request(t.app.getHttpServer())
      .get(`/v1/reports/borrowers/${seeded.borrowerId}?format=pdf`)
      .set(t.auth('analyst'))
      .buffer(true)
      .parse(binaryBody)
      .expect(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    const pdf = res.body as Buffer;
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(pdf.subarray(-6).toString('latin1').trim()).toBe('%%EOF');
    const [row] = await db.query<Array<{ l: string; decision: string }>>(
      `SELECT recommended_limit_minor::text AS l, decision FROM decisions WHERE id = $1`,
      [decisionId],
    );
    const naira = Number(row.l) / 100;
    const formatted = `NGN ${Math.floor(naira).toLocaleString('en-US')}.${String(Number(row.l) % 100).padStart(2, '0')}`;
    const text = pdfTextOf(pdf);
    // The seeded history ends today, so the outcome can differ by date; a decline's limit is labelled as not offered.
    const label = row.decision === 'decline' ? 'Computed limit (not offered)' : 'Recommended limit';
    expect(text).toContain(`${label}: ${formatted}`);
    expect(text).toContain('Ada Obi');
    // The charts are vector paths: filled rectangles for the bars.
    expect(pdf.toString('latin1').match(/ re\n?/g)?.length ?? 0).toBeGreaterThan(10);
  });

  it('should escape hostile names in the HTML report', async () => {
    const hostile = await seedBorrower(db, { fullName: '<script>alert("x")</script> Eve', externalId: 'ext-<img src=x onerror=alert(1)>' });
    await t.app.get(ScoringService).scoreBorrower(hostile.borrowerId, { trigger: 'manual' });
    const res = await request(t.app.getHttpServer())
      .get(`/v1/reports/borrowers/${hostile.borrowerId}?format=html`)
      .set(t.auth('analyst'))
      .expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.text).not.toContain('<script>alert');
    expect(res.text).not.toContain('<img src=x');
    expect(res.text).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; Eve');
    expect(res.text).toContain('<svg');
  });

  it('should keep reports to analysts and admins', async () => {
    const server = t.app.getHttpServer();
    await request(server).get(`/v1/reports/borrowers/${seeded.borrowerId}`).expect(401);
    await request(server).get(`/v1/reports/borrowers/${seeded.borrowerId}`).set(t.auth('frontend')).expect(403);
    await request(server).get(`/v1/reports/borrowers/${seeded.borrowerId}/transactions.csv`).set(t.auth('frontend')).expect(403);
    await request(server).get('/v1/reports/portfolio').set(t.auth('frontend')).expect(403);
    await request(server).get(`/v1/reports/borrowers/${seeded.borrowerId}`).set(t.auth('admin')).expect(200);
    await request(server).get(`/v1/reports/borrowers/not-a-uuid`).set(t.auth('analyst')).expect(400);
    await request(server).get(`/v1/reports/borrowers/${seeded.borrowerId}?format=xml`).set(t.auth('analyst')).expect(400);
  });

  it('should build the portfolio report as JSON, CSV and HTML', async () => {
    const backlog = await seedBorrower(db, { fullName: 'Reauth Person', reauthAccount: true });
    await db.query(
      `INSERT INTO sync_runs (account_id, trigger, strategy, status, mono_code, completed_at) VALUES ($1, 'scheduled', 'realtime', 'failed', 'SYNC_FAILED', now())`,
      [backlog.accountId],
    );
    const server = t.app.getHttpServer();
    const res = await request(server).get('/v1/reports/portfolio').set(t.auth('analyst')).expect(200);
    const p = res.body;
    const [{ n }] = await db.query<Array<{ n: number }>>(`SELECT count(*)::int AS n FROM decisions`);
    expect(p.totals.decisions).toBe(n);
    expect(p.decisionsOverTime.reduce((s: number, d: { total: number }) => s + d.total, 0)).toBe(n);
    expect(p.unit).toBe('week');
    expect(p.limits.buckets.reduce((s: number, b: { count: number }) => s + b.count, 0)).toBe(p.totals.borrowersDecided);
    expect(p.reauthBacklog).toEqual([expect.objectContaining({ borrowerId: backlog.borrowerId, institution: 'Access Bank', days: 5 })]);
    expect(p.syncs.failures).toBe(1);
    expect(p.topReasons.length).toBeGreaterThan(0);
    expect(p.freshness.buckets.find((b: { label: string }) => b.label === 'under 24h').count).toBeGreaterThanOrEqual(2);
    expect(p.reunderwriting).toHaveProperty('cycles');
    // Every borrower decided in the window is in exactly one risk grade; the limits add up to the limit total.
    expect(p.grades.map((g: { grade: string }) => g.grade)).toEqual(['A', 'B', 'C', 'D', 'E']);
    expect(p.grades.reduce((s: number, g: { borrowers: number }) => s + g.borrowers, 0)).toBe(p.totals.borrowersDecided);
    expect(p.grades.reduce((s: number, g: { totalLimitMinor: number }) => s + g.totalLimitMinor, 0)).toBe(p.limits.totalMinor);

    const csv = await request(server).get('/v1/reports/portfolio?format=csv').set(t.auth('analyst')).expect(200);
    const rows = parseCsv(csv.text);
    expect(rows[0]).toEqual(['section', 'key', 'label', 'value']);
    expect(rows.filter((r) => r[0] === 'reauth_backlog')).toHaveLength(1);
    expect(rows.filter((r) => r[0] === 'decisions').reduce((s, r) => s + Number(r[3]), 0)).toBe(n);

    const page = await request(server)
      .get(`/v1/reports/portfolio?format=html&from=${p.from}&to=${p.to}`)
      .set(t.auth('analyst'))
      .expect(200);
    expect(page.text).toContain('Accounts needing re-authorisation');
    expect(page.text).toContain('Reauth Person');
    expect(page.text).toContain('By risk grade');
    // A saved HTML report is self-contained: the stylesheet is inline, no inline script.
    expect(page.text).toMatch(/<style>[^<]*\.badge\.grade/);
    expect(page.text).not.toContain('href="/analyst/assets/analyst.css"');
    expect(page.text).not.toMatch(/<script/);
    await request(server).get('/v1/reports/portfolio?from=2026-13-01').set(t.auth('analyst')).expect(400);
  });
  it('should count re-underwriting outcomes per cycle', async () => {
    const [{ t: table }] = await db.query<Array<{ t: string | null }>>(`SELECT to_regclass('limit_changes')::text AS t`);
    if (!table) {
      const res = await request(t.app.getHttpServer()).get('/v1/reports/portfolio').set(t.auth('analyst')).expect(200);
      expect(res.body.reunderwriting).toEqual({ available: false, cycles: [] });
      return;
    }
    const [cycle] = await db.query<Array<{ id: string }>>(
      `INSERT INTO review_cycles (trigger, status, as_of, review_max_age_days, budget, finished_at) VALUES ('scheduled', 'completed', now(), 30, 100, now()) RETURNING id`,
    );
    for (const [action, toStatus] of [
      ['raised', 'active'],
      ['raised', 'active'],
      ['lowered', 'active'],
      ['frozen', 'frozen'],
      ['unchanged', 'active'],
    ]) {
      await db.query(
        `INSERT INTO limit_changes (borrower_id, from_limit_minor, to_limit_minor, from_status, to_status, action, reasons, limit_policy_version, cycle_id)
         VALUES ($1, 100, 200, 'active', $2, $3, '[]', 'test', $4)`,
        [seeded.borrowerId, toStatus, action, cycle.id],
      );
    }
    const res = await request(t.app.getHttpServer()).get('/v1/reports/portfolio').set(t.auth('analyst')).expect(200);
    expect(res.body.reunderwriting.available).toBe(true);
    expect(res.body.reunderwriting.cycles).toEqual([
      expect.objectContaining({ cycleId: cycle.id, raised: 2, lowered: 1, frozen: 1, other: 1 }),
    ]);
  });
  it('should report a borrower who has no decision yet', async () => {
    const fresh = await seedBorrower(db, { fullName: 'New Person' });
    const res = await request(t.app.getHttpServer()).get(`/v1/reports/borrowers/${fresh.borrowerId}`).set(t.auth('analyst')).expect(200);
    expect(res.body).toMatchObject({ decision: null, income: null, cashFlow: null, history: [] });
    expect(res.body.accounts).toHaveLength(1);
    const page = await request(t.app.getHttpServer())
      .get(`/v1/reports/borrowers/${fresh.borrowerId}?format=html`)
      .set(t.auth('analyst'))
      .expect(200);
    expect(page.text).toContain('No decision has been made for this borrower yet.');
    const pdf = await request(t.app.getHttpServer())
      .get(`/v1/reports/borrowers/${fresh.borrowerId}?format=pdf`)
      .set(t.auth('analyst'))
      .expect(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
  });
});
