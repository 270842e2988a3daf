import { riskGrade, RISK_GRADES, underwrite, type Policy, type RiskGrade } from './engine/index.js';
import { Dec } from './engine/decimal.js';
import { policyVersion } from './engine/policy.js';
import type { EngineInput, EngineResult } from './engine/types.js';

type Decision = EngineResult['decision'];
const DECISIONS: readonly Decision[] = ['approve', 'refer', 'decline'];

/** One stored decision to replay: its id, the engine version that made it, and its exact stored input. */
export interface BacktestCase {
  decisionId: string;
  engineVersion: string;
  input: EngineInput;
}

export interface BacktestSummary {
  candidatePolicy: string;
  /** `stored` (each decision's own policy, as decided) or the version of the baseline policy given. */
  baselinePolicy: string;
  engineVersion: string;
  decisions: number;
  /** Stored by another engine version: replayed on this engine all the same, counted here so the figure is not mixed up. */
  engineVersionMismatches: number;
  /** from → to → count (every pair, zeros included). */
  flips: Record<Decision, Record<Decision, number>>;
  flipped: number;
  /** Up to 10 decisions per changed pair. */
  examples: Array<{ decisionId: string; from: Decision; to: Decision; baselineLimitMinor: number; candidateLimitMinor: number }>;
  approvalRate: { baseline: string; candidate: string };
  limits: {
    baselineTotalMinor: number;
    candidateTotalMinor: number;
    deltaMinor: number;
    increased: number;
    decreased: number;
    unchanged: number;
  };
  /** Reason codes whose count changed, by the size of the change. */
  reasonShifts: Array<{ code: string; baseline: number; candidate: number }>;
  grades: { baseline: Record<RiskGrade, number>; candidate: Record<RiskGrade, number> };
}

const zeros = <K extends string>(keys: readonly K[]): Record<K, number> => Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;

/**
 * Replays stored decisions under a candidate policy and a baseline (the policy each decision was made with, unless
 * one is given), on this engine, and accumulates what would change: decision flips, limits, reason codes, risk
 * grades. Feed cases one at a time (a cursor over the database): memory stays bounded whatever their number.
 */
export class BacktestAccumulator {
  private readonly flips = Object.fromEntries(DECISIONS.map((d) => [d, zeros(DECISIONS)])) as Record<Decision, Record<Decision, number>>;
  private readonly examples: BacktestSummary['examples'] = [];
  private readonly reasons = new Map<string, { baseline: number; candidate: number }>();
  private readonly grades = { baseline: zeros(RISK_GRADES), candidate: zeros(RISK_GRADES) };
  private readonly limits = { baselineTotalMinor: 0, candidateTotalMinor: 0, increased: 0, decreased: 0, unchanged: 0 };
  private count = 0;
  private mismatches = 0;
  private approvals = { baseline: 0, candidate: 0 };
  private engineVersion = '';

  constructor(
    private readonly candidate: Policy,
    private readonly baseline: Policy | null = null,
  ) {}

  add(c: BacktestCase): void {
    const base = underwrite(this.baseline ? { ...c.input, policy: this.baseline } : c.input);
    const cand = underwrite({ ...c.input, policy: this.candidate });
    this.engineVersion = cand.engineVersion;
    this.count += 1;
    if (c.engineVersion !== cand.engineVersion) this.mismatches += 1;
    this.flips[base.decision][cand.decision] += 1;
    if (base.decision !== cand.decision && this.examples.filter((e) => e.from === base.decision && e.to === cand.decision).length < 10) {
      this.examples.push({
        decisionId: c.decisionId,
        from: base.decision,
        to: cand.decision,
        baselineLimitMinor: base.limit.recommendedMinor,
        candidateLimitMinor: cand.limit.recommendedMinor,
      });
    }
    if (base.decision === 'approve') this.approvals.baseline += 1;
    if (cand.decision === 'approve') this.approvals.candidate += 1;
    this.limits.baselineTotalMinor += base.limit.recommendedMinor;
    this.limits.candidateTotalMinor += cand.limit.recommendedMinor;
    if (cand.limit.recommendedMinor > base.limit.recommendedMinor) this.limits.increased += 1;
    else if (cand.limit.recommendedMinor < base.limit.recommendedMinor) this.limits.decreased += 1;
    else this.limits.unchanged += 1;
    for (const [side, r] of [
      ['baseline', base],
      ['candidate', cand],
    ] as const) {
      for (const code of new Set(r.reasons.map((x) => x.code))) {
        const e = this.reasons.get(code) ?? { baseline: 0, candidate: 0 };
        e[side] += 1;
        this.reasons.set(code, e);
      }
      this.grades[side][riskGrade(r).grade] += 1;
    }
  }

  summary(): BacktestSummary {
    const rate = (n: number): string => (this.count === 0 ? '0.0000' : new Dec(n).div(this.count).toFixed(4));
    const flipped = DECISIONS.reduce((s, a) => s + DECISIONS.reduce((t, b) => t + (a === b ? 0 : this.flips[a][b]), 0), 0);
    return {
      candidatePolicy: policyVersion(this.candidate),
      baselinePolicy: this.baseline ? policyVersion(this.baseline) : 'stored',
      engineVersion: this.engineVersion,
      decisions: this.count,
      engineVersionMismatches: this.mismatches,
      flips: this.flips,
      flipped,
      examples: this.examples,
      approvalRate: { baseline: rate(this.approvals.baseline), candidate: rate(this.approvals.candidate) },
      limits: { ...this.limits, deltaMinor: this.limits.candidateTotalMinor - this.limits.baselineTotalMinor },
      reasonShifts: [...this.reasons.entries()]
        .filter(([, v]) => v.baseline !== v.candidate)
        .map(([code, v]) => ({ code, ...v }))
        .sort((a, b) => Math.abs(b.candidate - b.baseline) - Math.abs(a.candidate - a.baseline) || a.code.localeCompare(b.code)),
      grades: this.grades,
    };
  }
}
