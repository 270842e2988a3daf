import { Dec } from './decimal.js';
import type { EngineResult } from './types.js';

export const RISK_GRADES = ['A', 'B', 'C', 'D', 'E'] as const;
export type RiskGrade = (typeof RISK_GRADES)[number];

/** Flags that weigh 2 points: behaviour or data that most often precede arrears, or that put the figures in doubt. */
export const SEVERE_FLAGS: readonly string[] = [
  'gambling',
  'loan_stacking',
  'pass_through',
  'chronic_overdraft',
  'failed_debits',
  'salary_missed',
  'data_integrity',
  'stale_data',
  'name_mismatch',
  'income_not_detected',
];
/** Flags that say how the engine read the data, not how the borrower behaves: 0 points. */
export const INFORMATIONAL_FLAGS: readonly string[] = ['outliers_excluded', 'future_dated_ignored', 'person_to_person_excluded'];

export interface GradePart {
  /** A flag code, or `headroom`. */
  what: string;
  points: number;
}

export interface RiskGradeResult {
  grade: RiskGrade;
  /** Approvals only: the sum of the parts (declines and referrals are graded by the decision itself). */
  points: number | null;
  /** DSR headroom after the loan: 1 − postLoanDsr / DSR cap, 4 decimals (null when the engine gives no post-loan DSR). */
  headroom: string | null;
  parts: GradePart[];
}

/**
 * The risk grade (A–E, docs/scoring.md "Risk grade"): a transparent function of the decision, its flags and its
 * affordability headroom — no weights learned from data, every point shown.
 *
 * - **E**: declined. **D**: referred (an analyst decides).
 * - Approvals add points: each severe flag 2, each other flag 1 (informational flags 0); headroom under 25 % of the
 *   DSR cap 2, under 50 % 1, else 0 (unknown headroom counts as under 25 %). **A**: 0–1 point, **B**: 2–3, **C**: 4 or more.
 *
 * Works on stored results of any engine version that has `decision`, `flags` and `limit` (replays and reports).
 */
export function riskGrade(
  result: Pick<EngineResult, 'decision' | 'flags'> & {
    limit: Pick<EngineResult['limit'], 'postLoanDsr'> & { components: Pick<EngineResult['limit']['components'], 'dsrCap'> };
  },
): RiskGradeResult {
  // Results stored by older engine versions may lack the cap: the headroom is then unknown.
  const cap = result.limit.components?.dsrCap ?? null;
  const dsr = result.limit.postLoanDsr ?? null;
  const headroom =
    dsr !== null && cap !== null && new Dec(cap).gt(0)
      ? Dec.max(0, new Dec(1).minus(new Dec(dsr).div(cap)))
          .toDecimalPlaces(4)
          .toFixed(4)
      : null;
  if (result.decision === 'decline') return { grade: 'E', points: null, headroom, parts: [] };
  if (result.decision === 'refer') return { grade: 'D', points: null, headroom, parts: [] };
  const parts: GradePart[] = [];
  for (const flag of [...result.flags].sort()) {
    if (INFORMATIONAL_FLAGS.includes(flag)) continue;
    parts.push({ what: flag, points: SEVERE_FLAGS.includes(flag) ? 2 : 1 });
  }
  const h = headroom === null ? null : new Dec(headroom);
  parts.push({ what: 'headroom', points: h === null || h.lt('0.25') ? 2 : h.lt('0.5') ? 1 : 0 });
  const points = parts.reduce((s, p) => s + p.points, 0);
  return { grade: points <= 1 ? 'A' : points <= 3 ? 'B' : 'C', points, headroom, parts };
}
