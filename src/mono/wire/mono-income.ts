/**
 * Mono's v2 income report (API reference §5.3): the `mono.events.account_income` webhook's `data`, or one
 * `income-records` entry's `income`. Only the figures the cross-check needs are kept — never `account_name`,
 * `account_number`, the employer or a stream's `last_income_description` (a narration). Amounts are kobo; Mono's
 * docs say integers but call `average_income_amount` possibly fractional, so every kept amount must be an integer
 * (strict, like every other amount: a decimal is a MonoDataError, not a guess).
 */
import { isObject, MonoDataError, parseMinorUnits } from './mono-transaction.js';

export interface MonoIncomeStream {
  /** SALARY, WAGES, OTHER, … (upper-cased). */
  incomeType: string;
  /** MONTHLY, VARIABLE, … (upper-cased). */
  frequency: string;
  monthlyAverageMinor: number;
  /** 0..1 as Mono sends it (variance based); null when absent. */
  stability: number | null;
  numberOfIncomes: number | null;
  periodsWithIncome: number | null;
  numberOfMonths: number | null;
}

export interface MonoIncomeReport {
  /** Mono's monthly income: `monthly_income` (Dec 2024+), else `aggregated_monthly_average`, else the streams' sum. */
  monthlyIncomeMinor: number;
  annualIncomeMinor: number | null;
  totalIncomeMinor: number | null;
  streams: MonoIncomeStream[];
}

function optionalInt(value: unknown): number | null {
  if (typeof value === 'number' && Number.isFinite(value)) return Math.round(value);
  if (typeof value === 'string' && /^\d+(\.\d+)?$/.test(value.trim())) return Math.round(Number(value));
  return null;
}

function upper(value: unknown, fallback: string): string {
  return typeof value === 'string' && value.trim() !== '' ? value.trim().toUpperCase().slice(0, 32) : fallback;
}

/** Parses the report; throws MonoDataError when no monthly figure can be read. */
export function parseMonoIncomeReport(raw: unknown): MonoIncomeReport {
  if (!isObject(raw)) throw new MonoDataError('income', 'expected an object');
  const body = isObject(raw.income) ? raw.income : raw;
  const streamsRaw = Array.isArray(body.income_streams) ? body.income_streams : Array.isArray(body.incomeStreams) ? body.incomeStreams : [];
  const streams: MonoIncomeStream[] = streamsRaw.map((s, i) => {
    if (!isObject(s)) throw new MonoDataError(`income_streams[${i}]`, 'expected an object');
    const stability = typeof s.stability === 'number' && Number.isFinite(s.stability) ? Math.max(0, Math.min(1, s.stability)) : null;
    return {
      incomeType: upper(s.income_type ?? s.incomeType, 'UNKNOWN'),
      frequency: upper(s.frequency, 'UNKNOWN'),
      monthlyAverageMinor: parseMinorUnits(s.monthly_average ?? s.monthlyAverage ?? 0, `income_streams[${i}].monthly_average`, { allowNegative: false }),
      stability,
      numberOfIncomes: optionalInt(s.number_of_incomes ?? s.numberOfIncomes),
      periodsWithIncome: optionalInt(s.periods_with_income ?? s.periodsWithIncome),
      numberOfMonths: optionalInt(s.number_of_months ?? s.numberOfMonths),
    };
  });
  const monthlyRaw = body.monthly_income ?? body.monthlyIncome ?? body.aggregated_monthly_average;
  const monthlyIncomeMinor =
    monthlyRaw !== undefined && monthlyRaw !== null
      ? parseMinorUnits(monthlyRaw, 'monthly_income', { allowNegative: false })
      : streams.length > 0
        ? streams.reduce((sum, s) => sum + s.monthlyAverageMinor, 0)
        : (() => {
            throw new MonoDataError('monthly_income', 'no monthly income and no income streams');
          })();
  const summary = isObject(body.income_summary) ? body.income_summary : isObject(body.incomeSummary) ? body.incomeSummary : {};
  const annual = body.annual_income ?? body.annualIncome;
  const total = summary.total_income ?? summary.totalIncome;
  return {
    monthlyIncomeMinor,
    annualIncomeMinor: annual === undefined || annual === null ? null : parseMinorUnits(annual, 'annual_income', { allowNegative: false }),
    totalIncomeMinor: total === undefined || total === null ? null : parseMinorUnits(total, 'income_summary.total_income', { allowNegative: false }),
    streams,
  };
}
