import { Decimal } from 'decimal.js';
import type { EngineResult } from '../scoring/engine/index.js';
import type { LimitPolicy } from './limit-policy.js';

/**
 * Baseline (origination) versus current (this review) comparison. Pure: takes two stored engine results and
 * returns what changed, with the values behind each change. Tolerant of older stored results that lack a field
 * (it counts as absent, never as zero income).
 */
export type EngineResultLike = DeepPartial<EngineResult>;
type DeepPartial<T> = T extends object ? { [K in keyof T]?: DeepPartial<T[K]> } : T;

export type ChangeCode =
  | 'INCOME_UP'
  | 'INCOME_DOWN'
  | 'INCOME_SOURCE_ADDED'
  | 'INCOME_SOURCE_LOST'
  | 'SALARY_STREAM_INACTIVE'
  | 'NEW_LENDERS'
  | 'LENDERS_REPAID'
  | 'OBLIGATIONS_UP'
  | 'OBLIGATIONS_DOWN'
  | 'NEW_DISBURSEMENTS'
  | 'LOW_BALANCE_DAYS_UP'
  | 'GAMBLING_SPIKE'
  | 'FAILED_DEBITS_UP';

export interface Change {
  code: ChangeCode;
  values: Record<string, string | number | boolean | null | string[]>;
}

export interface Side {
  verifiedMonthlyIncomeMinor: number | null;
  incomeSources: string[];
  salaryActive: boolean;
  lenderCount: number;
  lenders: string[];
  obligationsMonthlyMinor: number;
  repayments90d: number;
  disbursements30d: number;
  disbursements90d: number;
  lowBalanceDays: number;
  negativeBalanceDays: number;
  gamblingShare: string;
  failedDebits90d: number;
  recommendedLimitMinor: number;
  decision: string | null;
}

export interface ReviewDiff {
  baseline: Side;
  current: Side;
  changes: Change[];
  /** Lenders seen now but not at baseline. */
  newLenders: string[];
  /** New lenders with a disbursement or repayment inside the signal window (default 30 days). */
  newLendersRecent: string[];
  gamblingSpike: boolean;
  salaryStreamInactive: boolean;
}

function dayNumber(date: string): number {
  return Math.floor(Date.parse(`${date.slice(0, 10)}T00:00:00Z`) / 86_400_000);
}

export function summarise(r: EngineResultLike | null | undefined): Side {
  const streams = (r?.income?.streams ?? []).filter((s): s is NonNullable<typeof s> => !!s);
  const active = streams.filter((s) => s.status === 'ACTIVE');
  const lenders = (r?.obligations?.lenders ?? []).filter((l): l is NonNullable<typeof l> => !!l);
  const lenderNames = new Set<string>(lenders.map((l) => l.lender ?? '').filter(Boolean));
  for (const name of r?.obligations?.disbursements?.last90d?.lenders ?? []) if (name) lenderNames.add(name);
  return {
    verifiedMonthlyIncomeMinor: r?.income?.verifiedMonthlyMinor ?? null,
    incomeSources: [...new Set(active.map((s) => s.counterparty ?? s.label ?? s.id ?? '?'))].sort(),
    salaryActive: active.some((s) => s.isSalary),
    lenderCount: r?.obligations?.lenderCount ?? lenders.length,
    lenders: [...lenderNames].sort(),
    obligationsMonthlyMinor: r?.obligations?.monthlyTotalMinor ?? 0,
    repayments90d: lenders.reduce((n, l) => n + (l.payments90d ?? 0), 0),
    disbursements30d: r?.obligations?.disbursements?.last30d?.count ?? 0,
    disbursements90d: r?.obligations?.disbursements?.last90d?.count ?? 0,
    lowBalanceDays: r?.cashFlow?.lowBalanceDays ?? 0,
    negativeBalanceDays: r?.cashFlow?.negativeBalanceDays ?? 0,
    gamblingShare: r?.risk?.gambling?.share ?? '0',
    failedDebits90d: r?.risk?.failedDebits?.count90d ?? 0,
    recommendedLimitMinor: r?.limit?.recommendedMinor ?? 0,
    decision: r?.decision ?? null,
  };
}

/** Compares the origination result with the current one. `asOf` is the current result's date (YYYY-MM-DD…). */
export function diffReview(baselineResult: EngineResultLike | null, currentResult: EngineResultLike, policy: LimitPolicy): ReviewDiff {
  const b = summarise(baselineResult);
  const c = summarise(currentResult);
  const s = policy.signals;
  const changes: Change[] = [];

  if (b.verifiedMonthlyIncomeMinor !== null && c.verifiedMonthlyIncomeMinor !== null) {
    const before = new Decimal(b.verifiedMonthlyIncomeMinor);
    const delta = new Decimal(c.verifiedMonthlyIncomeMinor).minus(before);
    const share = before.isZero() ? (delta.isZero() ? new Decimal(0) : new Decimal(1)) : delta.div(before);
    if (share.abs().gte(s.incomeChangeShare)) {
      changes.push({
        code: delta.isPositive() ? 'INCOME_UP' : 'INCOME_DOWN',
        values: {
          baselineMinor: b.verifiedMonthlyIncomeMinor,
          currentMinor: c.verifiedMonthlyIncomeMinor,
          changeShare: share.toDecimalPlaces(4).toString(),
        },
      });
    }
  }
  const added = c.incomeSources.filter((x) => !b.incomeSources.includes(x));
  const lost = b.incomeSources.filter((x) => !c.incomeSources.includes(x));
  if (added.length)
    changes.push({
      code: 'INCOME_SOURCE_ADDED',
      values: { sources: added, baselineCount: b.incomeSources.length, currentCount: c.incomeSources.length },
    });
  if (lost.length)
    changes.push({
      code: 'INCOME_SOURCE_LOST',
      values: { sources: lost, baselineCount: b.incomeSources.length, currentCount: c.incomeSources.length },
    });

  // Salary that was active at baseline and is not now (a stream gone INACTIVE, or vanished).
  const currentStreams = (currentResult.income?.streams ?? []).filter((x): x is NonNullable<typeof x> => !!x);
  const salaryInactive =
    (b.salaryActive && !c.salaryActive) ||
    currentStreams.some((x) => x.isSalary && x.status === 'INACTIVE' && x.maturity === 'MATURE' && !c.salaryActive);
  if (salaryInactive)
    changes.push({ code: 'SALARY_STREAM_INACTIVE', values: { baselineActive: b.salaryActive, currentActive: c.salaryActive } });

  const newLenders = c.lenders.filter((l) => !b.lenders.includes(l));
  const asOf = currentResult.asOf ? dayNumber(currentResult.asOf) : null;
  const recentNames = new Set<string>((currentResult.obligations?.disbursements?.last30d?.lenders ?? []).filter((x): x is string => !!x));
  for (const l of currentResult.obligations?.lenders ?? []) {
    if (l?.lender && l.lastDate && asOf !== null && asOf - dayNumber(l.lastDate) <= s.newLenderWindowDays) recentNames.add(l.lender);
  }
  const newLendersRecent = newLenders.filter((l) => recentNames.has(l));
  if (newLenders.length)
    changes.push({
      code: 'NEW_LENDERS',
      values: { lenders: newLenders, recent: newLendersRecent, baselineCount: b.lenderCount, currentCount: c.lenderCount },
    });
  const repaid = b.lenders.filter((l) => !c.lenders.includes(l));
  if (repaid.length) changes.push({ code: 'LENDERS_REPAID', values: { lenders: repaid } });
  if (c.obligationsMonthlyMinor !== b.obligationsMonthlyMinor) {
    changes.push({
      code: c.obligationsMonthlyMinor > b.obligationsMonthlyMinor ? 'OBLIGATIONS_UP' : 'OBLIGATIONS_DOWN',
      values: {
        baselineMinor: b.obligationsMonthlyMinor,
        currentMinor: c.obligationsMonthlyMinor,
        baselineRepayments90d: b.repayments90d,
        currentRepayments90d: c.repayments90d,
      },
    });
  }
  if (c.disbursements30d > 0)
    changes.push({
      code: 'NEW_DISBURSEMENTS',
      values: { last30d: c.disbursements30d, last90d: c.disbursements90d, baseline90d: b.disbursements90d },
    });
  if (c.lowBalanceDays - b.lowBalanceDays >= s.lowBalanceDaysDelta && c.lowBalanceDays > b.lowBalanceDays) {
    changes.push({ code: 'LOW_BALANCE_DAYS_UP', values: { baseline: b.lowBalanceDays, current: c.lowBalanceDays } });
  }
  const gDelta = new Decimal(c.gamblingShare).minus(b.gamblingShare);
  const gamblingSpike = gDelta.gte(s.gamblingSpikeShareDelta) && new Decimal(c.gamblingShare).gte(s.gamblingSpikeMinShare);
  if (gamblingSpike) changes.push({ code: 'GAMBLING_SPIKE', values: { baselineShare: b.gamblingShare, currentShare: c.gamblingShare } });
  if (c.failedDebits90d > b.failedDebits90d)
    changes.push({ code: 'FAILED_DEBITS_UP', values: { baseline: b.failedDebits90d, current: c.failedDebits90d } });

  return { baseline: b, current: c, changes, newLenders, newLendersRecent, gamblingSpike, salaryStreamInactive: salaryInactive };
}
