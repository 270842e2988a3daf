import type { CreditPerformance } from './credit-performance.js';

export interface PortfolioReport {
  generatedAt: string;
  from: string;
  to: string;
  /** Periods are Lagos calendar weeks (Monday) for windows up to 92 days, else months. */
  unit: 'week' | 'month';
  decisionsOverTime: Array<{ period: string; approve: number; decline: number; refer: number; total: number }>;
  totals: { decisions: number; approve: number; decline: number; refer: number; borrowersDecided: number };
  limits: {
    buckets: Array<{ label: string; fromMinor: number; toMinor: number | null; count: number }>;
    borrowersWithLimit: number;
    medianMinor: number | null;
    totalMinor: number;
  };
  reunderwriting: {
    available: boolean;
    cycles: Array<{ cycleId: string; startedAt: string | null; raised: number; lowered: number; frozen: number; other: number }>;
  };
  reauthBacklog: Array<{
    borrowerId: string;
    externalId: string;
    fullName: string;
    accountId: string;
    institution: string | null;
    since: string;
    days: number;
  }>;
  freshness: { buckets: Array<{ label: string; count: number }>; accounts: number };
  syncs: {
    outcomes: Array<{ status: string; count: number; accounts: number }>;
    failures: number;
    recentFailures: Array<{ accountId: string; borrowerId: string; status: string; monoCode: string | null; at: string }>;
  };
  topReasons: Array<{ code: string; count: number }>;
  /**
   * Borrowers by the risk grade of their latest decision in the window (docs/scoring.md "Risk grade"), with the
   * decisions behind each grade and the limits they carry (A–C are approvals, D referrals, E declines).
   */
  grades: Array<{ grade: string; borrowers: number; totalLimitMinor: number; medianLimitMinor: number | null }>;
  /** The lender's own book: exposure, arrears, PAR, roll rates, vintages, funnel (docs/reports.md "Credit performance"). */
  credit: CreditPerformance;
  /**
   * Live decisions against the shadow policy computed beside them (docs/scoring.md "Shadow policy"): the active shadow
   * (else the latest), over the window's decisions that have a shadow result; null when no shadow was ever set.
   */
  shadow: ShadowComparison | null;
}

export interface ShadowComparison {
  shadowPolicyId: string;
  policyVersion: string;
  active: boolean;
  /** Live decisions in the window with a shadow result. */
  decisions: number;
  live: { approve: number; refer: number; decline: number; totalLimitMinor: number };
  shadow: { approve: number; refer: number; decline: number; totalLimitMinor: number };
  /** live decision → shadow decision → count. */
  flips: Record<'approve' | 'refer' | 'decline', Record<'approve' | 'refer' | 'decline', number>>;
}

/** Limit buckets in kobo (upper bound exclusive). */
export const LIMIT_BUCKETS: Array<{ label: string; fromMinor: number; toMinor: number | null }> = [
  { label: '₦0 (no limit)', fromMinor: 0, toMinor: 1 },
  { label: 'under ₦50k', fromMinor: 1, toMinor: 5_000_000 },
  { label: '₦50k–₦100k', fromMinor: 5_000_000, toMinor: 10_000_000 },
  { label: '₦100k–₦250k', fromMinor: 10_000_000, toMinor: 25_000_000 },
  { label: '₦250k–₦500k', fromMinor: 25_000_000, toMinor: 50_000_000 },
  { label: '₦500k–₦1m', fromMinor: 50_000_000, toMinor: 100_000_000 },
  { label: '₦1m and over', fromMinor: 100_000_000, toMinor: null },
];

export const FRESHNESS_BUCKETS: Array<{ label: string; maxHours: number | null }> = [
  { label: 'under 24h', maxHours: 24 },
  { label: '1–3 days', maxHours: 72 },
  { label: '3–7 days', maxHours: 168 },
  { label: '7–30 days', maxHours: 720 },
  { label: 'over 30 days', maxHours: null },
];

export function bucketLimits(limits: number[]): PortfolioReport['limits']['buckets'] {
  return LIMIT_BUCKETS.map((b) => ({
    ...b,
    count: limits.filter((l) => l >= b.fromMinor && (b.toMinor === null || l < b.toMinor)).length,
  }));
}

export function bucketFreshness(hours: Array<number | null>): PortfolioReport['freshness']['buckets'] {
  const out = FRESHNESS_BUCKETS.map((b, k) => {
    const lower = k === 0 ? 0 : (FRESHNESS_BUCKETS[k - 1].maxHours ?? 0);
    return { label: b.label, count: hours.filter((h) => h !== null && h >= lower && (b.maxHours === null || h < b.maxHours)).length };
  });
  out.push({ label: 'never synced', count: hours.filter((h) => h === null).length });
  return out;
}

export function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : Math.floor((s[mid - 1] + s[mid]) / 2);
}

/** The grade mix of the latest decisions (every grade listed, zeros included). */
export function gradeMix(latest: Array<{ grade: string; limitMinor: number }>, grades: readonly string[]): PortfolioReport['grades'] {
  return grades.map((grade) => {
    const limits = latest.filter((l) => l.grade === grade).map((l) => l.limitMinor);
    return { grade, borrowers: limits.length, totalLimitMinor: limits.reduce((a, b) => a + b, 0), medianLimitMinor: median(limits) };
  });
}

/** Live against shadow from the grouped (live, shadow) pairs. */
export function shadowComparison(
  p: { id: string; policyVersion: string; active: boolean; pairs: Array<{ live: string; shadow: string; liveLimitMinor: number; shadowLimitMinor: number; n: number }> } | null,
): ShadowComparison | null {
  if (!p) return null;
  const D = ['approve', 'refer', 'decline'] as const;
  type D = (typeof D)[number];
  const isD = (x: string): x is D => (D as readonly string[]).includes(x);
  const side = () => ({ approve: 0, refer: 0, decline: 0, totalLimitMinor: 0 });
  const out: ShadowComparison = {
    shadowPolicyId: p.id,
    policyVersion: p.policyVersion,
    active: p.active,
    decisions: 0,
    live: side(),
    shadow: side(),
    flips: Object.fromEntries(D.map((a) => [a, Object.fromEntries(D.map((b) => [b, 0]))])) as ShadowComparison['flips'],
  };
  for (const r of p.pairs) {
    if (!isD(r.live) || !isD(r.shadow)) continue;
    out.decisions += r.n;
    out.live[r.live] += r.n;
    out.shadow[r.shadow] += r.n;
    out.live.totalLimitMinor += r.liveLimitMinor;
    out.shadow.totalLimitMinor += r.shadowLimitMinor;
    out.flips[r.live][r.shadow] += r.n;
  }
  return out;
}
