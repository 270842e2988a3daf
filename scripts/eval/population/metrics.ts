/**
 * Population metrics (issue 13), per archetype and overall. Every ratio is computed with decimal.js and published as
 * a 4-place decimal string.
 *
 * - Median absolute income error: median of |verified − true| / true over borrowers whose true income is > 0.
 * - Within ±15%: share of those borrowers with |verified − true| ≤ 0.15 × true.
 * - Over-estimation rate: share of borrowers with a defined true income (including 0, e.g. after a job loss) whose
 *   verified income is > 1.15 × true (for a true income of 0: any verified income above 0).
 * - Over-lending rate: share of borrowers with a defined true income that are approved with an instalment that, added
 *   to their true obligations, is > 45% of their true income. The instalment is the approved offer's: the requested
 *   loan's when it was affordable, else the counter-offer's, else the recommended limit's (`output.instalment`).
 * - Decision agreement: share of borrowers whose decision is in their expected band.
 *
 * The engine's income is `output.income.verifiedMonthly`.
 */
import { Decimal } from 'decimal.js';
import type { UnderwritingOutput } from '../../../src/scoring/engine/index.js';
import type { Archetype, Decision, PopulationBorrower } from './generate.js';

const WITHIN = new Decimal('0.15');
const OVER = new Decimal('1.15');
const OVER_LENDING_SHARE = new Decimal('0.45');

export interface BorrowerRow {
  id: string;
  archetype: Archetype;
  trueIncomeMinor: number | null;
  verifiedIncomeMinor: number;
  /** (verified − true) / true, signed; null when true income is null or 0. */
  incomeError: string | null;
  within15: boolean | null;
  overEstimated: boolean | null;
  /**
   * The engine's detected income before its confidence weights (`income.monthlyEstimate`: active regular streams at
   * their monthly amounts plus the irregular base month). Verified income is this after deliberate haircuts (EARLY
   * streams × 0.4, irregular income × 0.6 at the 25th percentile when unstable), so detection is judged here.
   */
  estimatedIncomeMinor: number;
  estimateError: string | null;
  estimateWithin15: boolean | null;
  estimateOverEstimated: boolean | null;
  decision: Decision;
  expectedDecisions: Decision[];
  agrees: boolean;
  /** The approved offer's instalment (null unless approved). */
  approvedInstalmentMinor: number | null;
  trueObligationsMonthlyMinor: number;
  engineObligationsMonthlyMinor: number;
  overLent: boolean | null;
  reasonCodes: string[];
  flags: string[];
  regularMonthlyMinor: number;
  irregularMonthlyMinor: number;
  notes: string;
}

export interface GroupMetrics {
  group: string;
  borrowers: number;
  /** Borrowers with a true income > 0 (the base of the income error and the ±15% share). */
  withIncome: number;
  /** Borrowers with a defined true income, 0 included (the base of over-estimation and over-lending). */
  withDefinedIncome: number;
  medianAbsIncomeError: string | null;
  within15Share: string | null;
  overEstimationRate: string | null;
  medianAbsEstimateError: string | null;
  estimateWithin15Share: string | null;
  estimateOverEstimationRate: string | null;
  overLendingRate: string | null;
  decisionAgreement: string | null;
  decisions: Record<Decision, number>;
}

export interface PopulationReport {
  overall: GroupMetrics;
  byArchetype: GroupMetrics[];
  rows: BorrowerRow[];
}

const ratio = (num: number, den: number): string | null =>
  den === 0 ? null : new Decimal(num).div(den).toDecimalPlaces(4, Decimal.ROUND_HALF_EVEN).toFixed(4);

function median(values: Decimal[]): Decimal | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a.comparedTo(b));
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid] : s[mid - 1].plus(s[mid]).div(2);
}

/** The instalment of the offer an approval stands for. */
export function approvedInstalment(o: UnderwritingOutput): number | null {
  if (o.decision !== 'approve') return null;
  if (o.requested?.affordable) return o.requested.instalment;
  if (o.requested && o.counterOffer) return o.counterOffer.instalment;
  return o.instalment;
}

export function borrowerRow(b: PopulationBorrower, o: UnderwritingOutput): BorrowerRow {
  const truth = b.truth.monthlyIncomeMinor;
  const verified = o.income.verifiedMonthly;
  const instalment = approvedInstalment(o);
  let incomeError: string | null = null;
  let within15: boolean | null = null;
  let overEstimated: boolean | null = null;
  let overLent: boolean | null = null;
  const estimate = o.income.monthlyEstimate;
  let estimateError: string | null = null;
  let estimateWithin15: boolean | null = null;
  let estimateOverEstimated: boolean | null = null;
  if (truth !== null) {
    if (truth > 0) {
      const e = new Decimal(estimate).minus(truth).div(truth);
      estimateError = e.toDecimalPlaces(4, Decimal.ROUND_HALF_EVEN).toFixed(4);
      estimateWithin15 = e.abs().lte(WITHIN);
      estimateOverEstimated = new Decimal(estimate).gt(OVER.mul(truth));
    } else {
      estimateOverEstimated = estimate > 0;
    }
  }
  if (truth !== null) {
    if (truth > 0) {
      const err = new Decimal(verified).minus(truth).div(truth);
      incomeError = err.toDecimalPlaces(4, Decimal.ROUND_HALF_EVEN).toFixed(4);
      within15 = err.abs().lte(WITHIN);
      overEstimated = new Decimal(verified).gt(OVER.mul(truth));
    } else {
      overEstimated = verified > 0;
    }
    overLent = instalment !== null && new Decimal(instalment).plus(b.truth.obligationsMonthlyMinor).gt(OVER_LENDING_SHARE.mul(truth));
  }
  return {
    id: b.id,
    archetype: b.archetype,
    trueIncomeMinor: truth,
    verifiedIncomeMinor: verified,
    incomeError,
    within15,
    overEstimated,
    estimatedIncomeMinor: estimate,
    estimateError,
    estimateWithin15,
    estimateOverEstimated,
    decision: o.decision,
    expectedDecisions: b.truth.expectedDecisions,
    agrees: b.truth.expectedDecisions.includes(o.decision),
    approvedInstalmentMinor: instalment,
    trueObligationsMonthlyMinor: b.truth.obligationsMonthlyMinor,
    engineObligationsMonthlyMinor: o.obligations.monthlyTotal,
    overLent,
    reasonCodes: o.reasons.map((r) => r.code),
    flags: o.flags,
    regularMonthlyMinor: o.income.regularMonthly,
    irregularMonthlyMinor: o.income.irregularMonthly,
    notes: b.truth.notes,
  };
}

export function groupMetrics(group: string, rows: readonly BorrowerRow[]): GroupMetrics {
  const withIncome = rows.filter((r) => r.trueIncomeMinor !== null && r.trueIncomeMinor > 0);
  const defined = rows.filter((r) => r.trueIncomeMinor !== null);
  const errors = withIncome.map((r) => new Decimal(r.incomeError!).abs());
  const med = median(errors);
  const estMed = median(withIncome.map((r) => new Decimal(r.estimateError!).abs()));
  const decisions: Record<Decision, number> = { approve: 0, refer: 0, decline: 0 };
  for (const r of rows) decisions[r.decision]++;
  return {
    group,
    borrowers: rows.length,
    withIncome: withIncome.length,
    withDefinedIncome: defined.length,
    medianAbsIncomeError: med === null ? null : med.toDecimalPlaces(4, Decimal.ROUND_HALF_EVEN).toFixed(4),
    within15Share: ratio(withIncome.filter((r) => r.within15).length, withIncome.length),
    overEstimationRate: ratio(defined.filter((r) => r.overEstimated).length, defined.length),
    medianAbsEstimateError: estMed === null ? null : estMed.toDecimalPlaces(4, Decimal.ROUND_HALF_EVEN).toFixed(4),
    estimateWithin15Share: ratio(withIncome.filter((r) => r.estimateWithin15).length, withIncome.length),
    estimateOverEstimationRate: ratio(defined.filter((r) => r.estimateOverEstimated).length, defined.length),
    overLendingRate: ratio(defined.filter((r) => r.overLent).length, defined.length),
    decisionAgreement: ratio(rows.filter((r) => r.agrees).length, rows.length),
    decisions,
  };
}

export function evaluatePopulation(
  borrowers: readonly PopulationBorrower[],
  run: (b: PopulationBorrower) => UnderwritingOutput,
): PopulationReport {
  const rows = borrowers.map((b) => borrowerRow(b, run(b)));
  const archetypes = [...new Set(rows.map((r) => r.archetype))];
  return {
    overall: groupMetrics('overall', rows),
    byArchetype: archetypes.map((a) =>
      groupMetrics(
        a,
        rows.filter((r) => r.archetype === a),
      ),
    ),
    rows,
  };
}

/** Worst misses first: over-lending, then over-estimation (largest first), then disagreements, then largest errors. */
export function worstMisses(report: PopulationReport, limit = 20): BorrowerRow[] {
  const score = (r: BorrowerRow): number[] => [
    r.overLent ? 1 : 0,
    r.overEstimated ? 1 : 0,
    r.agrees ? 0 : 1,
    r.incomeError === null ? (r.overEstimated ? 1 : 0) : Math.abs(Number(r.incomeError)),
  ];
  return [...report.rows]
    .filter((r) => r.overLent || r.overEstimated || !r.agrees || r.within15 === false)
    .sort((a, b) => {
      const sa = score(a);
      const sb = score(b);
      for (let i = 0; i < sa.length; i++) if (sa[i] !== sb[i]) return sb[i] - sa[i];
      return a.id < b.id ? -1 : 1;
    })
    .slice(0, limit);
}

const pct = (x: string | null): string => (x === null ? '–' : `${new Decimal(x).mul(100).toFixed(1)}%`);
const naira = (minor: number | null): string =>
  minor === null ? '–' : `₦${new Decimal(minor).div(100).toDecimalPlaces(0, Decimal.ROUND_DOWN).toNumber().toLocaleString('en-NG')}`;

function metricsRow(g: GroupMetrics): string {
  return `| ${g.group} | ${g.borrowers} | ${g.withIncome} | ${pct(g.medianAbsEstimateError)} | ${pct(g.estimateWithin15Share)} | ${pct(g.estimateOverEstimationRate)} | ${pct(g.medianAbsIncomeError)} | ${pct(g.within15Share)} | ${pct(g.overEstimationRate)} | ${pct(g.overLendingRate)} | ${pct(g.decisionAgreement)} | ${g.decisions.approve}/${g.decisions.refer}/${g.decisions.decline} |`;
}

/** Markdown: the metrics table (overall first, then each archetype) and the worst misses. */
export function formatPopulationReport(report: PopulationReport, opts: { worst?: number } = {}): string {
  const lines = [
    'Detected = `income.monthlyEstimate` (before confidence weights); verified = `income.verifiedMonthly` (after them, what limits use).',
    '',
    '| group | borrowers | with income | detected: median abs error | detected: within ±15% | detected: over-estimation | verified: median abs error | verified: within ±15% | verified: over-estimation | over-lending | decision agreement | approve/refer/decline |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|',
    metricsRow(report.overall),
    ...report.byArchetype.map(metricsRow),
  ];
  const worst = worstMisses(report, opts.worst ?? 20);
  if (worst.length > 0) {
    lines.push(
      '',
      '| borrower | archetype | true income | detected | verified | error (verified) | decision | expected | reasons | flags |',
      '|---|---|---:|---:|---:|---:|---|---|---|---|',
    );
    for (const r of worst) {
      const marks = [r.overLent ? 'OVER-LENT' : '', r.overEstimated ? 'over-est' : ''].filter(Boolean).join(' ');
      lines.push(
        `| ${r.id} | ${r.archetype} | ${naira(r.trueIncomeMinor)} | ${naira(r.estimatedIncomeMinor)} | ${naira(r.verifiedIncomeMinor)} | ${r.incomeError === null ? '–' : pct(r.incomeError)}${marks ? ` ${marks}` : ''} | ${r.decision} | ${r.expectedDecisions.join('/')} | ${r.reasonCodes.join(', ')} | ${r.flags.join(', ')} |`,
      );
    }
  }
  return lines.join('\n');
}
