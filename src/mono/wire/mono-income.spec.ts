import { describe, expect, it } from '@jest/globals';
import { parseMonoIncomeReport } from './mono-income.js';
import { MonoDataError } from './mono-transaction.js';

describe('parseMonoIncomeReport', () => {
  it('should keep the figures of the account_income webhook and nothing that names anyone', () => {
    const report = parseMonoIncomeReport({
      account: 'acc1',
      account_name: 'SOMEONE',
      account_number: '0123456789',
      income_summary: { total_income: 1_800_000_00, employer: 'ACME LTD' },
      income_streams: [
        { income_type: 'salary', frequency: 'monthly', monthly_average: 300_000_00, average_income_amount: 300_000_00.5, last_income_description: 'NIP/ACME/SALARY', stability: 0.97, periods_with_income: 6, number_of_incomes: 6, number_of_months: 6 },
      ],
      monthly_income: 300_000_00,
      annual_income: 3_600_000_00,
    });
    expect(report).toEqual({
      monthlyIncomeMinor: 300_000_00,
      annualIncomeMinor: 3_600_000_00,
      totalIncomeMinor: 1_800_000_00,
      streams: [{ incomeType: 'SALARY', frequency: 'MONTHLY', monthlyAverageMinor: 300_000_00, stability: 0.97, numberOfIncomes: 6, periodsWithIncome: 6, numberOfMonths: 6 }],
    });
    expect(JSON.stringify(report)).not.toMatch(/ACME|SOMEONE|0123456789|NIP/);
  });

  it('should read an income-records entry (aggregated_monthly_average, no monthly_income)', () => {
    expect(parseMonoIncomeReport({ income: { income_streams: [], aggregated_monthly_average: 12_345 } }).monthlyIncomeMinor).toBe(12_345);
  });

  it('should refuse decimal kobo and a report without any monthly figure', () => {
    expect(() => parseMonoIncomeReport({ monthly_income: 12.5 })).toThrow(MonoDataError);
    expect(() => parseMonoIncomeReport({ income_summary: {} })).toThrow(MonoDataError);
  });
});
