import { describe, expect, it } from '@jest/globals';
import { DEFAULT_POLICY } from '../policy/index.js';
import { detectIncome, tokenSetSimilarity } from './income.js';
import { buildTransactions, everyNDays, monthlyDates, rng, type TxSpec } from './testing/builders.js';
import { frameOf } from './testing/run.js';

const asOf = '2026-10-31';

function salary(dates: string[], amount: number | ((i: number) => number), employer = 'ACME NIGERIA LTD'): TxSpec[] {
  return dates.map((date, i) => ({
    date,
    direction: 'credit',
    amountMinor: typeof amount === 'number' ? amount : amount(i),
    category: 'salary',
    counterparty: employer,
    narration: `NIP/GTB/${employer}/SALARY`,
  }));
}

function run(specs: TxSpec[], passThrough = false) {
  return detectIncome(frameOf(buildTransactions(specs), asOf), DEFAULT_POLICY, passThrough).result;
}

describe(tokenSetSimilarity.name, () => {
  it('should match the same payer written with an extra word or a truncated token', () => {
    expect(tokenSetSimilarity(['JOHN', 'DOE'], ['JOHN', 'DOE', 'ENTERPRISES'])).toBeGreaterThanOrEqual(0.8);
    expect(tokenSetSimilarity(['ACME', 'NIGERIA', 'LTD'], ['ACME', 'NIG', 'LTD'])).toBe(1);
    expect(tokenSetSimilarity(['JOHN', 'DOE'], ['JANE', 'DOE'])).toBeLessThan(0.8);
  });
});

describe(detectIncome.name, () => {
  it('should detect a mature monthly salary with full weight and its transaction ids', () => {
    const income = run(salary(monthlyDates('2026-04', '2026-10', 25), 35_000_000));
    expect(income.streams).toHaveLength(1);
    const s = income.streams[0];
    expect(s).toMatchObject({
      frequency: 'monthly',
      maturity: 'MATURE',
      status: 'ACTIVE',
      weight: '1.00',
      monthlyAmountMinor: 35_000_000,
      isSalary: true,
    });
    expect(s.transactionIds).toHaveLength(7);
    expect(income.verifiedMonthlyMinor).toBe(35_000_000);
  });

  it('should split a stream at a raise (first paid 24 Aug, before the Mawlid holiday) and count the new amount once two payments confirm it', () => {
    const income = run(salary(monthlyDates('2026-03', '2026-10', 25), (i) => (i < 5 ? 30_000_000 : 40_000_000)));
    expect(income.streams).toHaveLength(1);
    const s = income.streams[0];
    expect(s.amountChanged).toEqual({ date: '2026-08-24', fromMinor: 30_000_000, toMinor: 40_000_000 });
    expect(s.typicalAmountMinor).toBe(40_000_000);
    expect(s.monthlyAmountMinor).toBe(40_000_000);
    expect(s.occurrences).toBe(8);
  });

  it('should tolerate salary deductions within ±15% as one band', () => {
    const r = rng(7);
    const income = run(salary(monthlyDates('2026-04', '2026-10', 28), () => 20_000_000 + Math.round(r() * 2_000_000)));
    expect(income.streams).toHaveLength(1);
    expect(income.streams[0].amountChanged).toBeNull();
    expect(Number(income.streams[0].confidenceComponents.amountStability)).toBeGreaterThan(0.8);
  });

  it('should detect a weekly wage and normalise it by 52/12 conservatively', () => {
    const income = run(salary(everyNDays('2026-05-01', '2026-10-30', 7), 2_000_000, 'SITE WORKS LTD'));
    const s = income.streams[0];
    expect(s.frequency).toBe('weekly');
    expect(s.normalisedMonthlyMinor).toBe(8_666_666);
    expect(s.monthlyAmountMinor).toBe(8_000_000); // min(normalised, median of the last 3 months: 4 Fridays each)
  });

  it('should merge a salary split into two credits within 3 days', () => {
    const dates = monthlyDates('2026-04', '2026-10', 25);
    const specs = [
      ...salary(dates, 20_000_000),
      ...salary(
        dates.map((d) => d),
        5_000_000,
      ),
    ];
    const income = run(specs);
    expect(income.streams).toHaveLength(1);
    expect(income.streams[0].typicalAmountMinor).toBe(25_000_000);
    expect(income.streams[0].transactionIds).toHaveLength(14);
  });

  it('should mark a stopped salary inactive and a new employer with two payslips EARLY at 0.4 weight', () => {
    const specs = [
      ...salary(monthlyDates('2026-03', '2026-08', 25), 30_000_000, 'OLD EMPLOYER PLC'),
      ...salary(monthlyDates('2026-09', '2026-10', 25), 36_000_000, 'NEW EMPLOYER LTD'),
    ];
    const income = run(specs);
    const old = income.streams.find((s) => s.label === 'OLD EMPLOYER PLC')!;
    const neu = income.streams.find((s) => s.label === 'NEW EMPLOYER LTD')!;
    expect(old.status).toBe('INACTIVE');
    expect(old.countedMonthlyMinor).toBe(0);
    expect(neu).toMatchObject({ maturity: 'EARLY', status: 'ACTIVE', weight: '0.40' });
    expect(income.verifiedMonthlyMinor).toBe(neu.countedMonthlyMinor);
  });

  it('should never count self-transfers, reversals, loan disbursements, betting payouts or interest', () => {
    const specs: TxSpec[] = [];
    for (const date of monthlyDates('2026-04', '2026-10', 10)) {
      specs.push({ date, direction: 'credit', amountMinor: 10_000_000, category: 'self_transfer', counterparty: 'ADA OKAFOR' });
      specs.push({ date, direction: 'credit', amountMinor: 5_000_000, category: 'loan_disbursement', counterparty: 'FAIRMONEY' });
      specs.push({ date, direction: 'credit', amountMinor: 2_000_000, category: 'betting_payout', counterparty: 'BET9JA' });
      specs.push({ date, direction: 'credit', amountMinor: 1_000_000, category: 'reversal', counterparty: 'GTB' });
      specs.push({ date, direction: 'credit', amountMinor: 1_000, category: 'interest', counterparty: null });
    }
    const income = run(specs);
    expect(income.verifiedMonthlyMinor).toBe(0);
    expect(income.streams).toHaveLength(0);
    expect(income.excluded.neverIncomeTransactionIds).toHaveLength(30);
  });

  it('should count irregular trader income at the median month × weight, or the 25th percentile when unstable', () => {
    const r = rng(3);
    const steady: TxSpec[] = [];
    for (const date of everyNDays('2026-04-01', '2026-10-30', 2)) {
      steady.push({
        date,
        direction: 'credit',
        amountMinor: 300_000 + Math.round(r() * 200_000),
        category: 'transfer_in',
        counterparty: `CUSTOMER ${Math.floor(r() * 1000)}`,
      });
    }
    const a = run(steady);
    expect(a.irregular.method).toBe('median');
    expect(a.irregularMonthlyMinor).toBe(Math.floor(a.irregular.baseMonthlyMinor * 0.6));
    const volatile: TxSpec[] = ['2026-05-10', '2026-06-12', '2026-08-03', '2026-09-20', '2026-09-21'].map((date, i) => ({
      date,
      direction: 'credit',
      amountMinor: [5_000_000, 40_000_000, 3_000_000, 9_000_000, 7_000_000][i],
      category: 'transfer_in',
      counterparty: `BUYER ${i}`,
    }));
    const b = run(volatile);
    expect(b.irregular.method).toBe('p25');
    expect(Number(b.irregular.cv)).toBeGreaterThan(0.5);
  });

  it('should exclude a one-off credit above twice the median monthly inflow unless its payer has a stream', () => {
    const specs = [
      ...salary(monthlyDates('2026-04', '2026-10', 25), 20_000_000),
      { date: '2026-07-10', direction: 'credit', amountMinor: 200_000_000, category: 'transfer_in', counterparty: 'UNCLE EMEKA' } as TxSpec,
      {
        date: '2026-08-10',
        direction: 'credit',
        amountMinor: 60_000_000,
        category: 'salary',
        counterparty: 'ACME NIGERIA LTD',
        narration: '13TH MONTH SALARY',
      } as TxSpec,
    ];
    const income = run(specs);
    expect(income.excluded.outlierTransactionIds).toHaveLength(1);
    expect(income.irregular.transactionIds).toHaveLength(1); // the 13th-month pay stays eligible
    expect(income.streams[0].monthlyAmountMinor).toBe(20_000_000);
  });

  it('should cap income at the salary streams for a pass-through account', () => {
    const specs: TxSpec[] = [...salary(monthlyDates('2026-04', '2026-10', 25), 20_000_000)];
    for (const date of everyNDays('2026-04-01', '2026-10-30', 3))
      specs.push({ date, direction: 'credit', amountMinor: 1_000_000, category: 'transfer_in', counterparty: `CLIENT ${date}` });
    const free = run(specs);
    const capped = detectIncome(frameOf(buildTransactions(specs), asOf), DEFAULT_POLICY, true).result;
    expect(free.irregularMonthlyMinor).toBeGreaterThan(0);
    expect(capped.irregularMonthlyMinor).toBe(0);
    expect(capped.verifiedMonthlyMinor).toBe(20_000_000);
    expect(capped.cappedByPassThrough).toBe(true);
  });
});
