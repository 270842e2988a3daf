/**
 * Mono's income estimate beside the engine's verified income (issue 16, MONO_INCOME_CROSSCHECK; docs/mono.md "Income
 * cross-check"). Pure: from the decision's `mono_income_checks` rows and its stored income result. When the two
 * differ by more than the tolerance (percent of the larger figure), `reason` says which is higher and the likely
 * cause, read from what the engine itself counted and left out.
 */
import { formatNaira, type IncomeResult } from '../../scoring/engine/index.js';

/** A request still open this long after it was made is shown as unavailable (Mono's report never came). */
export const INCOME_REPORT_WAIT_MS = 30 * 60 * 1000;

export interface IncomeCheckRow {
  accountId: string;
  status: 'not_requested' | 'requested' | 'received' | 'unavailable';
  reason: string | null;
  requestedAt: Date;
  settledAt: Date | null;
  monthlyIncomeMinor: number | null;
  annualIncomeMinor: number | null;
  streams: Array<{ incomeType: string; frequency: string; monthlyAverageMinor: number; stability: number | null }> | null;
}

export interface ReportIncomeCrosscheck {
  /**
   * received: every asked account answered; partial: some answered, others pending or unavailable; pending: asked,
   * no answer yet; unavailable: asked, no usable answer (a Mono fault, or no report within 30 minutes);
   * not_requested: no account had an income_verification consent (nothing was asked of Mono).
   */
  status: 'received' | 'partial' | 'pending' | 'unavailable' | 'not_requested';
  /** Sum of Mono's monthly income over the accounts that answered; null when none did. */
  monoMonthlyMinor: number | null;
  engineVerifiedMonthlyMinor: number;
  engineEstimatedMonthlyMinor: number;
  /** |Mono − engine| ÷ the larger of the two, in percent (one decimal); null without Mono's figure. */
  differencePct: string | null;
  tolerancePct: number;
  /** True when the difference is above the tolerance. */
  differs: boolean;
  higher: 'mono' | 'engine' | null;
  /** Which is higher and the likely cause, when `differs`; otherwise null. */
  reason: string | null;
  /** One line for the page: the figures, or why there are none. */
  summary: string;
  accounts: Array<{
    accountId: string;
    status: IncomeCheckRow['status'];
    monthlyIncomeMinor: number | null;
    note: string | null;
    streams: Array<{ incomeType: string; frequency: string; monthlyAverageMinor: number; stability: number | null }>;
  }>;
}

function effectiveStatus(row: IncomeCheckRow, now: Date): { status: IncomeCheckRow['status']; note: string | null } {
  if (row.status === 'requested' && now.getTime() - row.requestedAt.getTime() > INCOME_REPORT_WAIT_MS) {
    return { status: 'unavailable', note: 'no income report from Mono within 30 minutes' };
  }
  if (row.status === 'requested') return { status: 'requested', note: 'asked; waiting for Mono (mono.events.account_income)' };
  return { status: row.status, note: row.reason };
}

/** Why the engine's verified income is below Mono's estimate, from what the engine counted and left out. */
function whyMonoHigher(income: IncomeResult, mono: number): string {
  const months = Math.max(1, income.irregular.months.length);
  const excludedMonthly = Math.round(
    (income.excluded.neverIncomeMinor + (income.excluded.personToPerson?.amountMinor ?? 0)) / months,
  );
  const gap = mono - income.verifiedMonthlyMinor;
  const causes: string[] = [];
  if (excludedMonthly > 0 && excludedMonthly * 2 >= gap) {
    causes.push(
      `Mono likely counts inflows the engine excluded as not income — transfers in from individuals, own-account transfers, loan disbursements, reversals or winnings (about ${formatNaira(excludedMonthly)} a month here)`,
    );
  }
  if (income.estimatedMonthlyMinor > income.verifiedMonthlyMinor && mono - income.estimatedMonthlyMinor < gap) {
    causes.push(
      `the engine weights each stream by its confidence (its unweighted estimate is ${formatNaira(income.estimatedMonthlyMinor)} a month)`,
    );
  }
  if (income.cappedByPassThrough) causes.push('the engine capped income at the salary because money passes straight through the account');
  if (causes.length === 0) causes.push('Mono counts inflows the engine did not verify as recurring income');
  return `Mono's estimate is higher: ${causes.join('; ')}.`;
}

/** Why Mono's estimate is below the engine's verified income. */
function whyEngineHigher(income: IncomeResult, mono: number): string {
  const causes: string[] = [];
  if (mono === 0) causes.push('Mono found no income (it reports 0 when it sees too little history)');
  if (income.irregularMonthlyMinor > 0) {
    causes.push(`Mono may not count irregular income the engine counted (${formatNaira(income.irregularMonthlyMinor)} a month)`);
  }
  const nonMonthly = income.streams.filter((s) => s.countedMonthlyMinor > 0 && s.frequency !== 'monthly').length;
  if (nonMonthly > 0) causes.push(`weekly or fortnightly streams the engine normalised to a month (${nonMonthly})`);
  causes.push('or Mono averaged over a different period (it uses all history unless asked for fewer months)');
  return `The engine's verified income is higher: ${causes.join('; ')}.`;
}

export function buildIncomeCrosscheck(rows: readonly IncomeCheckRow[], income: IncomeResult, tolerancePct: number, now: Date): ReportIncomeCrosscheck | null {
  if (rows.length === 0) return null;
  const accounts = rows.map((r) => {
    const eff = effectiveStatus(r, now);
    return {
      accountId: r.accountId,
      status: eff.status,
      monthlyIncomeMinor: eff.status === 'received' ? r.monthlyIncomeMinor : null,
      note: eff.note,
      streams: eff.status === 'received' ? (r.streams ?? []) : [],
    };
  });
  const asked = accounts.filter((a) => a.status !== 'not_requested');
  const received = asked.filter((a) => a.status === 'received');
  const status: ReportIncomeCrosscheck['status'] =
    asked.length === 0
      ? 'not_requested'
      : received.length === asked.length
        ? 'received'
        : received.length > 0
          ? 'partial'
          : asked.some((a) => a.status === 'requested')
            ? 'pending'
            : 'unavailable';
  const engine = income.verifiedMonthlyMinor;
  const base = {
    engineVerifiedMonthlyMinor: engine,
    engineEstimatedMonthlyMinor: income.estimatedMonthlyMinor,
    tolerancePct,
    accounts,
  };
  if (received.length === 0) {
    const summary =
      status === 'not_requested'
        ? "Mono's income estimate was not requested: the borrower gave no income_verification consent."
        : status === 'pending'
          ? "Mono's income estimate was requested and has not arrived yet."
          : `Mono's income estimate is unavailable (${asked.map((a) => a.note ?? a.status).join('; ')}); the decision did not depend on it.`;
    return { ...base, status, monoMonthlyMinor: null, differencePct: null, differs: false, higher: null, reason: null, summary };
  }
  const mono = received.reduce((sum, a) => sum + (a.monthlyIncomeMinor ?? 0), 0);
  const larger = Math.max(mono, engine);
  const pct = larger === 0 ? 0 : (Math.abs(mono - engine) * 100) / larger;
  const differs = pct > tolerancePct;
  const higher = mono === engine ? null : mono > engine ? 'mono' : 'engine';
  const reason = differs ? (higher === 'mono' ? whyMonoHigher(income, mono) : whyEngineHigher(income, mono)) : null;
  const partial = status === 'partial' ? ` (${received.length} of ${asked.length} accounts answered)` : '';
  const summary = `Mono's income estimate ${formatNaira(mono)} a month${partial} beside the engine's verified ${formatNaira(engine)}: ${
    differs ? `they differ by ${pct.toFixed(1)}%, above the ${tolerancePct}% tolerance.` : `within the ${tolerancePct}% tolerance (${pct.toFixed(1)}%).`
  }`;
  return { ...base, status, monoMonthlyMinor: mono, differencePct: pct.toFixed(1), differs, higher, reason, summary };
}
