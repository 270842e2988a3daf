import { Decimal } from 'decimal.js';

/**
 * Credit performance of the lender's own book (issue 14 item 5), pure: loans with their schedules and the
 * allocations of their non-reversed repayments in, figures out — exposure, disbursed and repaid by month, arrears
 * buckets, PAR30/PAR90, roll rates between month-ends, vintage curves and the application → decision → loan →
 * outcome funnel. Every figure is re-derived at its own date from the payments made by then, so a past month-end
 * is what the book looked like that day (a restructured loan is read on its current schedule). Dates are
 * `YYYY-MM-DD` (the loan book's calendar, as `evaluateLoan`); amounts integer kobo; ratios decimal strings.
 */
export interface PerfLoan {
  id: string;
  principalMinor: number;
  disbursedOn: string;
  closedOn: string | null;
  writtenOffOn: string | null;
  instalments: ReadonlyArray<{ seq: number; dueDate: string; principalMinor: number; interestMinor: number }>;
  payments: ReadonlyArray<{ paidOn: string; amountMinor: number; allocation: ReadonlyArray<{ seq: number; principalMinor: number; interestMinor: number }> }>;
}

export interface PerfApplication {
  decision: 'approve' | 'refer' | 'decline' | null;
  policyVersion: string | null;
  loanId: string | null;
}

export const ARREARS_BUCKETS = [
  { key: 'current', label: 'Current', minDpd: 0, maxDpd: 0 },
  { key: '1-30', label: '1–30 DPD', minDpd: 1, maxDpd: 30 },
  { key: '31-60', label: '31–60 DPD', minDpd: 31, maxDpd: 60 },
  { key: '61-90', label: '61–90 DPD', minDpd: 61, maxDpd: 90 },
  { key: '90+', label: '90+ DPD', minDpd: 91, maxDpd: Number.POSITIVE_INFINITY },
] as const;
export type BucketKey = (typeof ARREARS_BUCKETS)[number]['key'];
/** Where a loan open at one month-end is at the next. */
export type RollTarget = BucketKey | 'closed' | 'written_off';
export const ROLL_TARGETS: readonly RollTarget[] = [...ARREARS_BUCKETS.map((b) => b.key), 'closed', 'written_off'];

export interface LoanState {
  open: boolean;
  writtenOff: boolean;
  closed: boolean;
  dpd: number;
  outstandingPrincipalMinor: number;
}

export interface CreditPerformance {
  asOf: string;
  exposure: { openLoans: number; outstandingPrincipalMinor: number; disbursedLoans: number; disbursedPrincipalMinor: number };
  buckets: Array<{ key: BucketKey; label: string; loans: number; outstandingPrincipalMinor: number }>;
  /** Outstanding principal of open loans more than 30 (90) days past due ÷ all outstanding principal; null without any. */
  par30: string | null;
  par90: string | null;
  months: Array<{
    month: string;
    disbursedLoans: number;
    disbursedPrincipalMinor: number;
    collectedMinor: number;
    principalRepaidMinor: number;
    writtenOffPrincipalMinor: number;
    /** At the month-end (or asOf for the current month). */
    outstandingPrincipalMinor: number;
    par30: string | null;
  }>;
  /** Month-end to month-end transitions of the loans open at the first date. */
  rollRates: Array<{
    from: string;
    to: string;
    /** counts[fromBucket][target] */
    counts: Record<BucketKey, Record<RollTarget, number>>;
    /** Per bucket: outstanding principal (at `from`) that rolled to a worse bucket or was written off ÷ the bucket's. */
    rollForward: Record<BucketKey, string | null>;
  }>;
  /** One curve per disbursement month: share of its disbursed principal ever more than 30 days past due, by month on book. */
  vintages: Array<{ cohort: string; loans: number; disbursedPrincipalMinor: number; points: Array<{ monthsOnBook: number; ever30Share: string }> }>;
  funnel: {
    byDecision: FunnelRow[];
    byPolicy: FunnelRow[];
  };
}

export interface FunnelRow {
  key: string;
  applications: number;
  decided: number;
  loans: number;
  repaid: number;
  current: number;
  late: number;
  /** Open and more than 30 days past due. */
  dpd30Plus: number;
  writtenOff: number;
  /** (open 30+ DPD + written off) ÷ loans. */
  badRate: string | null;
}

const DAY = 86_400_000;
const dayNum = (d: string): number => Math.floor(Date.parse(`${d.slice(0, 10)}T00:00:00Z`) / DAY);
const isoDay = (n: number): string => new Date(n * DAY).toISOString().slice(0, 10);
const ratio = (num: number, den: number): string | null => (den > 0 ? new Decimal(num).div(den).toDecimalPlaces(4, Decimal.ROUND_HALF_EVEN).toFixed(4) : null);

/** Last day of `YYYY-MM`. */
export function monthEnd(month: string): string {
  const [y, m] = month.split('-').map(Number);
  return new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10);
}

function addMonths(month: string, k: number): string {
  const [y, m] = month.split('-').map(Number);
  const d = new Date(Date.UTC(y, m - 1 + k, 1));
  return d.toISOString().slice(0, 7);
}

export function bucketOf(dpd: number): BucketKey {
  return ARREARS_BUCKETS.find((b) => dpd >= b.minDpd && dpd <= b.maxDpd)!.key;
}

/** The day each instalment was paid in full (replaying payments made in order), or null. */
function paidInFullDays(loan: PerfLoan): Map<number, number> {
  const due = new Map(loan.instalments.map((i) => [i.seq, i.principalMinor + i.interestMinor]));
  const paid = new Map<number, number>();
  const out = new Map<number, number>();
  for (const p of loan.payments) {
    for (const a of p.allocation) {
      const total = (paid.get(a.seq) ?? 0) + a.principalMinor + a.interestMinor;
      paid.set(a.seq, total);
      if (!out.has(a.seq) && total >= (due.get(a.seq) ?? Number.POSITIVE_INFINITY)) out.set(a.seq, dayNum(p.paidOn));
    }
  }
  // Lines with nothing due (settled at a restructure) are paid from the start.
  for (const i of loan.instalments) if (i.principalMinor + i.interestMinor === 0 && !out.has(i.seq)) out.set(i.seq, dayNum(loan.disbursedOn));
  return out;
}

/** The loan at the end of `date`: null before it was disbursed. */
export function loanStateAt(loan: PerfLoan, date: string, paidDays = paidInFullDays(loan)): LoanState | null {
  const d = dayNum(date);
  if (dayNum(loan.disbursedOn) > d) return null;
  const repaid = loan.payments.filter((p) => dayNum(p.paidOn) <= d).reduce((s, p) => s + p.allocation.reduce((t, a) => t + a.principalMinor, 0), 0);
  const outstanding = Math.max(0, loan.principalMinor - repaid);
  const writtenOff = loan.writtenOffOn !== null && dayNum(loan.writtenOffOn) <= d;
  const closed = !writtenOff && loan.closedOn !== null && dayNum(loan.closedOn) <= d;
  let dpd = 0;
  if (!writtenOff && !closed) {
    for (const i of [...loan.instalments].sort((a, b) => a.seq - b.seq)) {
      const due = dayNum(i.dueDate);
      if (due >= d) break;
      const paidOn = paidDays.get(i.seq);
      if (paidOn === undefined || paidOn > d) {
        dpd = d - due;
        break;
      }
    }
  }
  return { open: !writtenOff && !closed, writtenOff, closed, dpd, outstandingPrincipalMinor: writtenOff || closed ? 0 : outstanding };
}

/** The first day the loan was more than 30 days past due (or written off), or null. */
function ever30Day(loan: PerfLoan, paidDays: Map<number, number>): number | null {
  let first: number | null = loan.writtenOffOn !== null ? dayNum(loan.writtenOffOn) : null;
  for (const i of loan.instalments) {
    const cross = dayNum(i.dueDate) + 31;
    const paidOn = paidDays.get(i.seq);
    if (paidOn !== undefined && paidOn < cross) continue;
    const closedBefore = loan.closedOn !== null && dayNum(loan.closedOn) < cross;
    if (closedBefore) continue;
    if (first === null || cross < first) first = cross;
  }
  return first;
}

function emptyCounts(): Record<BucketKey, Record<RollTarget, number>> {
  const row = (): Record<RollTarget, number> => Object.fromEntries(ROLL_TARGETS.map((t) => [t, 0])) as Record<RollTarget, number>;
  return Object.fromEntries(ARREARS_BUCKETS.map((b) => [b.key, row()])) as Record<BucketKey, Record<RollTarget, number>>;
}

export function creditPerformance(
  loans: readonly PerfLoan[],
  applications: readonly PerfApplication[],
  window: { fromMonth: string; toMonth: string; asOf: string },
): CreditPerformance {
  const asOf = window.asOf.slice(0, 10);
  const paid = new Map(loans.map((l) => [l.id, paidInFullDays(l)]));
  const stateAt = (l: PerfLoan, date: string) => loanStateAt(l, date, paid.get(l.id));
  const nowStates = loans.map((l) => ({ loan: l, s: stateAt(l, asOf) }));
  const open = nowStates.filter((x) => x.s?.open);
  const outstanding = open.reduce((t, x) => t + x.s!.outstandingPrincipalMinor, 0);
  const over = (min: number) => open.filter((x) => x.s!.dpd > min).reduce((t, x) => t + x.s!.outstandingPrincipalMinor, 0);
  const disbursed = loans.filter((l) => dayNum(l.disbursedOn) <= dayNum(asOf));

  const buckets = ARREARS_BUCKETS.map((b) => {
    const inB = open.filter((x) => bucketOf(x.s!.dpd) === b.key);
    return { key: b.key, label: b.label, loans: inB.length, outstandingPrincipalMinor: inB.reduce((t, x) => t + x.s!.outstandingPrincipalMinor, 0) };
  });

  // Months of the window, each closed at its month-end (the current month at asOf).
  const months: string[] = [];
  for (let m = window.fromMonth; m <= window.toMonth; m = addMonths(m, 1)) {
    if (`${m}-01` > asOf) break;
    months.push(m);
  }
  const snapshotOf = (m: string): string => (monthEnd(m) < asOf ? monthEnd(m) : asOf);
  const monthRows = months.map((m) => {
    const inMonth = (d: string | null) => d !== null && d.slice(0, 7) === m && d <= asOf;
    const snap = snapshotOf(m);
    const states = loans.map((l) => stateAt(l, snap)).filter((s): s is LoanState => s !== null && s.open);
    const out = states.reduce((t, s) => t + s.outstandingPrincipalMinor, 0);
    const out30 = states.filter((s) => s.dpd > 30).reduce((t, s) => t + s.outstandingPrincipalMinor, 0);
    let collected = 0;
    let principalRepaid = 0;
    for (const l of loans)
      for (const p of l.payments)
        if (inMonth(p.paidOn)) {
          collected += p.amountMinor;
          principalRepaid += p.allocation.reduce((t, a) => t + a.principalMinor, 0);
        }
    const writtenOff = loans
      .filter((l) => inMonth(l.writtenOffOn))
      .reduce((t, l) => t + (stateAt(l, isoDay(dayNum(l.writtenOffOn!) - 1))?.outstandingPrincipalMinor ?? 0), 0);
    const newLoans = loans.filter((l) => inMonth(l.disbursedOn));
    return {
      month: m,
      disbursedLoans: newLoans.length,
      disbursedPrincipalMinor: newLoans.reduce((t, l) => t + l.principalMinor, 0),
      collectedMinor: collected,
      principalRepaidMinor: principalRepaid,
      writtenOffPrincipalMinor: writtenOff,
      outstandingPrincipalMinor: out,
      par30: ratio(out30, out),
    };
  });

  const snapshots = months.map(snapshotOf);
  const rollRates: CreditPerformance['rollRates'] = [];
  for (let k = 1; k < snapshots.length; k++) {
    const [a, b] = [snapshots[k - 1], snapshots[k]];
    const counts = emptyCounts();
    const weight = Object.fromEntries(ARREARS_BUCKETS.map((x) => [x.key, { all: 0, worse: 0 }])) as Record<BucketKey, { all: number; worse: number }>;
    for (const l of loans) {
      const sa = stateAt(l, a);
      if (!sa?.open) continue;
      const sb = stateAt(l, b)!;
      const from = bucketOf(sa.dpd);
      const target: RollTarget = sb.writtenOff ? 'written_off' : sb.closed ? 'closed' : bucketOf(sb.dpd);
      counts[from][target] += 1;
      weight[from].all += sa.outstandingPrincipalMinor;
      const rank = (t: RollTarget) => (t === 'written_off' ? 99 : t === 'closed' ? -1 : ARREARS_BUCKETS.findIndex((x) => x.key === t));
      if (rank(target) > rank(from)) weight[from].worse += sa.outstandingPrincipalMinor;
    }
    const rollForward = Object.fromEntries(ARREARS_BUCKETS.map((x) => [x.key, ratio(weight[x.key].worse, weight[x.key].all)])) as Record<BucketKey, string | null>;
    rollRates.push({ from: a, to: b, counts, rollForward });
  }

  const cohorts = new Map<string, PerfLoan[]>();
  for (const l of disbursed) {
    const c = l.disbursedOn.slice(0, 7);
    if (c < window.fromMonth || c > window.toMonth) continue;
    cohorts.set(c, [...(cohorts.get(c) ?? []), l]);
  }
  const vintages = [...cohorts.entries()]
    .sort(([x], [y]) => (x < y ? -1 : 1))
    .map(([cohort, ls]) => {
      const total = ls.reduce((t, l) => t + l.principalMinor, 0);
      const firstBad = ls.map((l) => ({ l, day: ever30Day(l, paid.get(l.id)!) }));
      const points: Array<{ monthsOnBook: number; ever30Share: string }> = [];
      for (let mob = 1; ; mob++) {
        const end = monthEnd(addMonths(cohort, mob));
        if (end > asOf) break;
        const bad = firstBad.filter((x) => x.day !== null && x.day <= dayNum(end)).reduce((t, x) => t + x.l.principalMinor, 0);
        points.push({ monthsOnBook: mob, ever30Share: ratio(bad, total)! });
      }
      return { cohort, loans: ls.length, disbursedPrincipalMinor: total, points };
    });

  const byId = new Map(nowStates.map((x) => [x.loan.id, x.s]));
  const funnelRow = (key: string, apps: readonly PerfApplication[]): FunnelRow => {
    const withLoan = apps.map((a) => (a.loanId ? byId.get(a.loanId) : undefined)).filter((s): s is LoanState => s !== undefined && s !== null);
    const dpd30 = withLoan.filter((s) => s.open && s.dpd > 30).length;
    const written = withLoan.filter((s) => s.writtenOff).length;
    return {
      key,
      applications: apps.length,
      decided: apps.filter((a) => a.decision !== null).length,
      loans: withLoan.length,
      repaid: withLoan.filter((s) => s.closed).length,
      current: withLoan.filter((s) => s.open && s.dpd === 0).length,
      late: withLoan.filter((s) => s.open && s.dpd > 0 && s.dpd <= 30).length,
      dpd30Plus: dpd30,
      writtenOff: written,
      badRate: ratio(dpd30 + written, withLoan.length),
    };
  };
  const group = (keyOf: (a: PerfApplication) => string): FunnelRow[] => {
    const g = new Map<string, PerfApplication[]>();
    for (const a of applications) g.set(keyOf(a), [...(g.get(keyOf(a)) ?? []), a]);
    return [...g.entries()].sort(([x], [y]) => (x < y ? -1 : 1)).map(([k, apps]) => funnelRow(k, apps));
  };

  return {
    asOf,
    exposure: {
      openLoans: open.length,
      outstandingPrincipalMinor: outstanding,
      disbursedLoans: disbursed.length,
      disbursedPrincipalMinor: disbursed.reduce((t, l) => t + l.principalMinor, 0),
    },
    buckets,
    par30: ratio(over(30), outstanding),
    par90: ratio(over(90), outstanding),
    months: monthRows,
    rollRates,
    vintages,
    funnel: { byDecision: group((a) => a.decision ?? 'undecided'), byPolicy: group((a) => a.policyVersion ?? 'undecided') },
  };
}
