import { beforeAll, describe, expect, it } from '@jest/globals';
import { Decimal } from 'decimal.js';
import {
  ARCHETYPES,
  approvedInstalment,
  borrowerRow,
  evaluatePopulation,
  formatPopulationReport,
  generatePopulation,
  underwriteBorrower,
  type PopulationBorrower,
  type PopulationReport,
  type UnderwritingOutput,
} from './index.js';

const asOf = '2026-11-30';
const SLICE = { seed: 1, count: 64, asOf };

const chronological = (b: PopulationBorrower, i: number) => [...b.exports[i].transactions].reverse();
const lagosMonthsBefore = (iso: string, months: number): string => {
  const d = new Date(`${iso}T00:00:00Z`);
  d.setUTCMonth(d.getUTCMonth() - months, 1);
  return d.toISOString().slice(0, 10);
};

describe('population generator', () => {
  const population = generatePopulation(SLICE);

  it('is deterministic for a seed, differs across seeds, and a smaller count is a prefix', () => {
    expect(JSON.stringify(generatePopulation(SLICE))).toBe(JSON.stringify(population));
    const other = generatePopulation({ ...SLICE, seed: 2 });
    expect(other.map((b) => b.exports[0].transactions[0].narration)).not.toEqual(
      population.map((b) => b.exports[0].transactions[0].narration),
    );
    expect(JSON.stringify(generatePopulation({ ...SLICE, count: 20 }))).toBe(JSON.stringify(population.slice(0, 20)));
  });

  it('covers every archetype, four times in 64 borrowers', () => {
    const counts = new Map<string, number>();
    for (const b of population) counts.set(b.archetype, (counts.get(b.archetype) ?? 0) + 1);
    expect([...counts.keys()].sort()).toEqual([...ARCHETYPES].sort());
    for (const a of ARCHETYPES) expect(counts.get(a)).toBe(4);
    expect(new Set(population.map((b) => b.id)).size).toBe(population.length);
  });

  it('gives every borrower defined truth that follows from the generated parameters', () => {
    for (const b of population) {
      const t = b.truth;
      expect(t.monthlyIncomeMinor).not.toBeNull();
      expect(Number.isSafeInteger(t.monthlyIncomeMinor)).toBe(true);
      expect(t.monthlyIncomeMinor!).toBeGreaterThanOrEqual(0);
      expect(Number.isSafeInteger(t.obligationsMonthlyMinor) && t.obligationsMonthlyMinor >= 0).toBe(true);
      expect(t.expectedDecisions.length).toBeGreaterThan(0);
      for (const d of t.expectedDecisions) expect(['approve', 'refer', 'decline']).toContain(d);
      expect(t.notes.length).toBeGreaterThan(0);
      expect(b.applicantName.length).toBeGreaterThan(0);
      if (b.requestedLoan) {
        expect(b.requestedLoan.amountMinor % 500_000).toBe(0);
        expect([3, 4, 6, 9, 12]).toContain(b.requestedLoan.tenorMonths);
      }
      switch (b.archetype) {
        case 'salaried_family':
        case 'own_wallets':
        case 'loan_stacker':
        case 'one_off_loan':
        case 'chronic_overdraft':
        case 'multi_account_sweep':
        case 'thin_file':
        case 'gambler':
          expect(t.monthlyIncomeMinor).toBe(b.params.salary);
          break;
        case 'salary_raise':
          expect(t.monthlyIncomeMinor).toBe(b.params.after);
          expect(b.params.after as number).toBeGreaterThan(b.params.before as number);
          break;
        case 'employer_change':
          expect(t.monthlyIncomeMinor).toBe(b.params.newSalary);
          break;
        case 'pension':
          expect(t.monthlyIncomeMinor).toBe(b.params.pension);
          break;
        case 'job_loss':
          expect(t.monthlyIncomeMinor).toBe(0);
          expect(t.expectedDecisions).not.toContain('approve');
          break;
        case 'fortnightly_wages':
          // Constant pay: pay × 26 / 12, rounded down.
          expect(t.monthlyIncomeMinor).toBe(new Decimal(Number(b.params.fortnightly)).mul(26).div(12).floor().toNumber());
          break;
        case 'weekly_wages':
        case 'gig_multi_narration':
        case 'trader':
          expect(t.monthlyIncomeMinor!).toBeGreaterThan(0);
          break;
      }
      if (['loan_stacker', 'thin_file', 'gambler', 'job_loss'].includes(b.archetype)) expect(t.expectedDecisions).not.toContain('approve');
      if (b.archetype === 'loan_stacker' || b.archetype === 'one_off_loan') expect(t.obligationsMonthlyMinor).toBeGreaterThan(0);
      else expect(t.obligationsMonthlyMinor).toBe(0);
    }
  });

  it('writes Mono exports whose running balances follow the amounts', () => {
    // Violations are collected and asserted once (tens of thousands of rows).
    const problems: string[] = [];
    let rowsChecked = 0;
    for (const b of population) {
      expect(b.exports.length).toBeGreaterThanOrEqual(1);
      for (let i = 0; i < b.exports.length; i++) {
        const item = b.exports[i];
        const rows = chronological(b, i);
        const where = `${b.id}[${i}]`;
        if (rows.length <= 10) problems.push(`${where}: only ${rows.length} rows`);
        if (item.account.balance !== item.transactions[0].balance)
          problems.push(`${where}: account balance is not the newest running balance`);
        if (new Set(rows.map((t) => t.id)).size !== rows.length) problems.push(`${where}: duplicate ids`);
        for (let k = 0; k < rows.length; k++) {
          const t = rows[k];
          rowsChecked++;
          if (!Number.isSafeInteger(t.amount) || t.amount <= 0) problems.push(`${where} ${t.id}: amount ${t.amount}`);
          if (t.type !== 'debit' && t.type !== 'credit') problems.push(`${where} ${t.id}: type ${String(t.type)}`);
          if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.000Z$/.test(t.date) || t.date.slice(0, 10) >= asOf)
            problems.push(`${where} ${t.id}: date ${t.date}`);
          if (k === 0) continue;
          if (t.date < rows[k - 1].date) problems.push(`${where} ${t.id}: out of order`);
          const expected = rows[k - 1].balance + (t.type === 'credit' ? t.amount : -t.amount);
          if (t.balance !== expected) problems.push(`${where} ${t.id}: balance ${t.balance}, expected ${expected}`);
        }
      }
    }
    expect(rowsChecked).toBeGreaterThan(10_000);
    expect(problems).toEqual([]);
  });

  it('spans six complete months before asOf (thin files fewer than three) and ends the day before asOf', () => {
    for (const b of population) {
      const dates = b.exports.flatMap((e) => e.transactions.map((t) => t.date.slice(0, 10))).sort();
      expect(dates[dates.length - 1] <= '2026-11-29').toBe(true);
      if (b.archetype === 'thin_file') expect(dates[0] > lagosMonthsBefore(asOf, 3)).toBe(true);
      else expect(dates[0]).toBe(lagosMonthsBefore(asOf, 6));
    }
  });

  it('gives multi-account borrowers two or three accounts in the holder’s name with matching sweep legs', () => {
    for (const b of population.filter((x) => x.archetype === 'multi_account_sweep')) {
      expect(b.exports.length).toBe(b.params.accounts);
      const [a, second] = b.exports;
      const outs = a.transactions.filter((t) => t.type === 'debit').map((t) => `${t.date.slice(0, 10)}:${t.amount}`);
      const ins = new Set(second.transactions.filter((t) => t.type === 'credit').map((t) => `${t.date.slice(0, 10)}:${t.amount}`));
      expect(outs.filter((k) => ins.has(k)).length).toBeGreaterThanOrEqual(6);
    }
  });

  it('overdraws chronic-overdraft accounts on most days, and says so in the truth', () => {
    for (const b of population.filter((x) => x.archetype === 'chronic_overdraft')) {
      const neg = b.params.negativeDays90 as number;
      expect(neg).toBeGreaterThanOrEqual(0);
      if (neg > 45) expect(b.truth.expectedDecisions).not.toContain('approve');
    }
    expect(population.filter((x) => x.archetype === 'chronic_overdraft').some((b) => (b.params.negativeDays90 as number) > 45)).toBe(true);
  });

  it('stops the salary of job-loss borrowers one or two months before asOf', () => {
    for (const b of population.filter((x) => x.archetype === 'job_loss')) {
      const last = b.params.lastSalary as string;
      expect(last < '2026-11-01').toBe(true);
      expect(last >= '2026-08-01').toBe(true);
    }
  });
});

describe('population metrics', () => {
  const [sample] = generatePopulation({ seed: 3, count: 1, asOf });
  const output = underwriteBorrower(sample, asOf);
  const withIncome = (o: UnderwritingOutput, verified: number, estimate = verified): UnderwritingOutput => ({
    ...o,
    income: { ...o.income, verifiedMonthly: verified, monthlyEstimate: estimate },
  });
  const truthOf = (income: number, obligations = 0): PopulationBorrower => ({
    ...sample,
    truth: { ...sample.truth, monthlyIncomeMinor: income, obligationsMonthlyMinor: obligations },
  });

  it('measures income error, ±15% and over-estimation against the truth', () => {
    const row = borrowerRow(truthOf(10_000_000), withIncome(output, 11_600_000));
    expect(row.incomeError).toBe('0.1600');
    expect(row.within15).toBe(false);
    expect(row.overEstimated).toBe(true);
    const exact = borrowerRow(truthOf(10_000_000), withIncome(output, 11_500_000));
    expect(exact.within15).toBe(true);
    expect(exact.overEstimated).toBe(false);
    // True income 0 (a job loss): any verified income over-estimates it; the relative error is undefined.
    const zero = borrowerRow(truthOf(0), withIncome(output, 1));
    expect(zero.incomeError).toBeNull();
    expect(zero.overEstimated).toBe(true);
  });

  it('takes the approved offer’s instalment and flags over-lending above 45% of true income', () => {
    const approved: UnderwritingOutput = {
      ...output,
      decision: 'approve',
      instalment: 1_000_000,
      requested: { amount: 10_000_000, tenorMonths: 6, instalment: 2_000_000, postLoanDsr: '0.2', affordable: true },
      counterOffer: null,
    };
    expect(approvedInstalment(approved)).toBe(2_000_000);
    expect(
      approvedInstalment({
        ...approved,
        requested: { ...approved.requested!, affordable: false },
        counterOffer: { amount: 5_000_000, tenorMonths: 6, instalment: 900_000 },
      }),
    ).toBe(900_000);
    expect(approvedInstalment({ ...approved, requested: null })).toBe(1_000_000);
    expect(approvedInstalment({ ...approved, decision: 'refer' })).toBeNull();
    // 2,000,000 + 2,600,000 = 4,600,000 > 45% of 10,000,000; with obligations 2,500,000 it is exactly 45%: not over.
    expect(borrowerRow(truthOf(10_000_000, 2_600_000), approved).overLent).toBe(true);
    expect(borrowerRow(truthOf(10_000_000, 2_500_000), approved).overLent).toBe(false);
    expect(borrowerRow(truthOf(10_000_000, 9_000_000), { ...approved, decision: 'decline' }).overLent).toBe(false);
  });

  it('aggregates per archetype and overall', () => {
    const report = evaluatePopulation([truthOf(10_000_000), { ...truthOf(10_000_000), id: 'b2', archetype: 'pension' }], (b) =>
      withIncome(output, b.id === 'b2' ? 20_000_000 : 10_000_000),
    );
    expect(report.overall.borrowers).toBe(2);
    expect(report.overall.medianAbsIncomeError).toBe('0.5000');
    expect(report.overall.within15Share).toBe('0.5000');
    expect(report.overall.overEstimationRate).toBe('0.5000');
    expect(report.byArchetype.map((g) => g.group)).toEqual([sample.archetype, 'pension']);
    expect(report.overall.estimateWithin15Share).toBe('0.5000');
    expect(formatPopulationReport(report)).toContain('| overall | 2 | 2 | 50.0% | 50.0% | 50.0% | 50.0% | 50.0% | 50.0% |');
    // Detected and verified income are judged apart: a haircut below detected income is not a detection miss.
    const haircut = evaluatePopulation([truthOf(10_000_000)], () => withIncome(output, 6_000_000, 10_000_000));
    expect(haircut.overall.estimateWithin15Share).toBe('1.0000');
    expect(haircut.overall.within15Share).toBe('0.0000');
    expect(haircut.overall.overEstimationRate).toBe('0.0000');
  });
});

/*
 * Floors on the engine's accuracy over the deterministic 64-borrower slice (seed 1, asOf 2026-11-30). Each floor is
 * what the engine in the working tree achieved on this slice when the population was introduced, less a small margin
 * (measured: within ±15% 86.7% of 60, over-estimation 0 of 64, over-lending 0, decision agreement 100%). The lead
 * raises them as the engine improves, towards the targets (±15% ≥ 90%, over-estimation ≤ 2%, over-lending 0,
 * agreement ≥ 90%). The ±15% share is held down by traders (verified at ~0.6 × the 25th-percentile month of
 * irregular income) and thin files (EARLY streams at weight 0.4): engine conservatism, not over-statement.
 */
describe('engine accuracy on the population slice', () => {
  let report: PopulationReport;
  beforeAll(() => {
    report = evaluatePopulation(generatePopulation(SLICE), (b) => underwriteBorrower(b, asOf));
  });

  it('keeps income within ±15% of the truth for most borrowers with an income', () => {
    expect(report.overall.withIncome).toBe(60);
    expect(new Decimal(report.overall.within15Share!).toNumber()).toBeGreaterThanOrEqual(0.8);
  });

  it('rarely over-estimates income', () => {
    expect(new Decimal(report.overall.overEstimationRate!).toNumber()).toBeLessThanOrEqual(0.02);
    const family = report.byArchetype.find((g) => g.group === 'salaried_family')!;
    // The costliest error in the issue: money from family and friends counted as income.
    expect(family.overEstimationRate).toBe('0.0000');
  });

  it('never over-lends', () => {
    expect(report.overall.overLendingRate).toBe('0.0000');
  });

  it('agrees with the expected decision band', () => {
    expect(new Decimal(report.overall.decisionAgreement!).toNumber()).toBeGreaterThanOrEqual(0.94);
    for (const g of ['job_loss', 'loan_stacker', 'gambler', 'thin_file']) {
      // Never an approval where the analyst expects review or decline.
      expect(report.byArchetype.find((x) => x.group === g)!.decisions.approve).toBe(0);
    }
  });
});/**
 * Floors on the 64-borrower slice, a little under what engine 1.2.0 measures on it (detected income within ±15%
 * 98.3% of 60, verified 86.7%, over-estimation 0 of 64, over-lending 0, decision agreement 100%; docs/accuracy.md has
 * the 300-borrower figures). Raise them when the engine improves. Verified income sits under detected income on
 * purpose for traders (irregular income × 0.6 at the 25th percentile when unstable) and thin files / new jobs (EARLY
 * streams × 0.4): conservatism, never over-statement — so detection is floored on detected income and over-statement on
 * both.
 */
describe('engine accuracy on the population slice', () => {
  let report: PopulationReport;
  beforeAll(() => {
    report = evaluatePopulation(generatePopulation(SLICE), (b) => underwriteBorrower(b, asOf));
  });

  it('detects income within ±15% of the truth for nearly every borrower with an income', () => {
    expect(report.overall.withIncome).toBe(60);
    expect(new Decimal(report.overall.estimateWithin15Share!).toNumber()).toBeGreaterThanOrEqual(0.93);
    expect(new Decimal(report.overall.within15Share!).toNumber()).toBeGreaterThanOrEqual(0.83);
  });

  it('does not over-estimate income, least of all from family, own wallets or sweeps', () => {
    expect(new Decimal(report.overall.overEstimationRate!).toNumber()).toBeLessThanOrEqual(0.02);
    expect(new Decimal(report.overall.estimateOverEstimationRate!).toNumber()).toBeLessThanOrEqual(0.02);
    // The costliest errors in the issue: money from family and friends, or the borrower's own money, counted as income.
    for (const g of ['salaried_family', 'own_wallets', 'multi_account_sweep']) {
      expect(report.byArchetype.find((x) => x.group === g)!.overEstimationRate).toBe('0.0000');
    }
  });

  it('never over-lends', () => {
    expect(report.overall.overLendingRate).toBe('0.0000');
  });

  it('agrees with the expected decision band', () => {
    expect(new Decimal(report.overall.decisionAgreement!).toNumber()).toBeGreaterThanOrEqual(0.95);
    for (const g of ['job_loss', 'loan_stacker', 'gambler', 'thin_file', 'chronic_overdraft']) {
      // Never an approval where the analyst expects review or decline.
      expect(report.byArchetype.find((x) => x.group === g)!.decisions.approve).toBe(0);
    }
  });
});
