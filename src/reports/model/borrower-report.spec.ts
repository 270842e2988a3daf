import { describe, expect, it } from '@jest/globals';
import { DEFAULT_POLICY, DEFAULT_POLICY_1_0_0 } from '../../scoring/policy/index.js';
import { buildTransactions, engineAccount, salariedSpecs, type TxSpec } from '../../scoring/engine/testing/builders.js';
import { underwrite } from '../../scoring/engine/underwrite.js';
import type { Policy } from '../../scoring/engine/policy.js';
import { renderBorrowerPdf } from '../pdf.js';
import type { DecisionRow, TransactionRow } from '../reports.repository.js';
import { borrowerPage } from '../views/pages.js';
import { buildBorrowerReport } from './borrower-report.js';

const asOf = '2026-12-03';

/** Salary on the 25th April–October (November's never came), family transfers, and an overdraft all along. */
function specs(): TxSpec[] {
  const family: TxSpec[] = [
    ['2026-05-03', 'CHIDI OKONKWO'],
    ['2026-06-11', 'ADAEZE NWANKWO'],
    ['2026-07-23', 'TUNDE BAKARE'],
    ['2026-09-06', 'CHIDI OKONKWO'],
  ].map(([date, who]) => ({ date, direction: 'credit', amountMinor: 3_000_000, category: 'transfer_in', counterparty: who }));
  const salaried = salariedSpecs({ salaryMinor: 40_000_000, dailySpendMinor: 500_000, to: '2026-11' }).filter(
    (t) => !(t.category === 'salary' && t.date >= '2026-11-01'),
  );
  return [...salaried, ...family];
}

function reportFor(policy: Policy) {
  const transactions = buildTransactions(specs(), { openingBalanceMinor: -300_000_000 });
  const result = underwrite({ accounts: [engineAccount('acc-1', transactions, asOf)], transactions, asOf, policy });
  const row: DecisionRow = {
    id: 'd-1',
    borrowerId: 'b-1',
    applicationId: null,
    trigger: 'application',
    decision: result.decision,
    recommendedLimitMinor: result.limit.recommendedMinor,
    instalmentMinor: result.limit.instalmentMinor,
    requestedAmountMinor: null,
    requestedTenorMonths: null,
    currency: 'NGN',
    bindingConstraint: result.limit.bindingConstraint,
    postLoanDsr: result.limit.postLoanDsr,
    reasons: result.reasons,
    flags: result.flags,
    result,
    policyVersion: result.policyVersion,
    engineVersion: result.engineVersion,
    dataAsOf: new Date(`${asOf}T00:00:00Z`),
    actor: null,
    createdAt: new Date(`${asOf}T08:00:00Z`),
    consents: [{ accountId: 'acc-1', consentId: '00000000-0000-4000-8000-000000000001', purpose: 'underwriting' }],
  };
  const byId = new Map<string, TransactionRow>(
    transactions.map((t) => [
      t.id,
      {
        id: t.id,
        accountId: t.accountId,
        providerTxnId: t.providerId,
        postedAt: new Date(t.postedAt),
        bookingDate: t.date,
        direction: t.direction,
        amountMinor: t.amountMinor,
        balanceMinor: t.balanceMinor,
        currency: 'NGN',
        narration: t.narration,
        category: t.category,
        categoryRule: t.categoryRule,
        categorySource: 'rule',
        counterparty: t.counterparty,
        status: 'booked',
        firstSeenAt: new Date(t.postedAt),
        removedAt: null,
      },
    ]),
  );
  return buildBorrowerReport({
    now: new Date(`${asOf}T09:00:00Z`),
    borrower: {
      id: 'b-1',
      externalId: 'x-1',
      fullName: 'Ada Okafor',
      email: 'ada@example.com',
      phone: null,
      bvn: null,
      createdAt: new Date('2026-01-01'),
    },
    accounts: [],
    decision: row,
    history: [row],
    findings: [],
    transactionsById: byId,
    dailyBalances: [],
  });
}

/** Text shown by a PDF's text operators (pdfkit writes hex strings inside TJ arrays when uncompressed). */
function pdfTextOf(pdf: Buffer): string {
  const src = pdf.toString('latin1');
  const out: string[] = [];
  for (const m of src.matchAll(/\[([^\]]*)\]\s*TJ/g)) {
    out.push([...m[1].matchAll(/<([0-9a-fA-F]*)>/g)].map((h) => Buffer.from(h[1], 'hex').toString('latin1')).join(''));
  }
  return out.join('\n');
}

describe(buildBorrowerReport.name, () => {
  it('should show the analyst the missed salary, the credits from individuals not counted and the chronic overdraft', async () => {
    const report = reportFor(DEFAULT_POLICY);
    const salary = report.income!.streams.find((s) => s.isSalary)!;
    expect(salary.missed).toEqual({ expectedDate: '2026-11-25', businessDaysLate: 5, note: 'expected 25 Nov, not received' });
    expect(report.income!.personToPerson).toMatchObject({
      amountMinor: 9_000_000, // June–November are analysed: the May credit is outside
      payers: 3,
      note: 'credits from individuals not counted: ₦90,000 from 3 people',
    });
    expect(report.income!.excludedTransactionIds).toEqual(expect.arrayContaining(report.income!.personToPerson!.transactionIds));
    expect(report.flags.chronicOverdraft).toMatchObject({ detected: true, negativeDays: 90, windowDays: 90 });
    expect(report.decision!.decision).toBe('refer');
    expect(report.decision!.reasons.map((r) => r.code)).toEqual(expect.arrayContaining(['SALARY_MISSED', 'CHRONIC_OVERDRAFT']));

    const page = borrowerPage(report, { user: null });
    expect(page).toContain('expected 25 Nov, not received');
    expect(page).toContain('Credits from individuals not counted: ₦90,000.00 from');
    expect(page).toMatch(/Chronic overdraft<\/th>\s*<td>\s*detected/);

    const text = pdfTextOf(await renderBorrowerPdf(report, { compress: false }));
    expect(text).toContain('expected 25 Nov, not received');
    expect(text).toContain('Credits from individuals not counted: NGN 90,000.00 from 3 people');
    expect(text).toContain('Chronic overdraft: balance negative on 90 of 90 days');
  });

  it('should show none of it for a decision made under a policy without the rules (stored before 1.1.0)', () => {
    const report = reportFor(DEFAULT_POLICY_1_0_0);
    expect(report.income!.personToPerson).toBeNull();
    expect(report.income!.streams.every((s) => s.missed === null)).toBe(true);
    expect(report.flags.chronicOverdraft).toBeNull();
    const page = borrowerPage(report, { user: null });
    expect(page).not.toContain('not received');
    expect(page).not.toContain('Credits from individuals not counted');
  });
});
