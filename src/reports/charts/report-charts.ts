import { formatNaira } from '../../common/money.js';
import type { BorrowerReport } from '../model/borrower-report.js';
import { barChart } from './bar-chart.js';
import { lineChart } from './line-chart.js';
import { COLORS, type Chart } from './shapes.js';
import { timeline } from './timeline.js';

/** Builds a drill-down link from query parameters; `null` → charts without links (PDF). */
export type DrillLink = ((params: Record<string, string>) => string) | null;

export interface BorrowerCharts {
  cashFlow: Chart;
  balance: Chart;
  income: Chart;
}

/** The three charts of a borrower report, from the report model only (so they show the decision's numbers). */
export function borrowerCharts(report: BorrowerReport, link: DrillLink, opts: { symbol?: string } = {}): BorrowerCharts {
  const fmt = (k: number): string => (opts.symbol ? formatNaira(k).replace('₦', opts.symbol) : formatNaira(k));
  const months = report.cashFlow?.months ?? [];
  const cashFlow = barChart({
    id: 'monthly-cash-flow',
    title: 'Monthly inflow, outflow and net',
    series: [
      { key: 'inflow', label: 'Inflow', color: COLORS.inflow },
      { key: 'outflow', label: 'Outflow', color: COLORS.outflow },
      { key: 'net', label: 'Net', color: COLORS.net },
    ],
    groups: months.map((m) => ({ label: m.month, values: [m.inflowMinor, m.outflowMinor, m.netMinor], href: link?.({ month: m.month }) })),
    format: opts.symbol ? (k) => fmt(k) : undefined,
  });
  const balance = lineChart({
    id: 'daily-balance',
    title: `Daily balance (last ${report.cashFlow?.balanceWindowDays ?? 0} days)`,
    points: (report.cashFlow?.dailyBalances ?? []).map((p) => ({ date: p.date, value: p.balanceMinor, href: link?.({ date: p.date }) })),
    lowThreshold: report.cashFlow?.lowBalanceThresholdMinor,
  });
  const income = timeline({
    id: 'income-timeline',
    title: 'Income streams (each payment a mark; ◇ predicted next)',
    // The whole period of the data the decision saw, so the axis is the data's real range even without streams.
    from: report.analysis?.from ?? undefined,
    to: report.analysis?.to ?? undefined,
    rows: (report.income?.streams ?? []).map((s) => ({
      key: s.key,
      label: `${s.key} ${s.label}`,
      href: link?.({ stream: s.key }),
      active: s.status === 'ACTIVE',
      predictedNextDate: s.predictedNextDate,
      marks: s.payments
        .filter((p) => p.date !== null)
        .map((p) => ({
          date: p.date!,
          transactionId: p.transactionId,
          amountLabel: p.amountMinor === null ? '?' : fmt(p.amountMinor),
          href: link?.({ ids: p.transactionId }),
        })),
    })),
  });
  return { cashFlow, balance, income };
}
