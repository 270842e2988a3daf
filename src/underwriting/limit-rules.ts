import { Decimal } from 'decimal.js';
import { MONEY_ROUNDING } from '../common/money.js';
import { instalmentForPrincipal } from '../scoring/engine/index.js';
import type { LimitPolicy } from './limit-policy.js';
import type { EngineResultLike, ReviewDiff } from './review-diff.js';

/**
 * Limit management (research §4f), pure: the current limit state + this review's signals + the limit policy →
 * what happens to the limit and why. No clock (asOf is an argument), no I/O. Amounts are integer kobo; ratios
 * decimal.js; limits are rounded DOWN to the policy step (never overstate a limit).
 */
export type LimitStatus = 'active' | 'frozen';
export type LimitAction = 'raised' | 'lowered' | 'frozen' | 'unfrozen' | 'unchanged';
export const LIMIT_ACTIONS: readonly LimitAction[] = ['raised', 'lowered', 'frozen', 'unfrozen', 'unchanged'];

export interface LimitState {
  limitMinor: number;
  status: LimitStatus;
  outstandingMinor: number;
  /** ISO timestamp of the last increase, or null. */
  lastIncreaseAt: string | null;
  weakReviewStreak: number;
}

export interface ReviewSignals {
  recomputedMinor: number;
  decision: 'approve' | 'decline' | 'refer';
  /** Confidence (0..1, decimal string) of the main counted income stream; '0' when none. */
  incomeConfidence: string;
  salaryStreamInactive: boolean;
  /** Post-loan DSR if the borrower drew the whole current limit; null when income is zero. */
  postLoanDsrAtCurrent: string | null;
  dsrCap: string;
  postLoanDsrAboveCap: boolean;
  newLenders: number;
  newLendersRecent: number;
  gamblingSpike: boolean;
}

export type LimitReasonCode =
  | 'LIMIT_INCREASED'
  | 'INCREASE_STEP_CAPPED'
  | 'INCREASE_BLOCKED_COOLDOWN'
  | 'INCREASE_BLOCKED_INCOME_CONFIDENCE'
  | 'INCREASE_BLOCKED_NEW_LENDERS'
  | 'INCREASE_BLOCKED_GAMBLING_SPIKE'
  | 'INCREASE_BLOCKED_DECISION'
  | 'INCREASE_TOO_SMALL'
  | 'WEAK_REVIEW'
  | 'WEAK_REVIEWS_CONSECUTIVE'
  | 'HARD_SALARY_STREAM_INACTIVE'
  | 'HARD_POST_LOAN_DSR_ABOVE_CAP'
  | 'HARD_NEW_LENDERS'
  | 'HARD_DECLINED'
  | 'FLOOR_OUTSTANDING_BALANCE'
  | 'LIMIT_UNFROZEN'
  | 'LIMIT_STABLE';

export interface LimitReason {
  code: LimitReasonCode;
  message: string;
  values: Record<string, string | number | boolean | null>;
}

export interface LimitOutcome {
  action: LimitAction;
  fromLimitMinor: number;
  toLimitMinor: number;
  fromStatus: LimitStatus;
  toStatus: LimitStatus;
  weakReviewStreak: number;
  lastIncreaseAt: string | null;
  weak: boolean;
  reasons: LimitReason[];
}

const DAY_MS = 86_400_000;

export function roundDownToStep(amountMinor: number, stepMinor: number): number {
  if (amountMinor <= 0) return 0;
  return new Decimal(amountMinor).div(stepMinor).toDecimalPlaces(0, MONEY_ROUNDING).times(stepMinor).toNumber();
}

/** Derives the rule inputs from the current engine result and the baseline diff. */
export function buildSignals(current: EngineResultLike, diff: ReviewDiff, state: LimitState): ReviewSignals {
  const streams = (current.income?.streams ?? []).filter((s): s is NonNullable<typeof s> => !!s && (s.countedMonthlyMinor ?? 0) > 0);
  const main = [...streams].sort((a, b) => (b.countedMonthlyMinor ?? 0) - (a.countedMonthlyMinor ?? 0))[0];
  const vmi = current.income?.verifiedMonthlyMinor ?? 0;
  const eo = current.obligations?.monthlyTotalMinor ?? 0;
  const dsrCap = current.limit?.components?.dsrCap ?? '0.3333';
  let postLoanDsrAtCurrent: string | null = null;
  let aboveCap = false;
  if (state.limitMinor > 0) {
    const rate = new Decimal(current.limit?.monthlyRate ?? '0');
    const tenor = current.limit?.tenorMonths ?? 1;
    const instalment = instalmentForPrincipal(new Decimal(state.limitMinor), rate, tenor > 0 ? tenor : 1);
    if (vmi > 0) {
      const dsr = instalment.plus(eo).div(vmi);
      postLoanDsrAtCurrent = dsr.toDecimalPlaces(6).toString();
      aboveCap = dsr.gt(dsrCap);
    } else {
      aboveCap = true;
    }
  }
  return {
    recomputedMinor: current.limit?.recommendedMinor ?? 0,
    decision: current.decision ?? 'refer',
    incomeConfidence: main?.confidence ?? '0',
    salaryStreamInactive: diff.salaryStreamInactive,
    postLoanDsrAtCurrent,
    dsrCap,
    postLoanDsrAboveCap: aboveCap,
    newLenders: diff.newLenders.length,
    newLendersRecent: diff.newLendersRecent.length,
    gamblingSpike: diff.gamblingSpike,
  };
}

/** Applies the limit policy to one review. */
export function evaluateLimit(state: LimitState, signals: ReviewSignals, policy: LimitPolicy, asOf: string): LimitOutcome {
  const current = state.limitMinor;
  const target = roundDownToStep(signals.recomputedMinor, policy.stepMinor);
  const base = { fromLimitMinor: current, fromStatus: state.status, lastIncreaseAt: state.lastIncreaseAt };
  const weak = current > 0 && new Decimal(signals.recomputedMinor).lt(new Decimal(current).times(policy.decrease.weakRatio));
  const streak = weak ? state.weakReviewStreak + 1 : 0;
  const ratioValues = { recomputedMinor: signals.recomputedMinor, currentMinor: current };

  const hard: LimitReason[] = [];
  const ht = policy.decrease.hardTriggers;
  if (ht.salaryStreamInactive && signals.salaryStreamInactive) {
    hard.push({ code: 'HARD_SALARY_STREAM_INACTIVE', message: 'The salary stream seen at origination is no longer active', values: {} });
  }
  if (ht.postLoanDsrAboveCap && signals.postLoanDsrAboveCap) {
    hard.push({
      code: 'HARD_POST_LOAN_DSR_ABOVE_CAP',
      message: 'Drawing the current limit would take debt service above the DSR cap',
      values: { postLoanDsr: signals.postLoanDsrAtCurrent, dsrCap: signals.dsrCap },
    });
  }
  if (ht.newLenders30d > 0 && signals.newLendersRecent >= ht.newLenders30d) {
    hard.push({
      code: 'HARD_NEW_LENDERS',
      message: `${signals.newLendersRecent} new lenders in the last ${policy.signals.newLenderWindowDays} days`,
      values: { newLendersRecent: signals.newLendersRecent, threshold: ht.newLenders30d },
    });
  }
  if (ht.declined && signals.decision === 'decline') {
    hard.push({ code: 'HARD_DECLINED', message: 'The re-underwriting decision is decline', values: { decision: signals.decision } });
  }

  const weakActs = streak >= policy.decrease.weakReviewsToAct;
  if (hard.length > 0 || weakActs) {
    const reasons: LimitReason[] = [...hard];
    if (weakActs) {
      reasons.push({
        code: 'WEAK_REVIEWS_CONSECUTIVE',
        message: `Recomputed limit below ${policy.decrease.weakRatio}× the current limit on ${streak} consecutive reviews`,
        values: { ...ratioValues, streak, weakRatio: policy.decrease.weakRatio },
      });
    }
    // Reduce to the recomputed value, never below the outstanding balance: freeze new draws instead. A hard
    // trigger with a recomputed value at or above the current limit also freezes (the risk is not in the amount).
    if (target <= state.outstandingMinor || target === 0 || (hard.length > 0 && target >= current)) {
      const toLimit = Math.min(current, Math.max(target, state.outstandingMinor));
      if (target <= state.outstandingMinor && state.outstandingMinor > 0) {
        reasons.push({
          code: 'FLOOR_OUTSTANDING_BALANCE',
          message: 'The recomputed limit is below the outstanding balance: new draws are frozen instead',
          values: { recomputedMinor: target, outstandingMinor: state.outstandingMinor },
        });
      }
      const unchanged = state.status === 'frozen' && toLimit === current;
      return {
        ...base,
        action: unchanged ? 'unchanged' : 'frozen',
        toLimitMinor: toLimit,
        toStatus: 'frozen',
        weakReviewStreak: 0,
        weak,
        reasons,
      };
    }
    if (target < current) {
      return { ...base, action: 'lowered', toLimitMinor: target, toStatus: state.status, weakReviewStreak: 0, weak, reasons };
    }
    // Weak streak reached but the rounded target is not lower (rounding edge): nothing to do.
    return { ...base, action: 'unchanged', toLimitMinor: current, toStatus: state.status, weakReviewStreak: 0, weak, reasons };
  }

  if (weak) {
    return {
      ...base,
      action: 'unchanged',
      toLimitMinor: current,
      toStatus: state.status,
      weakReviewStreak: streak,
      weak,
      reasons: [
        {
          code: 'WEAK_REVIEW',
          message: `Recomputed limit below ${policy.decrease.weakRatio}× the current limit (${streak} of ${policy.decrease.weakReviewsToAct} reviews before a decrease)`,
          values: { ...ratioValues, streak, needed: policy.decrease.weakReviewsToAct },
        },
      ],
    };
  }

  if (state.status === 'frozen') {
    const toLimit = Math.min(current, Math.max(target, state.outstandingMinor));
    return {
      ...base,
      action: 'unfrozen',
      toLimitMinor: toLimit,
      toStatus: 'active',
      weakReviewStreak: 0,
      weak,
      reasons: [
        { code: 'LIMIT_UNFROZEN', message: 'A clean review without hard triggers: new draws are allowed again', values: ratioValues },
      ],
    };
  }

  const inc = policy.increase;
  const qualifies =
    current === 0 ? signals.recomputedMinor > 0 : new Decimal(signals.recomputedMinor).gte(new Decimal(current).times(inc.minRatio));
  if (!qualifies) {
    return {
      ...base,
      action: 'unchanged',
      toLimitMinor: current,
      toStatus: state.status,
      weakReviewStreak: 0,
      weak,
      reasons: [{ code: 'LIMIT_STABLE', message: 'The recomputed limit is within the band around the current limit', values: ratioValues }],
    };
  }
  const blockers: LimitReason[] = [];
  if (inc.requireApprove && signals.decision !== 'approve') {
    blockers.push({
      code: 'INCREASE_BLOCKED_DECISION',
      message: `The re-underwriting decision is ${signals.decision}`,
      values: { decision: signals.decision },
    });
  }
  if (new Decimal(signals.incomeConfidence).lt(inc.minIncomeConfidence)) {
    blockers.push({
      code: 'INCREASE_BLOCKED_INCOME_CONFIDENCE',
      message: 'Income confidence is below the increase threshold',
      values: { incomeConfidence: signals.incomeConfidence, min: inc.minIncomeConfidence },
    });
  }
  if (signals.newLenders > inc.maxNewLenders) {
    blockers.push({
      code: 'INCREASE_BLOCKED_NEW_LENDERS',
      message: 'New lenders since origination',
      values: { newLenders: signals.newLenders, max: inc.maxNewLenders },
    });
  }
  if (signals.gamblingSpike) {
    blockers.push({ code: 'INCREASE_BLOCKED_GAMBLING_SPIKE', message: 'Gambling share rose since origination', values: {} });
  }
  if (state.lastIncreaseAt !== null) {
    const days = Math.floor((Date.parse(asOf) - Date.parse(state.lastIncreaseAt)) / DAY_MS);
    if (days < inc.cooldownDays) {
      blockers.push({
        code: 'INCREASE_BLOCKED_COOLDOWN',
        message: `Last increase ${days} days ago; increases need ${inc.cooldownDays} days between them`,
        values: { daysSinceLastIncrease: days, cooldownDays: inc.cooldownDays },
      });
    }
  }
  if (blockers.length > 0) {
    return { ...base, action: 'unchanged', toLimitMinor: current, toStatus: state.status, weakReviewStreak: 0, weak, reasons: blockers };
  }
  const cap = Decimal.max(new Decimal(current).times(inc.maxStepShare), inc.minStepMinor);
  const capped = new Decimal(current).plus(cap);
  const toLimit = roundDownToStep(Decimal.min(capped, target).toNumber(), policy.stepMinor);
  if (toLimit <= current) {
    return {
      ...base,
      action: 'unchanged',
      toLimitMinor: current,
      toStatus: state.status,
      weakReviewStreak: 0,
      weak,
      reasons: [
        {
          code: 'INCREASE_TOO_SMALL',
          message: 'The increase rounds to less than one step',
          values: { ...ratioValues, stepMinor: policy.stepMinor },
        },
      ],
    };
  }
  const reasons: LimitReason[] = [
    {
      code: 'LIMIT_INCREASED',
      message: 'Income and cash flow support a higher limit',
      values: { ...ratioValues, toMinor: toLimit, incomeConfidence: signals.incomeConfidence },
    },
  ];
  if (capped.lt(target)) {
    reasons.push({
      code: 'INCREASE_STEP_CAPPED',
      message: `Increases are capped at +${new Decimal(inc.maxStepShare).times(100).toString()}% per review`,
      values: { capMinor: capped.toDecimalPlaces(0, MONEY_ROUNDING).toNumber(), recomputedMinor: target },
    });
  }
  return { ...base, action: 'raised', toLimitMinor: toLimit, toStatus: 'active', weakReviewStreak: 0, lastIncreaseAt: asOf, weak, reasons };
}
