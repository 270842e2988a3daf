import { describe, expect, it } from '@jest/globals';
import { creditPerformance, loanStateAt, type PerfApplication, type PerfLoan } from './credit-performance.js';

/** Two equal principal-only instalments; `paid` lists [paidOn, seq] of full instalment payments. */
function loan(id: string, principal: number, disbursedOn: string, dues: [string, string], paid: Array<[string, number]>, o: Partial<PerfLoan> = {}): PerfLoan {
  const half = principal / 2;
  return {
    id,
    principalMinor: principal,
    disbursedOn,
    closedOn: null,
    writtenOffOn: null,
    instalments: [
      { seq: 1, dueDate: dues[0], principalMinor: half, interestMinor: 0 },
      { seq: 2, dueDate: dues[1], principalMinor: half, interestMinor: 0 },
    ],
    payments: paid.map(([paidOn, seq]) => ({ paidOn, amountMinor: half, allocation: [{ seq, principalMinor: half, interestMinor: 0 }] })),
    ...o,
  };
}

// The hand-computed book (docs/reports.md "Credit performance"): A repaid on time and closed; B never paid (90+ DPD
// at asOf); C paid its first instalment 11 days late and is 26 days past due on its second; D not yet due.
const A = loan('A', 1_000_000, '2026-01-10', ['2026-02-10', '2026-03-10'], [['2026-02-10', 1], ['2026-03-10', 2]], { closedOn: '2026-03-10' });
const B = loan('B', 2_000_000, '2026-02-05', ['2026-03-05', '2026-04-05'], []);
const C = loan('C', 1_000_000, '2026-03-20', ['2026-04-20', '2026-05-20'], [['2026-05-01', 1]]);
const D = loan('D', 3_000_000, '2026-05-25', ['2026-06-25', '2026-07-25'], []);
const APPS: PerfApplication[] = [
  { decision: 'approve', policyVersion: 'p1', loanId: 'A' },
  { decision: 'approve', policyVersion: 'p1', loanId: 'B' },
  { decision: 'refer', policyVersion: 'p2', loanId: 'C' },
  { decision: 'approve', policyVersion: 'p2', loanId: 'D' },
  { decision: 'decline', policyVersion: 'p2', loanId: null },
  { decision: null, policyVersion: null, loanId: null },
];
const report = creditPerformance([A, B, C, D], APPS, { fromMonth: '2026-01', toMonth: '2026-06', asOf: '2026-06-15T10:00:00Z' });

describe('creditPerformance (hand-computed fixture)', () => {
  it('should give exposure, arrears buckets, PAR30 and PAR90 at asOf', () => {
    expect(report.exposure).toEqual({ openLoans: 3, outstandingPrincipalMinor: 5_500_000, disbursedLoans: 4, disbursedPrincipalMinor: 7_000_000 });
    expect(report.buckets.map((b) => [b.key, b.loans, b.outstandingPrincipalMinor])).toEqual([
      ['current', 1, 3_000_000],
      ['1-30', 1, 500_000],
      ['31-60', 0, 0],
      ['61-90', 0, 0],
      ['90+', 1, 2_000_000],
    ]);
    // 2,000,000 / 5,500,000
    expect(report.par30).toBe('0.3636');
    expect(report.par90).toBe('0.3636');
  });

  it('should give disbursed, collected and outstanding by month with the month-end PAR30', () => {
    expect(report.months.map((m) => [m.month, m.disbursedPrincipalMinor, m.collectedMinor, m.outstandingPrincipalMinor, m.par30])).toEqual([
      ['2026-01', 1_000_000, 0, 1_000_000, '0.0000'],
      ['2026-02', 2_000_000, 500_000, 2_500_000, '0.0000'],
      ['2026-03', 1_000_000, 500_000, 3_000_000, '0.0000'],
      ['2026-04', 0, 0, 3_000_000, '0.6667'],
      ['2026-05', 3_000_000, 500_000, 5_500_000, '0.3636'],
      ['2026-06', 0, 0, 5_500_000, '0.3636'],
    ]);
  });

  it('should give the roll rates between month-ends', () => {
    expect(report.rollRates.map((r) => [r.from, r.to])).toEqual([
      ['2026-01-31', '2026-02-28'],
      ['2026-02-28', '2026-03-31'],
      ['2026-03-31', '2026-04-30'],
      ['2026-04-30', '2026-05-31'],
      ['2026-05-31', '2026-06-15'],
    ]);
    const [, feb, mar, apr, may] = report.rollRates;
    expect(feb.counts.current).toMatchObject({ closed: 1, '1-30': 1 });
    expect(feb.rollForward.current).toBe('0.8000'); // B's 2,000,000 of the 2,500,000 current
    expect(mar.counts['1-30']['31-60']).toBe(1);
    expect(mar.rollForward).toMatchObject({ current: '1.0000', '1-30': '1.0000', '31-60': null });
    expect(apr.counts['31-60']['61-90']).toBe(1);
    expect(apr.counts['1-30']['1-30']).toBe(1);
    expect(apr.rollForward).toMatchObject({ '1-30': '0.0000', '31-60': '1.0000' });
    expect(may.counts['61-90']['90+']).toBe(1);
    expect(may.rollForward).toMatchObject({ current: '0.0000', '1-30': '0.0000', '61-90': '1.0000' });
  });

  it('should draw one vintage curve per disbursement month: share of principal ever 30+ DPD by month on book', () => {
    expect(report.vintages).toEqual([
      { cohort: '2026-01', loans: 1, disbursedPrincipalMinor: 1_000_000, points: [1, 2, 3, 4].map((k) => ({ monthsOnBook: k, ever30Share: '0.0000' })) },
      {
        cohort: '2026-02',
        loans: 1,
        disbursedPrincipalMinor: 2_000_000,
        // B crosses 30 DPD on 5 Apr: after the end of month on book 1 (31 Mar), before that of 2 (30 Apr).
        points: [
          { monthsOnBook: 1, ever30Share: '0.0000' },
          { monthsOnBook: 2, ever30Share: '1.0000' },
          { monthsOnBook: 3, ever30Share: '1.0000' },
        ],
      },
      { cohort: '2026-03', loans: 1, disbursedPrincipalMinor: 1_000_000, points: [1, 2].map((k) => ({ monthsOnBook: k, ever30Share: '0.0000' })) },
      { cohort: '2026-05', loans: 1, disbursedPrincipalMinor: 3_000_000, points: [] },
    ]);
  });

  it('should follow applications to decisions, loans and outcomes by decision and by policy', () => {
    expect(report.funnel.byDecision).toEqual([
      { key: 'approve', applications: 3, decided: 3, loans: 3, repaid: 1, current: 1, late: 0, dpd30Plus: 1, writtenOff: 0, badRate: '0.3333' },
      { key: 'decline', applications: 1, decided: 1, loans: 0, repaid: 0, current: 0, late: 0, dpd30Plus: 0, writtenOff: 0, badRate: null },
      { key: 'refer', applications: 1, decided: 1, loans: 1, repaid: 0, current: 0, late: 1, dpd30Plus: 0, writtenOff: 0, badRate: '0.0000' },
      { key: 'undecided', applications: 1, decided: 0, loans: 0, repaid: 0, current: 0, late: 0, dpd30Plus: 0, writtenOff: 0, badRate: null },
    ]);
    expect(report.funnel.byPolicy.map((r) => [r.key, r.applications, r.loans, r.badRate])).toEqual([
      ['p1', 2, 2, '0.5000'],
      ['p2', 3, 2, '0.0000'],
      ['undecided', 1, 0, null],
    ]);
  });

  it('should take a written-off loan out of the book at its write-off, counting it bad and its principal written off', () => {
    const E = loan('E', 1_000_000, '2026-01-15', ['2026-02-15', '2026-03-15'], [], { writtenOffOn: '2026-05-10' });
    const r = creditPerformance([E], [{ decision: 'approve', policyVersion: 'p1', loanId: 'E' }], { fromMonth: '2026-04', toMonth: '2026-06', asOf: '2026-06-15' });
    expect(loanStateAt(E, '2026-05-09')).toMatchObject({ open: true, dpd: 83, outstandingPrincipalMinor: 1_000_000 });
    expect(loanStateAt(E, '2026-05-10')).toMatchObject({ open: false, writtenOff: true, outstandingPrincipalMinor: 0 });
    expect(r.months.map((m) => [m.month, m.writtenOffPrincipalMinor, m.outstandingPrincipalMinor])).toEqual([
      ['2026-04', 0, 1_000_000],
      ['2026-05', 1_000_000, 0],
      ['2026-06', 0, 0],
    ]);
    expect(r.rollRates[0].counts['61-90'].written_off).toBe(1);
    expect(r.funnel.byDecision[0]).toMatchObject({ writtenOff: 1, badRate: '1.0000' });
    expect(r.par30).toBeNull();
  });
});
