import { riskGrade, RISK_GRADES, underwrite, ENGINE_VERSION, type Policy, type RiskGrade } from './engine/index.js';
import { Dec } from './engine/decimal.js';
import { policyVersion } from './engine/policy.js';
import type { EngineInput, EngineResult } from './engine/types.js';

type Decision = EngineResult['decision'];
export const BACKTEST_DECISIONS: readonly Decision[] = ['approve', 'refer', 'decline'];
const DECISIONS = BACKTEST_DECISIONS;
const SIDES = ['baseline', 'candidate'] as const;
type Side = (typeof SIDES)[number];

/** What a backtest needs of one result: the decision, its limit, its reason codes and what the grade reads. */
export interface BacktestView {
  decision: Decision;
  limitMinor: number;
  reasonCodes: readonly string[];
  flags: readonly string[];
  postLoanDsr: string | null;
  dsrCap: string | null;
}

/** A loan's outcome as the backtest counts it (src/loans/loan-outcome.ts derives it from the loan book). */
export interface BacktestOutcome {
  observed: boolean;
  bad30: boolean;
  defaulted: boolean;
}

/** One stored decision to replay: its id, the engine version that made it, and its exact stored input. */
/** The engine's answers for one stored input (see `BacktestAccumulator.replay`). */
export interface ReplayedViews {
  candidate: BacktestView;
  /** Null when the decision's stored result is the baseline. */
  baseline: BacktestView | null;
}

export interface BacktestCase {
  decisionId: string;
  engineVersion: string;
  /** The exact stored input; may be left out when `add` is given the engine's answers for it (`replay`). */
  input?: EngineInput;
  /**
   * The stored result. With the `stored` baseline and the same engine version it is the baseline itself (the engine is
   * deterministic, so replaying it would give the same answer); without it, or from another engine version, the
   * baseline is replayed on this engine under the decision's own policy.
   */
  stored?: BacktestView;
  /** The loan the decision led to, when the lender booked one (null or absent: no loan, no outcome). */
  outcome?: BacktestOutcome | null;
}

interface OutcomeCell {
  decisions: number;
  /** Decisions that became a loan whose outcome is known. */
  withOutcome: number;
  bad30: number;
  defaulted: number;
}

/** A cell's counts and its rates among the decisions with a known outcome (4-place decimals, null when none). */
export interface OutcomeRates extends OutcomeCell {
  bad30Rate: string | null;
  defaultRate: string | null;
}

export interface CurvePoint {
  /** The cut-off: everything at or better than this rank is approved. `A`…`E` with the headroom band (`A≥0.90`). */
  rank: string;
  /** Share of all replayed decisions approved at this cut-off. */
  approvalRate: string;
  /** 30+ DPD rate among the approved with a known outcome (null when none has one). */
  bad30Rate: string | null;
  approved: number;
  withOutcome: number;
}

export interface RankingPower {
  /** Decisions with a known outcome the figure is computed on, and the bad ones among them. */
  observed: number;
  bad: number;
  /** 2·AUC − 1 of the rank (grade, then headroom) against 30+ DPD; null without both goods and bads. */
  gini: string | null;
  /** Largest gap between the cumulative shares of bads and goods over the ranks. */
  ks: string | null;
}

export interface OutcomeSummary {
  /** Replayed decisions that became a loan with a known outcome. */
  withOutcome: number;
  /** …with a loan too young to tell (first instalment due less than 30 days ago). */
  immature: number;
  /** Approved under the side's policy but never lent (so no outcome; the usual reject-inference caveat). */
  approvedWithoutOutcome: Record<Side, number>;
  byDecision: Record<Side, Record<Decision, OutcomeRates>>;
  byGrade: Record<Side, Record<RiskGrade, OutcomeRates>>;
  /** Approval rate against bad rate, cutting the side's own ranking from best to worst. */
  curve: Record<Side, CurvePoint[]>;
  /** Each policy's own operating point: its approval rate and the bad rate of its approvals. */
  operatingPoint: Record<Side, { approvalRate: string; bad30Rate: string | null; defaultRate: string | null }>;
  rankingPower: Record<Side, RankingPower>;
}

export interface BacktestSummary {
  candidatePolicy: string;
  /** `stored` (each decision's own policy, as decided) or the version of the baseline policy given. */
  baselinePolicy: string;
  engineVersion: string;
  decisions: number;
  /** Stored by another engine version: both sides replayed on this engine (never compared with the stored result). */
  engineVersionMismatches: number;
  /** Stored engine versions seen, with counts. */
  storedEngineVersions: Record<string, number>;
  /** Baselines taken from the stored result (same engine version) rather than replayed. */
  baselineFromStored: number;
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
    /** Candidate − baseline limit per decision, counted in bands (kobo bounds, lower inclusive). */
    changeBands: Array<{ band: string; count: number }>;
  };
  /** Reason codes whose count changed, by the size of the change. */
  reasonShifts: Array<{ code: string; baseline: number; candidate: number }>;
  grades: { baseline: Record<RiskGrade, number>; candidate: Record<RiskGrade, number> };
  outcomes: OutcomeSummary;
}

/** Everything an accumulator holds: plain JSON, so workers can send theirs to be merged. */
export interface BacktestState {
  count: number;
  mismatches: number;
  fromStored: number;
  engineVersion: string;
  versions: Record<string, number>;
  flips: Record<Decision, Record<Decision, number>>;
  examples: BacktestSummary['examples'];
  reasons: Record<string, { baseline: number; candidate: number }>;
  grades: Record<Side, Record<RiskGrade, number>>;
  approvals: Record<Side, number>;
  limits: { baselineTotalMinor: number; candidateTotalMinor: number; increased: number; decreased: number; unchanged: number };
  changeBands: number[];
  withOutcome: number;
  immature: number;
  approvedWithoutOutcome: Record<Side, number>;
  byDecision: Record<Side, Record<Decision, OutcomeCell>>;
  byGrade: Record<Side, Record<RiskGrade, OutcomeCell>>;
  /** rank key → [decisions, withOutcome, bad30] per side. */
  ranks: Record<Side, Record<string, [number, number, number]>>;
}

const zeros = <K extends string>(keys: readonly K[]): Record<K, number> => Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;
const cells = <K extends string>(keys: readonly K[]): Record<K, OutcomeCell> =>
  Object.fromEntries(keys.map((k) => [k, { decisions: 0, withOutcome: 0, bad30: 0, defaulted: 0 }])) as Record<K, OutcomeCell>;
const perSide = <T>(make: () => T): Record<Side, T> => ({ baseline: make(), candidate: make() });

/** Candidate − baseline limit per decision, in naira bands. */
const CHANGE_LABELS: readonly string[] = [
  '< −₦1m',
  '−₦1m to −₦100k',
  '−₦100k to −₦0.01',
  '0',
  '+₦0.01 to +₦100k',
  '+₦100k to +₦1m',
  '≥ +₦1m',
];
function changeBand(delta: number): number {
  if (delta === 0) return 3;
  if (delta < 0) return delta < -100_000_000 ? 0 : delta < -10_000_000 ? 1 : 2;
  return delta < 10_000_000 ? 4 : delta < 100_000_000 ? 5 : 6;
}

/** The view of an engine result the backtest reads. */
export function backtestView(r: EngineResult): BacktestView {
  return {
    decision: r.decision,
    limitMinor: r.limit.recommendedMinor,
    reasonCodes: r.reasons.map((x) => x.code),
    flags: r.flags,
    postLoanDsr: r.limit.postLoanDsr ?? null,
    dsrCap: r.limit.components?.dsrCap ?? null,
  };
}

/**
 * A decision's rank for the curve and for Gini/KS: its grade (A best … E worst), then within the grade its headroom
 * in bands of 0.10 (more headroom ranks better; unknown headroom ranks last). Sorting keys ascending = best first.
 */
function rankOf(v: BacktestView): { key: string; grade: RiskGrade } {
  // Results without a DSR cap (older engines) have an unknown headroom: riskGrade reads a missing cap as such.
  const limit = { postLoanDsr: v.postLoanDsr, components: { dsrCap: v.dsrCap as string } };
  const g = riskGrade({ decision: v.decision, flags: [...v.flags], limit });
  const band = g.headroom === null ? 0 : Math.min(10, Math.floor(Number(g.headroom) * 10)) + 1; // 1..11, 0 unknown
  return { key: `${RISK_GRADES.indexOf(g.grade)}:${String(11 - band).padStart(2, '0')}`, grade: g.grade };
}
function rankLabel(key: string): string {
  const [g, b] = key.split(':');
  const band = 11 - Number(b);
  return `${RISK_GRADES[Number(g)]}${band === 0 ? ' headroom unknown' : band === 11 ? ' headroom 1.00' : ` headroom ≥${((band - 1) / 10).toFixed(2)}`}`;
}

const ratio = (n: number, d: number): string | null => (d === 0 ? null : new Dec(n).div(d).toDecimalPlaces(4).toFixed(4));
const rates = (c: OutcomeCell): OutcomeRates => ({
  ...c,
  bad30Rate: ratio(c.bad30, c.withOutcome),
  defaultRate: ratio(c.defaulted, c.withOutcome),
});

/**
 * Replays stored decisions under a candidate policy and a baseline (the policy each decision was made with, unless
 * one is given), on this engine, and accumulates what would change: decision flips, limits, reason codes, risk
 * grades and — for decisions that became loans — outcomes by band and grade, the approval/bad-rate curve and the
 * ranking power (Gini, KS). Feed cases one at a time (a cursor over the database): memory stays bounded whatever
 * their number (the rank table has at most 55 keys per side). Accumulators on several workers merge exactly.
 */
export class BacktestAccumulator {
  private s: BacktestState = {
    count: 0,
    mismatches: 0,
    fromStored: 0,
    engineVersion: ENGINE_VERSION,
    versions: {},
    flips: Object.fromEntries(DECISIONS.map((d) => [d, zeros(DECISIONS)])) as Record<Decision, Record<Decision, number>>,
    examples: [],
    reasons: {},
    grades: perSide(() => zeros(RISK_GRADES)),
    approvals: zeros(SIDES),
    limits: { baselineTotalMinor: 0, candidateTotalMinor: 0, increased: 0, decreased: 0, unchanged: 0 },
    changeBands: CHANGE_LABELS.map(() => 0),
    withOutcome: 0,
    immature: 0,
    approvedWithoutOutcome: zeros(SIDES),
    byDecision: perSide(() => cells(DECISIONS)),
    byGrade: perSide(() => cells(RISK_GRADES)),
    ranks: perSide(() => ({})),
  };

  constructor(
    private readonly candidate: Policy,
    private readonly baseline: Policy | null = null,
  ) {}

  /**
   * Whether a decision's baseline must be replayed: always against a given baseline policy; with the stored baseline
   * only when the decision was made by another engine version or its stored result is missing.
   */
  needsReplayedBaseline(c: Pick<BacktestCase, 'engineVersion' | 'stored'>): boolean {
    return this.baseline !== null || c.engineVersion !== ENGINE_VERSION || !c.stored;
  }

  /**
   * The engine's answers for one stored input: under the candidate and, when `withBaseline`, replayed under the
   * baseline. They depend on the input alone (the engine is deterministic), so decisions that share a stored input —
   * re-underwriting without new data stores one input for many decisions — can share them (`add(c, replayed)`).
   */
  replay(input: EngineInput, withBaseline: boolean): ReplayedViews {
    return {
      candidate: backtestView(underwrite({ ...input, policy: this.candidate }, { inputsHash: false })),
      baseline: withBaseline ? backtestView(underwrite(this.baseline ? { ...input, policy: this.baseline } : input, { inputsHash: false })) : null,
    };
  }

  /** Adds one decision; `replayed` (from `replay` of the same input) saves replaying it again. */
  add(c: BacktestCase, replayed?: ReplayedViews): void {
    const s = this.s;
    const sameEngine = c.engineVersion === ENGINE_VERSION;
    const replayBase = this.needsReplayedBaseline(c);
    const views = replayed && (!replayBase || replayed.baseline) ? replayed : c.input ? this.replay(c.input, replayBase) : null;
    if (!views) throw new Error(`decision ${c.decisionId}: neither its input nor the engine's answers for it`);
    let base: BacktestView;
    if (!replayBase && c.stored) {
      base = c.stored;
      s.fromStored += 1;
    } else {
      base = views.baseline!;
    }
    const cand = views.candidate;
    s.count += 1;
    s.versions[c.engineVersion] = (s.versions[c.engineVersion] ?? 0) + 1;
    if (!sameEngine) s.mismatches += 1;
    s.flips[base.decision][cand.decision] += 1;
    if (base.decision !== cand.decision && s.examples.filter((e) => e.from === base.decision && e.to === cand.decision).length < 10) {
      s.examples.push({
        decisionId: c.decisionId,
        from: base.decision,
        to: cand.decision,
        baselineLimitMinor: base.limitMinor,
        candidateLimitMinor: cand.limitMinor,
      });
    }
    s.limits.baselineTotalMinor += base.limitMinor;
    s.limits.candidateTotalMinor += cand.limitMinor;
    const delta = cand.limitMinor - base.limitMinor;
    if (delta > 0) s.limits.increased += 1;
    else if (delta < 0) s.limits.decreased += 1;
    else s.limits.unchanged += 1;
    s.changeBands[changeBand(delta)] += 1;

    const o = c.outcome ?? null;
    const known = o !== null && o.observed;
    if (known) s.withOutcome += 1;
    else if (o !== null) s.immature += 1;
    for (const side of SIDES) {
      const v = side === 'baseline' ? base : cand;
      if (v.decision === 'approve') s.approvals[side] += 1;
      for (const code of new Set(v.reasonCodes)) {
        const e = (s.reasons[code] ??= { baseline: 0, candidate: 0 });
        e[side] += 1;
      }
      const { key, grade } = rankOf(v);
      s.grades[side][grade] += 1;
      const r = (s.ranks[side][key] ??= [0, 0, 0]);
      r[0] += 1;
      for (const cell of [s.byDecision[side][v.decision], s.byGrade[side][grade]]) {
        cell.decisions += 1;
        if (known) {
          cell.withOutcome += 1;
          if (o.bad30) cell.bad30 += 1;
          if (o.defaulted) cell.defaulted += 1;
        }
      }
      if (known) {
        r[1] += 1;
        if (o.bad30) r[2] += 1;
      } else if (v.decision === 'approve' && o === null) s.approvedWithoutOutcome[side] += 1;
    }
  }

  /** This accumulator's state (plain JSON). */
  state(): BacktestState {
    return this.s;
  }

  /** Adds another accumulator's state (same candidate and baseline) into this one. */
  merge(o: BacktestState): void {
    const s = this.s;
    s.count += o.count;
    s.mismatches += o.mismatches;
    s.fromStored += o.fromStored;
    for (const [v, n] of Object.entries(o.versions)) s.versions[v] = (s.versions[v] ?? 0) + n;
    for (const a of DECISIONS) for (const b of DECISIONS) s.flips[a][b] += o.flips[a][b];
    for (const e of o.examples) if (s.examples.filter((x) => x.from === e.from && x.to === e.to).length < 10) s.examples.push(e);
    for (const [code, v] of Object.entries(o.reasons)) {
      const e = (s.reasons[code] ??= { baseline: 0, candidate: 0 });
      e.baseline += v.baseline;
      e.candidate += v.candidate;
    }
    for (const k of Object.keys(s.limits) as Array<keyof BacktestState['limits']>) s.limits[k] += o.limits[k];
    o.changeBands.forEach((n, i) => (s.changeBands[i] += n));
    s.withOutcome += o.withOutcome;
    s.immature += o.immature;
    for (const side of SIDES) {
      s.approvals[side] += o.approvals[side];
      s.approvedWithoutOutcome[side] += o.approvedWithoutOutcome[side];
      for (const g of RISK_GRADES) s.grades[side][g] += o.grades[side][g];
      for (const [table, keys] of [
        ['byDecision', DECISIONS],
        ['byGrade', RISK_GRADES],
      ] as const) {
        for (const k of keys) {
          const mine = (s[table][side] as Record<string, OutcomeCell>)[k];
          const theirs = (o[table][side] as Record<string, OutcomeCell>)[k];
          mine.decisions += theirs.decisions;
          mine.withOutcome += theirs.withOutcome;
          mine.bad30 += theirs.bad30;
          mine.defaulted += theirs.defaulted;
        }
      }
      for (const [key, v] of Object.entries(o.ranks[side])) {
        const r = (s.ranks[side][key] ??= [0, 0, 0]);
        r[0] += v[0];
        r[1] += v[1];
        r[2] += v[2];
      }
    }
  }

  summary(): BacktestSummary {
    const s = this.s;
    const rate = (n: number): string => ratio(n, s.count) ?? '0.0000';
    const flipped = DECISIONS.reduce((t, a) => t + DECISIONS.reduce((u, b) => u + (a === b ? 0 : s.flips[a][b]), 0), 0);
    const outcomeRates = <K extends string>(t: Record<Side, Record<K, OutcomeCell>>): Record<Side, Record<K, OutcomeRates>> =>
      Object.fromEntries(
        SIDES.map((side) => [side, Object.fromEntries(Object.entries<OutcomeCell>(t[side]).map(([k, c]) => [k, rates(c)]))]),
      ) as Record<Side, Record<K, OutcomeRates>>;
    const approvedCell = (side: Side) => s.byDecision[side].approve;
    return {
      candidatePolicy: policyVersion(this.candidate),
      baselinePolicy: this.baseline ? policyVersion(this.baseline) : 'stored',
      engineVersion: s.engineVersion,
      decisions: s.count,
      engineVersionMismatches: s.mismatches,
      storedEngineVersions: s.versions,
      baselineFromStored: s.fromStored,
      flips: s.flips,
      flipped,
      examples: s.examples,
      approvalRate: { baseline: rate(s.approvals.baseline), candidate: rate(s.approvals.candidate) },
      limits: {
        ...s.limits,
        deltaMinor: s.limits.candidateTotalMinor - s.limits.baselineTotalMinor,
        changeBands: CHANGE_LABELS.map((band, i) => ({ band, count: s.changeBands[i] })),
      },
      reasonShifts: Object.entries(s.reasons)
        .filter(([, v]) => v.baseline !== v.candidate)
        .map(([code, v]) => ({ code, ...v }))
        .sort((a, b) => Math.abs(b.candidate - b.baseline) - Math.abs(a.candidate - a.baseline) || a.code.localeCompare(b.code)),
      grades: s.grades,
      outcomes: {
        withOutcome: s.withOutcome,
        immature: s.immature,
        approvedWithoutOutcome: s.approvedWithoutOutcome,
        byDecision: outcomeRates(s.byDecision),
        byGrade: outcomeRates(s.byGrade),
        curve: Object.fromEntries(SIDES.map((side) => [side, curve(s.ranks[side], s.count)])) as Record<Side, CurvePoint[]>,
        operatingPoint: Object.fromEntries(
          SIDES.map((side) => [
            side,
            {
              approvalRate: rate(s.approvals[side]),
              bad30Rate: rates(approvedCell(side)).bad30Rate,
              defaultRate: rates(approvedCell(side)).defaultRate,
            },
          ]),
        ) as OutcomeSummary['operatingPoint'],
        rankingPower: Object.fromEntries(SIDES.map((side) => [side, rankingPower(s.ranks[side])])) as Record<Side, RankingPower>,
      },
    };
  }
}

function curve(ranks: Record<string, [number, number, number]>, total: number): CurvePoint[] {
  let approved = 0;
  let withOutcome = 0;
  let bad = 0;
  return Object.keys(ranks)
    .sort()
    .map((key) => {
      const [n, w, b] = ranks[key];
      approved += n;
      withOutcome += w;
      bad += b;
      return {
        rank: rankLabel(key),
        approvalRate: ratio(approved, total) ?? '0.0000',
        bad30Rate: ratio(bad, withOutcome),
        approved,
        withOutcome,
      };
    });
}

/**
 * Gini and KS of the rank against 30+ DPD, on the decisions with a known outcome. Ranks are ordinal with ties (many
 * decisions share a grade and headroom band), so AUC counts a tie as half: AUC = P(bad ranked worse than good) +
 * ½ P(tie), computed exactly from the per-rank counts.
 */
function rankingPower(ranks: Record<string, [number, number, number]>): RankingPower {
  const rows = Object.keys(ranks)
    .sort()
    .map((k) => ({ bad: ranks[k][2], good: ranks[k][1] - ranks[k][2] }));
  const bads = rows.reduce((t, r) => t + r.bad, 0);
  const goods = rows.reduce((t, r) => t + r.good, 0);
  if (bads === 0 || goods === 0) return { observed: bads + goods, bad: bads, gini: null, ks: null };
  // Walk from best rank to worst: each good is beaten by the bads ranked worse than it (+½ for the bads on its rank).
  let badsWorse = bads;
  let concordant = new Dec(0);
  let cumBad = 0;
  let cumGood = 0;
  let ks = new Dec(0);
  for (const r of rows) {
    badsWorse -= r.bad;
    concordant = concordant.plus(new Dec(r.good).times(new Dec(badsWorse).plus(new Dec(r.bad).div(2))));
    cumBad += r.bad;
    cumGood += r.good;
    const gap = new Dec(cumGood).div(goods).minus(new Dec(cumBad).div(bads)).abs();
    if (gap.gt(ks)) ks = gap;
  }
  const auc = concordant.div(new Dec(goods).times(bads));
  return {
    observed: bads + goods,
    bad: bads,
    gini: auc.times(2).minus(1).toDecimalPlaces(4).toFixed(4),
    ks: ks.toDecimalPlaces(4).toFixed(4),
  };
}
