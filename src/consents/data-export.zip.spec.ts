import { buffer } from 'node:stream/consumers';
import { describe, expect, it } from '@jest/globals';
import { strFromU8, unzipSync } from 'fflate';
import { parseCsv } from '../reports/csv.js';
import type { BorrowerExport } from './data-export.service.js';
import { borrowerExportZip, EXPORT_SECTIONS, EXPORT_ZIP_FILES, exportJsonText } from './data-export.zip.js';

const LOAN = '0b7c9a1e-2f3d-4e5a-8b6c-7d8e9f0a1b2c';

function sampleExport(transactions = 3): BorrowerExport {
  return {
    format: 'borrower-export/v1',
    generatedAt: '2026-05-01T10:00:00.000Z',
    borrower: {
      id: 'b-1',
      externalId: 'ext-1',
      fullName: 'Ọlá "Ade", Jr',
      email: 'a@example.com',
      phone: null,
      bvn: null,
      createdAt: '2026-01-01T00:00:00.000Z',
    },
    consents: [],
    accounts: [{ id: 'a-1', currency: 'NGN', balanceMinor: -150_000, accountNumber: '0123456789' }],
    transactions: Array.from({ length: transactions }, (_, i) => ({
      id: `t-${i}`,
      account_id: 'a-1',
      posted_at: new Date(Date.UTC(2026, 3, 1 + (i % 28))),
      amount_minor: i === 0 ? -250_000 : 1_000 + i,
      currency: 'NGN',
      narration: i === 0 ? '=HYPERLINK("https://evil.example","x")' : i === 1 ? 'POS, LAGOS\r\n"TWO LINES"' : `NIP/FROM X/${i}`,
      removed_at: null,
      // A column the section does not declare still reaches the CSV.
      extra_field: i === 2 ? { nested: [1, 2] } : null,
    })),
    decisions: [{ id: 'd-1', reasons: [{ code: 'LOW_INCOME', rank: 1 }], flags: [], recommended_limit_minor: 5_000_000, currency: 'NGN' }],
    applications: [{ id: 'p-1', purpose: '@SUM(A1:A9)', amount_minor: 20_000_000, currency: 'NGN', stale_data: false }],
    loans: [
      {
        id: LOAN,
        principal_minor: 5_000_000,
        currency: 'NGN',
        instalments: [
          {
            seq: 1,
            dueDate: '2026-06-01',
            principalMinor: '1666667',
            interestMinor: '150000',
            paidPrincipalMinor: '0',
            paidInterestMinor: '0',
          },
        ],
        repayments: [{ reference: '+RPY-1', amountMinor: '300000', paidAt: '2026-05-02T09:00:00+00:00', reversedAt: null }],
      },
    ],
    incomeChecks: [],
    shadowDecisions: [],
    audit: [
      {
        created_at: new Date('2026-04-01T00:00:00Z'),
        actor: 'api-key:k',
        action: 'borrower.created',
        entity_type: 'borrower',
        entity_id: 'b-1',
        reason: null,
      },
    ],
    counts: {
      consents: 0,
      accounts: 1,
      transactions,
      decisions: 1,
      applications: 1,
      loans: 1,
      incomeChecks: 0,
      shadowDecisions: 0,
      audit: 1,
    },
  };
}

async function unzip(doc: BorrowerExport): Promise<Record<string, string>> {
  const files = unzipSync(new Uint8Array(await buffer(borrowerExportZip(doc))));
  return Object.fromEntries(Object.entries(files).map(([name, bytes]) => [name, strFromU8(bytes)]));
}

describe(borrowerExportZip.name, () => {
  it('should hold a README, one CSV per section and the JSON document', async () => {
    const doc = sampleExport();
    const files = await unzip(doc);
    expect(Object.keys(files)).toEqual([...EXPORT_ZIP_FILES]);
    expect(JSON.parse(files['export.json'])).toEqual(JSON.parse(JSON.stringify(doc)));
    for (const s of EXPORT_SECTIONS) expect(files['README.txt']).toContain(s.file);
    expect(files['README.txt']).toMatch(/transactions\.csv +3 rows: /);
  });

  it('should write RFC 4180 CSV with typed cells, neutralised formulas and nothing of the JSON left out', async () => {
    const doc = sampleExport();
    const files = await unzip(doc);
    const [header, ...rows] = parseCsv(files['transactions.csv']);
    expect(header.slice(0, 3)).toEqual(['id', 'account_id', 'provider_txn_id']);
    expect(header).toEqual(expect.arrayContaining(Object.keys(doc.transactions[0])));
    expect(header.at(-1)).toBe('extra_field');
    const col = (name: string) => header.indexOf(name);
    expect(rows).toHaveLength(3);
    expect(rows[0][col('narration')]).toBe('\'=HYPERLINK("https://evil.example","x")');
    expect(rows[0][col('amount_minor')]).toBe('-250000');
    expect(rows[0][col('posted_at')]).toBe('2026-04-01T00:00:00.000Z');
    expect(rows[0][col('provider_txn_id')]).toBe('');
    expect(rows[1][col('narration')]).toBe('POS, LAGOS\r\n"TWO LINES"');
    expect(rows[2][col('extra_field')]).toBe('{"nested":[1,2]}');
    expect(files['transactions.csv']).toContain('"POS, LAGOS\r\n""TWO LINES"""');

    expect(parseCsv(files['profile.csv'])[1][2]).toBe('Ọlá "Ade", Jr');
    expect(parseCsv(files['accounts.csv'])[1]).toContain('-150000');
    const decisions = parseCsv(files['decisions.csv']);
    expect(JSON.parse(decisions[1][decisions[0].indexOf('reasons')])).toEqual([{ code: 'LOW_INCOME', rank: 1 }]);
    expect(parseCsv(files['applications.csv'])[1]).toContain("'@SUM(A1:A9)");
    // An empty section still has its header row.
    expect(parseCsv(files['consents.csv'])).toEqual([EXPORT_SECTIONS.find((s) => s.file === 'consents.csv')!.columns]);
  });

  it('should flatten loan schedules and repayments with integer kobo and the loan currency', async () => {
    const files = await unzip(sampleExport());
    const loans = parseCsv(files['loans.csv']);
    expect(loans[0]).not.toContain('instalments');
    expect(loans[0]).not.toContain('repayments');
    expect(parseCsv(files['loan-instalments.csv'])).toEqual([
      ['loan_id', 'seq', 'dueDate', 'principalMinor', 'interestMinor', 'paidPrincipalMinor', 'paidInterestMinor', 'currency'],
      [LOAN, '1', '2026-06-01', '1666667', '150000', '0', '0', 'NGN'],
    ]);
    expect(parseCsv(files['loan-repayments.csv'])).toEqual([
      ['loan_id', 'reference', 'amountMinor', 'paidAt', 'reversedAt', 'currency'],
      [LOAN, "'+RPY-1", '300000', '2026-05-02T09:00:00+00:00', '', 'NGN'],
    ]);
  });

  it('should stream a large export in many chunks', async () => {
    const doc = sampleExport(20_000);
    const chunks: Buffer[] = [];
    for await (const chunk of borrowerExportZip(doc)) chunks.push(chunk as Buffer);
    expect(chunks.length).toBeGreaterThan(10);
    const files = unzipSync(new Uint8Array(Buffer.concat(chunks)));
    expect(parseCsv(strFromU8(files['transactions.csv']))).toHaveLength(20_001);
  });
});

describe(exportJsonText.name, () => {
  it('should be JSON.stringify of the document, piece by piece', () => {
    const doc = sampleExport();
    expect([...exportJsonText(doc)].join('')).toBe(JSON.stringify(doc));
  });
});
