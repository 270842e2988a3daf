import { describe, expect, it } from '@jest/globals';
import { DEFAULT_LIMIT_POLICY, LimitPolicyValidationError, limitPolicyVersion, validateLimitPolicy } from './limit-policy.js';
import {
  evaluateLimit,
  roundDownToStep,
  type LimitAction,
  type LimitReasonCode,
  type LimitState,
  type ReviewSignals,
} from './limit-rules.js';

const P = DEFAULT_LIMIT_POLICY;
const AS_OF = '2026-06-30T01:00:00.000Z';
const N = 10_000_000; // ₦100,000 current limit

function state(over: Partial<LimitState> = {}): LimitState {
  return { limitMinor: N, status: 'active', outstandingMinor: 0, lastIncreaseAt: null, weakReviewStreak: 0, ...over };
}
function signals(over: Partial<ReviewSignals> = {}): ReviewSignals {
  return {
    recomputedMinor: N,
    decision: 'approve',
    incomeConfidence: '0.85',
    salaryStreamInactive: false,
    postLoanDsrAtCurrent: '0.2',
    dsrCap: '0.3333',
    postLoanDsrAboveCap: false,
    newLenders: 0,
    newLendersRecent: 0,
    gamblingSpike: false,
    ...over,
  };
}

interface Row {
  name: string;
  state?: Partial<LimitState>;
  signals?: Partial<ReviewSignals>;
  action: LimitAction;
  to: number;
  status?: 'active' | 'frozen';
  streak?: number;
  codes: LimitReasonCode[];
}

const table: Row[] = [
  { name: 'stable review (ratio 1.0)', action: 'unchanged', to: N, codes: ['LIMIT_STABLE'], streak: 0 },
  { name: 'just under 1.1× does not raise', signals: { recomputedMinor: 10_999_999 }, action: 'unchanged', to: N, codes: ['LIMIT_STABLE'] },
  {
    name: '1.2× raises to the recomputed value',
    signals: { recomputedMinor: 12_000_000 },
    action: 'raised',
    to: 12_000_000,
    codes: ['LIMIT_INCREASED'],
  },
  {
    name: 'raise is rounded down to the step',
    signals: { recomputedMinor: 12_345_678 },
    action: 'raised',
    to: 12_000_000,
    codes: ['LIMIT_INCREASED'],
  },
  {
    name: '3× is capped at +50% per review',
    signals: { recomputedMinor: 30_000_000 },
    action: 'raised',
    to: 15_000_000,
    codes: ['LIMIT_INCREASED', 'INCREASE_STEP_CAPPED'],
  },
  {
    name: 'low income confidence blocks a raise',
    signals: { recomputedMinor: 12_000_000, incomeConfidence: '0.69' },
    action: 'unchanged',
    to: N,
    codes: ['INCREASE_BLOCKED_INCOME_CONFIDENCE'],
  },
  {
    name: 'a new lender blocks a raise',
    signals: { recomputedMinor: 12_000_000, newLenders: 1 },
    action: 'unchanged',
    to: N,
    codes: ['INCREASE_BLOCKED_NEW_LENDERS'],
  },
  {
    name: 'a gambling spike blocks a raise',
    signals: { recomputedMinor: 12_000_000, gamblingSpike: true },
    action: 'unchanged',
    to: N,
    codes: ['INCREASE_BLOCKED_GAMBLING_SPIKE'],
  },
  {
    name: 'a refer decision blocks a raise',
    signals: { recomputedMinor: 12_000_000, decision: 'refer' },
    action: 'unchanged',
    to: N,
    codes: ['INCREASE_BLOCKED_DECISION'],
  },
  {
    name: 'cooldown: last increase 59 days ago blocks',
    state: { lastIncreaseAt: '2026-05-02T01:00:00.000Z' },
    signals: { recomputedMinor: 12_000_000 },
    action: 'unchanged',
    to: N,
    codes: ['INCREASE_BLOCKED_COOLDOWN'],
  },
  {
    name: 'cooldown: last increase 60 days ago allows',
    state: { lastIncreaseAt: '2026-05-01T01:00:00.000Z' },
    signals: { recomputedMinor: 12_000_000 },
    action: 'raised',
    to: 12_000_000,
    codes: ['LIMIT_INCREASED'],
  },
  {
    name: 'zero limit grows by the minimum step',
    state: { limitMinor: 0 },
    signals: { recomputedMinor: 5_000_000 },
    action: 'raised',
    to: 1_000_000,
    codes: ['LIMIT_INCREASED', 'INCREASE_STEP_CAPPED'],
  },
  {
    name: 'hysteresis: first weak review does not lower',
    signals: { recomputedMinor: 7_000_000 },
    action: 'unchanged',
    to: N,
    streak: 1,
    codes: ['WEAK_REVIEW'],
  },
  {
    name: 'hysteresis: second consecutive weak review lowers',
    state: { weakReviewStreak: 1 },
    signals: { recomputedMinor: 7_000_000 },
    action: 'lowered',
    to: 7_000_000,
    streak: 0,
    codes: ['WEAK_REVIEWS_CONSECUTIVE'],
  },
  {
    name: 'exactly 0.8× is not weak',
    state: { weakReviewStreak: 1 },
    signals: { recomputedMinor: 8_000_000 },
    action: 'unchanged',
    to: N,
    streak: 0,
    codes: ['LIMIT_STABLE'],
  },
  {
    name: 'a non-weak review resets the streak',
    state: { weakReviewStreak: 1 },
    signals: { recomputedMinor: 9_000_000 },
    action: 'unchanged',
    to: N,
    streak: 0,
    codes: ['LIMIT_STABLE'],
  },
  {
    name: 'hard trigger: salary inactive lowers at once',
    signals: { recomputedMinor: 4_000_000, salaryStreamInactive: true },
    action: 'lowered',
    to: 4_000_000,
    codes: ['HARD_SALARY_STREAM_INACTIVE'],
  },
  {
    name: 'hard trigger: post-loan DSR above cap',
    signals: { recomputedMinor: 6_000_000, postLoanDsrAboveCap: true, postLoanDsrAtCurrent: '0.45' },
    action: 'lowered',
    to: 6_000_000,
    codes: ['HARD_POST_LOAN_DSR_ABOVE_CAP'],
  },
  {
    name: 'hard trigger: 2 new lenders in 30 days with a high recompute freezes',
    signals: { recomputedMinor: 12_000_000, newLenders: 2, newLendersRecent: 2 },
    action: 'frozen',
    to: N,
    status: 'frozen',
    codes: ['HARD_NEW_LENDERS'],
  },
  {
    name: 'one new recent lender is not a hard trigger',
    signals: { newLenders: 1, newLendersRecent: 1 },
    action: 'unchanged',
    to: N,
    codes: ['LIMIT_STABLE'],
  },
  {
    name: 'hard trigger: decline with zero recompute freezes',
    signals: { recomputedMinor: 0, decision: 'decline' },
    action: 'frozen',
    to: 0,
    status: 'frozen',
    codes: ['HARD_DECLINED'],
  },
  {
    name: 'never below outstanding: freeze at the outstanding balance',
    state: { outstandingMinor: 6_000_000 },
    signals: { recomputedMinor: 3_000_000, salaryStreamInactive: true },
    action: 'frozen',
    to: 6_000_000,
    status: 'frozen',
    codes: ['HARD_SALARY_STREAM_INACTIVE', 'FLOOR_OUTSTANDING_BALANCE'],
  },
  {
    name: 'lowering stays above the outstanding balance',
    state: { outstandingMinor: 2_000_000, weakReviewStreak: 1 },
    signals: { recomputedMinor: 5_000_000 },
    action: 'lowered',
    to: 5_000_000,
    codes: ['WEAK_REVIEWS_CONSECUTIVE'],
  },
  {
    name: 'frozen and still hard-triggered stays unchanged',
    state: { status: 'frozen', outstandingMinor: N },
    signals: { recomputedMinor: 0, decision: 'decline' },
    action: 'unchanged',
    to: N,
    status: 'frozen',
    codes: ['HARD_DECLINED', 'FLOOR_OUTSTANDING_BALANCE'],
  },
  {
    name: 'frozen and a clean review unfreezes (no raise on the same review)',
    state: { status: 'frozen' },
    signals: { recomputedMinor: 20_000_000 },
    action: 'unfrozen',
    to: N,
    status: 'active',
    codes: ['LIMIT_UNFROZEN'],
  },
  {
    name: 'frozen and a weak review stays frozen',
    state: { status: 'frozen' },
    signals: { recomputedMinor: 5_000_000 },
    action: 'unchanged',
    to: N,
    status: 'frozen',
    streak: 1,
    codes: ['WEAK_REVIEW'],
  },
];

describe(evaluateLimit.name, () => {
  it.each(table)('should handle: $name', (row) => {
    const out = evaluateLimit(state(row.state), signals(row.signals), P, AS_OF);
    expect(out.action).toBe(row.action);
    expect(out.toLimitMinor).toBe(row.to);
    expect(out.reasons.map((r) => r.code)).toEqual(row.codes);
    if (row.status) expect(out.toStatus).toBe(row.status);
    if (row.streak !== undefined) expect(out.weakReviewStreak).toBe(row.streak);
    expect(Number.isSafeInteger(out.toLimitMinor)).toBe(true);
    expect(out.toLimitMinor).toBeGreaterThanOrEqual(Math.min(row.state?.outstandingMinor ?? 0, out.fromLimitMinor));
  });

  it('should record the increase time only when raising', () => {
    expect(evaluateLimit(state(), signals({ recomputedMinor: 12_000_000 }), P, AS_OF).lastIncreaseAt).toBe(AS_OF);
    expect(evaluateLimit(state(), signals(), P, AS_OF).lastIncreaseAt).toBeNull();
  });

  it('should never lower below the outstanding balance for any recomputed value', () => {
    for (const recomputed of [0, 1, 2_500_000, 5_999_999, 6_000_000, 9_000_000]) {
      for (const streak of [0, 1, 5]) {
        const out = evaluateLimit(
          state({ outstandingMinor: 6_000_000, weakReviewStreak: streak }),
          signals({ recomputedMinor: recomputed, salaryStreamInactive: streak === 5 }),
          P,
          AS_OF,
        );
        expect(out.toLimitMinor).toBeGreaterThanOrEqual(6_000_000);
      }
    }
  });
});

describe('limit policy', () => {
  it('should validate the shipped policy and version it by content', () => {
    expect(limitPolicyVersion(P)).toMatch(/^limit-management@1\.0\.0\+[0-9a-f]{12}$/);
    const edited = { ...P, increase: { ...P.increase, cooldownDays: 90 } };
    expect(limitPolicyVersion(edited)).not.toBe(limitPolicyVersion(P));
  });

  it('should name every bad field', () => {
    try {
      validateLimitPolicy({ ...P, stepMinor: 0, decrease: { ...P.decrease, weakRatio: '1.5' } });
      throw new Error('expected a validation error');
    } catch (err) {
      expect(err).toBeInstanceOf(LimitPolicyValidationError);
      expect((err as LimitPolicyValidationError).problems).toEqual([
        'stepMinor must be an integer between 1 and 1000000000000',
        'decrease.weakRatio must be between 0 and 1',
      ]);
    }
  });

  it('should round limits down to the step', () => {
    expect(roundDownToStep(12_499_999, 500_000)).toBe(12_000_000);
    expect(roundDownToStep(-5, 500_000)).toBe(0);
  });
});
